"""One reader for every table a unit hands over: dossier registers, staff rosters, later imports.

Formats, recognised from the content, never from the name:

- XLSX, XLS and ODS through python-calamine (:mod:`.workbook`). The sheet is read to its real extent (WPS and some
  exporters store a ``<dimension>`` of ``A1:D3`` for a longer sheet); the workbook's day zero is
  read from ``xl/workbook.xml`` (``date1904``, a workbook saved on a Mac) so that plain numbers used
  as dates are read on the right calendar; and XLSX cells holding a formula with no stored result (a
  file written by a script, never opened in Excel) are listed by row and column, so the caller can
  report the rows whose used columns they hit (ECMA-376 Part 1, §18.3.1.4 ``c``, §18.3.1.40 ``f``).
- CSV (RFC 4180, with the delimiters offices use: comma, semicolon, tab, bar) in the encodings of
  :mod:`.encoding`, read by the csv module in strict mode. A record may span lines only inside a
  quoted field, and a continuation line that is itself shaped like a row means a stray double quote
  swallowed rows: the record is refused with its row number and reading starts again on the next line,
  so the rows after it are read as rows, not lost.

Every row of the file is either handed on (:attr:`Table.rows`) or reported in :attr:`Table.problems`
with its row number, as a spreadsheet shows it (line number for CSV), and the reason in Vietnamese
and English. Rows the reader itself refuses: a cell with a control character (NUL …, C0 but tab and
line breaks, DEL, C1) and a record broken by a stray quote. Length limits belong to the fields that
are used (``FieldSpec.max_chars`` for registers, ``domain.roll_call`` for rosters), which report an
over-long cell per row; a cell of any size up to the file's size is read without a csv error. A file
is at most :data:`MAX_BYTES` and is read from memory: nothing is written to disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
from collections.abc import Iterator
from datetime import date, datetime, time

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from .encoding import decode_text
from .rows import (
    CONTROL,
    EPOCH_1900,
    EPOCH_1904,
    BadRow,
    FileFormat,
    Table,
    control_problem,
)

__all__ = ["EPOCH_1900", "EPOCH_1904", "BadRow", "FileFormat", "Table", "cell_text", "control_problem", "find_header",
           "is_empty", "read_table", "sniff_delimiter"]  # fmt: skip

MAX_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_ROWS = 30
_DELIMITERS = (",", ";", "\t", "|")
_C0_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_UTF8_C1 = re.compile(rb"\xc2[\x80-\x9f]")

# The csv module refuses a field over 128 KiB with a bare csv.Error; raise its limit above the largest
# file we take: over-long cells are reported per row against their field's own limit.
if csv.field_size_limit() <= MAX_BYTES:
    csv.field_size_limit(MAX_BYTES + 1)

def read_table(data: bytes, source_name: str, *, sheet: str | None = None, nfc: bool = True) -> Table:
    """Read a table file from memory. Raises ValidationFailed for a file that is no table at all.

    A CSV's text is brought to NFC unless `nfc` is False (see :func:`.encoding.decode_text`)."""
    if not data or data.isspace():  # as `not data.strip()`, without copying the file
        raise ValidationFailed("Tệp {source_name} trống.", source_name=source_name)
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            "Tệp {source_name} quá lớn ({value} MB; tối đa {value2} MB).", source_name=source_name, value=len(data) // (1024 * 1024), value2=MAX_BYTES // (1024 * 1024),
        )
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        from .workbook import read_workbook  # calamine and the zip scans only when a workbook arrives

        return read_workbook(data, source_name, digest, sheet)
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        raise ValidationFailed(
            "Tệp {source_name} không phải bảng tính (CSV, XLSX, XLS hoặc ODS).", source_name=source_name,
        )
    text, encoding = decode_text(data, nfc=nfc)
    if encoding.startswith("utf-8"):  # the bytes tell, faster than the text
        check_controls = len(data.translate(None, _C0_BYTES)) != len(data) or bool(
            b"\xc2" in data and _UTF8_C1.search(data))
    else:
        check_controls = CONTROL.search(text) is not None
    return _csv_table(text, source_name, digest, encoding, check_controls)


# --- CSV ------------------------------------------------------------------------------------------


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits some early line into the most cells (header rows are wide)."""
    lines = [line for line in text[:65536].splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_count = ",", 0
    for delimiter in _DELIMITERS:
        count = max((line.count(delimiter) for line in lines), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _csv_table(text: str, source_name: str, digest: str, encoding: str, check_controls: bool) -> Table:
    table = Table(source_name, digest, "csv", encoding, None, EPOCH_1900, iter(()))
    table.rows = _csv_rows(text, sniff_delimiter(text), table, check_controls)
    return table


def _csv_rows(text: str, delimiter: str, table: Table, check_controls: bool) -> Iterator[tuple[int, list]]:
    """The fast path: csv.reader over the whole text at once, in C, when every record is one line and
    no cell holds a control character. Otherwise the careful path reads the file line by line."""
    if not check_controls:
        # Lines as csv wants them (ends kept; split at \r, \n, \r\n only). str.splitlines splits there
        # and also at \v, \f, \x1c-\x1e, \x85 (control characters: not on this path), \u2028, \u2029.
        lines = (io.StringIO(text, newline="") if "\u2028" in text or "\u2029" in text
                 else text.splitlines(keepends=True))  # fmt: skip
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            records = list(reader)
        except csv.Error:
            records = None
        if records is not None and reader.line_num == len(records):  # one line per record
            if all(map(any, records)):
                return zip(range(1, len(records) + 1), records)
            keep = list(map(any, records))
            return zip(itertools.compress(range(1, len(records) + 1), keep), itertools.compress(records, keep))
    return _careful_csv_rows(list(io.StringIO(text, newline="")), 0, 0, delimiter, check_controls, table)


class _Lines:
    """The file's physical lines for csv.reader, with a position that can be moved back.

    While a record is open on a later line (inside a quoted cell), a line shaped like a row of its
    own (`threshold` delimiters or more) is not handed over: the reader sees the end of the data and
    fails on the open quote, so a stray quote costs one record, not the rest of the file, and reading
    stays linear however many stray quotes there are.
    """

    __slots__ = ("lines", "pos", "record_start", "threshold", "delimiter", "cut")

    def __init__(self, lines: list[str], pos: int, delimiter: str) -> None:
        self.lines = lines
        self.pos = pos
        self.record_start = pos
        self.threshold = 2
        self.delimiter = delimiter
        self.cut = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        pos = self.pos
        if pos >= len(self.lines):
            raise StopIteration
        line = self.lines[pos]
        if pos > self.record_start and line.count(self.delimiter) >= self.threshold:
            self.cut = True
            raise StopIteration
        self.pos = pos + 1
        return line


def _careful_csv_rows(
    lines: list[str], start: int, widest: int, delimiter: str, check_controls: bool, table: Table
) -> Iterator[tuple[int, list]]:
    """From line index `start` on: a record may span lines only when no continuation line is shaped
    like a row of its own; a record that breaks the rules is reported and reading starts again on the
    line after its first one."""
    source = _Lines(lines, start, delimiter)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    while True:
        source.record_start, source.threshold, source.cut = start, max(2, widest - 1), False
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            table.problems.append(_broken_record(start + 1, source.pos, None if source.cut else str(exc)))
            start = source.pos = start + 1
            reader = csv.reader(source, delimiter=delimiter, strict=True)
            continue
        end = source.pos
        number = start + 1
        if end - start == 1 and len(cells) > widest:
            widest = len(cells)
        start = end
        if not any(cells):
            continue
        if check_controls:
            problem = control_problem(cells, number)
            if problem is not None:
                table.problems.append(problem)
                continue
        yield number, cells


def _broken_record(row: int, last_line: int, error: str | None) -> BadRow:
    """A record the csv rules cannot read: mostly a double quote opened and never closed."""
    tail_vi = f" và nuốt các dòng {row + 1}–{last_line}" if last_line > row else ""
    tail_en = f" and swallows lines {row + 1}–{last_line}" if last_line > row else ""
    detail = f" ({error})" if error else ""
    return BadRow(
        row,
        *both("Dòng CSV bị hỏng: có dấu nháy kép (\") mở một ô mà không đóng đúng chỗ{tail}{detail}. Dòng này không được nạp; các dòng sau được đọc lại từng dòng. Hãy sửa dấu nháy trong tệp rồi nhập lại.", tail=Phrase(tail_vi, tail_en), detail=detail),
    )


# --- cells ----------------------------------------------------------------------------------------


def find_header(table: Table, accept, *, what_vi: str, what_en: str) -> tuple[int, list, Iterator[tuple[int, list]]]:
    """The first of the first rows that ``accept(cells)`` takes as the header.

    Returns (row number, cells, the rest of the rows). Raises ValidationFailed naming the cells of the
    first row when no row is accepted, or when the file has no row at all.
    """
    rows = table.rows
    seen: list[tuple[int, list]] = []
    for number, cells in rows:
        if accept(cells):
            return number, cells, rows
        seen.append((number, cells))
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise ValidationFailed(
            "Tệp {source_name} không có dòng nào đọc được.", source_name=table.source_name,
        )
    first = ", ".join(f"“{cell_text(v)}”" for v in seen[0][1] if cell_text(v))[:300]
    raise ValidationFailed(
        "Không tìm thấy dòng tiêu đề {what} trong {HEADER_SEARCH_ROWS} dòng đầu. Dòng đầu tiên có: {first}.", what=Phrase(what_vi, what_en), HEADER_SEARCH_ROWS=HEADER_SEARCH_ROWS, first=first,
    )


def cell_text(value: object) -> str:
    """A cell as text: "" for empty, whole numbers without ".0", dates as dd/mm/yyyy [HH:MM]."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour or value.minute) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).strip()


def is_empty(row: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)
