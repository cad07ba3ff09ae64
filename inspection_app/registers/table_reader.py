"""Reading a table a unit hands over: CSV in the encodings Vietnamese offices produce, or XLSX.

Used for staff rosters (and available to the dossier register importer). Returns the header and
the rows with their 1-based row numbers as a spreadsheet shows them, so problems can be named by row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from ..domain.errors import ValidationFailed
from ..domain.text import nfc
from .encoding import decode_text  # shared with the dossier register reader

MAX_BYTES = 50 * 1024 * 1024


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as shown in a spreadsheet, cells)
    encoding: str  # "xlsx" for workbooks


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour or value.minute) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value).strip()) or ""


def _xlsx_rows(data: bytes, sheet: str | None) -> Iterator[list[str]]:
    import openpyxl
    from zipfile import BadZipFile

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationFailed("Tệp Excel bị hỏng hoặc không đúng định dạng XLSX.",
                               "The Excel file is damaged or not in XLSX format.") from exc
    try:
        if sheet:
            if sheet not in wb.sheetnames:
                raise ValidationFailed(f"Không có trang tính '{sheet}' trong tệp.",
                                       f"There is no sheet '{sheet}' in the file.")
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        wb.close()


def read_table(data: bytes, filename: str, sheet: str | None = None) -> Table:
    """Read the first non-empty row as the header and the rest as data rows."""
    if not data:
        raise ValidationFailed("Tệp rỗng, không có dữ liệu.", "The file is empty.")
    if len(data) > MAX_BYTES:
        raise ValidationFailed("Tệp quá lớn (trên 50 MB).", "The file is too large (over 50 MB).")
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:2] == b"PK":
        raw_rows: Iterator[list[str]] = _xlsx_rows(data, sheet)
        encoding = "xlsx"
    elif suffix == ".xls":
        raise ValidationFailed("Định dạng .xls cũ không được hỗ trợ; hãy lưu thành .xlsx hoặc .csv.",
                               "The old .xls format is not supported; save as .xlsx or .csv.")
    else:
        text, encoding = decode_text(data)
        sample = text[:4096]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        raw_rows = ([nfc(c.strip()) or "" for c in r] for r in csv.reader(io.StringIO(text), delimiter=delimiter))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(raw_rows, start=1):
        if not any(cells):
            continue
        if header is None:
            header = cells
            continue
        rows.append((number, cells))
    if header is None:
        raise ValidationFailed("Tệp không có dòng tiêu đề hay dữ liệu nào.", "The file has no header or data rows.")
    return Table(header=header, rows=rows, encoding=encoding)
