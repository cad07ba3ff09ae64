"""The office review in headless Chromium: dashboard, bundle import, a visit's record, remedies, export.

The app starts on a fresh data directory, so it loads the demo department (two units, two visits).
A tablet's bundle is prepared beforehand in another data directory through the services: a visit
to another unit with a roll call, a tobacco finding and an overdue remedy, sealed with a
passphrase. The tests run in order on one server and one tab: the dashboard shows the demo's
figures (and its screenshot goes to the README), then the bundle is imported through the file
chooser, its visit is found in the table and opened, its remedy is followed up, and visits are
exported back into a bundle.
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from e2e_support import IMG_DIR, Flt, new_tab
from playwright.sync_api import expect

from inspection_app.domain.localtime import today_local

pytestmark = pytest.mark.e2e

UNIT = "UBND phường Bến Thành"
FINDING = "Ông Hồ Văn Tâm hút thuốc lá tại hành lang tầng 3 lúc 10 giờ 05"
REMEDY = "Bố trí khu vực hút thuốc riêng ngoài trụ sở, gỡ bỏ gạt tàn tại hành lang"
PASSPHRASE = "Bến Thành 2026"
PHOTO = "Gạt tàn thuốc lá trên bàn hành lang tầng 3"
REPORT_BACK = "Đã gỡ gạt tàn, nhắc nhở toàn thể công chức tại cuộc họp giao ban"
TABLET: dict[str, str] = {}  # the tablet's key fingerprint, as its settings show it (issue #10)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """A tablet's sealed bundle with one visit, made through the services."""
    from inspection_app.services import bundles, checklists, findings, roll_call, units, visits
    from inspection_app.services.context import AppContext
    from inspection_app.store.models import Remedy

    ctx = AppContext.open(tmp_path_factory.mktemp("tablet"), actor="Lê Thị Bích Ngọc")
    try:
        unit = units.create_unit(ctx, UNIT, kind="UBND phường", address="Số 2 Lê Lợi, phường Bến Thành")
        staff = [units.add_staff(ctx, unit.id, name, position) for name, position in [
            ("Đỗ Minh Khoa", "Chủ tịch UBND phường"), ("Hồ Văn Tâm", "Chuyên viên"),
            ("Vương Thị Hạnh", "Chuyên viên"), ("Lục Văn Bình", "Công chức một cửa")]]
        visit = visits.create_visit(
            ctx, unit.id, kind="unannounced", decision_number="140/QĐ-SNV",
            arrival_at=datetime.now(UTC) - timedelta(days=12), place="Trụ sở UBND phường Bến Thành",
            team=[visits.ParticipantIn("Lê Thị Bích Ngọc", "leader", "Phó Giám đốc Sở Nội vụ"),
                  visits.ParticipantIn("Phạm Đức Anh", "secretary", "Chuyên viên")],
            unit_reps=[visits.ParticipantIn("Đỗ Minh Khoa", "Chủ tịch UBND phường")],
            checklist_ids=["working_hours", "alcohol_tobacco"])
        for person, status, arrival in zip(staff, ["present", "present", "late", "absent_unexcused"],
                                           [None, None, "07:58", None]):
            roll_call.set_attendance(ctx, visit.id, person.id, status, arrival)
        checklists.record_answer(ctx, visit.id, "alcohol_tobacco", "at.no_smoking_indoors", "fail",
                                 note="01 người hút thuốc tại hành lang tầng 3.")
        smoking = findings.add_finding(ctx, visit.id, FINDING, "high", "alcohol_tobacco", "at.no_smoking_indoors",
                                       staff[1].id, kind="tobacco", place="Hành lang tầng 3")
        # a photo taken for the checklist item, then linked to the finding as well (issue #13)
        from PIL import Image

        from inspection_app.services import photos
        jpeg = io.BytesIO()
        Image.new("RGB", (320, 240), "grey").save(jpeg, "JPEG")
        photo = photos.add_photo(ctx, visit.id, jpeg.getvalue(), "gat-tan.jpg", caption=PHOTO,
                                 checklist_id="alcohol_tobacco", item_id="at.no_smoking_indoors").photo
        photos.add_photo_link(ctx, photo.id, finding_id=smoking.id)
        today = today_local()
        with ctx.session() as s:  # remedies are written by the minutes on a tablet; set one directly
            s.add(Remedy(visit_id=visit.id, finding_id=smoking.id, text=REMEDY,
                         deadline=today - timedelta(days=6), report_due=today - timedelta(days=3)))
        out = tmp_path_factory.mktemp("bundle") / "goi-ben-thanh.iab"
        bundles.export_bundle(ctx, out, [visit.id], passphrase=PASSPHRASE)
        from inspection_app.services import devices
        TABLET["fingerprint"] = devices.own_device(ctx).fingerprint
        return out
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def tab(browser, app_server):
    flt = new_tab(browser, app_server)
    yield flt
    flt.page.context.close()


def node(tab: Flt, prefix: str, text: str):
    """A semantics container by identifier prefix and text: tappable ones carry their text as
    aria-label, others hold it in their children."""
    nodes = tab.page.locator(f'[flt-semantics-identifier^="{prefix}"]')
    return tab.group(prefix, text).or_(nodes.filter(has_text=text)).first


def settled_shot(tab: Flt, name: str, window_s: float = 0.8) -> Path:
    """A screenshot once the canvas has settled.

    Flutter updates the semantics (what the asserts read) before it paints, a busy machine can
    delay the paint, and transitions animate: shoot frame after frame until the picture has not
    changed for ``window_s`` (longer than any Material transition).
    """
    shots: list[tuple[float, bytes]] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        tab.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        shot = tab.page.screenshot()
        if shots and shots[-1][1] != shot:
            shots.clear()
        shots.append((time.monotonic(), shot))
        if len(shots) >= 3 and shots[-1][0] - shots[0][0] >= window_s:
            break
    else:
        raise AssertionError(f"the screen did not settle for the screenshot {name}")
    IMG_DIR.mkdir(parents=True, exist_ok=True)
    path = IMG_DIR / f"{name}.png"
    path.write_bytes(shots[-1][1])
    return path


def office_ctx(app_server):
    from inspection_app.services.context import AppContext

    return AppContext.open(app_server.data_dir)


def test_dashboard_shows_the_demo_figures(tab: Flt, app_server):
    from inspection_app.domain.report import percent
    from inspection_app.services import review

    ctx = office_ctx(app_server)
    try:
        on_time = review.dashboard(ctx).totals.on_time_rate  # the demo's sample is drawn afresh
    finally:
        ctx.close()
    tab.open("/review/dashboard")  # loaded directly: the screenshot has no route transition to wait out
    # Only the finished demo visit counts; the one still on site is listed apart.
    cards = {"kpi-visits": ("Lượt kiểm tra", "1", "14 người được điểm danh"),
             "kpi-attendance": ("Tỷ lệ có mặt", "78,6%", "11/14 người"),
             "kpi-unexcused": ("Vắng không lý do", "1", "Đi muộn: 2 · Rời vị trí: 0"),
             "kpi-alcohol-tobacco": ("Vi phạm rượu, bia, thuốc lá", "2", "Rượu, bia: 0 · Thuốc lá: 2"),
             "kpi-violations": ("Tổng số vi phạm", "7", "Đi muộn: 2"),
             "kpi-office-culture": ("Văn hóa công sở không đạt", "1", "trên 11 nội dung (9,1%)"),
             "kpi-on-time": ("Hồ sơ đúng hạn", percent(on_time, "vi"), "hồ sơ chọn mẫu")}
    for ident, (label, value, sub) in cards.items():
        expect(tab.ident(ident)).to_have_text(
            re.compile(rf"^{re.escape(label)}\s*{re.escape(value)}\s*.*{re.escape(sub)}", re.S))
    tab.label_has(tab.ident("dash-open"), "Trạm Y tế xã Hòa Hội")
    ubnd = node(tab, "dash-unit-", "UBND xã Hòa Hội")
    tab.label_has(ubnd, "78,6%")
    tab.label_has(tab.ident("dash-month-1"), "78,6%")
    assert settled_shot(tab, "review-dashboard").stat().st_size < 250_000

    # the Director's report for the whole record: the PDF and the spreadsheet arrive as downloads
    downloads = []
    tab.page.on("download", lambda d: downloads.append(d))
    tab.tap(tab.button("Lập báo cáo (PDF, XLSX)"))
    tab.tap(tab.button("Lập và tải về"))
    tab.label_has(tab.ident("report-result"), "Hãy nhập họ và tên người ký báo cáo")  # nobody signs: refused
    tab.fill(tab.textbox("Họ và tên người ký"), "Trần Thị Bình")
    tab.tap(tab.button("Lập và tải về"))
    tab.label_has(tab.ident("report-result"), "Đã tải về")
    deadline = time.monotonic() + 30
    while len(downloads) < 2 and time.monotonic() < deadline:
        tab.page.wait_for_timeout(100)
    names = sorted(d.suggested_filename for d in downloads)
    assert len(names) == 2 and names[0].endswith(".pdf") and names[1].endswith(".xlsx"), names
    pdf = Path(downloads[0].path() if downloads[0].suggested_filename.endswith(".pdf") else downloads[1].path())
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not (app_server.data_dir / "exports").exists()  # nothing left on the serving machine


def test_import_bundle_then_open_its_visit(tab: Flt, bundle: Path, tmp_path):
    tab.tap(tab.button("Gói dữ liệu", exact=True))
    importer = tab.button("Nhập gói dữ liệu", exact=True)
    # a damaged file: refused with the reason, nothing imported
    damaged = tmp_path / "goi-hong.iab"
    damaged.write_bytes(bundle.read_bytes()[: len(bundle.read_bytes()) // 2])
    with tab.page.expect_file_chooser() as chooser:
        tab.tap(importer)
    chooser.value.set_files(str(damaged))
    tab.label_has(tab.ident("import-result"), "Không nhập được gói goi-hong.iab")
    # the sealed bundle without its passphrase: refused too
    with tab.page.expect_file_chooser() as chooser:
        tab.tap(importer)
    chooser.value.set_files(str(bundle))
    tab.label_has(tab.ident("import-result"), "Không nhập được gói goi-ben-thanh.iab")
    # with the passphrase: the tablet is not enrolled yet, so nothing is imported and the screen says how
    tab.fill(tab.textbox("Mật khẩu của gói (nếu có)"), PASSPHRASE)
    with tab.page.expect_file_chooser() as chooser:
        tab.tap(importer)
    chooser.value.set_files(str(bundle))
    report = tab.ident("import-result")
    tab.label_has(report, "chưa được ghi danh")
    tab.label_has(report, TABLET["fingerprint"])
    form = tab.ident("enrol-form")
    tab.fill(tab.textbox("Mã trên máy tính bảng", form), "0000-1111-2222-3333")  # a code that does not match
    tab.tap(tab.button("Ghi danh thiết bị", form))
    tab.label_has(tab.ident("enrol-result"), "không khớp")
    tab.fill(tab.textbox("Mã trên máy tính bảng", form), TABLET["fingerprint"].lower())
    tab.tap(tab.button("Ghi danh thiết bị", form))
    # enrolled: the bundle is imported again, and the report says what came in
    tab.label_has(report, "Đã nhập gói goi-ben-thanh.iab: 1 lượt kiểm tra mới, 0 lượt được cập nhật")
    expect(tab.text(re.compile(r"^Bản ghi thêm mới: \d+")).first).to_be_visible()
    expect(tab.text("goi-ben-thanh.iab").first).to_be_attached()  # in the history of imports

    tab.tap(tab.button("Xem danh sách lượt kiểm tra"))
    row = node(tab, "visit-row-", UNIT)
    tab.label_has(row, "140/QĐ-SNV")
    tab.fill(tab.textbox(re.compile("^Tìm theo đơn vị")), "ben thanh")  # diacritics ignored
    tab.tap(tab.button("Lọc", exact=True))
    expect(tab.page.locator('[flt-semantics-identifier^="visit-row-"]')).to_have_count(1)
    tab.tap(row)
    expect(tab.page).to_have_url(re.compile(r"/review/visits/[0-9a-f-]{36}$"))
    tab.label_has(tab.ident("rec-head"), UNIT)
    tab.label_has(tab.ident("rec-head"), "140/QĐ-SNV")
    tab.label_has(tab.ident("rec-seal"), "Không có dấu đối chiếu")  # not signed: nothing to compare yet
    totals = tab.ident("rec-rollcall-totals")
    for text in ("Tổng số: 4", "Có mặt: 2", "Đi muộn: 1", "Vắng không lý do: 1", "Tỷ lệ có mặt: 75,0%"):
        tab.label_has(totals, text)
    tab.label_has(tab.ident("rec-finding-1"), FINDING)
    tab.label_has(tab.ident("rec-finding-1"), "Người: Hồ Văn Tâm")
    tab.label_has(tab.ident("rec-finding-1"), "1 ảnh")  # the photo linked to it afterwards counts
    tab.label_has(tab.ident("rec-photos"), PHOTO)
    tab.label_has(tab.ident("rec-photos"), f"Phát hiện: {FINDING[:59]}")  # every link, not only the first
    tab.label_has(tab.ident("rec-remedies"), "Quá hạn 3 ngày")
    tab.label_has(tab.ident("rec-minutes"), "Chưa có biên bản")
    tab.label_has(tab.ident("rec-integrity"), "Nhật ký thay đổi nguyên vẹn")


def overdue_now(app_server) -> int:
    """Overdue remedies as of today: the demo's dates are fixed (17/11/2026), so how many of its
    remedies are overdue depends on the day the test runs; the bundle's one is always overdue."""
    from inspection_app.services import review

    ctx = office_ctx(app_server)
    try:
        return sum(1 for r in review.remedies(ctx, today_local()) if r.overdue)
    finally:
        ctx.close()


def test_overdue_remedy_stands_out_and_takes_a_report_back(tab: Flt, app_server):
    tab.tap(tab.nav("Tổng hợp"))
    tab.tap(tab.button("Theo dõi khắc phục", exact=True))
    overdue = overdue_now(app_server)
    assert overdue >= 1
    tab.label_has(tab.ident("remedies-summary"), f"4 yêu cầu khắc phục, {overdue} quá hạn")
    card = node(tab, "remedy-", REMEDY)
    tab.label_has(card, REMEDY)
    tab.label_has(card, "Quá hạn 3 ngày")
    tab.tap(tab.button("Ghi nhận báo cáo của đơn vị", card))
    # a report needs its date: refused with the message under the field (TextField.error), nothing saved
    from inspection_app.ui import fmt

    today = fmt.show_date(fmt.now_local().date())  # what the field held (the screen's default)
    tab.fill(tab.textbox("Ngày báo cáo", card), "")
    tab.tap(tab.button("Lưu báo cáo", card))
    expect(tab.text("Ngày không hợp lệ (dd/mm/yyyy)")).to_have_count(1)
    tab.label_has(card, "Quá hạn 3 ngày")
    tab.fill(tab.textbox("Ngày báo cáo", card), today)
    tab.fill(tab.textbox("Nội dung báo cáo", card), REPORT_BACK)
    tab.tap(tab.button("Lưu báo cáo", card))
    card = node(tab, "remedy-", REMEDY)
    tab.label_has(card, "Đơn vị đã báo cáo")
    tab.label_has(card, "báo cáo muộn")
    tab.label_has(tab.ident("remedies-summary"), f"4 yêu cầu khắc phục, {overdue - 1} quá hạn")
    tab.tap(tab.button("Xác nhận hoàn thành", card))
    tab.label_has(node(tab, "remedy-", REMEDY), "Đã hoàn thành")


def test_export_chosen_visits_into_a_bundle(tab: Flt, app_server):
    tab.tap(tab.button("Lượt kiểm tra", exact=True))
    tab.label_has(tab.text(re.compile(r"^\d+ lượt kiểm tra$")), "1 lượt kiểm tra")  # the search is kept
    tab.tap(tab.button("Bỏ lọc", exact=True))
    tab.label_has(tab.text(re.compile(r"^\d+ lượt kiểm tra$")), "3 lượt kiểm tra")
    tab.tap(tab.page.get_by_role("checkbox", name=f"Chọn lượt kiểm tra tại {UNIT}"))
    tab.tap(tab.page.get_by_role("checkbox", name="Chọn lượt kiểm tra tại UBND xã Hòa Hội"))
    tab.tap(tab.button("Xuất gói dữ liệu (2)"))
    dialog = tab.page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    expect(tab.text(re.compile(r"Mã nhận dạng \(để văn phòng ghi danh\): [0-9A-F]{4}-")).first).to_be_visible()
    with tab.page.expect_download() as download:  # in the browser the bundle arrives as a download
        tab.tap(tab.button("Xuất gói", dialog, exact=True))
    assert re.fullmatch(r"goi-kiem-tra-.*-2-luot\.iab", download.value.suggested_filename)
    saved = Path(download.value.path())
    assert saved.read_bytes()[:2] == b"PK"
    result = tab.ident("export-result")
    tab.label_has(result, "Đã xuất 2 lượt kiểm tra vào tệp:")
    bundles_made = list((app_server.data_dir / "exports").glob("goi-kiem-tra-*-2-luot.iab"))
    assert len(bundles_made) == 1 and bundles_made[0].stat().st_size > 0
    assert IMG_DIR.joinpath("review-dashboard.png").is_file()


def test_outcomes_of_the_demo_violations_and_the_year_end_list(tab: Flt):
    tab.tap(tab.button("Xử lý vi phạm", exact=True))
    # the finished demo visit's violations, each once; none handled yet
    tab.label_has(tab.ident("outcomes-summary"), "7 vi phạm, 7 chưa xử lý")
    tab.label_has(tab.ident("outcome-1"), "Chưa xử lý")
    settled_shot(tab, "review-outcomes")
    downloads = []
    tab.page.on("download", lambda d: downloads.append(d))
    tab.tap(tab.button("Danh sách phục vụ đánh giá cuối năm (XLSX)"))
    tab.label_has(tab.ident("year-end-result"), "Đã tải về danh-sach-danh-gia-cuoi-nam-")
    deadline = time.monotonic() + 30
    while not downloads and time.monotonic() < deadline:
        tab.page.wait_for_timeout(100)
    assert downloads and downloads[0].suggested_filename.endswith(".xlsx")
    assert Path(downloads[0].path()).read_bytes().startswith(b"PK")
