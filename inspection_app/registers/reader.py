"""Reading a dossier register (CSV or XLSX) into records, keeping the readable rows.

A register is imported in one pass: find the header row (exports often put a title above it), map
the columns, then turn each row into a :class:`~inspection_app.domain.sampling.DossierRecord`.
A row that cannot be read (no dossier code, a date in no known format, a code already seen) is
reported with its row number and the reason, in Vietnamese and English, and the other rows still
load; of rows sharing a code, the first readable one is kept. Row numbers are the ones a
spreadsheet shows: the header is row 1 when it is the first line.

Only the columns the check needs are read; personal data is never copied out of the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from inspection_app.domain.errors import ValidationFailed
from inspection_app.domain.sampling import FRAME_FIELDS, DossierRecord, Frame, build_frame, canonical_text
from inspection_app.domain.text import fold
from inspection_app.registers.columns import FIELD_BY_NAME, FIELDS, ColumnMapping, map_headers
from inspection_app.registers.dates import DateFormatError, DateParser, parse_datetime
from inspection_app.registers.encoding import decode_text

HEADER_SEARCH_ROWS = 30
# Records are built positionally from FIELDS; the two lists must agree.
assert tuple(f.name for f in FIELDS) == FRAME_FIELDS
_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class BadRow:
    """A row that was not loaded, and why."""

    row: int
    reason_vi: str
    reason_en: str
    code: str | None = None


@dataclass(frozen=True)
class RegisterImport:
    """The outcome of reading a register file: the mapping, the records and the rows left out."""

    source_name: str
    file_sha256: str  # of the bytes read, so the minutes can name the exact file
    file_format: Literal["csv", "xlsx"]
    encoding: str | None  # CSV only
    sheet: str | None  # XLSX only
    mapping: ColumnMapping
    records: tuple[DossierRecord, ...]
    bad_rows: tuple[BadRow, ...]
    rows_read: int  # non-empty data rows, loaded or not
    duplicate_codes: tuple[str, ...] = field(default=())

    @cached_property
    def frame(self) -> Frame:
        """The sampling frame of the readable rows (duplicates already left out)."""
        return build_frame(self.records)


def read_register(path: str | Path, *, sheet: str | None = None) -> RegisterImport:
    """Read a register file; the format is recognised from its content, not its name."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(
            f"Không mở được tệp {path.name}: {exc.strerror or exc}.",
            f"Could not open the file {path.name}: {exc.strerror or exc}.",
        ) from exc
    return read_register_bytes(data, path.name, sheet=sheet)


def read_register_bytes(data: bytes, source_name: str, *, sheet: str | None = None) -> RegisterImport:
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ValidationFailed(f"Tệp {source_name} trống.", f"The file {source_name} is empty.")
    if data.startswith(b"PK\x03\x04"):
        sheet_name, rows = _xlsx_rows(data, source_name, sheet)
        return _read_rows(rows, source_name, digest, "xlsx", None, sheet_name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationFailed(
            f"Tệp {source_name} là định dạng Excel cũ (.xls). Hãy mở và lưu lại dưới dạng .xlsx hoặc CSV.",
            f"The file {source_name} is an old Excel workbook (.xls). Open it and save it as .xlsx or CSV.",
        )
    text, encoding = decode_text(data)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    return _read_rows(rows, source_name, digest, "csv", encoding, None)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits some early line into the most cells (header rows are wide)."""
    lines = [line for line in text[:65536].splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_count = ",", 0
    for delimiter in _DELIMITERS:
        count = max((line.count(delimiter) for line in lines), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _xlsx_rows(data: bytes, source_name: str, sheet: str | None) -> tuple[str, Iterator[tuple]]:
    import openpyxl  # heavy; only when an XLSX arrives

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationFailed(
            f"Không đọc được tệp Excel {source_name}: {exc}.",
            f"Could not read the Excel file {source_name}: {exc}.",
        ) from exc
    if sheet is None:
        worksheet = workbook.worksheets[0]
    else:
        wanted = fold(sheet)
        matches = [ws for ws in workbook.worksheets if fold(ws.title) == wanted]
        if not matches:
            names = ", ".join(ws.title for ws in workbook.worksheets)
            workbook.close()
            raise ValidationFailed(
                f"Không có trang tính “{sheet}” trong {source_name}. Các trang: {names}.",
                f"No sheet “{sheet}” in {source_name}. Sheets: {names}.",
            )
        worksheet = matches[0]
    worksheet.reset_dimensions()  # some exporters write a wrong size; read what is there

    def rows() -> Iterator[tuple]:
        try:
            yield from worksheet.iter_rows(values_only=True)
        finally:
            workbook.close()

    return worksheet.title, rows()


def _is_empty(row: Iterable[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _find_header(rows: Iterator[list]) -> tuple[ColumnMapping, int]:
    """Scan the first rows for the one that maps a dossier code and at least one other field."""
    seen: list[tuple[int, list]] = []
    for number, row in enumerate(rows, start=1):
        row = list(row)
        if not _is_empty(row):
            mapping = map_headers(row, header_row=number)
            if mapping.index_of("code") is not None and len(mapping.mapped) >= 2:
                return mapping, number
            seen.append((number, row))
        if number >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise ValidationFailed("Sổ theo dõi trống: không có dòng nào.", "The register is empty: it has no rows.")
    first = ", ".join(str(v) for v in seen[0][1] if v not in (None, ""))[:300]
    raise ValidationFailed(
        "Không tìm thấy dòng tiêu đề có cột “Mã hồ sơ” trong "
        f"{HEADER_SEARCH_ROWS} dòng đầu. Dòng đầu tiên có: {first}.",
        f"No header row with a “Mã hồ sơ” (dossier code) column in the first {HEADER_SEARCH_ROWS} rows. "
        f"The first row has: {first}.",
    )


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code or number typed into Excel
    return canonical_text(str(value))


def _read_rows(
    rows: Iterable[Iterable[object]],
    source_name: str,
    digest: str,
    file_format: Literal["csv", "xlsx"],
    encoding: str | None,
    sheet: str | None,
) -> RegisterImport:
    iterator = iter(rows)
    try:
        mapping, header_row = _find_header(iterator)
    except csv.Error as exc:
        raise _csv_error(exc) from exc

    code_index = mapping.index_of("code")
    assert code_index is not None
    parse_date = DateParser()
    memo: dict[object, str | None] = {}  # canonical text of repeated cells

    def text(value: object) -> str | None:
        try:
            return memo[value]
        except KeyError:
            memo[value] = result = _cell_text(value)
            return result

    # One converter per record field after the code, in DossierRecord order; None: not in the file.
    columns: list[tuple[int, Callable[[object], object]]] = []
    for spec in FIELDS[1:]:
        index = mapping.index_of(spec.name)
        columns.append((-1 if index is None else index, parse_date if spec.kind == "date" else text))
    columns_needed = max(index for index, _ in columns + [(code_index, None)]) + 1

    records: list[DossierRecord] = []
    bad: list[BadRow] = []
    first_row_of: dict[str, int] = {}
    duplicates: list[str] = []
    rows_read = 0
    number = header_row
    try:
        for number, row in enumerate(iterator, start=header_row + 1):
            if len(row) < columns_needed:  # short rows (trailing cells left out) are padded
                row = list(row) + [None] * (columns_needed - len(row))
            code = _cell_text(row[code_index])
            if code is None:
                if not _is_empty(row):
                    rows_read += 1
                    bad.append(BadRow(number, "Thiếu mã hồ sơ.", "The dossier code is missing."))
                continue
            rows_read += 1
            if code in first_row_of:
                first = first_row_of[code]
                duplicates.append(code)
                bad.append(
                    BadRow(
                        number,
                        f"Mã hồ sơ {code} trùng với dòng {first}; chỉ giữ dòng {first}.",
                        f"Dossier code {code} repeats row {first}; only row {first} is kept.",
                        code,
                    )
                )
                continue
            try:
                values = [None if index < 0 else convert(row[index]) for index, convert in columns]
            except DateFormatError:
                bad.append(_date_problems(row, number, code, mapping))
                continue
            first_row_of[code] = number
            records.append(DossierRecord(code, *values, number))
    except csv.Error as exc:
        raise _csv_error(exc, number + 1) from exc

    return RegisterImport(
        source_name=source_name,
        file_sha256=digest,
        file_format=file_format,
        encoding=encoding,
        sheet=sheet,
        mapping=mapping,
        records=tuple(records),
        bad_rows=tuple(bad),
        rows_read=rows_read,
        duplicate_codes=tuple(dict.fromkeys(duplicates)),
    )


def _date_problems(row: list, number: int, code: str, mapping: ColumnMapping) -> BadRow:
    """Every unreadable date of a row, for its BadRow."""
    vi: list[str] = []
    en: list[str] = []
    for column in mapping.mapped:
        if FIELD_BY_NAME[column.field].kind != "date":
            continue
        raw = row[column.index]
        try:
            parse_datetime(raw)
        except DateFormatError:
            vi.append(f"{column.label_vi} (cột “{column.header}”): “{raw}” không phải ngày hợp lệ")
            en.append(f"{column.label_en} (column “{column.header}”): “{raw}” is not a valid date")
    return BadRow(number, "; ".join(vi) + ".", "; ".join(en) + ".", code)


def _csv_error(exc: csv.Error, row: int | None = None) -> ValidationFailed:
    where_vi = f" ở dòng {row}" if row else ""
    where_en = f" at row {row}" if row else ""
    return ValidationFailed(
        f"Tệp CSV bị lỗi cấu trúc{where_vi}: {exc}.",
        f"The CSV file is malformed{where_en}: {exc}.",
    )
