"""A whole visit as an inspector runs it, in headless Chromium, then a restart.

Set up a visit (a new unit, unannounced, the decision, the team and the unit's representative, one
checklist); answer every item, one failed with the note it requires; import the roster from a file
and record a late and an absent person; add a finding with a photo; two signatures and one
refusal; close and lock the visit. Then the server is stopped, a new one starts on the same data
directory, and everything is still there and read-only.

The tests in this module run in order and share one browser tab and one data directory.
"""

from __future__ import annotations

import io
import re
from datetime import UTC

import pytest
from e2e_support import Flt, field_server, new_tab
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

UNIT = "UBND phường Tân Định"
LEADER = "Nguyễn Thị Ánh Tuyết"
SECRETARY = "Phạm Đức Anh"
REP = "Trần Văn Bình"
CHECKLIST = "Thực hiện văn hóa công sở"
FAILED_ITEM = "oc.card_worn"
NOTE = "03 người không đeo thẻ công chức khi tiếp dân"
ROSTER = ("STT,Họ và tên,Chức vụ,Phòng ban\n"
          "1,Lê Hoàng Phúc,Chủ tịch,Lãnh đạo\n"
          "2,Võ Minh Tuấn,Chuyên viên,Văn phòng\n"
          "3,Đặng Ngọc Ánh,Chuyên viên,Văn phòng\n"
          "4,,Chuyên viên,Văn phòng\n"
          "5,Bùi Quốc Việt,Chuyên viên một cửa,Bộ phận Một cửa\n")
LATE, ABSENT = "Võ Minh Tuấn", "Đặng Ngọc Ánh"
FINDING = "Phát hiện 01 người hút thuốc lá trong phòng làm việc tầng 2"
STATE: dict = {}


def earlier_visit(ctx, unit) -> None:
    """Another team's visit still in progress at the commune, so the home has both lists."""
    from datetime import date, datetime, timedelta

    from inspection_app.services import checklists, visits

    visit = visits.create_visit(ctx, unit.id, kind="planned", decision_number="118/QĐ-SNV",
                                decision_date=date(2026, 7, 1), checklist_ids=["working_hours"],
                                arrival_at=datetime.now(UTC) - timedelta(days=1, hours=3),
                                team=[visits.ParticipantIn("Trần Quang Minh", "leader")])
    checklists.record_answer(ctx, visit.id, "working_hours", "wh.on_time", "pass")


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """A department with one unit on file and one visit under way there; everything else on the
    screens is what this test did."""
    server = field_server(tmp_path_factory, "visit-flow", earlier_visit)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tab(browser, app_server):
    flt = new_tab(browser, app_server)
    yield flt
    flt.page.context.close()


def draw(flt: Flt, identifier: str, points: list[tuple[int, int]]) -> None:
    box = flt.ident(identifier).bounding_box()
    assert box is not None
    mouse = flt.page.mouse
    mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    mouse.down()
    for x, y in points[1:]:
        mouse.move(box["x"] + x, box["y"] + y, steps=8)
    mouse.up()


def test_set_up_visit(tab: Flt):
    tab.open("/")
    tab.tap(tab.button("Tạo cuộc kiểm tra mới"))
    expect(tab.textbox("Tên đơn vị")).to_be_visible()
    tab.fill(tab.textbox("Tên đơn vị"), UNIT)
    tab.fill(tab.textbox("Loại đơn vị"), "UBND phường")
    tab.tap(tab.button("Thêm đơn vị mới"))
    expect(tab.text(f"Đã chọn: {UNIT}")).to_be_visible()
    tab.tap(tab.button("Đột xuất", exact=True))
    tab.fill(tab.textbox("Số quyết định"), "125/QĐ-SNV")
    # a date that does not exist: refused, its message both in the notice and under the field (TextField.error)
    tab.fill(tab.textbox("Ngày quyết định"), "31/02/2026")
    tab.tap(tab.button("Bắt đầu kiểm tra"))
    expect(tab.text("Ngày quyết định: Ngày không hợp lệ (dd/mm/yyyy)")).to_have_count(2)
    tab.fill(tab.textbox("Ngày quyết định"), "10/07/2026")
    leader, secretary, rep = tab.ident("person-team-1"), tab.ident("person-team-2"), tab.ident("person-unit-1")
    tab.fill(tab.textbox("Họ và tên 1", leader), LEADER)
    tab.fill(tab.textbox("Chức vụ", leader), "Phó Giám đốc Sở Nội vụ")
    tab.fill(tab.textbox("Họ và tên 2", secretary), SECRETARY)
    tab.fill(tab.textbox("Họ và tên 1", rep), REP)
    tab.fill(tab.textbox("Chức vụ", rep), "Chủ tịch UBND phường")
    # only one checklist: untick the others
    for box in tab.page.get_by_role("checkbox").all():
        name = box.get_attribute("aria-label") or ""
        if CHECKLIST not in name and box.get_attribute("aria-checked") == "true":
            box.dispatch_event("click")
            expect(box).to_have_attribute("aria-checked", "false")
    expect(tab.page.get_by_role("checkbox", name=CHECKLIST)).to_have_attribute("aria-checked", "true")
    tab.tap(tab.button("Bắt đầu kiểm tra"))
    expect(tab.ident(f"item-{FAILED_ITEM}")).to_be_attached()
    # the tablet asks who records (chosen from the team): every answer and finding carries the name
    who = tab.ident("who-banner")
    tab.tap(tab.button(SECRETARY, who))
    expect(who).to_have_count(0)
    expect(tab.button(SECRETARY).first).to_be_attached()
    STATE["visit_url"] = tab.page.url
    assert re.search(r"/visits/[0-9a-f-]{36}/checklist$", tab.page.url)


def test_answer_checklist_with_failed_item_and_note(tab: Flt):
    items = tab.page.locator('[flt-semantics-identifier^="item-oc."]')
    expect(items).to_have_count(11)
    ids = [i.get_attribute("flt-semantics-identifier") for i in items.all()]
    for ident in ids:
        verdict = "Không đạt" if ident == f"item-{FAILED_ITEM}" else "Đạt"
        seg = tab.button(verdict, tab.ident(ident), exact=True)
        tab.tap(seg)
        expect(seg).to_have_attribute("aria-current", "true")
    failed = tab.ident(f"item-{FAILED_ITEM}")
    tab.label_has(failed, "Cần ghi chú cho nội dung không đạt")
    tab.fill(tab.textbox("Ghi chú", failed), NOTE)
    # saved by itself shortly after typing, then re-checked by the services: the warning goes
    tab.label_has(failed, "Cần ghi chú cho nội dung không đạt", present=False)
    expect(tab.page.get_by_role("progressbar", name="Trang phục, giao tiếp 3/3")).to_be_attached()
    expect(tab.page.get_by_role("checkbox", name=re.compile(CHECKLIST))).to_have_attribute("aria-label",
                                                                                          re.compile("11/11"))
    tab.scroll_to_top(tab.ident("section-office_culture-conduct"))
    tab.shot("checklist")


def test_roll_call_import_late_and_absent(tab: Flt, tmp_path):
    roster = tmp_path / "danh_sach_can_bo.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    tab.tap(tab.nav("Điểm danh"))
    with tab.page.expect_file_chooser() as chooser:
        tab.tap(tab.button("Nhập danh sách từ tệp"))
    chooser.value.set_files(str(roster))
    expect(tab.text("Đã nhập 4 người").first).to_be_visible()
    expect(tab.text(re.compile("Dòng 5: thiếu họ và tên"))).to_be_visible()
    late = tab.group("staff-", LATE)
    tab.tap(tab.button("Đi muộn", late, exact=True))
    tab.fill(tab.textbox("Giờ đến", late), "07:52")
    expect(late).to_have_attribute("aria-label", re.compile(r"muộn \d+ phút"))
    absent = tab.group("staff-", ABSENT)
    tab.tap(tab.button("Vắng có lý do", absent, exact=True))
    tab.tap(tab.button("Nghỉ phép", absent, exact=True))
    tab.expect_value(tab.textbox("Giấy tờ chứng minh", absent), "Đơn nghỉ phép được duyệt")
    tab.tap(tab.button("Còn lại: có mặt"))
    totals = tab.ident("rc-totals")
    for text in ("Chưa điểm danh: 0", "Đi muộn: 1", "Vắng có lý do: 1", "Có mặt: 2"):
        tab.label_has(totals, text)
    tab.scroll_to_top(tab.button("Nhập danh sách từ tệp"))
    tab.shot("roll_call")


def test_finding_with_photo(tab: Flt, tmp_path):
    photo = tmp_path / "hut_thuoc_phong_lam_viec.jpg"
    img = Image.new("RGB", (640, 480), (180, 40, 40))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    photo.write_bytes(buf.getvalue())
    tab.tap(tab.nav("Phát hiện"))
    tab.tap(tab.button("Thêm phát hiện"))
    tab.fill(tab.textbox("Mô tả phát hiện"), FINDING)
    tab.tap(tab.button("Cao", exact=True))
    tab.tap(tab.button("Người", exact=True))
    tab.tap(tab.page.get_by_role("radio", name="Bùi Quốc Việt"))
    tab.tap(tab.button("Lưu phát hiện"))
    card = tab.ident("finding-1")
    tab.label_has(card, FINDING)
    tab.label_has(card, "Người: Bùi Quốc Việt")
    with tab.page.expect_file_chooser() as chooser:
        tab.tap(tab.button("Thêm ảnh", card))
    chooser.value.set_files(str(photo))
    expect(tab.ident("finding-1").get_by_role("img")).to_have_count(1)


def test_two_signatures_and_a_refusal(tab: Flt):
    # signatures come after the conclusions (issue #11, point 3): the screen sends there first
    tab.tap(tab.nav("Chữ ký"))
    expect(tab.ident("signatures-wait")).to_be_visible()
    tab.tap(tab.button("Mở trang Đánh giá, kiến nghị"))
    tab.fill(tab.textbox("Nhận xét, đánh giá của Đoàn kiểm tra"), "Đơn vị cơ bản chấp hành tốt.")
    tab.tap(tab.button("Lấy giờ hiện tại"))
    tab.tap(tab.nav("Chữ ký"))
    # the refusal first: it changes section V and the closing, which the team then signs
    tab.tap(tab.button("Đại diện đơn vị được kiểm tra", exact=True))
    rep = tab.ident("signer-unit_representative")
    tab.fill(tab.textbox("Lý do từ chối ký", rep), "Không đồng ý với kết quả điểm danh")
    tab.tap(tab.button("Ghi nhận từ chối ký", rep))
    tab.label_has(rep, f"Từ chối ký: {REP}")

    tab.tap(tab.button("Trưởng đoàn", exact=True))
    leader = tab.ident("signer-team_leader")
    tab.expect_value(tab.textbox("Họ và tên người ký", leader), LEADER)
    draw(tab, "pad-team_leader", [(40, 60), (120, 150), (200, 50), (300, 150)])
    draw(tab, "pad-team_leader", [(320, 120), (480, 110)])
    tab.tap(tab.button("Lưu chữ ký", leader))
    tab.label_has(leader, f"Đã ký: {LEADER}")

    tab.tap(tab.button("Thư ký", exact=True))
    secretary = tab.ident("signer-secretary")
    tab.expect_value(tab.textbox("Họ và tên người ký", secretary), SECRETARY)
    draw(tab, "pad-secretary", [(60, 140), (160, 40), (260, 140), (400, 60)])
    tab.tap(tab.button("Lưu chữ ký", secretary))
    tab.label_has(secretary, f"Đã ký: {SECRETARY}")


def test_close_and_lock(tab: Flt):
    tab.tap(tab.nav("Kết thúc"))
    tab.label_has(tab.ident("close-status"), "Đã đủ thông tin")
    tab.tap(tab.button("Khóa cuộc kiểm tra"))
    confirm = tab.ident("lock-confirm")
    expect(confirm).to_be_visible()
    tab.tap(tab.button("Khóa cuộc kiểm tra", confirm))
    tab.label_has(tab.ident("close-status"), "Đã khóa cuộc kiểm tra lúc")
    expect(tab.ident("locked-banner")).to_be_visible()


def test_everything_survives_a_restart(tab: Flt, app_server):
    app_server.stop()
    app_server.start()  # a new process on the same data directory and a new port
    visit_path = STATE["visit_url"].split("/", 3)[3]  # visits/<id>/checklist
    tab.open("/" + visit_path)
    expect(tab.ident("locked-banner")).to_be_visible()
    failed = tab.ident(f"item-{FAILED_ITEM}")
    expect(tab.button("Không đạt", failed, exact=True)).to_have_attribute("aria-current", "true")
    tab.expect_value(tab.textbox("Ghi chú", failed), NOTE)
    expect(tab.button("Đạt", tab.ident("item-oc.attire"), exact=True)).to_have_attribute("aria-current", "true")

    tab.tap(tab.nav("Điểm danh"))
    tab.label_has(tab.ident("rc-totals"), "Đi muộn: 1")
    tab.label_has(tab.ident("rc-totals"), "Vắng có lý do: 1")
    late = tab.group("staff-", LATE)
    tab.expect_value(tab.textbox("Giờ đến", late), "07:52")

    tab.tap(tab.nav("Phát hiện"))
    tab.label_has(tab.ident("finding-1"), FINDING)
    expect(tab.ident("finding-1").get_by_role("img")).to_have_count(1)

    tab.tap(tab.nav("Chữ ký"))
    tab.label_has(tab.ident("signer-team_leader"), f"Đã ký: {LEADER}")
    tab.tap(tab.button("Đại diện đơn vị được kiểm tra", exact=True))
    tab.label_has(tab.ident("signer-unit_representative"), f"Từ chối ký: {REP}")

    tab.tap_icon("Quay lại")
    expect(tab.button("Tạo cuộc kiểm tra mới")).to_be_visible()
    expect(tab.page.get_by_role("heading", name="Cuộc kiểm tra", exact=True)).to_be_visible()
    tile = tab.page.get_by_role("button").filter(has_text=UNIT)
    expect(tile).to_contain_text("Đã khóa")
    expect(tile).to_contain_text("Đột xuất")
    tab.shot("home")
