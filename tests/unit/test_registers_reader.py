"""Reading registers: XLSX and CSV, bad rows, duplicate codes, empty registers, title rows."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from inspection_app.domain.errors import ValidationFailed
from inspection_app.domain.sampling import build_frame
from inspection_app.registers import read_register, read_register_bytes

HEADER = ["TT", "Mã hồ sơ", "Tên TTHC", "Lĩnh vực", "Chủ hồ sơ", "Số điện thoại", "Ngày tiếp nhận",
          "Ngày hẹn trả", "Ngày trả", "Trạng thái"]  # fmt: skip


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], delimiter: str = ",") -> bytes:
    return "\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows).encode("utf-8")


ROWS = [
    [1, "H56-250714-0001", "Đăng ký khai sinh", "Hộ tịch", "Nguyễn Văn A", "0912345678", "14/07/2025 08:30",
     "16/07/2025", "15/07/2025 10:00", "Đã trả kết quả"],
    [2, "H56-250714-0002", "Chứng thực bản sao", "Chứng thực", "Trần Thị B", "0987654321", "14/07/2025 09:00",
     "14/07/2025", "14/07/2025 16:00", "Đã trả kết quả"],
]  # fmt: skip


def test_xlsx_first_sheet_with_typed_and_serial_dates():
    rows = [HEADER] + [list(r) for r in ROWS]
    rows[1][6] = datetime(2025, 7, 14, 8, 30)  # a real date cell
    rows[2][7] = 45852  # an Excel serial without a date format: 14/07/2025
    rows[2][8] = 45852.666666666664  # 16:00
    data = xlsx_bytes({"Sổ theo dõi": rows, "Khác": [["x"]]})
    result = read_register_bytes(data, "register.xlsx")
    assert result.file_format == "xlsx" and result.sheet == "Sổ theo dõi" and result.encoding is None
    first, second = result.records
    assert first.received == datetime(2025, 7, 14, 8, 30)
    assert second.due == datetime(2025, 7, 14) and second.returned == datetime(2025, 7, 14, 16, 0)
    assert first.row == 2 and second.row == 3
    assert not result.bad_rows


def test_xlsx_named_sheet_forgiving_and_missing_sheet():
    data = xlsx_bytes({"Tóm tắt": [["Báo cáo"]], "Hồ sơ tháng 7": [HEADER] + ROWS})
    result = read_register_bytes(data, "r.xlsx", sheet="ho so thang 7")
    assert result.sheet == "Hồ sơ tháng 7" and len(result.records) == 2
    with pytest.raises(ValidationFailed) as exc:
        read_register_bytes(data, "r.xlsx", sheet="Không có")
    assert "Hồ sơ tháng 7" in exc.value.en


def test_personal_columns_are_not_in_the_records():
    result = read_register_bytes(csv_bytes([HEADER] + ROWS), "r.csv")
    text = repr(result.records)
    assert "0912345678" not in text and "Nguyễn Văn A" not in text
    assert {c.header for c in result.mapping.ignored if c.reason == "personal"} == {"Chủ hồ sơ", "Số điện thoại"}


def test_bad_rows_are_reported_with_numbers_and_the_rest_loads():
    rows = [HEADER] + ROWS + [
        [3, "", "Thiếu mã", "Hộ tịch", "", "", "14/07/2025", "16/07/2025", "", ""],
        [4, "H56-250714-0004", "Ngày sai", "Hộ tịch", "", "", "31/02/2025", "hôm nay", "", ""],
        [5, "H56-250714-0005", "Tốt", "Đất đai", "", "", "15/07/2025", "20/07/2025", "", "Đang xử lý"],
        [None] * 10,  # blank rows are skipped silently
        [6, "H56-250714-0001", "Trùng mã", "Hộ tịch", "", "", "14/07/2025", "16/07/2025", "", ""],
    ]  # fmt: skip
    result = read_register_bytes(csv_bytes(rows), "r.csv")
    assert [r.code for r in result.records] == ["H56-250714-0001", "H56-250714-0002", "H56-250714-0005"]
    assert result.rows_read == 6
    bad = {b.row: b for b in result.bad_rows}
    assert sorted(bad) == [4, 5, 8]
    assert "Thiếu mã hồ sơ" in bad[4].reason_vi and "missing" in bad[4].reason_en
    assert "31/02/2025" in bad[5].reason_vi and "hôm nay" in bad[5].reason_en  # every bad date named
    assert "Ngày tiếp nhận" in bad[5].reason_vi and "Due" in bad[5].reason_en
    assert "dòng 2" in bad[8].reason_vi and "row 2" in bad[8].reason_en  # duplicate of the first
    assert result.duplicate_codes == ("H56-250714-0001",)
    # the first copy is the one kept, and the frame is well defined
    kept = next(r for r in result.records if r.code == "H56-250714-0001")
    assert kept.procedure_name == "Đăng ký khai sinh"
    assert result.frame.size == 3


def test_title_rows_above_the_header_and_semicolons():
    rows = [["UBND XÃ THỬ NGHIỆM"], ["SỔ THEO DÕI HỒ SƠ"], [], HEADER] + ROWS
    result = read_register_bytes(csv_bytes(rows, ";"), "r.csv")
    assert result.mapping.header_row == 4
    assert [r.row for r in result.records] == [5, 6]


def test_short_rows_are_padded():
    result = read_register_bytes(b"Ma ho so,Linh vuc,Ngay hen tra\nA-1,Ho tich\nA-2\n", "r.csv")
    assert [(r.code, r.domain, r.due) for r in result.records] == [("A-1", "Ho tich", None), ("A-2", None, None)]


def test_numeric_codes_from_excel_lose_the_point_zero():
    data = xlsx_bytes({"S": [["Mã hồ sơ", "Lĩnh vực"], [123456.0, "Hộ tịch"], [789, "Hộ tịch"]]})
    assert [r.code for r in read_register_bytes(data, "r.xlsx").records] == ["123456", "789"]


def test_header_only_register_is_refused_as_such():
    with pytest.raises(ValidationFailed) as exc:
        read_register_bytes(csv_bytes([HEADER]), "r.csv")
    assert "chỉ có dòng tiêu đề" in exc.value.vi and "only its header row" in exc.value.en


@pytest.mark.parametrize("data", [b"", b"   \n\n", b",,,\n,,\n"])
def test_empty_file_is_refused(data):
    with pytest.raises(ValidationFailed) as exc:
        read_register_bytes(data, "r.csv")
    assert exc.value.vi and exc.value.en


def test_no_code_column_is_refused_with_what_was_found_and_what_is_needed():
    with pytest.raises(ValidationFailed) as exc:
        read_register_bytes(csv_bytes([["Họ tên", "Địa chỉ"], ["A", "B"]]), "r.csv")
    assert "Mã hồ sơ" in exc.value.vi and "Họ tên" in exc.value.en
    assert "Ngày hẹn trả" in exc.value.vi and "at least one more known column" in exc.value.en


def test_broken_xls_and_xlsx_are_refused():
    with pytest.raises(ValidationFailed) as exc:
        read_register_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "r.xls")
    assert "damaged" in exc.value.en
    with pytest.raises(ValidationFailed):
        read_register_bytes(b"PK\x03\x04 not really a zip", "r.xlsx")


def test_read_register_from_path_and_missing_file(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes([HEADER] + ROWS))
    result = read_register(path)
    assert result.source_name == "register.csv" and len(result.file_sha256) == 64
    with pytest.raises(ValidationFailed):
        read_register(tmp_path / "nope.csv")


def test_row_order_does_not_change_the_frame_hash():
    a = read_register_bytes(csv_bytes([HEADER] + ROWS), "r.csv")
    b = read_register_bytes(csv_bytes([HEADER] + ROWS[::-1]), "r.csv")
    c = read_register_bytes(xlsx_bytes({"S": [HEADER] + ROWS}), "r.xlsx")
    assert a.frame.hash == b.frame.hash == c.frame.hash
    assert a.file_sha256 != b.file_sha256


def test_the_frame_built_from_the_reader_columns_is_the_one_build_frame_makes():
    """Bad rows, a repeated code, untidy and decomposed text, blank cells, an XLSX number as a code: the
    frame the register import builds from its columns has the hash and records build_frame gives."""
    import unicodedata

    messy = [
        *ROWS,
        [3, "  H56-250714-0003 ", unicodedata.normalize("NFD", "Đăng  ký\tkết hôn"), "Hộ tịch", "C", "", "",
         "", "", ""],
        [4, "H56-250714-0002", "Trùng mã", "Hộ tịch", "D", "", "14/07/2025 08:00", "", "", ""],
        [5, "H56-250714-0005", "Ngày sai", "Hộ tịch", "E", "", "32/07/2025", "", "", ""],
        [6, "", "Không mã", "Hộ tịch", "F", "", "", "", "", ""],
        [7, 250714007, "Mã là số", None, "G", "", "15/07/2025 07:45", "17/07/2025", None, "Đang xử lý"],
    ]  # fmt: skip
    for data in (csv_bytes([HEADER, *messy]), xlsx_bytes({"Sổ": [HEADER, *messy]})):
        result = read_register_bytes(data, "messy")
        assert len(result.records) == 4 and len(result.bad_rows) == 3
        expected = build_frame(result.records)
        assert result.frame.hash == expected.hash and result.frame.records == expected.records


@pytest.mark.parametrize("sample", [1000, 0], ids=["value by value", "distinct values once"])
def test_unreadable_dates_are_reported_whichever_way_a_date_column_is_parsed(monkeypatch, sample):
    """A date column whose values mostly differ is parsed value by value, another one distinct value
    by distinct value: the same records and the same bad rows either way."""
    from inspection_app.registers import reader

    monkeypatch.setattr(reader, "_DATE_SAMPLE", sample)
    rows = [HEADER] + [
        [i, f"HS-{i:04d}", "Khai sinh", "Hộ tịch", "", "", f"{1 + i % 28:02d}/07/2025 {i % 24:02d}:{i % 60:02d}",
         "31/07/2025", "", "Đã trả"]
        for i in range(1, 300)
    ]  # fmt: skip
    rows[17][6] = "32/07/2025 08:00"
    rows[40][6] = "không rõ"
    rows[41][7] = "hôm qua"
    result = read_register_bytes(csv_bytes(rows), "r.csv")
    assert [(b.row, b.code) for b in result.bad_rows] == [(18, "HS-0017"), (41, "HS-0040"), (42, "HS-0041")]
    assert "“32/07/2025 08:00”" in result.bad_rows[0].reason_vi and "“hôm qua”" in result.bad_rows[2].reason_en
    assert len(result.records) == 296 and result.records[0].received == datetime(2025, 7, 2, 1, 1)
    assert result.frame.hash == build_frame(result.records).hash  # the frame texts made while reading included


def test_codes_that_differ_only_in_spacing_are_the_same_code():
    """Distinct as read, one code once canonical: the second is reported as a repeat, not loaded."""
    rows = [HEADER, [1, "HS-0001", "Khai sinh", "Hộ tịch", "", "", "14/07/2025", "", "", ""],
            [2, "  HS-0001 ", "Khai tử", "Hộ tịch", "", "", "15/07/2025", "", "", ""],
            [3, "HS-0002", "Khai tử", "Hộ tịch", "", "", "15/07/2025", "", "", ""]]  # fmt: skip
    result = read_register_bytes(csv_bytes(rows), "r.csv")
    assert [r.code for r in result.records] == ["HS-0001", "HS-0002"]
    assert [(b.row, b.code) for b in result.bad_rows] == [(3, "HS-0001")] and result.duplicate_codes == ("HS-0001",)
