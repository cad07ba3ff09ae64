"""The sampling frame of algorithm ``ia-sample-v1``: records, canonical form, frame hash.

Step 1 of the specification in :mod:`inspection_app.domain.sampling` (the frame, its canonical text
and its SHA-256), and the per-record values the draw derives from the frame.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import compress
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from inspection_app.domain.errors import ValidationFailed
from inspection_app.domain.timeliness import Timeliness, status_of

FRAME_FORMAT = "ia-frame-v1"

FRAME_FIELDS: tuple[str, ...] = (
    "code",
    "procedure_code",
    "procedure_name",
    "domain",
    "channel",
    "received",
    "due",
    "finished",
    "returned",
    "status",
    "processing_unit",
    "note",
)


def canonical_text(value: str | None) -> str | None:
    """NFC, whitespace runs collapsed, trimmed; empty becomes None. Idempotent."""
    if value is None:
        return None
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    value = " ".join(value.split())
    return value or None


# Whitespace but the plain space: the characters str.split() splits on (the re module's \s for str
# patterns is the same set, Py_UNICODE_ISSPACE), which canonical_text() turns into single spaces.
_OTHER_SPACE = re.compile(r"[^\S ]")


def all_canonical_texts(values: Iterable[str]) -> bool:
    """True only when canonical_text(v) == v for every v (False may also mean "decide one by one"),
    checked on the values joined in a few scans of C code rather than one call per value (100,000
    dossier codes in about 10 ms).

    The values are joined by NUL, a starter that composes with nothing, so the joined text is NFC
    exactly when every value is; then every NUL becomes a space, and a value that is empty, holds a
    NUL (refused here though canonical), starts or ends with a space or holds two in a row shows as two spaces in a row or a space at
    either end. Any whitespace but the plain space is not printable, so a printable text has none;
    an unprintable one (a zero-width space, say) is searched for whitespace.
    """
    values = list(values)
    if not values:
        return True
    try:
        joined = "\x00".join(values)
    except TypeError:  # not all text: canonical_text decides
        return False
    return _canonical_joined(joined, len(values))


def canonical_copies(values: Sequence[Any]) -> list[str] | None:
    """Compact copies of `values` (one run of memory, in order) when they are all canonical text (as
    :func:`all_canonical_texts` decides: none empty), else None. For a column of mostly
    distinct values (dossier codes): the check and the copies from one joined text, and later walks
    (sorting, hashing) find the values side by side rather than scattered among the file's cells."""
    try:
        joined = "\x00".join(values)
    except TypeError:
        return None
    if not values or not _canonical_joined(joined, len(values)):
        return None
    return joined.split("\x00")


def _canonical_joined(joined: str, count: int) -> bool:
    """all_canonical_texts of `count` values joined by NUL."""
    if not joined or joined.count("\x00") != count - 1:
        return False
    spaced = joined.replace("\x00", " ")
    return (
        "  " not in spaced and spaced[0] != " " and spaced[-1] != " "
        and (spaced.isprintable() or _OTHER_SPACE.search(spaced) is None)
        and (joined.isascii() or unicodedata.is_normalized("NFC", joined))
    )  # fmt: skip


class DossierRecord(NamedTuple):
    """One row of a dossier register, holding only what the check needs.

    No holder name, address, phone or ID number: the register is personal data and the inspection
    has no use for them. `row` is where the record was found in the file (for messages); it is not
    part of the frame and not compared. A named tuple, so that 100,000 of them are made in C.
    """

    code: str
    procedure_code: str | None = None
    procedure_name: str | None = None
    domain: str | None = None  # lĩnh vực: its name, or its code when the register has no name
    channel: str | None = None
    received: datetime | None = None
    due: datetime | None = None
    finished: datetime | None = None
    returned: datetime | None = None
    status: str | None = None
    processing_unit: str | None = None
    note: str | None = None
    row: int | None = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DossierRecord):
            return self[:_FIELD_COUNT] == other[:_FIELD_COUNT]
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, DossierRecord):
            return self[:_FIELD_COUNT] != other[:_FIELD_COUNT]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self[:_FIELD_COUNT])

    @property
    def stratum_domain(self) -> str:
        return self.domain or ""

    def canonical(self) -> DossierRecord:
        """The same record in canonical form: tidy text, date-times to the second."""
        text, when = canonical_text, _to_second
        return DossierRecord(
            text(self.code) or "", text(self.procedure_code), text(self.procedure_name), text(self.domain),
            text(self.channel), when(self.received), when(self.due), when(self.finished), when(self.returned),
            text(self.status), text(self.processing_unit), text(self.note), self.row,
        )  # fmt: skip


_FIELD_COUNT = len(FRAME_FIELDS)  # the fields that make the frame: all but `row`
assert DossierRecord._fields[:_FIELD_COUNT] == FRAME_FIELDS


def _to_second(value: datetime | None) -> datetime | None:
    return value.replace(microsecond=0) if value is not None and value.microsecond else value


_DATE_POSITIONS = frozenset(FRAME_FIELDS.index(f) for f in ("received", "due", "finished", "returned"))
_CODE = itemgetter(0)
_DOMAIN = itemgetter(FRAME_FIELDS.index("domain"))
_DUE = itemgetter(FRAME_FIELDS.index("due"))
_FINISHED = itemgetter(FRAME_FIELDS.index("finished"))
_RETURNED = itemgetter(FRAME_FIELDS.index("returned"))
_U32 = struct.Struct(">I")


def _all_canonical(columns: Sequence[tuple[Any, ...]]) -> bool:
    """Whether every value of the frame's columns is already canonical (as the register reader makes
    them): each column's distinct values at once, far cheaper than canonicalising every field."""
    for position, column in enumerate(columns[:_FIELD_COUNT]):
        distinct = set(column)
        distinct.discard(None)
        if position in _DATE_POSITIONS:
            if any(map(attrgetter("microsecond"), distinct)):
                return False
        elif not all_canonical_texts(distinct):
            return False
    return True


def _canonical_sorted(records: Iterable[DossierRecord]) -> list[DossierRecord]:
    records = list(records)
    if records and not _all_canonical(list(zip(*records))):
        records = [r.canonical() for r in records]
    return sorted(records, key=_CODE)


def _column_texts(column: Sequence[Any], is_date: bool) -> Iterable[str]:
    """A column's values as frame text: "" for None, date-times in ISO form, each distinct value once."""
    if is_date:
        distinct = set(column)
        if len(distinct) * 2 > len(column) and None not in distinct:
            return map(datetime.isoformat, column)
        texts = dict(zip(distinct, map(_iso_or_empty, distinct)))
    else:
        if None not in column:
            return column
        texts = {value: value for value in set(column)}
        texts[None] = ""
    return map(texts.__getitem__, column)


def _iso_or_empty(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


_HEADER_LINE = "\t".join((FRAME_FORMAT, *FRAME_FIELDS)) + "\n"
_HASH_CHUNK = 1024  # lines encoded and hashed at a time


def _frame_lines(ordered: Sequence[DossierRecord]) -> list[str]:
    """The lines of canonical records already sorted by code (module docstring, step 1): built column
    by column, then joined line by line in C."""
    if not ordered:
        return []
    columns = list(zip(*ordered))[:_FIELD_COUNT]
    texts = [_column_texts(column, position in _DATE_POSITIONS) for position, column in enumerate(columns)]
    return list(map("\t".join, zip(*texts)))


def _frame_text(ordered: Sequence[DossierRecord]) -> str:
    """The canonical text of canonical records already sorted by code (module docstring, step 1)."""
    lines = _frame_lines(ordered)
    return _HEADER_LINE + "\n".join(lines) + "\n" if lines else _HEADER_LINE


def _frame_hash(lines: Sequence[str]) -> str:
    """The SHA-256 of the frame text made of `lines` (header, lines, final newline), hashed a thousand
    lines at a time: each piece is encoded and hashed while it is in the processor's cache, which takes
    half the time of one text of 20 MB, and the whole text is never held."""
    digest = hashlib.sha256(_HEADER_LINE.encode("utf-8"))
    for start in range(0, len(lines), _HASH_CHUNK):
        digest.update("\n".join(lines[start:start + _HASH_CHUNK]).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def canonical_frame_text(records: Iterable[DossierRecord]) -> str:
    """The canonical text of a frame; see the module docstring, step 1."""
    return _frame_text(_canonical_sorted(records))


@dataclass(frozen=True)
class Frame:
    """The sampling frame: unique canonical records sorted by code, and the hash that pins them down.

    Made by :func:`build_frame`. The per-record values the draw needs (rank keys, strata) are
    derived from the records when a draw first needs them and kept (the domains and rank keys at
    any draw, the timeliness classes at the first draw by timeliness); they are never part of the hash.
    """

    records: tuple[DossierRecord, ...]
    hash: str
    _derived: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.records)

    @property
    def code_keys(self) -> tuple[bytes, ...]:
        """Each record's code as length-prefixed UTF-8, as it enters the rank hash (step 5)."""
        keys = self._derived.get("code_keys")
        if keys is None:
            encoded = list(map(str.encode, self._field("codes", _CODE)))
            lengths = list(map(len, encoded))
            prefixes = {length: _U32.pack(length) for length in set(lengths)}
            keys = self._derived["code_keys"] = tuple(map(bytes.__add__, map(prefixes.__getitem__, lengths), encoded))
        return keys

    @property
    def by_domain(self) -> dict[str, list[int]]:
        """Each domain ("" for none) and its records' positions, in frame (code) order."""
        found = self._derived.get("by_domain")
        if found is None:
            names, numbers = self._domain_numbers()
            found = self._derived["by_domain"] = dict(zip(names, _positions_by(numbers, len(names))))
        return found

    @property
    def by_domain_status(self) -> dict[str, dict[Timeliness, list[int]]]:
        """Each domain's records by timeliness without a reference date: final for returned dossiers;
        PENDING holds those not returned, which the draw's reference date splits into pending/overdue.
        Derived only for a draw by timeliness."""
        if "by_domain_status" not in self._derived:
            self._derive_timeliness()
        return self._derived["by_domain_status"]  # type: ignore[no-any-return]

    @property
    def due_days(self) -> tuple[date | None, ...]:
        """Each record's due day (None when the register gives none)."""
        if "due_days" not in self._derived:
            self._derive_timeliness()
        return self._derived["due_days"]  # type: ignore[no-any-return]

    def derive(self) -> Frame:
        """Derive now what the first draw would (rank keys, strata); returns the frame. A service calls
        it while the user waits anyway (storing a register), so that the draw itself stays quick."""
        _ = self.by_domain, self.by_domain_status, self.code_keys
        return self

    # Positions are grouped by small numbers (a domain's, a timeliness class's) in C and one loop, never
    # by a tuple per record: 100,000 surviving tuples would wake the cyclic garbage collector, which
    # walks every object the process holds.

    def _field(self, name: str, get: Callable[[DossierRecord], Any]) -> Iterable[Any]:
        """One field of every record in frame order: the column kept when the frame was made from
        columns (read once then, side by side), else read from the records."""
        column = self._derived.pop(name, None)
        return map(get, self.records) if column is None else column

    def _domain_numbers(self) -> tuple[list[str], list[int]]:
        """The domains ("" for none) in order of first appearance, and each record's domain's number."""
        found = self._derived.get("domain_numbers")
        if found is None:
            domains = list(self._field("domains", _DOMAIN))
            names: dict[str, int] = {}
            number = {domain: names.setdefault(domain or "", len(names)) for domain in dict.fromkeys(domains)}
            found = self._derived["domain_numbers"] = (list(names), list(map(number.__getitem__, domains)))
        return found

    def _derive_timeliness(self) -> None:
        """Due days, and positions by domain and timeliness (in frame order): each distinct date-time
        becomes its day once, each distinct (due day, result day) pair is classified once."""
        records = self.records
        due_days = _days_of(map(_DUE, records))
        returned_days = _days_of(map(_RETURNED, records))
        finished_days = _days_of(map(_FINISHED, records))
        # As result_day_of(): the day of return, else the day processing finished.
        result_days = [r if r is not None else f for r, f in zip(returned_days, finished_days)]
        day_number = {day: n for n, day in enumerate({*due_days, *result_days})}
        days, width = list(day_number), len(day_number)
        pairs = list(map(int.__add__, map(width.__mul__, map(day_number.__getitem__, due_days)),
                         map(day_number.__getitem__, result_days)))  # fmt: skip
        status_number = {p: _STATUS_NUMBER[status_of(days[p // width], days[p % width])] for p in set(pairs)}
        names, domain_numbers = self._domain_numbers()
        groups = list(map(int.__add__, map(_STATUSES.__mul__, domain_numbers), map(status_number.__getitem__, pairs)))
        members = _positions_by(groups, len(names) * _STATUSES)
        self._derived["by_domain_status"] = {
            name: {status: group for status, group in zip(_TIMELINESS, members[n * _STATUSES:(n + 1) * _STATUSES])
                   if group}
            for n, name in enumerate(names)
        }  # fmt: skip
        self._derived["due_days"] = tuple(due_days)


def _positions_by(numbers: Sequence[int], count: int) -> list[list[int]]:
    """For each number below `count`, the positions in `numbers` that hold it, in order."""
    members: list[list[int]] = [[] for _ in range(count)]
    file = [group.append for group in members]
    for index, number in enumerate(numbers):
        file[number](index)
    return members


_TIMELINESS = tuple(Timeliness)
_STATUSES = len(_TIMELINESS)
_STATUS_NUMBER = {status: n for n, status in enumerate(_TIMELINESS)}


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _days_of(values: Iterable[datetime | None]) -> list[date | None]:
    """Each date-time's day (a date stays itself, None stays None), each distinct value converted once."""
    values = list(values)
    distinct: set[Any] = set(values)
    distinct.discard(None)
    try:
        day_of: dict[datetime | None, date | None] = dict(zip(distinct, map(datetime.date, distinct)))
    except TypeError:  # a day without a time of day
        day_of = dict(zip(distinct, map(_day, distinct)))
    day_of[None] = None
    return list(map(day_of.__getitem__, values))


def build_frame(records: Iterable[DossierRecord]) -> Frame:
    """Canonicalise, sort, check the codes and hash. Raises ValidationFailed on empty or repeated
    codes. The frame's records are the canonical ones, so strata and ranks see what the hash saw."""
    ordered = _canonical_sorted(records)
    _check_codes(list(map(_CODE, ordered)))
    return Frame(records=tuple(ordered), hash=_frame_hash(_frame_lines(ordered)))


def frame_of_canonical(
    records: Sequence[DossierRecord],
    columns: Sequence[Sequence[Any]],
    *,
    codes_unique: bool = False,
    texts: Sequence[Sequence[str] | None] = (),
) -> Frame:
    """:func:`build_frame` for records already canonical, with their values at hand by column.

    `columns` holds the records' values field by field in :data:`FRAME_FIELDS` order (``columns[0]``
    the codes). Every value must already be canonical, as the register reader makes them (text
    through :func:`canonical_text` or :func:`all_canonical_texts`, date-times to the second): this is
    not checked again. The result, hash included, is the one build_frame gives; the frame text is built
    from the columns in file order, each record's line put in code order by position, without going
    through the records again. Raises ValidationFailed on empty or repeated codes; with `codes_unique`
    the caller vouches that no code repeats (the register reader keeps the first row of a code and
    reports the others), and only an empty code is looked for. `texts` may give, for some fields (by
    position, None for the others), each value's text in the frame as :func:`_column_texts` would make
    it (ISO date-times, "" for None), when the caller made them more cheaply while reading.
    """
    codes = columns[0]
    count = len(codes)
    if count < 2:
        return build_frame(records)
    order = sorted(range(count), key=codes.__getitem__)
    pick = itemgetter(*order)
    if codes_unique:
        _check_codes((codes[order[0]],))  # sorted: an empty code would come first
    else:
        _check_codes(pick(codes))
    given = [*texts[:_FIELD_COUNT], *[None] * (_FIELD_COUNT - len(texts))]
    made = [column_texts if column_texts is not None else _column_texts(column, position in _DATE_POSITIONS)
            for position, (column, column_texts) in enumerate(zip(columns[:_FIELD_COUNT], given))]  # fmt: skip
    lines = pick(list(map("\t".join, zip(*made))))  # each record's line in file order, then in code order
    # The codes and the domains in frame order, for the first draw's rank keys and strata (a pick of
    # each column costs less than reading them back from records scattered in memory).
    kept = {"codes": pick(codes), "domains": pick(columns[FRAME_FIELDS.index("domain")])}
    return Frame(records=pick(records), hash=_frame_hash(lines), _derived=kept)


def _check_codes(codes: Sequence[str]) -> None:
    """Codes in code order: none empty, none repeated (ValidationFailed)."""
    if codes and not codes[0]:  # sorted: an empty code comes first
        raise ValidationFailed("Có hồ sơ không có mã.")
    if len(set(codes)) != len(codes):
        duplicates = list(compress(codes[1:], map(str.__eq__, codes[1:], codes)))
        shown = ", ".join(duplicates[:5])
        raise ValidationFailed(
            "Mã hồ sơ bị trùng trong khung chọn mẫu: {shown}.", shown=shown,
            codes=duplicates,
        )


def length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data
