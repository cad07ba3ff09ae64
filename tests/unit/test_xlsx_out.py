"""Every office XLSX: text stays text (no formulas from typed text), control characters never crash."""

from __future__ import annotations

import zipfile
from datetime import date

from openpyxl import load_workbook

from inspection_app.services.xlsx_out import clean_text, save, sheet, workbook


def test_formula_like_text_is_quoted_text_and_numbers_stay_numbers(tmp_path):
    wb = workbook("Thử")
    rows = [["=1+1", "+84 912", "-gạch đầu dòng", "@SUM(A1)", 3, 2.5, date(2026, 3, 1), None, True],
            ["a\x00b\x01c\x0bd\x1fe", "tab\tand\nnewline", "\ufffe", 0, -1, 0.0, None, "", False]]
    sheet(wb, "Bảng/1 rất dài tên quá ba mươi mốt ký tự", [f"c{i}" for i in range(9)], rows, first=True)
    path = save(wb, tmp_path / "x.xlsx", "tệp", "file")
    ws = load_workbook(path).active
    texts = [ws.cell(2, c) for c in range(1, 5)]
    assert [c.value for c in texts] == ["=1+1", "+84 912", "-gạch đầu dòng", "@SUM(A1)"]
    assert all(c.data_type == "s" and c.quotePrefix for c in texts)
    assert [ws.cell(2, c).data_type for c in (5, 6)] == ["n", "n"] and ws.cell(2, 7).value.date() == date(2026, 3, 1)
    assert ws.cell(3, 1).value == "a\ufffdb\ufffdc\ufffdd\ufffde" and ws.cell(3, 2).value == "tab\tand\nnewline"
    assert ws.cell(2, 9).value == "Có" and ws.cell(3, 9).value is None
    with zipfile.ZipFile(path) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_clean_text_is_nfc():
    assert clean_text("Hoa\u0300") == "Hoà" and clean_text("") == ""
