"""Dossier sampling in headless Chromium: register file → preview → import → fix → draw → check.

A unit and a visit are set up through the services in a fresh data directory before the server
starts. The inspector opens the visit's "Hồ sơ TTHC" section, uploads a register CSV with
Vietnamese headers through the browser's file chooser, sees the preview (a mapped column, the
personal columns left out, the unreadable row 8), imports it, fixes the sample (the commitment and
the frame hash are on screen before any draw, and the database has the commitment but no seed),
draws (the seed is shown and hashes to the commitment), sees the 4 sampled dossiers (2 per domain),
opens one and fails an item with a note and a photo. Then the record is checked through the
services (the answer, note and photo are stored; ``verify_sample`` re-draws the same sample from
the file and from the stored frame; no file under the data directory holds a value of a personal
column) and through the CLI, with only the values read off the screen and the original file:
``inspection-app sample verify --seed … --per-stratum 2`` says MATCH.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys

import pytest
from e2e_support import ROOT, AppServer, Flt, new_tab
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
UNIT = "UBND xã Hòa Hội"
NOTE = "Phiếu kiểm soát thiếu chữ ký của người tiếp nhận"
REGISTER = """\
TT,Mã hồ sơ,Tên TTHC,Mã TTHC,Lĩnh vực,Chủ hồ sơ,Số điện thoại,Kênh thực hiện,Ngày tiếp nhận,Ngày hẹn trả kết quả,Ngày trả,Trạng thái,Mã bưu gửi
1,000.00.31.H56-260602-0001,Đăng ký khai sinh,1.001193,Hộ tịch,Nguyễn Văn An,0912000001,Trực tiếp,02/06/2026 08:15,05/06/2026 16:00,04/06/2026 15:30,Đã trả kết quả,
2,000.00.31.H56-260602-0002,Đăng ký khai sinh,1.001193,Hộ tịch,Trần Thị Bích,0912000002,Trực tuyến,02/06/2026 09:40,05/06/2026 16:00,05/06/2026 10:00,Đã trả kết quả,
3,000.00.31.H56-260603-0003,Đăng ký kết hôn,1.000894,Hộ tịch,Lê Văn Cường,0912000003,Trực tiếp,03/06/2026 08:05,08/06/2026 16:00,11/06/2026 14:00,Đã trả kết quả,
4,000.00.31.H56-260603-0004,Đăng ký khai tử,1.000656,Hộ tịch,Phạm Thị Dung,0912000004,Bưu chính công ích,03/06/2026 10:20,04/06/2026 16:00,04/06/2026 09:00,Đã trả kết quả,EE123456789VN
5,000.00.31.H56-260604-0005,Đăng ký khai sinh,1.001193,Hộ tịch,Hoàng Văn Em,0912000005,Trực tuyến,04/06/2026 14:10,09/06/2026 16:00,08/06/2026 16:30,Đã trả kết quả,
6,000.00.31.H56-260605-0006,Đăng ký kết hôn,1.000894,Hộ tịch,Võ Thị Phương,0912000006,Trực tiếp,05/06/2026 08:30,10/06/2026 16:00,12/06/2026 08:00,Đã trả kết quả,
7,000.00.31.H56-260605-0007,Chứng thực bản sao từ bản chính,2.000815,Chứng thực,Đặng Văn Giang,0912000007,Trực tiếp,05/06/2026 09:00,31/02/2026 16:00,05/06/2026 11:00,Đã trả kết quả,
8,000.00.31.H56-260608-0008,Chứng thực bản sao từ bản chính,2.000815,Chứng thực,Bùi Thị Hà,0912000008,Trực tiếp,08/06/2026 08:00,08/06/2026 16:00,08/06/2026 10:00,Đã trả kết quả,
9,000.00.31.H56-260608-0009,Chứng thực chữ ký,2.000884,Chứng thực,Ngô Văn Ích,0912000009,Trực tiếp,08/06/2026 09:15,09/06/2026 16:00,10/06/2026 08:30,Đã trả kết quả,
10,000.00.31.H56-260609-0010,Chứng thực chữ ký,2.000884,Chứng thực,Dương Thị Kim,0912000010,Trực tuyến,09/06/2026 13:45,10/06/2026 16:00,10/06/2026 15:00,Đã trả kết quả,
11,000.00.31.H56-260610-0011,Chứng thực hợp đồng,2.001035,Chứng thực,Lý Văn Long,0912000011,Trực tiếp,10/06/2026 08:20,15/06/2026 16:00,12/06/2026 09:00,Đã trả kết quả,
12,000.00.31.H56-260611-0012,Chứng thực bản sao từ bản chính,2.000815,Chứng thực,Mai Thị Nga,0912000012,Trực tiếp,11/06/2026 10:00,11/06/2026 16:00,11/06/2026 14:00,Đã trả kết quả,
"""


def open_ctx(data_dir):
    from inspection_app.services.context import AppContext

    return AppContext.open(data_dir, actor="Kiểm tra E2E")


@pytest.fixture(scope="module")
def dossier_app(tmp_path_factory):
    """A server on a data directory that already holds one unit and one visit (no demo data)."""
    from inspection_app.services import units, visits

    data_dir = tmp_path_factory.mktemp("dossier-data")
    ctx = open_ctx(data_dir)
    try:
        unit = units.create_unit(ctx, UNIT, kind="UBND xã", address="Ấp Bình Hòa, xã Hòa Hội")
        visit = visits.create_visit(ctx, unit.id, kind="unannounced", decision_number="125/QĐ-SNV",
                                    checklist_ids=["office_culture", "tthc_dossiers"],
                                    team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc")])
    finally:
        ctx.close()
    server = AppServer(data_dir, tmp_path_factory.mktemp("dossier-logs")).start()
    yield server, visit.id
    server.stop()


@pytest.fixture(scope="module")
def tab(browser, dossier_app):
    flt = new_tab(browser, dossier_app[0])
    yield flt
    flt.page.context.close()


def label_of(locator) -> str:
    """A semantics container's text: its merged aria-label, or its text content."""
    locator = locator.first
    return (locator.get_attribute("aria-label") or "") + " " + (locator.text_content() or "")


def personal_values_on_disk(data_dir) -> list[str]:
    """Every file under the data directory holding a value of a personal column of REGISTER."""
    rows = [line.split(",") for line in REGISTER.splitlines()[1:]]
    values = [v.encode() for row in rows for v in (row[5], row[6])]  # Chủ hồ sơ, Số điện thoại
    found = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        content = path.read_bytes()
        found += [f"{path.relative_to(data_dir)}: {v.decode()}" for v in values if v in content]
    return found


def test_import_fix_draw_check_and_redraw(tab: Flt, dossier_app, tmp_path):
    server, visit_id = dossier_app
    register = tmp_path / "so_theo_doi_ho_so_xa_hoa_hoi.csv"
    register.write_text(REGISTER, encoding="utf-8")
    page = tab.page

    # --- 1. pick the file, see the preview, import ----------------------------------------------
    tab.open(f"/visits/{visit_id}/checklist")
    tab.tap(tab.nav("Hồ sơ TTHC"))
    with page.expect_file_chooser() as chooser:
        tab.tap(tab.button("Chọn tệp sổ theo dõi (CSV/XLSX/XLS/ODS)"))
    chooser.value.set_files(str(register))
    preview = tab.ident("register-preview")
    expect(preview).to_be_attached()
    tab.label_has(preview, "Đọc được 11 hồ sơ trên 12 dòng dữ liệu")
    tab.label_has(tab.ident("mapped-due"), "“Ngày hẹn trả kết quả”")  # header → field
    tab.label_has(tab.ident("mapped-due"), "Ngày hẹn trả")
    tab.label_has(preview, "“Chủ hồ sơ”: dữ liệu cá nhân, không lưu")
    tab.label_has(preview, "“Mã bưu gửi”: không nhận ra")
    tab.label_has(preview, "Dòng 8: Ngày hẹn trả (cột “Ngày hẹn trả kết quả”)")
    tab.tap(tab.button("Nhập sổ theo dõi này", preview))
    expect(tab.text("Đã nhập sổ theo dõi: 11 hồ sơ").first).to_be_visible()
    expect(preview).to_have_count(0)
    # The register was read in memory: no file under the data directory holds a holder's name or phone.
    assert personal_values_on_disk(server.data_dir) == []
    assert not (server.data_dir / "uploads" / "registers").exists()

    # --- 2. fix the sample: the commitment is shown before the draw ------------------------------
    tab.tap(tab.button("Cố định mẫu"))
    committed = tab.ident("sample-commitment")
    expect(committed).to_be_attached()
    tab.label_has(committed, "Cam kết (SHA-256 của hạt giống)")
    tab.label_has(committed, "11 hồ sơ trong khung")
    shown = HEX64.findall(label_of(committed))
    assert len(shown) >= 2, label_of(committed)
    commitment, frame_hash = shown[0], shown[1]
    from inspection_app.services import photos, sampling

    ctx = open_ctx(server.data_dir)
    try:
        [prepared] = sampling.list_samples(ctx, visit_id)
        assert (prepared.drawn, prepared.commitment, prepared.frame_hash, prepared.seed_hex) == (
            False, commitment, frame_hash, "")
    finally:
        ctx.close()

    # --- 3. draw: the seed is revealed and matches the commitment -----------------------------------
    tab.tap(tab.button("Rút mẫu"))
    seed_node = tab.ident("sample-seed")
    expect(seed_node).to_be_attached()
    [seed] = HEX64.findall(label_of(seed_node))
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == commitment
    rows = page.locator('[flt-semantics-identifier^="dossier-000."]')
    expect(rows).to_have_count(4)  # 2 per domain, 2 domains
    codes = [r.get_attribute("flt-semantics-identifier").removeprefix("dossier-") for r in rows.all()]
    tab.label_has(tab.ident("sample-record"), "Đã rút 4 hồ sơ")
    tab.label_has(tab.ident(f"dossier-{codes[0]}"), "Đã kiểm tra 0/9")
    tab.reveal(tab.ident(f"dossier-{codes[-1]}"))  # the list is below the sample record
    expect(tab.text("Đã rút mẫu: 4 hồ sơ")).to_have_count(0)  # the snack bar has gone
    shot = tab.shot("dossiers")
    assert shot.stat().st_size < 250_000

    # --- 4. open one dossier and fail an item with a note ------------------------------------------
    tab.tap(tab.button("Kiểm tra", tab.ident(f"dossier-{codes[0]}")))
    detail = tab.ident("dossier-detail")
    expect(detail).to_be_attached()
    tab.label_has(detail, codes[0])
    card = tab.ident("item-td.control_slip")
    fail = tab.button("Không đạt", card, exact=True)
    tab.tap(fail)
    expect(fail).to_have_attribute("aria-current", "true")
    tab.label_has(detail, "Đã kiểm tra 1/9")
    # The card's icon buttons (note, photo, finding) follow the three verdicts; inside the card's
    # semantics container their tooltips are merged into the card's label, so go by position.
    tab.tap(card.get_by_role("button").nth(3))
    tab.fill(tab.textbox("Ghi chú", card), NOTE)
    photo = tmp_path / "phieu_kiem_soat.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 190, 150)).save(buf, "JPEG", quality=85)
    photo.write_bytes(buf.getvalue())
    with page.expect_file_chooser() as chooser:
        tab.tap(card.get_by_role("button").nth(4))  # the photo button
    chooser.value.set_files(str(photo))
    expect(card.get_by_role("img")).to_have_count(1)
    tab.tap(tab.button("Hồ sơ tiếp theo").first)  # dossier by dossier, and back: the answer is still there
    tab.label_has(detail, codes[1])
    tab.tap(tab.button("Hồ sơ trước").first)
    tab.label_has(detail, codes[0])
    expect(fail).to_have_attribute("aria-current", "true")
    server.stop()  # a restart (the tablet's app killed): back on the dossier that was open, not the list
    server.start()
    tab.open(f"/visits/{visit_id}/dossiers")
    tab.label_has(detail, codes[0])
    expect(fail).to_have_attribute("aria-current", "true")
    tab.tap(tab.button("Danh sách hồ sơ mẫu").first)  # leaving the dossier saves what was typed
    tab.label_has(tab.ident(f"dossier-{codes[0]}"), "Đã kiểm tra 1/9")
    server.stop()  # closed on purpose: after a restart too, the list
    server.start()
    tab.open(f"/visits/{visit_id}/dossiers")
    tab.label_has(tab.ident(f"dossier-{codes[0]}"), "Đã kiểm tra 1/9")
    expect(detail).to_have_count(0)

    # --- 5. the record, through the services and through the CLI -----------------------------------
    ctx = open_ctx(server.data_dir)
    try:
        [sample] = [s for s in sampling.list_samples(ctx, visit_id) if s.drawn]
        assert (sample.seed_hex, sample.commitment, sample.frame_hash) == (seed, commitment, frame_hash)
        dossiers = {d.code: d for d in sampling.sampled_dossiers(ctx, sample.id)}
        assert set(dossiers) == set(codes)
        assert dossiers[codes[0]].answers == {"td.control_slip": "fail"}
        assert dossiers[codes[0]].notes == {"td.control_slip": NOTE}
        [stored] = photos.list_photos(ctx, visit_id, dossier_check_id=dossiers[codes[0]].check_id)
        assert stored.caption.startswith(f"Hồ sơ {codes[0]}: Phiếu kiểm soát")
        verification = sampling.verify_sample(ctx, sample.id, register)
        assert verification.matches, verification.summary()
        from_frame = sampling.verify_sample(ctx, sample.id)  # no file: the canonical frame stored at import
        assert from_frame.matches, from_frame.summary()
    finally:
        ctx.close()
    cli = subprocess.run(
        [sys.executable, "-m", "inspection_app", "--data-dir", str(tmp_path / "cli-data"), "sample", "verify",
         "--register", str(register), "--seed", seed, "--per-stratum", "2", "--frame-hash", frame_hash,
         "--commitment", commitment, "--codes", ",".join(codes)],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "KHỚP" in cli.stdout
