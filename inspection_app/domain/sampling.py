"""Auditable random sampling of dossiers: algorithm ``ia-sample-v1``.

Nobody should be able to say the sample was cherry-picked, so every input of the draw is fixed and
recorded before the draw, and the draw is a pure function of those inputs: anyone holding the
register file and the recorded parameters gets the same dossiers. docs/sampling.md explains it for
a reader outside the code; this docstring is the specification the code follows.

1. **Frame.** The imported register's records (:class:`DossierRecord`), with text normalised (NFC,
   every run of whitespace, tabs and line breaks included, collapsed to one space, trimmed) and
   date-times as ``YYYY-MM-DDTHH:MM:SS`` (seconds, no zone: the register's local time). Records are
   sorted by dossier code (Unicode code point order, which is the byte order of their UTF-8); codes
   must be unique. The canonical text is a header line ``ia-frame-v1`` followed by the field names
   of :data:`FRAME_FIELDS`, then one line per record with its fields in that order; on each line
   the values are joined by a TAB, a missing value is empty, and the line ends with a line feed.
   Normalised text never holds a TAB or a line feed, so nothing needs escaping. The **frame hash**
   is the SHA-256 of that text in UTF-8, written as lower-case hex. Row order in the file does not
   change it; any change to a kept field of any record does.
2. **Seed and commitment.** The seed is 32 bytes from the operating system's randomness
   (:func:`secrets.token_bytes`). The commitment is SHA-256(seed) in hex; it is recorded and shown
   before the draw, and the seed is revealed with the result, so anyone can check that the seed was
   not changed after the fact.
3. **Strata.** A dossier's stratum key is a list of strings: its domain (lĩnh vực; "" when the
   register gives none), and, when stratifying by timeliness, its
   :class:`~inspection_app.domain.timeliness.Timeliness` value: the result day ("Ngày trả", else
   the end of processing) against the due day, and, for a dossier with no result yet, the recorded
   reference date (``as_of``) against the due day. The class needs dates only, no holiday
   calendar. A key's text is its parts joined by a TAB; strata are ordered by it (code point order).
4. **Sizes.** *Fixed*: ``n`` per stratum. *Proportional*: ``total`` shared by largest remainder:
   stratum *s* with *N_s* of *N* dossiers gets ``floor(total·N_s / N)``; the seats left go one each
   to the strata with the largest remainders ``total·N_s mod N``, ties to the earlier stratum in
   key order; then each stratum gets at least ``minimum``. The minimum can make the sample larger
   than ``total``. A stratum smaller than its size is taken whole.
5. **Ranking.** Within a stratum each dossier's rank is
   ``SHA-256(seed ‖ frame_hash ‖ u32be(len S) ‖ S ‖ u32be(len C) ‖ C)`` where ``frame_hash`` is the
   32 raw bytes, ``S`` the UTF-8 of the stratum key's text and ``C`` the UTF-8 of the dossier code.
   Dossiers are sorted by rank (bytes, ascending) and the first *n* are drawn. Python's ``random``
   module is not used; the order of rows in the file plays no part.
"""

from __future__ import annotations

import hashlib
import heapq
import secrets
import struct
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import Any, Literal

from inspection_app.domain.errors import UserError, ValidationFailed
from inspection_app.domain.timeliness import Timeliness, result_day_of, status_of

ALGORITHM_VERSION = "ia-sample-v1"
FRAME_FORMAT = "ia-frame-v1"
SEED_BYTES = 32

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
        _code_keys=tuple(_length_prefixed(r.code.encode("utf-8")) for r in ordered),
        _by_domain=dict(by_domain),
        _by_domain_status={domain: dict(groups) for domain, groups in by_domain_status.items()},
        _due_days=due_days,
    )


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


# --- seed and commitment ---------------------------------------------------------------------


def new_seed() -> bytes:
    """32 bytes from the operating system's randomness (the one impure helper here)."""
    return secrets.token_bytes(SEED_BYTES)


def commitment_of(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def parse_seed(text: str) -> bytes:
    """A seed written as 64 hex digits (spaces and a 0x prefix tolerated)."""
    cleaned = "".join(text.split()).lower().removeprefix("0x")
    try:
        seed = bytes.fromhex(cleaned)
    except ValueError:
        seed = b""
    if len(seed) != SEED_BYTES:
        raise ValidationFailed(
            f"Hạt giống (seed) phải gồm {SEED_BYTES * 2} chữ số hệ 16.",
            f"The seed must be {SEED_BYTES * 2} hexadecimal digits.",
        )
    return seed


# --- parameters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleSize:
    """How many dossiers per stratum: a fixed number, or a proportional share with a minimum."""

    mode: Literal["fixed", "proportional"]
    per_stratum: int = 0
    total: int = 0
    minimum: int = 0

    @classmethod
    def fixed(cls, per_stratum: int) -> SampleSize:
        if per_stratum < 1:
            raise ValidationFailed("Cỡ mẫu mỗi nhóm phải ít nhất là 1.", "The size per stratum must be at least 1.")
        return cls("fixed", per_stratum=per_stratum)

    @classmethod
    def proportional(cls, total: int, minimum: int = 1) -> SampleSize:
        if total < 1 or minimum < 0:
            raise ValidationFailed(
                "Tổng cỡ mẫu phải ít nhất là 1 và số tối thiểu không âm.",
                "The total size must be at least 1 and the minimum not negative.",
            )
        return cls("proportional", total=total, minimum=minimum)

    def to_dict(self) -> dict[str, Any]:
        if self.mode == "fixed":
            return {"mode": "fixed", "per_stratum": self.per_stratum}
        return {"mode": "proportional", "total": self.total, "minimum": self.minimum}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SampleSize:
        if data.get("mode") == "fixed":
            return cls.fixed(int(data["per_stratum"]))
        if data.get("mode") == "proportional":
            return cls.proportional(int(data["total"]), int(data.get("minimum", 0)))
        raise ValidationFailed("Cách tính cỡ mẫu không hợp lệ.", "Invalid sample size mode.")

    def describe(self) -> str:
        if self.mode == "fixed":
            return f"{self.per_stratum}/stratum"
        return f"proportional total={self.total} min={self.minimum}"


@dataclass(frozen=True)
class DrawSpec:
    """What defines the strata and their sizes.

    Timeliness strata need the reference date (`as_of`, usually the day of the draw) that splits
    dossiers not yet returned into pending and overdue; it is recorded with the sample.
    """

    size: SampleSize
    by_timeliness: bool = False
    as_of: date | None = None

    def __post_init__(self) -> None:
        if self.by_timeliness and self.as_of is None:
            raise ValidationFailed(
                "Phân nhóm theo tiến độ cần ngày tham chiếu.",
                "Strata by timeliness need a reference date.",
            )

    @property
    def strata_by(self) -> tuple[str, ...]:
        return ("domain", "timeliness") if self.by_timeliness else ("domain",)


@dataclass(frozen=True)
class StratumDraw:
    key: tuple[str, ...]
    population: int
    target: int  # the size asked for this stratum
    codes: tuple[str, ...]  # drawn, in rank order; len = min(target, population)

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def label(self) -> str:
        parts = [self.key[0] or "(không ghi lĩnh vực / no domain)"]
        if len(self.key) > 1:
            t = Timeliness(self.key[1])
            parts.append(f"{t.label_vi} / {t.label_en}")
        return " · ".join(parts)


@dataclass(frozen=True)
class SampleDraw:
    """Everything needed to re-draw the sample, and what was drawn."""

    algorithm_version: str
    frame_hash: str
    frame_size: int
    seed: str  # hex
    commitment: str  # hex SHA-256 of the seed
    spec: DrawSpec
    strata: tuple[StratumDraw, ...]
    drawn_at: datetime
    drawn_by: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for stratum in self.strata for code in stratum.codes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "algorithm_version": self.algorithm_version,
            "frame_format": FRAME_FORMAT,
            "frame_hash": self.frame_hash,
            "frame_size": self.frame_size,
            "seed": self.seed,
            "commitment": self.commitment,
            "strata_by": list(self.spec.strata_by),
            "size": self.spec.size.to_dict(),
            "as_of": self.spec.as_of.isoformat() if self.spec.as_of is not None else None,
            "drawn_at": self.drawn_at.isoformat(),
            "drawn_by": self.drawn_by,
            "strata": [
                {"key": list(s.key), "population": s.population, "target": s.target, "codes": list(s.codes)}
                for s in self.strata
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SampleDraw:
        spec = spec_from_dict(data)
        return cls(
            algorithm_version=data["algorithm_version"],
            frame_hash=data["frame_hash"],
            frame_size=int(data["frame_size"]),
            seed=data["seed"],
            commitment=data["commitment"],
            spec=spec,
            strata=tuple(
                StratumDraw(tuple(s["key"]), int(s["population"]), int(s["target"]), tuple(s["codes"]))
                for s in data["strata"]
            ),
            drawn_at=datetime.fromisoformat(data["drawn_at"]),
            drawn_by=data.get("drawn_by", ""),
        )


def spec_from_dict(data: dict[str, Any]) -> DrawSpec:
    """The DrawSpec part of a recorded draw (strata_by, size, as_of)."""
    strata_by = tuple(data.get("strata_by", ("domain",)))
    if strata_by not in (("domain",), ("domain", "timeliness")):
        raise ValidationFailed("Cách phân nhóm không hợp lệ.", f"Invalid strata: {strata_by!r}.")
    as_of = data.get("as_of")
    return DrawSpec(
        size=SampleSize.from_dict(data["size"]),
        by_timeliness=strata_by == ("domain", "timeliness"),
        as_of=date.fromisoformat(as_of) if as_of else None,
    )


# --- the draw --------------------------------------------------------------------------------


def strata_members(frame: Frame, spec: DrawSpec) -> dict[tuple[str, ...], list[int]]:
    """Each stratum's key and its records' positions in the frame (module docstring, step 3)."""
    if not spec.by_timeliness:
        return {(domain,): indices for domain, indices in frame._by_domain.items()}
    members: dict[tuple[str, ...], list[int]] = {}
    for domain, groups in frame._by_domain_status.items():
        for status, indices in groups.items():
            if status is not Timeliness.PENDING:
                members[(domain, status.value)] = indices
                continue
            # Not returned yet: pending or overdue depends on the reference date. Both lists keep
            # frame (code) order.
            for i in indices:
                later = status_of(frame._due_days[i], None, spec.as_of)
                members.setdefault((domain, later.value), []).append(i)
    return members


def stratum_key_text(key: tuple[str, ...]) -> str:
    """A stratum key as the text that orders strata and enters the rank hash: its parts, TAB-joined."""
    return "\t".join(key)


def allocate(populations: Sequence[int], size: SampleSize) -> list[int]:
    """Sizes per stratum, in the given (canonical) stratum order; see the module docstring, step 4."""
    if size.mode == "fixed":
        return [min(size.per_stratum, n) for n in populations]
    total_pop = sum(populations)
    if size.total >= total_pop:
        return list(populations)
    base = [size.total * n // total_pop for n in populations]
    remainders = [size.total * n % total_pop for n in populations]
    leftover = size.total - sum(base)
    order = sorted(range(len(populations)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        base[i] += 1
    return [min(n, max(b, size.minimum)) for b, n in zip(base, populations)]


def draw_sample(
    frame: Frame,
    seed: bytes,
    spec: DrawSpec,
    *,
    drawn_at: datetime,
    drawn_by: str,
    commitment: str | None = None,
) -> SampleDraw:
    """Draw the sample (module docstring, steps 3–5). Pure: the same inputs give the same draw.

    When `commitment` is given (recorded before the draw), the seed must match it.
    """
    if len(seed) != SEED_BYTES:
        raise ValidationFailed(
            f"Hạt giống (seed) phải dài {SEED_BYTES} byte.", f"The seed must be {SEED_BYTES} bytes."
        )
    actual_commitment = commitment_of(seed)
    if commitment is not None and commitment.lower() != actual_commitment:
        raise ValidationFailed(
            "Hạt giống không khớp với cam kết đã ghi trước khi chọn mẫu.",
            "The seed does not match the commitment recorded before the draw.",
        )
    if frame.size == 0:
        raise ValidationFailed(
            "Sổ theo dõi không có hồ sơ nào để chọn mẫu.", "The register has no dossiers to sample from."
        )

    members = strata_members(frame, spec)
    keys = sorted(members, key=stratum_key_text)
    sizes = allocate([len(members[k]) for k in keys], spec.size)
    targets = [spec.size.per_stratum] * len(keys) if spec.size.mode == "fixed" else sizes

    prefix = seed + bytes.fromhex(frame.hash)
    code_keys = frame._code_keys
    sha256 = hashlib.sha256
    strata: list[StratumDraw] = []
    for key, n, target in zip(keys, sizes, targets):
        indices = members[key]
        stratum_prefix = prefix + _length_prefixed(stratum_key_text(key).encode("utf-8"))
        seeded = sha256(stratum_prefix)

        def rank(i: int, seeded=seeded) -> bytes:
            h = seeded.copy()
            h.update(code_keys[i])
            return h.digest()

        ranks = list(map(rank, indices))
        # Ties (practically impossible) keep frame order, i.e. code order: both sorts are stable.
        by_rank = ranks.__getitem__
        if n == len(indices):
            best = sorted(range(n), key=by_rank)
        else:
            best = heapq.nsmallest(n, range(len(indices)), key=by_rank)
        codes = tuple(frame.records[indices[j]].code for j in best)
        strata.append(StratumDraw(key=key, population=len(indices), target=target, codes=codes))

    return SampleDraw(
        algorithm_version=ALGORITHM_VERSION,
        frame_hash=frame.hash,
        frame_size=frame.size,
        seed=seed.hex(),
        commitment=actual_commitment,
        spec=spec,
        strata=tuple(strata),
        drawn_at=drawn_at,
        drawn_by=drawn_by,
    )


@dataclass(frozen=True)
class Verification:
    """The outcome of re-drawing a recorded sample from a frame."""

    matches: bool
    frame_hash_matches: bool
    commitment_matches: bool
    codes_match: bool
    recorded_frame_hash: str
    actual_frame_hash: str
    missing: tuple[str, ...]  # recorded but not re-drawn
    unexpected: tuple[str, ...]  # re-drawn but not recorded
    redraw: SampleDraw | None

    def summary(self) -> tuple[str, str]:
        """A verdict in Vietnamese and English."""
        if self.matches:
            return ("KHỚP: chọn lại được đúng mẫu đã ghi.", "MATCH: the re-draw reproduces the recorded sample.")
        vi, en = [], []
        if not self.frame_hash_matches:
            vi.append("khung chọn mẫu (sổ theo dõi) đã thay đổi")
            en.append("the frame (register) has changed")
        if not self.commitment_matches:
            vi.append("hạt giống không khớp với cam kết")
            en.append("the seed does not match the commitment")
        if not self.codes_match:
            vi.append("danh sách hồ sơ chọn lại khác với danh sách đã ghi")
            en.append("the re-drawn dossiers differ from the recorded ones")
        return ("KHÔNG KHỚP: " + "; ".join(vi) + ".", "MISMATCH: " + "; ".join(en) + ".")


def verify_draw(frame: Frame, recorded: SampleDraw) -> Verification:
    """Re-draw with the recorded parameters and compare with what was recorded."""
    if recorded.algorithm_version != ALGORITHM_VERSION:
        raise UserError(
            f"Không hỗ trợ thuật toán chọn mẫu {recorded.algorithm_version!r}.",
            f"Unsupported sampling algorithm {recorded.algorithm_version!r}.",
        )
    seed = parse_seed(recorded.seed)
    commitment_ok = commitment_of(seed) == recorded.commitment.lower()
    frame_ok = frame.hash == recorded.frame_hash.lower()
    redraw: SampleDraw | None = None
    if frame.size:
        redraw = draw_sample(frame, seed, recorded.spec, drawn_at=recorded.drawn_at, drawn_by=recorded.drawn_by)
    drawn = redraw.codes if redraw is not None else ()
    recorded_set, drawn_set = set(recorded.codes), set(drawn)
    codes_ok = list(drawn) == list(recorded.codes)
    return Verification(
        matches=frame_ok and commitment_ok and codes_ok,
        frame_hash_matches=frame_ok,
        commitment_matches=commitment_ok,
        codes_match=codes_ok,
        recorded_frame_hash=recorded.frame_hash,
        actual_frame_hash=frame.hash,
        missing=tuple(c for c in recorded.codes if c not in drawn_set),
        unexpected=tuple(c for c in drawn if c not in recorded_set),
        redraw=redraw,
    )
