"""Reading a dossier register (CSV, XLSX, XLS or ODS) into records, keeping the readable rows.

The file is read by the shared table reader (:mod:`.table`), which reports the rows it cannot read
itself (stray quotes, control characters, over-long cells). A register is then imported in one pass:
find the header row (exports often put a title above it), map
the columns, then turn each row into a :class:`~inspection_app.domain.sampling.DossierRecord`.
A row that cannot be read (no dossier code, a date in no known format, a code already seen) is
reported with its row number and the reason, in Vietnamese and English, and the other rows still
load; of rows sharing a code, the first readable one is kept. A cell longer than its field's limit
(:attr:`FieldSpec.max_chars`) and a used cell holding a formula with no stored result are reported
the same way. A file with a header and no row under it is refused as such. Row numbers are the ones a
spreadsheet shows: the header is row 1 when it is the first line.

Only the columns the check needs are read; personal data is never copied out of the file.
"""

from __future__ import annotations

import gc
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from inspection_app.domain.errors import Phrase, ValidationFailed
from inspection_app.domain.sampling import (
    FRAME_FIELDS,
    DossierRecord,
    Frame,
    build_frame,
    canonical_text,
)
from inspection_app.domain.sampling_frame import all_canonical_texts, canonical_copies, frame_of_canonical
from inspection_app.locale import both
from inspection_app.registers.columns import (
    FIELD_BY_NAME,
    FIELDS,
    ColumnMapping,
    map_headers,
    needed_text,
)
from inspection_app.registers.dates import DateFormatError, DateParser, parse_datetime
from inspection_app.registers.table import (
    BadRow,
    FileFormat,
    Table,
    find_header,
    is_empty,
    read_table,
)

# Records are built positionally from FIELDS; the two lists must agree.
assert tuple(f.name for f in FIELDS) == FRAME_FIELDS
assert DossierRecord._fields == (*FRAME_FIELDS, "row")  # records are made from the columns and the row number

__all__ = ["BadRow", "RegisterImport", "read_register", "read_register_bytes"]


@dataclass(frozen=True)
class RegisterImport:
    """The outcome of reading a register file: the mapping, the records and the rows left out."""

    source_name: str
    file_sha256: str  # of the bytes read, so the minutes can name the exact file
    file_format: FileFormat
    encoding: str | None  # CSV only
    sheet: str | None  # workbooks only
    mapping: ColumnMapping
    records: tuple[DossierRecord, ...]
    bad_rows: tuple[BadRow, ...]
    rows_read: int  # non-empty data rows, loaded or not
    duplicate_codes: tuple[str, ...] = field(default=())
    # The records' values by field (FRAME_FIELDS order), canonical as read: the frame is built from them.
    columns: tuple[Sequence[object], ...] = field(default=(), repr=False, compare=False)
    # For some of those fields, the values' texts in the frame, made while reading (None: not made).
    frame_texts: tuple[Sequence[str] | None, ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def frame(self) -> Frame:
        """The sampling frame of the readable rows (duplicates already left out)."""
        with without_gc_pauses():
            if self.columns:
                return frame_of_canonical(self.records, self.columns, codes_unique=True, texts=self.frame_texts)
            return build_frame(self.records)


@contextmanager
def without_gc_pauses() -> Iterator[None]:
    """Hold the cyclic garbage collector while a register is read or hashed.

    Reading 100,000 rows allocates millions of objects, none in a reference cycle; each allocation
    burst triggers full collections that walk every object the process holds, which made an import
    up to 40 % slower in a process already holding a register. Collection resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_register(path: str | Path, *, sheet: str | None = None) -> RegisterImport:
    """Read a register file; the format is recognised from its content, not its name."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(
            "Không mở được tệp {name}: {value}.", name=path.name, value=exc.strerror or exc,
        ) from exc
    return read_register_bytes(data, path.name, sheet=sheet)


def read_register_bytes(data: bytes, source_name: str, *, sheet: str | None = None) -> RegisterImport:
    """Read a register held in memory (an upload is never written to disk to be read)."""
    with without_gc_pauses():
        # Every value kept goes through canonical_text or its joined check, which bring it to NFC; the
        # header and the cells quoted in messages are brought to NFC where they are used.
        return _read_rows(read_table(data, source_name, sheet=sheet, nfc=False))


def _header_mapping(cells: list) -> ColumnMapping | None:
    """The mapping of a row that can be the header: a dossier code column and one more known column.

    The other column may be one left out on purpose as personal data: a register exported with only
    the code and the holder's details is still a register. A serial number ("STT") alone does not
    count, so the first line of a two-line header is not taken for the whole header.
    """
    mapping = map_headers(cells)
    if mapping.index_of("code") is None:
        return None
    known = len(mapping.mapped) - 1 + sum(1 for c in mapping.ignored if c.reason == "personal")
    return mapping if known >= 1 else None


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if value.__class__ is float and value.is_integer():  # type: ignore[attr-defined]
        value = int(value)  # a code or number typed into Excel
    return canonical_text(str(value))


class _Problem:
    """A cell that cannot become a record value (a date in no known format, text over its limit)."""


_BAD_DATE = _Problem()
_DATE_SAMPLE = 1000
_TEXT_SAMPLE = 1000
_TOO_LONG = _Problem()


def _mostly_distinct(values: Sequence[object], sample_size: int) -> bool:
    """Whether the column's first values are nearly all distinct (codes, times to the minute): then
    finding the distinct values first costs more than it saves. Only a choice of method: both give
    the same result."""
    sample = values[:sample_size]
    return len(set(sample)) * 100 > len(sample) * 99


def _shared(values: Sequence[object]) -> tuple[list, dict]:
    """The column with one object per distinct value (the first one read), and those values (keys).

    One pass over the cells as read, which lie scattered in memory; what follows walks the few shared
    objects instead. Equal values share an object as a set or dict keeps them (1 and 1.0 alike)."""
    first: dict[Any, Any] = {}
    return list(map(first.setdefault, values, values)), first


def _text_column(values: Sequence[object], limit: int) -> tuple[Sequence[object], bool, int | None]:
    """Canonical text of a column (None for empty, _TOO_LONG over `limit`), converting each distinct
    value once, whether any value is over its limit, and how many distinct non-empty values it has when
    they are known to be canonical already (None otherwise). A column whose distinct values are already
    canonical text within the limit (dossier codes, names as systems export them) is checked in a few
    scans of their joined text instead (:func:`~inspection_app.domain.sampling_frame.all_canonical_texts`)."""
    if _mostly_distinct(values, _TEXT_SAMPLE):
        texts = canonical_copies(values)
        if texts is not None and max(map(len, texts), default=0) <= limit:
            return texts, False, len(set(texts))
    shared, first = _shared(values)
    blank = "" in first or None in first
    distinct = first.keys() - {"", None}
    if all_canonical_texts(distinct) and max(map(len, distinct), default=0) <= limit:
        if not blank:
            return shared, False, len(distinct)
        # Few distinct values (domains, statuses, units): every row shares one string per value, which
        # keeps the register small in memory and quick to walk at the draw.
        same = dict(zip(distinct, distinct))
        same[""] = same[None] = None
        return list(map(same.__getitem__, shared)), False, len(distinct)
    mapping: dict[object, object] = {None: None}
    too_long = False
    for value in distinct:
        text = _cell_text(value)
        if text is not None and len(text) > limit:
            mapping[value] = _TOO_LONG
            too_long = True
        else:
            mapping[value] = text
    mapping[""] = None
    return list(map(mapping.__getitem__, shared)), too_long, None


def _date_column(values: Sequence[object], parse: DateParser) -> tuple[list, bool, list[str | None] | None]:
    """Dates of a column, each distinct value parsed once (each value, when a sample of the column
    shows them mostly distinct), whether any is unreadable, and their texts in the frame (None for an
    unreadable one), made with them: from the remembered texts of days and times of day, or once per
    distinct value."""
    if _mostly_distinct(values, _DATE_SAMPLE):
        each, texts, bad = parse.each_with_texts(values)
        if bad:
            return [_BAD_DATE if isinstance(r, DateFormatError) else r for r in each], bad, texts
        return each, bad, texts
    shared, first = _shared(values)
    parsed: dict[object, object] = parse.many(first)  # type: ignore[assignment]
    bad = any(map(isinstance, parsed.values(), repeat(DateFormatError)))
    if bad:
        parsed = {v: _BAD_DATE if isinstance(r, DateFormatError) else r for v, r in parsed.items()}
    text_of = dict(zip(parsed, map(_date_text, parsed.values())))
    return list(map(parsed.__getitem__, shared)), bad, list(map(text_of.__getitem__, shared))


def _date_text(value: object) -> str | None:
    """A date cell as read (a date-time, None, _BAD_DATE) as the frame writes it; None when unreadable."""
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else None


def _read_rows(table: Table) -> RegisterImport:
    """Column by column: each distinct cell value of a column is converted once, then each row is
    checked in file order (missing code, formula without a result, over-long or unreadable cells,
    repeated code) and the readable rows become records."""
    header_row, header, iterator = find_header(
        table, lambda cells: _header_mapping(cells) is not None,
        what_vi=f"có cột “Mã hồ sơ” ({needed_text('vi')})", what_en=f"with a “Mã hồ sơ” column ({needed_text('en')})",
    )  # fmt: skip
    header = [unicodedata.normalize("NFC", cell) if isinstance(cell, str) else cell for cell in header]
    mapping = map_headers(header, header_row=header_row)
    code_index = mapping.index_of("code")
    assert code_index is not None
    indexes = [mapping.index_of(spec.name) for spec in FIELDS]  # None: not in the file
    used = {i for i in indexes if i is not None}
    needed = max(used) + 1

    rows = list(iterator)
    numbers = list(map(itemgetter(0), rows))
    cells = list(map(itemgetter(1), rows))
    del rows
    shortest = min(map(len, cells), default=needed)
    if shortest < needed:  # short rows (trailing cells left out) are padded
        cells = [row if len(row) >= needed else [*row, *([None] * (needed - len(row)))] for row in cells]
        shortest = needed
    count = len(cells)
    # The file's columns in one pass in C (up to the shortest row), unless rows are far wider than needed.
    by_column = list(zip(*cells)) if count and shortest <= 2 * needed else None
    parse_date = DateParser(epoch=table.epoch)
    columns: list[Sequence[Any]] = []
    frame_texts: list[Sequence[str | None] | None] = []
    flagged: set[int] = set()
    distinct_codes: int | None = None  # known when the codes were canonical as read
    for spec, index in zip(FIELDS, indexes):
        if index is None:
            columns.append([None] * count)
            frame_texts.append(None)
            continue
        raw = by_column[index] if by_column is not None else list(map(itemgetter(index), cells))
        converted: Sequence[Any]
        texts: Sequence[str | None] | None = None
        if spec.kind == "date":
            converted, problem, texts = _date_column(raw, parse_date)
        else:
            converted, problem, distinct = _text_column(raw, spec.max_chars)
            if spec.name == "code":
                distinct_codes = distinct
        columns.append(converted)
        frame_texts.append(texts)
        if problem:
            flagged.update(i for i, v in enumerate(converted) if v is _BAD_DATE or v is _TOO_LONG)
    del by_column
    codes = columns[0]
    formulas = table.formulas

    records_at: list[int] = []
    bad: list[BadRow] = []
    first_row_of: dict[str, int] = {}
    duplicates: list[str] = []
    rows_read = 0
    clean = not flagged and not formulas and None not in codes
    if clean and (distinct_codes if distinct_codes is not None else len(set(codes))) == count:
        # The common case: every row is a record.
        records_at = list(range(count))
        rows_read = count
    for i, (number, code) in enumerate(() if clean and rows_read else zip(numbers, codes)):
        if code is None:
            if not is_empty(cells[i]):
                rows_read += 1
                bad.append(BadRow(number, *both("Thiếu mã hồ sơ.")))
            continue
        rows_read += 1
        if formulas and number in formulas and used.intersection(formulas[number]):
            bad.append(_formula_problem(number, _cell_text(cells[i][code_index]), mapping, formulas[number]))
            continue
        if code is _TOO_LONG:
            text = _cell_text(cells[i][code_index]) or ""
            bad.append(_too_long(number, None, _mapped(mapping, "code"), len(text)))
            continue
        if code in first_row_of:
            first = first_row_of[code]
            duplicates.append(code)
            bad.append(
                BadRow(
                    number,
                    *both("Mã hồ sơ {code} trùng với dòng {first}; chỉ giữ dòng {first}.", code=code, first=first),
                    code,
                )
            )
            continue
        if i in flagged:
            if any(col[i] is _BAD_DATE for col in columns):
                bad.append(_date_problems(cells[i], number, code, mapping, table))
            else:
                bad.append(_length_problems(cells[i], number, code, mapping))
            continue
        first_row_of[code] = number
        records_at.append(i)

    if len(records_at) < count:
        keep = itemgetter(*records_at) if len(records_at) > 1 else (lambda seq: tuple(seq[j] for j in records_at))
        columns = [list(keep(col)) for col in columns]
        frame_texts = [None if texts is None else list(keep(texts)) for texts in frame_texts]
        numbers = list(keep(numbers))
    # Each record made in C from its row's values (calling the named tuple runs its Python __new__).
    records = list(map(tuple.__new__, repeat(DossierRecord), zip(*columns, numbers))) if records_at else []

    if table.problems:
        rows_read += len(table.problems)
        bad = sorted([*bad, *table.problems], key=lambda b: b.row)
    if rows_read == 0:
        raise ValidationFailed(
            "Tệp {source_name} chỉ có dòng tiêu đề (dòng {header_row}), không có hồ sơ nào bên dưới.", source_name=table.source_name, header_row=header_row,
        )
    return RegisterImport(
        source_name=table.source_name,
        file_sha256=table.file_sha256,
        file_format=table.file_format,
        encoding=table.encoding,
        sheet=table.sheet,
        mapping=mapping,
        records=tuple(records),
        bad_rows=tuple(bad),
        rows_read=rows_read,
        duplicate_codes=tuple(dict.fromkeys(duplicates)),
        columns=tuple(columns) if records else (),
        frame_texts=tuple(frame_texts) if records else (),  # type: ignore[arg-type]  # None only for refused values
    )


def _mapped(mapping: ColumnMapping, name: str):
    return next(c for c in mapping.mapped if c.field == name)


def _too_long(number: int, code: str | None, column, length: int) -> BadRow:
    limit = FIELD_BY_NAME[column.field].max_chars
    return BadRow(
        number,
        *both("{label} (cột “{header}”) dài {length:,} ký tự, quá giới hạn {limit:,} ký tự.", label=Phrase(column.label_vi, column.label_en), header=column.header, length=length, limit=limit),
        code,
    )


def _length_problems(row: list, number: int, code: str, mapping: ColumnMapping) -> BadRow:
    for column in mapping.mapped:
        value = _cell_text(row[column.index]) if FIELD_BY_NAME[column.field].kind == "text" else None
        if value is not None and len(value) > FIELD_BY_NAME[column.field].max_chars:
            return _too_long(number, code, column, len(value))
    raise AssertionError("no over-long cell")  # pragma: no cover


def _formula_problem(number: int, code: str | None, mapping: ColumnMapping, columns: list[int]) -> BadRow:
    names = [c for c in mapping.mapped if c.index in columns]
    vi = ", ".join(f"{c.label_vi} (cột “{c.header}”)" for c in names)
    en = ", ".join(f"{c.label_en} (column “{c.header}”)" for c in names)
    return BadRow(
        number,
        *both("{what}: ô là công thức chưa có kết quả (tệp chưa từng được mở và lưu bằng Excel/LibreOffice). Hãy mở tệp, lưu lại rồi nhập lại.", what=Phrase(vi, en)),
        code,
    )


def _date_problems(row: list, number: int, code: str, mapping: ColumnMapping, table: Table) -> BadRow:
    """Every unreadable date of a row, for its BadRow."""
    vi: list[str] = []
    en: list[str] = []
    for column in mapping.mapped:
        if FIELD_BY_NAME[column.field].kind != "date":
            continue
        raw = row[column.index]
        try:
            parse_datetime(raw, epoch=table.epoch)
        except DateFormatError:
            raw = unicodedata.normalize("NFC", str(raw))
            raw = raw if len(raw) <= 40 else f"{raw[:40]}… ({len(raw):,})"
            vi.append(f"{column.label_vi} (cột “{column.header}”): “{raw}” không phải ngày hợp lệ")
            en.append(f"{column.label_en} (column “{column.header}”): “{raw}” is not a valid date")
    return BadRow(number, "; ".join(vi) + ".", "; ".join(en) + ".", code)
