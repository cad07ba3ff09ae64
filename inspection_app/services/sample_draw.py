"""The auditable draw: commit to a seed before the draw, reveal it at the draw, verify later.

See :mod:`inspection_app.services.sampling` for the order of the steps and docs/sampling.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from ..domain.localtime import LOCAL_TZ  # local time has one home
from ..domain.sampling import (
    ALGORITHM_VERSION,
    DrawSpec,
    Frame,
    SampleDraw,
    SampleSize,
    Verification,
    commitment_of,
    new_seed,
    strata_members,
    stratum_key_text,
    verify_draw,
)
from ..domain.sampling import draw_sample as draw_from_frame
from ..domain.timeliness import (
    result_day_of,
    status_of,
)
from ..registers import read_register
from ..store.models import Dossier, DossierCheck, Register, Sample
from ..store.types import utcnow
from .common import get_or_404, visit_for_update
from .context import AppContext
from .register_import import load_frame

# --- the draw -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedSample:
    """A sample whose commitment is recorded and shown, waiting for the draw.

    The seed is kept here only (not in the database) until :func:`draw_sample` reveals it.
    """

    sample_id: str
    register_id: str
    commitment: str
    frame_hash: str
    frame_size: int
    spec: DrawSpec
    populations: tuple[tuple[tuple[str, ...], int], ...]  # stratum key -> dossiers
    seed: bytes = field(repr=False)
    frame: Frame = field(repr=False, compare=False)


def _spec_json(spec: DrawSpec) -> dict[str, Any]:
    return {
        "strata_by": list(spec.strata_by),
        "size": spec.size.to_dict(),
        "as_of": spec.as_of.isoformat() if spec.as_of else None,
    }


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def prepare_sample(
    ctx: AppContext,
    register_id: str,
    size: SampleSize,
    *,
    by_timeliness: bool = False,
    as_of: date | None = None,
) -> PreparedSample:
    """Fix the frame and the parameters, take a seed, record its commitment: before any draw."""
    spec = DrawSpec(size=size, by_timeliness=by_timeliness, as_of=as_of or local_today())
    frame = load_frame(ctx, register_id)
    if frame.size == 0:
        raise ValidationFailed(
            "Sổ theo dõi không có hồ sơ nào để chọn mẫu."
        )
    counts = {key: len(indices) for key, indices in strata_members(frame, spec).items()}
    seed = new_seed()
    with ctx.session() as s:
        register = get_or_404(s, Register, register_id, *both("sổ theo dõi hồ sơ"))
        if register.visit_id is None:
            raise ValidationFailed("Sổ theo dõi chưa gắn với lượt kiểm tra.")
        visit_for_update(s, register.visit_id)
        sample = Sample(
            visit_id=register.visit_id,
            register_id=register_id,
            algorithm_version=ALGORITHM_VERSION,
            frame_hash=frame.hash,
            commitment=commitment_of(seed),
            strata={**_spec_json(spec), "frame_size": frame.size},
        )
        s.add(sample)
        sample_id = sample.id
    populations = tuple(sorted(counts.items(), key=lambda kv: stratum_key_text(kv[0])))
    return PreparedSample(sample_id, register_id, commitment_of(seed), frame.hash, frame.size, spec, populations,
                          seed, frame)  # fmt: skip


def draw_sample(ctx: AppContext, prepared: PreparedSample) -> SampleDraw:
    """Reveal the seed, draw, and record the result and a dossier check per sampled dossier."""
    with ctx.session() as s:
        sample = get_or_404(s, Sample, prepared.sample_id, *both("mẫu"))
        visit = visit_for_update(s, sample.visit_id)
        if sample.drawn_at is not None:
            raise ValidationFailed("Mẫu này đã được rút.")
        if sample.frame_hash != prepared.frame.hash:
            raise ValidationFailed("Khung chọn mẫu đã thay đổi.")
        drawn_at = utcnow()
        result = draw_from_frame(
            prepared.frame, prepared.seed, prepared.spec, drawn_at=drawn_at, drawn_by=ctx.actor,
            commitment=sample.commitment,
        )  # fmt: skip
        sample.seed_hex = result.seed
        sample.drawn_at = drawn_at
        sample.drawn_by = ctx.actor
        sample.sizes = {
            stratum_key_text(st.key): {"population": st.population, "target": st.target, "drawn": st.size}
            for st in result.strata
        }
        s.add(sample)
        ids: dict[str, str] = dict(
            s.execute(
                select(Dossier.code, Dossier.id).where(
                    col(Dossier.register_id) == sample.register_id, col(Dossier.code).in_(list(result.codes))
                )
            ).tuples().all()
        )
        by_code = {r.code: r for r in prepared.frame.records if r.code in ids}
        as_of = prepared.spec.as_of
        for stratum in result.strata:
            for rank, code in enumerate(stratum.codes):
                r = by_code[code]
                status = status_of(_day(r.due), result_day_of(r.returned, r.finished)[0], as_of)
                s.add(DossierCheck(visit_id=visit.id, sample_id=sample.id, dossier_id=ids[code],
                                   stratum=stratum_key_text(stratum.key), rank=rank, timeliness=status.value))  # fmt: skip
        if visit.status == "draft":
            visit.status = "on_site"
            s.add(visit)
        return result


def draw_new_sample(
    ctx: AppContext, register_id: str, size: SampleSize, *, by_timeliness: bool = False, as_of: date | None = None
) -> tuple[str, SampleDraw]:
    """Prepare and draw at once (the CLI; the app shows the commitment in between)."""
    prepared = prepare_sample(ctx, register_id, size, by_timeliness=by_timeliness, as_of=as_of)
    return prepared.sample_id, draw_sample(ctx, prepared)


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


@dataclass(frozen=True)
class SampleSummary:
    id: str
    register_id: str
    commitment: str
    frame_hash: str
    algorithm_version: str
    parameters: dict[str, Any]
    drawn: bool
    drawn_at: datetime | None
    drawn_by: str
    seed_hex: str  # empty until drawn
    dossier_count: int


def list_samples(ctx: AppContext, visit_id: str) -> list[SampleSummary]:
    """A visit's samples, including prepared ones never drawn (they stay on record)."""
    with ctx.session() as s:
        samples = list(s.exec(select(Sample).where(col(Sample.visit_id) == visit_id).order_by(col(Sample.created_at))))
        counts: dict[str, int] = {}
        for sample_id in s.exec(select(DossierCheck.sample_id).where(DossierCheck.visit_id == visit_id)):
            counts[sample_id] = counts.get(sample_id, 0) + 1
        return [
            SampleSummary(x.id, x.register_id, x.commitment, x.frame_hash, x.algorithm_version, dict(x.strata),
                          x.drawn_at is not None, x.drawn_at, x.drawn_by, x.seed_hex, counts.get(x.id, 0))  # fmt: skip
            for x in samples
        ]


def recorded_draw(ctx: AppContext, sample_id: str) -> SampleDraw:
    """The recorded draw, rebuilt from the database in the form :func:`verify_draw` takes."""
    with ctx.session() as s:
        sample = get_or_404(s, Sample, sample_id, *both("mẫu"))
        if sample.drawn_at is None:
            raise ValidationFailed(
                "Mẫu này mới được chuẩn bị, chưa rút."
            )
        rows = s.execute(
            select(DossierCheck.stratum, DossierCheck.rank, Dossier.code)
            .join(Dossier, col(Dossier.id) == col(DossierCheck.dossier_id))
            .where(DossierCheck.sample_id == sample_id)
            .order_by(col(DossierCheck.stratum), col(DossierCheck.rank))
        ).all()
        codes: dict[str, list[str]] = {}
        for stratum, _rank, code in rows:
            codes.setdefault(stratum, []).append(code)
        strata = [
            {"key": key.split("\t"), "population": v["population"], "target": v["target"], "codes": codes.get(key, [])}
            for key, v in sample.sizes.items()
        ]
        data: dict[str, Any] = {
            **sample.strata,
            "algorithm_version": sample.algorithm_version,
            "frame_hash": sample.frame_hash,
            "frame_size": sample.strata.get("frame_size", 0),
            "seed": sample.seed_hex,
            "commitment": sample.commitment,
            "drawn_at": sample.drawn_at.isoformat(),
            "drawn_by": sample.drawn_by,
            "strata": sorted(strata, key=lambda st: stratum_key_text(tuple(st["key"]))),
        }
    return SampleDraw.from_dict(data)


def verify_sample(
    ctx: AppContext, sample_id: str, path: str | Path | None = None, sheet: str | None = None
) -> Verification:
    """Re-draw a recorded sample and compare: from the original register file the unit keeps (`path`),
    or, without one, from the canonical frame stored at import (checked against its recorded hash)."""
    recorded = recorded_draw(ctx, sample_id)
    if path is None:
        with ctx.session() as s:
            register_id = get_or_404(s, Sample, sample_id, *both("mẫu")).register_id
        return verify_draw(load_frame(ctx, register_id), recorded)
    return verify_draw(read_register(path, sheet=sheet).frame, recorded)
