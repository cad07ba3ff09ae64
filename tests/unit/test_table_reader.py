import io

import unicodedata

import openpyxl
import pytest

from inspection_app.domain.errors import ValidationFailed
from inspection_app.registers.table_reader import read_table

def cp1258_bytes(text: str) -> bytes:
    """Encode as Windows-1258 does: a precomposed letter where the code page has it (â, ơ, ư …), the
    other marks combining (ậ = â + combining dot below)."""
    out = bytearray()
    for ch in text:
        base, *marks = unicodedata.normalize("NFD", ch)
        options = [ch] + [unicodedata.normalize("NFC", base + m) + "".join(marks[:i] + marks[i + 1:])
                          for i, m in enumerate(marks)] + [base + "".join(marks)]
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


@pytest.mark.parametrize("encoding,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                               ("utf-16", "utf-16"), ("cp1258", "cp1258")])
def test_csv_encodings(encoding, expected):
    data = cp1258_bytes(CSV) if encoding == "cp1258" else CSV.encode(encoding)
    table = read_table(data, "roster.csv")
    assert table.encoding == expected
    assert table.header == ["Họ và tên", "Chức vụ"]
    assert [cells[0] for _, cells in table.rows] == ["Nguyễn Văn An", "Trần Thị Ánh Tuyết", "Đặng Ngọc Ậu"]
    assert [n for n, _ in table.rows] == [2, 3, 4]


def test_semicolon_csv_and_blank_lines():
    table = read_table("\n\nHọ và tên;Chức vụ\n\nA;B\n".encode(), "r.csv")
    assert table.header == ["Họ và tên", "Chức vụ"] and table.rows == [(5, ["A", "B"])]


def test_xlsx():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Chức vụ"])
    ws.append(["Nguyễn Văn An", "Chủ tịch"])
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), "roster.xlsx")
    assert table.encoding == "xlsx" and table.rows == [(2, ["Nguyễn Văn An", "Chủ tịch"])]


@pytest.mark.parametrize("data,name", [(b"", "a.csv"), (b"PK\x03\x04garbage", "a.xlsx"), (b"x", "a.xls"),
                                       (b"\n\n\n", "a.csv")])
def test_bad_files_give_bilingual_messages(data, name):
    with pytest.raises(ValidationFailed) as exc:
        read_table(data, name)
    assert exc.value.vi and exc.value.en and exc.value.vi != exc.value.en
