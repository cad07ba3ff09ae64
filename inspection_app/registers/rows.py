"""What the table reader (:mod:`.table`) hands on: numbered rows, the rows it refused and why.

Shared by the CSV reader (:mod:`.table`) and the workbook reader (:mod:`.workbook`), which import this
module and not each other at module level.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from inspection_app.locale import both

EPOCH_1900 = datetime(1899, 12, 30)  # Excel's day zero (with its 1900 leap-year quirk folded in)
EPOCH_1904 = datetime(1904, 1, 1)  # workbooks saved with the 1904 date system
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 but tab and line breaks, DEL, C1

FileFormat = Literal["csv", "xlsx", "xls", "ods"]


@dataclass(frozen=True)
class BadRow:
    """A row that was not loaded, and why (1-based row number as a spreadsheet shows it)."""

    row: int
    reason_vi: str
    reason_en: str
    code: str | None = None


@dataclass
class Table:
    """A file read into numbered rows of cell values.

    ``rows`` yields ``(row_number, cells)`` for every non-empty row the reader accepts, in file
    order; cells are str, int, float, bool, date, datetime or time ("" for an empty cell). While
    they are read, ``problems`` collects the rows refused by the reader. ``formulas`` maps a row
    number to the 0-based columns of formula cells with no stored value (XLSX only).
    """

    source_name: str
    file_sha256: str
    file_format: FileFormat
    encoding: str | None  # CSV only
    sheet: str | None  # workbooks only
    epoch: datetime  # day zero of serial day numbers in this file
    rows: Iterator[tuple[int, list]]
    problems: list[BadRow] = field(default_factory=list)
    formulas: dict[int, list[int]] = field(default_factory=dict)


def control_problem(row: list, number: int) -> BadRow | None:
    """A control character in a row, as a BadRow (the cell's value is never quoted: it may be personal)."""
    for index, value in enumerate(row):
        if value.__class__ is not str:
            continue
        found = CONTROL.search(value)
        if found is not None:
            code = ord(found.group())
            return BadRow(
                number,
                *both("Ô ở cột {value} chứa ký tự điều khiển U+{code:04X} (tệp hỏng hoặc bị ghép sai); dòng này không được nạp.", value=index + 1, code=code),
            )
    return None
