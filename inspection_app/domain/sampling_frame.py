"""The sampling frame of algorithm ``ia-sample-v1``: records, canonical form, frame hash.

Step 1 of the specification in :mod:`inspection_app.domain.sampling` (the frame, its canonical text
and its SHA-256), and the per-record values the draw derives from the frame.
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter

from inspection_app.domain.errors import ValidationFailed
from inspection_app.domain.timeliness import Timeliness, result_day_of, status_of

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


@dataclass(frozen=True, slots=True)
class DossierRecord:
    """One row of a dossier register, holding only what the check needs.

    No holder name, address, phone or ID number: the register is personal data and the inspection
    has no use for them. `row` is where the record was found in the file (for messages); it is not
    part of the frame.
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
    row: int | None = field(default=None, compare=False)

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


def _to_second(value: datetime | None) -> datetime | None:
    return value.replace(microsecond=0) if value is not None and value.microsecond else value


_DATE_FIELDS = ("received", "due", "finished", "returned")
_TEXT_FIELDS = tuple(f for f in FRAME_FIELDS if f not in _DATE_FIELDS)
_ALL_FIELDS = attrgetter(*FRAME_FIELDS)


def _all_canonical(records: Sequence[DossierRecord]) -> bool:
    """Whether every value is already canonical (as the register reader makes them): a check of
    each distinct value, far cheaper than canonicalising every field of every record."""
    for name in _TEXT_FIELDS:
        distinct = set(map(attrgetter(name), records))
        distinct.discard(None)
        if any(canonical_text(value) != value for value in distinct):
            return False
    for name in _DATE_FIELDS:
        if any(map(attrgetter("microsecond"), filter(None, map(attrgetter(name), records)))):
            return False
    return True


def _canonical_sorted(records: Iterable[DossierRecord]) -> list[DossierRecord]:
    records = list(records)
    if not _all_canonical(records):
        records = [r.canonical() for r in records]
    return sorted(records, key=lambda r: r.code)


def _frame_text(ordered: Sequence[DossierRecord]) -> str:
    """The canonical text of canonical records already sorted by code (module docstring, step 1)."""
    lines = ["\t".join((FRAME_FORMAT, *FRAME_FIELDS))]
    lines.extend(
        "\t".join((
            c, pc or "", pn or "", d or "", ch or "",
            "" if rc is None else rc.isoformat(), "" if du is None else du.isoformat(),
            "" if fi is None else fi.isoformat(), "" if rt is None else rt.isoformat(),
            st or "", pu or "", no or "",
        ))
        for c, pc, pn, d, ch, rc, du, fi, rt, st, pu, no in map(_ALL_FIELDS, ordered)
    )  # fmt: skip
    lines.append("")
    return "\n".join(lines)


def canonical_frame_text(records: Iterable[DossierRecord]) -> str:
    """The canonical text of a frame; see the module docstring, step 1."""
    return _frame_text(_canonical_sorted(records))


@dataclass(frozen=True)
class Frame:
    """The sampling frame: unique canonical records sorted by code, and the hash that pins them down.

    Made by :func:`build_frame`, which also derives the per-record values the draw needs.
    """

    records: tuple[DossierRecord, ...]
    hash: str
    # Derived once per frame so that the draw stays fast; never part of the hash.
    _code_keys: tuple[bytes, ...] = field(repr=False, compare=False, default=())
    _by_domain: dict[str, list[int]] = field(repr=False, compare=False, default_factory=dict)
    # Each domain's records by timeliness without a reference date: final for returned dossiers;
    # PENDING holds those not returned, which the draw's reference date splits into pending/overdue.
    _by_domain_status: dict[str, dict[Timeliness, list[int]]] = field(repr=False, compare=False, default_factory=dict)
    _due_days: tuple[date | None, ...] = field(repr=False, compare=False, default=())

    @property
    def size(self) -> int:
        return len(self.records)


def build_frame(records: Iterable[DossierRecord]) -> Frame:
    """Canonicalise, sort, check the codes and hash. Raises ValidationFailed on empty or repeated
    codes. The frame's records are the canonical ones, so strata and ranks see what the hash saw."""
    ordered = _canonical_sorted(records)
    if ordered and not ordered[0].code:  # sorted: an empty code comes first
        raise ValidationFailed("Có hồ sơ không có mã.", "A dossier has no code.")
    duplicates = [a.code for a, b in zip(ordered, ordered[1:]) if a.code == b.code]
    if duplicates:
        shown = ", ".join(duplicates[:5])
        raise ValidationFailed(
            f"Mã hồ sơ bị trùng trong khung chọn mẫu: {shown}.",
            f"Duplicate dossier codes in the sampling frame: {shown}.",
            codes=duplicates,
        )
    digest = hashlib.sha256(_frame_text(ordered).encode("utf-8")).hexdigest()
    due_days = tuple(r.due.date() if r.due is not None else None for r in ordered)
    by_domain: dict[str, list[int]] = defaultdict(list)
    by_domain_status: dict[str, dict[Timeliness, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, (record, due) in enumerate(zip(ordered, due_days)):
        by_domain[record.stratum_domain].append(index)
        status = status_of(due, result_day_of(record.returned, record.finished)[0])
        by_domain_status[record.stratum_domain][status].append(index)
    return Frame(
        records=tuple(ordered),
        hash=digest,
        _code_keys=tuple(length_prefixed(r.code.encode("utf-8")) for r in ordered),
        _by_domain=dict(by_domain),
        _by_domain_status={domain: dict(groups) for domain, groups in by_domain_status.items()},
        _due_days=due_days,
    )


def length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data

