"""The parameters and the record of an ``ia-sample-v1`` draw: seed and commitment, sizes, strata.

Steps 2 and 4 of the specification in :mod:`inspection_app.domain.sampling` as data: the seed and its
commitment, how many dossiers per stratum, what defines the strata, and the recorded draw with its
dictionary form (what the store keeps and ``sample verify`` reads back).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from inspection_app.domain.errors import ValidationFailed
from inspection_app.domain.sampling_frame import FRAME_FORMAT
from inspection_app.domain.timeliness import Timeliness

SEED_BYTES = 32

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
            "Hạt giống (seed) phải gồm {value} chữ số hệ 16.", value=SEED_BYTES * 2,
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
            raise ValidationFailed("Cỡ mẫu mỗi nhóm phải ít nhất là 1.")
        return cls("fixed", per_stratum=per_stratum)

    @classmethod
    def proportional(cls, total: int, minimum: int = 1) -> SampleSize:
        if total < 1 or minimum < 0:
            raise ValidationFailed(
                "Tổng cỡ mẫu phải ít nhất là 1 và số tối thiểu không âm.",
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
        raise ValidationFailed("Cách tính cỡ mẫu không hợp lệ.")

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
        raise ValidationFailed("Cách phân nhóm không hợp lệ: {strata_by}.", strata_by=repr(strata_by))
    as_of = data.get("as_of")
    return DrawSpec(
        size=SampleSize.from_dict(data["size"]),
        by_timeliness=strata_by == ("domain", "timeliness"),
        as_of=date.fromisoformat(as_of) if as_of else None,
    )

