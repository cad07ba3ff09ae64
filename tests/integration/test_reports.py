"""The Director's period report: PDF (Decree 30 style, charts) and the XLSX tables; both databases."""

from __future__ import annotations

import unicodedata
import zipfile
from datetime import date, datetime

import pytest
from office_seed import VN, seed_unit, seed_visit
from openpyxl import load_workbook
from pypdf import PdfReader

from inspection_app.domain.errors import ValidationFailed
from inspection_app.services import reports, review

pytestmark = pytest.mark.both_databases


@pytest.fixture
def office(ctx_factory):
    return ctx_factory("office", actor="Trần Thị Bình", device_id="office-1")


@pytest.fixture
def seeded(office):
    a = seed_unit(office, "UBND xã Tân Thành", staff=4)
    b = seed_unit(office, "Trạm y tế phường Hòa Thành", staff=2)
    seed_visit(office, unit=a, when=datetime(2026, 3, 2, 8, 0, tzinfo=VN),
               roll_call=["present", "late", "absent_unexcused", "absent_excused"],
               answers={"office_culture": {"oc1": "pass", "oc2": "fail"}, "alcohol_tobacco": {"at1": "fail"}},
               findings=[("alcohol", "Uống bia trong giờ nghỉ trưa"), ("tobacco", "Hút thuốc trong phòng họp")],
               timeliness=["on_time", "late"], remedies=[("Chấn chỉnh kỷ luật giờ giấc", date(2026, 3, 31), None)],
               status="signed")
    seed_visit(office, unit=b, when=datetime(2026, 4, 8, 14, 0, tzinfo=VN), roll_call=["present", "present"],
               answers={"office_culture": {"oc1": "fail"}}, findings=[("tobacco", "Gạt tàn trên bàn làm việc")],
               timeliness=["early"], remedies=[("Tháo gạt tàn", date(2026, 4, 30), date(2026, 4, 25))],
               status="closed")
    seed_visit(office, unit=b, when=datetime(2026, 4, 20, 8, 0, tzinfo=VN), roll_call=["present", "absent_unexcused"],
               findings=[("alcohol", "Uống rượu")], status="on_site")  # open: listed apart, never counted
    seed_visit(office, unit=b, when=datetime(2026, 7, 1, 8, 0, tzinfo=VN))  # outside the period
    return a[0], b[0]


def _text(path) -> str:
    reader = PdfReader(str(path))
    return "\n".join(unicodedata.normalize("NFC", p.extract_text() or "") for p in reader.pages)


def test_period_report_content(office, seeded):
    r = reports.period_report(office, date(2026, 3, 1), date(2026, 4, 30), today=date(2026, 5, 10))
    assert (r.totals.visits, r.units_visited, r.unannounced_visits, r.planned_visits) == (2, 2, 2, 0)
    assert r.totals == review.dashboard(office, date(2026, 3, 1), date(2026, 4, 30)).totals
    assert [(v.unit_name, v.kind) for v in r.violations] == [("UBND xã Tân Thành", "late"),
                                                             ("UBND xã Tân Thành", "absent_unexcused"),
                                                             ("UBND xã Tân Thành", "alcohol"),
                                                             ("UBND xã Tân Thành", "tobacco"),
                                                             ("Trạm y tế phường Hòa Thành", "tobacco")]
    assert [o.unit_name for o in r.open_visits] == ["Trạm y tế phường Hòa Thành"]
    assert (r.remedies.total, r.remedies.open, r.remedies.overdue, r.remedies.reported) == (2, 1, 1, 1)
    assert [(o.text, o.days_overdue) for o in r.overdue] == [("Chấn chỉnh kỷ luật giờ giấc", 40)]
    assert (r.parent_agency, r.issuer, r.recipient) == ("SỞ NỘI VỤ TỈNH TÂY NINH", "ĐOÀN KIỂM TRA CÔNG VỤ",
                                                        "Giám đốc Sở Nội vụ")
    assert (r.department_code, r.recipients, r.archive) == ("ĐKTCV", ("- Như trên;",), "- Lưu: VT, ĐKTCV.")
    assert r.signer_name == "Trần Thị Bình"
    with pytest.raises(ValidationFailed):
        reports.period_report(office, date(2026, 4, 30), date(2026, 3, 1))


def test_report_pdf(office, seeded, tmp_path):
    out = reports.write_report_pdf(office, date(2026, 3, 1), date(2026, 4, 30), tmp_path / "bc.pdf",
                                   today=date(2026, 5, 10))
    assert out.pages >= 2 and out.path.read_bytes().startswith(b"%PDF")
    text = _text(out.path)
    flat = " ".join(text.split())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỞ NỘI VỤ TỈNH TÂY NINH",
                     "ĐOÀN KIỂM TRA CÔNG VỤ", "Số: ……/BC-ĐKTCV", "- Như trên;", "Tây Ninh, ngày 10 tháng 5 năm 2026", "BÁO CÁO",
                     "Kết quả kiểm tra công vụ từ ngày 01/03/2026 đến ngày 30/04/2026",
                     "Kính gửi: Giám đốc Sở Nội vụ", "I. TÌNH HÌNH CHUNG", "II. KẾT QUẢ KIỂM TRA",
                     "III. XỬ LÝ KẾT QUẢ KIỂM TRA VÀ THEO DÕI VIỆC KHẮC PHỤC", "IV. ĐỀ XUẤT, KIẾN NGHỊ", "Tỷ lệ có mặt: 66,7%",
                     "Biểu đồ 1", "Biểu đồ 2", "Biểu đồ 3", "Bảng 1", "Bảng 2", "Chấn chỉnh kỷ luật giờ giấc",
                     "Nơi nhận:", "TRƯỞNG ĐOÀN", "Trần Thị Bình", "03/2026", "04/2026"):
        assert expected in flat, expected
    assert "07/2026" not in flat
    reader = PdfReader(str(out.path))
    fonts = set()
    for page in reader.pages:
        for f in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert fonts and all("LiberationSerif" in f for f in fonts), fonts  # embedded; no stray Helvetica
    # Decree 30: no number on the first page, numbers centred at the top from page 2 on.
    assert reader.pages[1].extract_text().strip().splitlines()[0].strip() == "2"


def test_charts_are_vector_bars(office, seeded):
    from reportlab.graphics.shapes import Rect

    from inspection_app.pdf.report import month_rates_chart, month_violations_chart, units_violations_chart

    r = reports.period_report(office, date(2026, 3, 1), date(2026, 4, 30), today=date(2026, 5, 10))

    def bars(drawing):
        out = []

        def walk(node):
            if isinstance(node, Rect) and node.width > 0 and node.height > 0 and node.fillColor is not None:
                out.append(node)
            for child in getattr(node, "contents", []) or []:
                walk(child)
        walk(drawing.expandUserNodes())
        return out

    assert len(bars(month_rates_chart(r))) >= 4  # 2 months × 2 series (+ legend swatches)
    assert len(bars(month_violations_chart(r))) >= 6
    assert units_violations_chart(r) is not None


def test_report_xlsx(office, seeded, tmp_path):
    path = reports.write_report_xlsx(office, date(2026, 3, 1), date(2026, 4, 30), tmp_path / "bc.xlsx",
                                     today=date(2026, 5, 10))
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "Theo đơn vị", "Theo tháng", "Vi phạm", "Theo loại vi phạm", "Theo đối tượng",
                             "Theo loại hình đơn vị", "Kết quả xử lý", "Khắc phục", "Lượt kiểm tra", "Chưa kết thúc"]
    summary = {row[0]: row[1] for row in wb["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Lượt kiểm tra"] == 2 and summary["Vắng không lý do"] == 1
    # "Có mặt" is present including late, as in the minutes; on time has its own column.
    assert (summary["Có mặt"], summary["Có mặt đúng giờ"], summary["Đi muộn"]) == (4, 3, 1)
    assert summary["Tỷ lệ có mặt"] == pytest.approx(4 / 6)
    units = list(wb["Theo đơn vị"].iter_rows(min_row=2, values_only=True))
    header = [c.value for c in wb["Theo đơn vị"][1]]
    assert [u[0] for u in units] == ["Trạm y tế phường Hòa Thành", "UBND xã Tân Thành", "Tổng cộng"]
    assert units[1][header.index("Vi phạm: rượu, bia")] == 1 and units[2][header.index("Vi phạm: thuốc lá")] == 2
    assert [r[0] for r in wb["Theo tháng"].iter_rows(min_row=2, values_only=True)] == ["03/2026", "04/2026",
                                                                                      "Tổng cộng"]
    violations = list(wb["Vi phạm"].iter_rows(min_row=2, values_only=True))
    assert len(violations) == 5 and violations[0][0].date() == date(2026, 3, 2)
    remedies_rows = list(wb["Khắc phục"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[5], r[8], r[9]) for r in remedies_rows] == [
        ("Chấn chỉnh kỷ luật giờ giấc", "Chưa báo cáo", "Có", 40), ("Tháo gạt tàn", "Đã báo cáo", None, None)]
    visits = list(wb["Lượt kiểm tra"].iter_rows(min_row=2, values_only=True))
    assert [(v[0].date(), v[3], v[4]) for v in visits] == [(date(2026, 3, 2), "Đột xuất", "Đã ký biên bản"),
                                                           (date(2026, 4, 8), "Đột xuất", "Đã kết thúc")]
    assert [r[2] for r in wb["Chưa kết thúc"].iter_rows(min_row=2, values_only=True)] == ["Đang kiểm tra"]


def test_xlsx_text_stays_text(office, tmp_path, db_backend):
    """Names, notes and remedies beginning with = + - @ are plain text; control characters never crash."""
    a = seed_unit(office, "=HYPERLINK(\"http://x\",\"bấm\")", staff=1)
    with office.session() as s:
        from inspection_app.store import models as m
        person = s.get(m.StaffMember, a[1][0])
        # PostgreSQL refuses NUL in text; SQLite keeps it (the XLSX must survive both)
        person.full_name = "+Nguyễn\x00Văn\x07A" if db_backend == "sqlite" else "+Nguyễn\x01Văn\x07A"
    seed_visit(office, unit=a, when=datetime(2026, 3, 2, 8, 0, tzinfo=VN), roll_call=["absent_unexcused"],
               findings=[("tobacco", "@cmd|' /C calc'!A0"), ("alcohol", "-2+3")],
               remedies=[("=1+1", date(2026, 3, 31), None)], status="closed")
    path = reports.write_report_xlsx(office, date(2026, 3, 1), date(2026, 3, 31), tmp_path / "x.xlsx",
                                     today=date(2026, 5, 10))
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    values = {c.value for c in cells}
    assert {"=1+1", "@cmd|' /C calc'!A0", "-2+3", "=HYPERLINK(\"http://x\",\"bấm\")"} <= values
    assert "+Nguyễn\ufffdVăn\ufffdA" in values
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(path) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_cli_report(office, seeded, tmp_path, capsys):
    from inspection_app.cli import main

    pdf, xlsx = tmp_path / "out" / "bc.pdf", tmp_path / "out" / "bc.xlsx"
    assert main(["--data-dir", str(office.data_dir), "report", "--from", "2026-03-01", "--to", "30/04/2026",
                 "--out", str(pdf), "--xlsx", str(xlsx)]) == 0
    assert pdf.is_file() and xlsx.is_file() and "trang / pages" in capsys.readouterr().out
    assert main(["--data-dir", str(office.data_dir), "report", "--from", "2026-05-01", "--to", "2026-03-01",
                 "--out", str(pdf)]) == 2


def test_cli_province_report_and_year_end(office, seeded, tmp_path, capsys):
    from inspection_app.cli import main

    pdf, xlsx = tmp_path / "ubnd.pdf", tmp_path / "ubnd.xlsx"
    assert main(["--data-dir", str(office.data_dir), "report", "--province", "--from", "2026-03-01", "--to",
                 "2026-04-30", "--out", str(pdf), "--xlsx", str(xlsx), "--signer", "Lê Văn Giám",
                 "--shortcomings", "=Còn hút thuốc"]) == 0
    assert "Kính gửi: Ủy ban nhân dân tỉnh Tây Ninh" in " ".join(_text(pdf).split())
    assert load_workbook(xlsx)["Nhận xét, kiến nghị"]["B3"].value == "=Còn hút thuốc"
    year = tmp_path / "nam.xlsx"
    assert main(["--data-dir", str(office.data_dir), "report", "--year-end", "2026", "--out", str(year)]) == 0
    assert load_workbook(year).sheetnames == ["Theo người", "Theo đơn vị", "Ghi chú"]
    assert main(["--data-dir", str(office.data_dir), "report", "--out", str(pdf)]) == 2  # no period: refused
