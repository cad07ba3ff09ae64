"""The shared table reader (registers.table) with the files of issue 15, each as it comes from the field.

Workbooks are built with openpyxl and then patched at the XML level with zipfile, the way other
programs write them: a wrong <dimension>, the 1904 date system, formulas with no stored result.
"""

import io
import re
import unicodedata
import zipfile
from datetime import datetime

import openpyxl
import pytest
from PIL import Image

from inspection_app.domain.errors import ValidationFailed
from inspection_app.media.ingest import PhotoRejected, ingest_bytes
from inspection_app.registers import read_register_bytes
from inspection_app.registers.table import read_table
from inspection_app.registers.workbook import formulas_without_values
from inspection_app.services.roll_call import read_roster


def xlsx(rows: list[list], patch=None, title: str = "Danh sách") -> bytes:
    """A workbook written by openpyxl, each part then passed through `patch(name, xml) -> xml`."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    if patch is None:
        return buf.getvalue()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, patch(item.filename, src.read(item.filename)))
    return out.getvalue()


def wrong_dimension(name: str, data: bytes) -> bytes:
    if name.startswith("xl/worksheets/"):
        data, n = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:D3"/>', data)
        assert n == 1
    return data


def date1904(name: str, data: bytes) -> bytes:
    if name == "xl/workbook.xml":
        data, n = re.subn(rb"<workbookPr\b", b'<workbookPr date1904="1"', data)
        assert n == 1
    return data


def drop_cached_values(name: str, data: bytes) -> bytes:
    """Formulas as a script writes them: <f> and no <v> at all."""
    if name.startswith("xl/worksheets/"):
        data = re.sub(rb"(</f>)<v\s*/>|(</f>)<v>[^<]*</v>", rb"\1\2", data)
        assert b"<f>" in data and not re.search(rb"</f><v", data)
    return data


ROSTER = [["STT", "Họ và tên", "Chức vụ", "Phòng ban"],
          [1, "Nguyễn Văn An", "Chủ tịch", "Lãnh đạo"],
          [2, "Trần Thị Bình", "Phó Chủ tịch", "Lãnh đạo"],
          [3, "Lê Văn Cường", "Chuyên viên", "Văn phòng"],
          [4, "Phạm Thị Dung", "Chuyên viên", "Địa chính"],
          [5, "Hoàng Văn Em", "Công chức", "Tư pháp"]]  # fmt: skip

REGISTER_HEADER = ["Mã hồ sơ", "Tên TTHC", "Lĩnh vực", "Ngày tiếp nhận", "Ngày hẹn trả"]


# --- workbooks ----------------------------------------------------------------------------------


def test_roster_xlsx_with_a_wrong_stored_dimension_loads_every_person():
    data = xlsx(ROSTER, wrong_dimension)
    assert b'ref="A1:D3"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    parsed = read_roster(data, "roster.xlsx")
    assert [p.full_name for p in parsed.people] == [r[1] for r in ROSTER[1:]]
    assert parsed.problems == []


def test_register_xlsx_with_a_wrong_stored_dimension_loads_every_dossier():
    rows = [REGISTER_HEADER] + [[f"H-{i}", "Thủ tục", "Hộ tịch", "02/03/2026", "05/03/2026"] for i in range(6)]
    result = read_register_bytes(xlsx(rows, wrong_dimension), "r.xlsx")
    assert len(result.records) == 6 and not result.bad_rows


def test_1904_workbook_reads_plain_numbers_on_its_own_calendar():
    serial_1904 = (datetime(2026, 3, 2) - datetime(1904, 1, 1)).days
    rows = [REGISTER_HEADER, ["H-1", "Thủ tục", "Hộ tịch", serial_1904, serial_1904 + 3.5]]
    result = read_register_bytes(xlsx(rows, date1904), "mac.xlsx")
    (record,) = result.records
    assert record.received == datetime(2026, 3, 2)  # not 2022-03-01
    assert record.due == datetime(2026, 3, 5, 12, 0)
    # A date-formatted cell in the same kind of workbook is read right too.
    styled = xlsx([REGISTER_HEADER, ["H-1", "x", "y", datetime(2026, 3, 2), None]])
    assert read_register_bytes(styled, "r.xlsx").records[0].received == datetime(2026, 3, 2)


def test_formula_cells_without_stored_values_are_reported_per_row():
    rows = [REGISTER_HEADER + ["Ngày trả"]]
    for i in range(2, 6):
        rows.append([f"H-{i}", "Thủ tục", "Hộ tịch", "02/03/2026", f"=D{i}+5", "06/03/2026"])
    rows.append(["H-9", "Thủ tục", "Hộ tịch", "02/03/2026", "05/03/2026", "06/03/2026"])
    data = xlsx(rows, drop_cached_values)
    result = read_register_bytes(data, "script.xlsx")
    assert [r.code for r in result.records] == ["H-9"]
    assert [b.row for b in result.bad_rows] == [2, 3, 4, 5]
    assert "Ngày hẹn trả" in result.bad_rows[0].reason_vi and "no stored result" in result.bad_rows[0].reason_en
    assert result.rows_read == 5


def test_formula_cells_in_a_roster_name_column_are_reported():
    rows = [["Họ và tên", "Chức vụ", "Ghi chú"], ["Nguyễn Văn An", "Chủ tịch", "=1+1"],
            ['=CONCAT("Lê ","Hòa")', "Chuyên viên", ""]]
    parsed = read_roster(xlsx(rows, drop_cached_values), "roster.xlsx")
    assert [p.full_name for p in parsed.people] == ["Nguyễn Văn An"]  # its formula is in an unused column
    assert [p.row for p in parsed.problems] == [3] and "formula" in parsed.problems[0].en


def test_formula_scan_keeps_computed_values():
    xml = (b'<sheetData><row r="2"><c r="B2"><f>1+1</f><v>2</v></c><c r="C2" t="str"><f>""</f><v></v></c>'
           b'<c r="AA2"><f>X</f></c><c r="D2"><f t="shared" si="0"/></c></row></sheetData>')
    assert formulas_without_values(xml) == {2: [26, 3]}


def ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet (ODF 1.2 part 1, §9.1): mimetype first, stored, then content.xml."""
    from xml.sax.saxutils import escape

    body = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>" for row in rows)  # fmt: skip
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Sổ">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def test_an_ods_register_reads_like_the_xlsx():
    rows = [REGISTER_HEADER, ["H-1", "Thủ tục", "Hộ tịch", "02/03/2026", "05/03/2026"]]
    result = read_register_bytes(ods(rows), "so.ods")
    assert result.file_format == "ods" and result.sheet == "Sổ"
    assert result.frame.hash == read_register_bytes(xlsx(rows), "so.xlsx").frame.hash


def test_without_calamine_xlsx_is_read_by_openpyxl_and_ods_is_named(monkeypatch):
    """A tablet build has no python-calamine wheel: XLSX still reads (same records), XLS/ODS are refused."""
    import builtins

    real_import = builtins.__import__

    def no_calamine(name, *args, **kwargs):
        if name == "python_calamine":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    rows = [REGISTER_HEADER] + [[f"H-{i}", "Thủ tục", "Hộ tịch", "02/03/2026", "05/03/2026"] for i in range(6)]
    expected = read_register_bytes(xlsx(rows, wrong_dimension), "r.xlsx")
    serial_1904 = (datetime(2026, 3, 2) - datetime(1904, 1, 1)).days
    mac = xlsx([REGISTER_HEADER, ["H-1", "Thủ tục", "Hộ tịch", serial_1904, None]], date1904)
    monkeypatch.setattr(builtins, "__import__", no_calamine)
    result = read_register_bytes(xlsx(rows, wrong_dimension), "r.xlsx")
    assert result.records == expected.records and result.frame.hash == expected.frame.hash
    assert read_register_bytes(mac, "mac.xlsx").records[0].received == datetime(2026, 3, 2)
    with pytest.raises(ValidationFailed) as exc:
        read_register_bytes(ods(rows), "r.ods")
    assert "ODS" in exc.value.en and "XLSX or CSV" in exc.value.en


def test_sheets_by_name_forgiving():
    table = read_table(xlsx(ROSTER, title="Cán bộ"), "r.xlsx", sheet="can bo")
    assert table.sheet == "Cán bộ" and table.file_format == "xlsx"
    with pytest.raises(ValidationFailed) as exc:
        read_table(xlsx(ROSTER), "r.xlsx", sheet="Không có")
    assert "Danh sách" in exc.value.en


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    from inspection_app.registers import workbook

    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)  # the real limit is 1 GB
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (5 * 1024 * 1024))
    assert len(buf.getvalue()) < 20_000
    with pytest.raises(ValidationFailed) as exc:
        read_table(buf.getvalue(), "bomb.xlsx")
    assert "once unpacked" in exc.value.en


# --- CSV ----------------------------------------------------------------------------------------


def register_csv(lines: list[str]) -> bytes:
    return ("\n".join(["Mã hồ sơ,Tên TTHC,Lĩnh vực,Ngày hẹn trả", *lines]) + "\n").encode()


def test_a_stray_quote_loses_one_row_with_its_number_not_three_in_silence():
    data = register_csv([
        "H-1,Thủ tục 1,Hộ tịch,01/04/2026",
        'H-2,"Thủ tục 2 (bản sao,02/04/2026',
        "H-3,Thủ tục 3,Hộ tịch,03/04/2026",
        "H-4,Thủ tục 4,Hộ tịch,04/04/2026",
        "H-5,Thủ tục 5,Hộ tịch,05/04/2026",
    ])  # fmt: skip
    result = read_register_bytes(data, "r.csv")
    assert [r.code for r in result.records] == ["H-1", "H-3", "H-4", "H-5"]
    assert [b.row for b in result.bad_rows] == [3]
    assert "nháy kép" in result.bad_rows[0].reason_vi and "double quote" in result.bad_rows[0].reason_en
    assert result.rows_read == 5


def test_a_stray_quote_that_closes_rows_later_is_still_caught():
    data = register_csv([
        'H-1,"Thủ tục 1,Hộ tịch,01/04/2026',
        "H-2,Thủ tục 2,Hộ tịch,02/04/2026",
        'H-3,Thủ tục 3,Hộ tịch",03/04/2026',
        "H-4,Thủ tục 4,Hộ tịch,04/04/2026",
    ])  # fmt: skip
    result = read_register_bytes(data, "r.csv")
    assert [r.code for r in result.records] == ["H-2", "H-3", "H-4"]  # H-3's closing quote is kept as text
    assert [b.row for b in result.bad_rows] == [2] and "double quote" in result.bad_rows[0].reason_en


def test_many_stray_quotes_each_cost_one_row():
    lines = [f'H-{i},"Thủ tục {i},Hộ tịch,01/04/2026' if i % 3 == 0 else f"H-{i},Thủ tục {i},Hộ tịch,01/04/2026"
             for i in range(300)]  # fmt: skip
    result = read_register_bytes(register_csv(lines), "r.csv")
    assert len(result.records) == 200 and [b.row for b in result.bad_rows] == list(range(2, 302, 3))


def test_a_quoted_note_over_two_lines_is_legal_csv():
    data = register_csv(['H-1,"Thủ tục 1, bản sao\nghi chú dòng hai",Hộ tịch,01/04/2026', "H-2,Thủ tục 2,Hộ tịch,"])
    result = read_register_bytes(data, "r.csv")
    assert [r.code for r in result.records] == ["H-1", "H-2"] and not result.bad_rows
    assert result.records[0].procedure_name == "Thủ tục 1, bản sao ghi chú dòng hai"
    assert result.records[1].row == 4  # row numbers stay the file's line numbers


def test_code_and_personal_columns_only_is_a_register():
    data = "Mã hồ sơ,Chủ hồ sơ,Số điện thoại\nH-1,Nguyễn Văn A,0912345678\nH-2,Trần Thị B,0987654321\n".encode()
    result = read_register_bytes(data, "r.csv")
    assert [r.code for r in result.records] == ["H-1", "H-2"]
    assert "0912345678" not in repr(result.records) and "Nguyễn Văn A" not in repr(result.records)
    assert {c.reason for c in result.mapping.ignored} == {"personal"}


def test_header_only_register_and_roster_are_named_as_such():
    with pytest.raises(ValidationFailed) as exc:
        read_register_bytes("Mã hồ sơ,Lĩnh vực,Ngày hẹn trả\n".encode(), "r.csv")
    assert "chỉ có dòng tiêu đề" in exc.value.vi
    with pytest.raises(ValidationFailed) as exc:
        read_roster("Họ và tên,Chức vụ\n".encode(), "roster.csv")
    assert "only its header row" in exc.value.en


def test_a_nul_in_a_code_refuses_that_row_only():
    data = register_csv(["H-1,Thủ tục,Hộ tịch,01/04/2026", "H-\x002,Thủ tục,Hộ tịch,02/04/2026",
                         "H-3,Thủ tục,Hộ tịch,03/04/2026"])  # fmt: skip
    result = read_register_bytes(data, "r.csv")
    assert [r.code for r in result.records] == ["H-1", "H-3"]
    assert [b.row for b in result.bad_rows] == [3] and "U+0000" in result.bad_rows[0].reason_en


@pytest.mark.parametrize("encoding,char", [("utf-8", "\x85"), ("utf-16", "\x01"), ("utf-8-sig", "\x7f")])
def test_control_characters_in_any_encoding(encoding, char):
    text = f"Mã hồ sơ,Lĩnh vực\nH-1,Hộ tịch\nH-{char}2,Hộ tịch\n"
    result = read_register_bytes(text.encode(encoding), "r.csv")
    assert [r.code for r in result.records] == ["H-1"] and [b.row for b in result.bad_rows] == [3]


def test_a_nul_in_an_xlsx_cell_is_refused_too():
    def nul(name: str, data: bytes) -> bytes:
        return data.replace(b"H-2", b"H-_x0000_2") if name.startswith("xl/worksheets/") else data

    rows = [REGISTER_HEADER, ["H-1", "a", "b", "", ""], ["H-2", "a", "b", "", ""]]
    result = read_register_bytes(xlsx(rows, nul), "r.xlsx")
    assert [r.code for r in result.records] == ["H-1"] and [b.row for b in result.bad_rows] == [3]


def test_a_128_kb_cell_is_reported_per_row_not_a_traceback():
    big = "x" * (129 * 1024)
    data = register_csv(["H-1,Thủ tục,Hộ tịch,01/04/2026", f'H-2,"{big}",Hộ tịch,02/04/2026',
                         f"H-3,Thủ tục,Hộ tịch,{big}", f"H-4,Thủ tục,Hộ tịch,04/04/2026,{big}"])  # fmt: skip
    result = read_register_bytes(data, "r.csv")
    assert [r.code for r in result.records] == ["H-1", "H-4"]  # H-4's big cell is in no column we use
    assert [b.row for b in result.bad_rows] == [3, 4]
    assert "over the limit of 1,000" in result.bad_rows[0].reason_en
    assert len(result.bad_rows[1].reason_en) < 300 and "132,096" in result.bad_rows[1].reason_en
    parsed = read_roster(f"Họ và tên,Chức vụ\nAn,{big}\nBình,Chuyên viên\n".encode(), "r.csv")
    assert [p.full_name for p in parsed.people] == ["Bình"] and [p.row for p in parsed.problems] == [2]


def test_field_length_limits_are_stated_per_row():
    data = register_csv(["H-1,Thủ tục,Hộ tịch,01/04/2026", f"{'H' * 101},Thủ tục,Hộ tịch,",
                         f"H-3,{'T' * 1001},Hộ tịch,"])  # fmt: skip
    result = read_register_bytes(data, "r.csv")
    assert [r.code for r in result.records] == ["H-1"]
    assert [b.row for b in result.bad_rows] == [3, 4]
    assert "Mã hồ sơ" in result.bad_rows[0].reason_vi and "over the limit of 100" in result.bad_rows[0].reason_en
    assert "Tên TTHC" in result.bad_rows[1].reason_vi and "1,000" in result.bad_rows[1].reason_en


def cp1258_bytes(text: str) -> bytes:
    """Encode as Windows-1258 does: a precomposed letter where the code page has it, other marks combining."""
    out = bytearray()
    for ch in text:
        base, *marks = unicodedata.normalize("NFD", ch)
        options = [ch] + [unicodedata.normalize("NFC", base + m) + "".join(marks[:i] + marks[i + 1:])
                          for i, m in enumerate(marks)] + [base + "".join(marks)]  # fmt: skip
        for option in options:
            try:
                out += option.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise AssertionError(f"cannot encode {ch!r} in cp1258")
    return bytes(out)


CSV = "Họ và tên,Chức vụ\nNguyễn Văn An,Chủ tịch\nTrần Thị Ánh Tuyết,Phó Chủ tịch\nĐặng Ngọc Ậu,Chuyên viên\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_roster_csv_encodings(encoding):
    data = cp1258_bytes(CSV) if encoding == "cp1258" else CSV.encode(encoding)
    table = read_table(data, "roster.csv")
    assert table.encoding == encoding
    rows = list(table.rows)
    assert [cells[0] for _, cells in rows] == ["Họ và tên", "Nguyễn Văn An", "Trần Thị Ánh Tuyết", "Đặng Ngọc Ậu"]
    assert [n for n, _ in rows] == [1, 2, 3, 4]


def test_semicolon_csv_and_blank_lines_keep_line_numbers():
    table = read_table("\n\nHọ và tên;Chức vụ\n\nA;B\n".encode(), "r.csv")
    assert list(table.rows) == [(3, ["Họ và tên", "Chức vụ"]), (5, ["A", "B"])]


@pytest.mark.parametrize("data,name", [(b"", "a.csv"), (b"PK\x03\x04garbage", "a.xlsx"),
                                       (b"\xd0\xcf\x11\xe0" + b"\0" * 64, "a.xls"), (b"\n\n\n", "a.csv"),
                                       (b"%PDF-1.7 ...", "a.csv")])  # fmt: skip
def test_bad_files_give_bilingual_messages(data, name):
    with pytest.raises(ValidationFailed) as exc:
        list(read_table(data, name).rows)
    assert exc.value.vi and exc.value.en and exc.value.vi != exc.value.en


# --- photos in formats we don't take ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["TIFF", "GIF"])
def test_tiff_and_gif_photos_are_named_as_formats_we_do_not_take(fmt):
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(buf, format=fmt)
    with pytest.raises(PhotoRejected) as exc:
        ingest_bytes(buf.getvalue(), filename=f"anh.{fmt.lower()}")
    assert exc.value.details["reason"] == "unsupported_format"
    assert fmt in exc.value.vi and fmt in exc.value.en
    assert "not an image" not in exc.value.en and "JPEG" in exc.value.en


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("odd", ["", "a\u2028b", "a\u2029b", '"x\ny"'])
def test_lines_are_split_where_the_csv_rules_split_them(newline, odd):
    """The fast path splits the text with str.splitlines, which also splits at U+2028 and U+2029:
    those files keep the csv module's own splitting, and a cell keeps them."""
    import csv

    text = newline.join(["Mã hồ sơ,Ghi chú", f"A-1,{odd}", "A-2,khác", ""])
    expected = [cells for cells in csv.reader(io.StringIO(text, newline="")) if any(cells)]
    table = read_table(text.encode("utf-8"), "r.csv")
    assert [cells for _, cells in table.rows] == expected and not table.problems
