"""Spreadsheets the office hands out: text stays text, numbers stay numbers, nothing crashes.

Every XLSX of the office (the two reports, the year-end list) is written through :func:`sheet`:

- a string is always a text cell: a value that begins with ``=``, ``+``, ``-`` or ``@`` (a note, a
  remedy, a unit or person's name) is stored as text with Excel's quote prefix, never as a formula
  (CWE-1236, "CSV/formula injection"; OWASP's advice is to quote such cells);
- control characters that XML 1.0 cannot carry (NUL, U+0001–U+0008, U+000B, U+000C, U+000E–U+001F)
  are replaced by U+FFFD, so an odd byte in a name never stops an export;
- ints and floats stay numbers, dates stay dates (formatted dd/mm/yyyy), None is an empty cell.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain.text import nfc
from ..fsutil import atomic_write

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@")


def clean_text(value: str) -> str:
    """NFC, with XML-illegal control characters replaced by U+FFFD."""
    return _ILLEGAL.sub("\ufffd", nfc(value) or "")


def put(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write one cell by the rules above; returns the cell."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever it begins with
        if text.startswith(_FORMULA_START):
            cell.quotePrefix = True
    elif isinstance(value, bool):
        cell.value = "Có" if value else ""
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None) if value.tzinfo else value
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "dd/mm/yyyy"
    else:
        cell.value = value
    return cell


def sheet(wb: Any, title: str, header: list[str], rows: list[list[Any]], widths: dict[int, float] | None = None,
          percent_cols: set[int] | frozenset[int] = frozenset(), first: bool = False) -> Any:
    """A sheet with a bold, shaded header row, frozen, and ``rows`` written by :func:`put`."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.active if first else wb.create_sheet()
    ws.title = re.sub(r"[\\/?*\[\]:]", "-", clean_text(title))[:31] or "-"  # what a sheet title may not hold
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for c, h in enumerate(header, 1):
        cell = put(ws, 1, c, h)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            cell = put(ws, r, c, value)
            if c in percent_cols and isinstance(value, float):
                cell.number_format = "0.0%"
    for col in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = (widths or {}).get(col, 14)
    ws.freeze_panes = "A2"
    return ws


def save(wb: Any, out: str | os.PathLike[str], what_vi: str, what_en: str) -> Path:
    """Save atomically (``fsutil.atomic_write``); a storage failure is a UserError."""
    out = Path(out)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(out, buf.getvalue(), what_vi, what_en)
    return out


def workbook(title: str) -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.title = clean_text(title)
    wb.properties.creator = "inspection-app"
    return wb
