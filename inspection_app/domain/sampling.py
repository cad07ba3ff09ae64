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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from inspection_app.domain.errors import UserError, ValidationFailed
from inspection_app.domain.sampling_frame import (
    FRAME_FIELDS,
    FRAME_FORMAT,
    DossierRecord,
    Frame,
    build_frame,
    canonical_frame_text,
    canonical_text,
    length_prefixed,
)
from inspection_app.domain.sampling_params import (
    SEED_BYTES,
    DrawSpec,
    SampleDraw,
    SampleSize,
    StratumDraw,
    commitment_of,
    new_seed,
    parse_seed,
    spec_from_dict,
)
from inspection_app.domain.timeliness import Timeliness, status_of
from inspection_app.locale import both

__all__ = [
    "ALGORITHM_VERSION", "FRAME_FIELDS", "FRAME_FORMAT", "SEED_BYTES", "DossierRecord", "DrawSpec", "Frame",
    "SampleDraw", "SampleSize", "StratumDraw", "Verification", "allocate", "build_frame", "canonical_frame_text",
    "canonical_text", "commitment_of", "draw_sample", "new_seed", "parse_seed", "spec_from_dict", "strata_members",
    "stratum_key_text", "verify_draw",
]  # fmt: skip

ALGORITHM_VERSION = "ia-sample-v1"


# --- the draw --------------------------------------------------------------------------------


def strata_members(frame: Frame, spec: DrawSpec) -> dict[tuple[str, ...], list[int]]:
    """Each stratum's key and its records' positions in the frame (module docstring, step 3)."""
    if not spec.by_timeliness:
        return {(domain,): indices for domain, indices in frame.by_domain.items()}
    members: dict[tuple[str, ...], list[int]] = {}
    due_days = frame.due_days
    for domain, groups in frame.by_domain_status.items():
        for status, indices in groups.items():
            if status is not Timeliness.PENDING:
                members[(domain, status.value)] = indices
                continue
            # Not returned yet: pending or overdue depends on the reference date. Both lists keep
            # frame (code) order.
            for i in indices:
                later = status_of(due_days[i], None, spec.as_of)
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
            "Hạt giống (seed) phải dài {SEED_BYTES} byte.", SEED_BYTES=SEED_BYTES
        )
    actual_commitment = commitment_of(seed)
    if commitment is not None and commitment.lower() != actual_commitment:
        raise ValidationFailed(
            "Hạt giống không khớp với cam kết đã ghi trước khi chọn mẫu.",
        )
    if frame.size == 0:
        raise ValidationFailed(
            "Sổ theo dõi không có hồ sơ nào để chọn mẫu."
        )

    members = strata_members(frame, spec)
    keys = sorted(members, key=stratum_key_text)
    sizes = allocate([len(members[k]) for k in keys], spec.size)
    targets = [spec.size.per_stratum] * len(keys) if spec.size.mode == "fixed" else sizes

    prefix = seed + bytes.fromhex(frame.hash)
    code_keys = frame.code_keys
    sha256 = hashlib.sha256
    strata: list[StratumDraw] = []
    for key, n, target in zip(keys, sizes, targets):
        indices = members[key]
        stratum_prefix = prefix + length_prefixed(stratum_key_text(key).encode("utf-8"))
        seeded = sha256(stratum_prefix)

        def rank(i: int, seeded: hashlib._Hash = seeded) -> bytes:
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
            return both("KHỚP: chọn lại được đúng mẫu đã ghi.")
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
            "Không hỗ trợ thuật toán chọn mẫu {algorithm_version!r}.", algorithm_version=recorded.algorithm_version,
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
