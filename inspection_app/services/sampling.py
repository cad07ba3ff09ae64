"""Dossier registers and auditable samples: import, preview, commit, draw, check, verify.

The order of a draw is what makes it auditable (docs/sampling.md):

1. :func:`preview_register` reads the file and shows the column mapping and the unreadable rows;
   nothing is stored yet.
2. :func:`import_register` stores the register for the visit: the readable rows, only the columns
   the check needs, and the frame hash.
3. :func:`prepare_sample` fixes the parameters, takes a seed from the operating system and records
   its commitment (SHA-256 of the seed) with the frame hash, before anything is drawn. The seed
   stays in memory, in the returned :class:`PreparedSample`; the database only learns it at the draw.
   A prepared sample that is never drawn stays on record, visibly abandoned.
4. :func:`draw_sample` reveals the seed, draws, and records the seed, the strata and one
   :class:`DossierCheck` per sampled dossier.
5. :func:`record_dossier_check` saves the per-dossier checklist answers.
6. :func:`verify_sample` re-draws from the original file and compares.

Register dates are local wall-clock times (Asia/Ho_Chi_Minh); the store keeps UTC, so they are
converted on the way in and back on the way out, exactly, which keeps the frame hash of the stored
dossiers equal to the hash of the file.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, insert, type_coerce
from sqlmodel import func, select

from ..domain.calendar import WorkingCalendar, vietnam_calendar
from ..domain.checklist import Checklist, Verdict, is_failed, missing_evidence, normalise_value
from ..domain.errors import NotFound, ValidationFailed
from ..domain.minutes import DossierRow, DossierSample
from ..domain.sampling import (
    ALGORITHM_VERSION,
    DossierRecord,
    DrawSpec,
    Frame,
    SampleDraw,
    SampleSize,
    Verification,
    build_frame,
    commitment_of,
    new_seed,
    stratum_key_text,
    strata_members,
    verify_draw,
)
from ..domain.sampling import draw_sample as draw_from_frame
from ..domain.text import nfc
from ..domain.timeliness import Timeliness, TimelinessResult, assess_apology, classify, result_day_of, status_of
from ..registers import RegisterImport, read_register
from ..store.models import Dossier, DossierCheck, Photo, Register, Sample
from ..store.types import new_id, utcnow
from . import checklists as checklist_service
from .common import get_or_404, visit_for_update
from .context import AppContext

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DOSSIER_CHECKLIST_ID = "tthc_dossiers"
MAX_STORED_PROBLEMS = 1000  # a register with more unreadable rows keeps the first ones and the count
_INSERT_BATCH = 5000


# --- registers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPreview:
    """What the import screen shows before anything is stored."""

    result: RegisterImport
    frame_hash: str
    domains: tuple[tuple[str, int], ...]  # (domain, dossiers), largest first
    first_records: tuple[DossierRecord, ...]


@dataclass(frozen=True)
class RegisterSummary:
    id: str
    visit_id: str | None
    source_name: str
    source_sha256: str
    file_format: str
    encoding: str
    sheet: str
    row_count: int
    bad_row_count: int
    frame_hash: str
    mapping: dict
    problems: tuple[dict, ...]
    imported_by: str
    imported_at: datetime


def preview_register(path: str | Path, sheet: str | None = None) -> RegisterPreview:
    """Read a register file and describe it, storing nothing."""
    result = read_register(path, sheet=sheet)
    counts: dict[str, int] = {}
    for record in result.records:
        counts[record.stratum_domain] = counts.get(record.stratum_domain, 0) + 1
    domains = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return RegisterPreview(result, result.frame.hash, domains, result.records[:20])


def _mapping_json(result: RegisterImport) -> dict:
    m = result.mapping
    return {
        "file_format": result.file_format,
        "header_row": m.header_row,
        "mapped": [{"field": c.field, "header": c.header, "column": c.index + 1} for c in m.mapped],
        "ignored": [{"header": c.header, "column": c.index + 1, "reason": c.reason} for c in m.ignored],
        "missing": list(m.missing),
        "rows_read": result.rows_read,
        "bad_rows": len(result.bad_rows),
        "duplicate_codes": len(result.duplicate_codes),
    }


def _summary(reg: Register) -> RegisterSummary:
    mapping = reg.mapping or {}
    return RegisterSummary(
        id=reg.id,
        visit_id=reg.visit_id,
        source_name=reg.source_name,
        source_sha256=reg.source_sha256,
        file_format=mapping.get("file_format", ""),
        encoding=reg.encoding,
        sheet=reg.sheet,
        row_count=reg.row_count,
        bad_row_count=int(mapping.get("bad_rows", len(reg.problems or []))),
        frame_hash=reg.frame_hash,
        mapping=mapping,
        problems=tuple(reg.problems or ()),
        imported_by=reg.imported_by,
        imported_at=reg.created_at,
    )


@lru_cache(maxsize=4096)
def _offset_on(day: date) -> timedelta:
    # Vietnam has kept one offset (UTC+7) since 1975, so an offset looked up once per day is exact
    # and spares 400,000 time-zone conversions on a 100,000-row register.
    return LOCAL_TZ.utcoffset(datetime(day.year, day.month, day.day, 12)) or timedelta(0)


def _aware(value: datetime | None) -> datetime | None:
    """A register's local wall-clock time as an aware UTC datetime, for the store."""
    if value is None:
        return None
    return (value - _offset_on(value.date())).replace(tzinfo=timezone.utc)


def _local(value: datetime | None) -> datetime | None:
    """A stored UTC datetime (aware, or naive in UTC) as the register's local wall-clock time."""
    if value is None:
        return None
    utc = value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    return utc + _offset_on(utc.date())


def import_register(
    ctx: AppContext, visit_id: str, path: str | Path, sheet: str | None = None, *, preview: RegisterPreview | None = None
) -> RegisterSummary:
    """Store a register for a visit: the readable rows, the mapping, the unreadable rows, the hash.

    Pass the `preview` the user just looked at to avoid reading the file twice.
    """
    result = preview.result if preview is not None else read_register(path, sheet=sheet)
    frame = result.frame
    with ctx.session() as s:
        visit = visit_for_update(s, visit_id)
        problems = [{"row": b.row, "code": b.code, "vi": b.reason_vi, "en": b.reason_en} for b in result.bad_rows]
        register = Register(
            visit_id=visit_id,
            unit_id=visit.unit_id,
            source_name=result.source_name,
            source_sha256=result.file_sha256,
            encoding=result.encoding or "",
            sheet=result.sheet or "",
            row_count=frame.size,
            frame_hash=frame.hash,
            mapping=_mapping_json(result),
            problems=problems[:MAX_STORED_PROBLEMS],
            imported_by=ctx.actor,
        )
        s.add(register)
        s.flush()
        rows = [
            {
                "id": new_id(),
                "register_id": register.id,
                "code": r.code,
                "procedure_name": r.procedure_name or "",
                "procedure_code": r.procedure_code or "",
                "domain": r.domain or "",
                "channel": r.channel or "",
                "received_at": _aware(r.received),
                "due_at": _aware(r.due),
                "finished_at": _aware(r.finished),
                "returned_at": _aware(r.returned),
                "status": r.status or "",
                "processing_unit": r.processing_unit or "",
                "note": r.note or "",
            }
            for r in frame.records
        ]
        # Core bulk insert: a register has up to ~100,000 rows; dossiers are not visit-owned
        # records and are not audited one by one (the Register insert, with the frame hash, is).
        connection = s.connection()
        for start in range(0, len(rows), _INSERT_BATCH):
            connection.execute(insert(Dossier.__table__), rows[start : start + _INSERT_BATCH])
        summary = _summary(register)
    _remember_frame(ctx, summary.id, frame)
    return summary


def list_registers(ctx: AppContext, visit_id: str) -> list[RegisterSummary]:
    with ctx.session() as s:
        regs = s.exec(select(Register).where(Register.visit_id == visit_id).order_by(Register.created_at))
        return [_summary(r) for r in regs]


def _none_if_empty(value: str) -> str | None:
    return value or None


# The frames of the last registers imported or loaded in this process: the draw follows the import
# within minutes, and reading 100,000 dossiers back costs seconds. Keyed by database and register.
_FRAMES: OrderedDict[tuple[str, str], Frame] = OrderedDict()
_FRAMES_KEPT = 2


def _remember_frame(ctx: AppContext, register_id: str, frame: Frame) -> None:
    _FRAMES[(ctx.config.database_url, register_id)] = frame
    _FRAMES.move_to_end((ctx.config.database_url, register_id))
    while len(_FRAMES) > _FRAMES_KEPT:
        _FRAMES.popitem(last=False)


def forget_frames() -> None:
    """Drop the frames kept in memory (as a restart does); the next draw reads the store."""
    _FRAMES.clear()


def load_frame(ctx: AppContext, register_id: str) -> Frame:
    """The register as a sampling frame: kept from the import, or read back from the store.

    Read back, it must still have the hash recorded at import, or it is refused.
    """
    with ctx.session() as s:
        register = get_or_404(s, Register, register_id, "sổ theo dõi hồ sơ", "register")
        expected = register.frame_hash
        kept = _FRAMES.get((ctx.config.database_url, register_id))
        if kept is not None and kept.hash == expected:
            return kept
        # Dates without the UTC column type: naive UTC straight from the driver, shifted below.
        when = [type_coerce(c, DateTime) for c in (Dossier.received_at, Dossier.due_at, Dossier.finished_at,
                                                    Dossier.returned_at)]  # fmt: skip
        cols = (Dossier.code, Dossier.procedure_code, Dossier.procedure_name, Dossier.domain, Dossier.channel,
                *when, Dossier.status, Dossier.processing_unit, Dossier.note)  # fmt: skip
        rows = s.execute(select(*cols).where(Dossier.register_id == register_id)).all()
    e, t = _none_if_empty, _local
    records = [
        DossierRecord(c, e(pc), e(pn), e(d), e(ch), t(rc), t(du), t(fi), t(rt), e(st), e(pu), e(no))
        for c, pc, pn, d, ch, rc, du, fi, rt, st, pu, no in rows
    ]
    frame = build_frame(records)
    if frame.hash != expected:
        raise ValidationFailed(
            "Dữ liệu sổ theo dõi đã lưu không còn khớp với mã băm lúc nhập; không thể chọn mẫu từ dữ liệu này.",
            "The stored register no longer matches the hash recorded at import; it cannot be sampled.",
            register_id=register_id,
        )
    _remember_frame(ctx, register_id, frame)
    return frame


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


def _spec_json(spec: DrawSpec) -> dict:
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
            "Sổ theo dõi không có hồ sơ nào để chọn mẫu.", "The register has no dossiers to sample from."
        )
    counts = {key: len(indices) for key, indices in strata_members(frame, spec).items()}
    seed = new_seed()
    with ctx.session() as s:
        register = get_or_404(s, Register, register_id, "sổ theo dõi hồ sơ", "register")
        if register.visit_id is None:
            raise ValidationFailed("Sổ theo dõi chưa gắn với lượt kiểm tra.", "The register belongs to no visit.")
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
        sample = get_or_404(s, Sample, prepared.sample_id, "mẫu", "sample")
        visit = visit_for_update(s, sample.visit_id)
        if sample.drawn_at is not None:
            raise ValidationFailed("Mẫu này đã được rút.", "This sample has already been drawn.")
        if sample.frame_hash != prepared.frame.hash:
            raise ValidationFailed("Khung chọn mẫu đã thay đổi.", "The sampling frame has changed.")
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
        ids = dict(
            s.execute(
                select(Dossier.code, Dossier.id).where(
                    Dossier.register_id == sample.register_id, Dossier.code.in_(list(result.codes))
                )
            ).all()
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
    parameters: dict
    drawn: bool
    drawn_at: datetime | None
    drawn_by: str
    seed_hex: str  # empty until drawn
    dossier_count: int


def list_samples(ctx: AppContext, visit_id: str) -> list[SampleSummary]:
    """A visit's samples, including prepared ones never drawn (they stay on record)."""
    with ctx.session() as s:
        samples = list(s.exec(select(Sample).where(Sample.visit_id == visit_id).order_by(Sample.created_at)))
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
        sample = get_or_404(s, Sample, sample_id, "mẫu", "sample")
        if sample.drawn_at is None:
            raise ValidationFailed(
                "Mẫu này mới được chuẩn bị, chưa rút.", "This sample was prepared but never drawn."
            )
        rows = s.execute(
            select(DossierCheck.stratum, DossierCheck.rank, Dossier.code)
            .join(Dossier, Dossier.id == DossierCheck.dossier_id)
            .where(DossierCheck.sample_id == sample_id)
            .order_by(DossierCheck.stratum, DossierCheck.rank)
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


def verify_sample(ctx: AppContext, sample_id: str, path: str | Path, sheet: str | None = None) -> Verification:
    """Re-draw a recorded sample from the original register file and compare."""
    recorded = recorded_draw(ctx, sample_id)
    return verify_draw(read_register(path, sheet=sheet).frame, recorded)


# --- checking the sampled dossiers ----------------------------------------------------------------


def working_calendar(ctx: AppContext, years: set[int] | list[int]) -> WorkingCalendar:
    """Vietnam's holidays plus the configured extra days off and make-up working days."""
    settings = ctx.settings
    return vietnam_calendar(years, settings.extra_days_off, settings.makeup_workdays)


def dossier_checklist(ctx: AppContext) -> Checklist:
    """The current per-dossier checklist (``checklists/tthc_dossiers.yaml``)."""
    for checklist in checklist_service.available_checklists(ctx, scope="dossier"):
        if checklist.id == DOSSIER_CHECKLIST_ID:
            return checklist
    raise NotFound("Không tìm thấy bảng kiểm hồ sơ TTHC.", "The dossier checklist was not found.")


@dataclass(frozen=True)
class SampledDossier:
    """One sampled dossier with its register data, timeliness and the inspector's check."""

    check_id: str
    sample_id: str
    stratum: tuple[str, ...]
    rank: int
    code: str
    procedure_name: str
    procedure_code: str
    domain: str
    channel: str
    received: datetime | None  # local time
    due: datetime | None
    finished: datetime | None
    returned: datetime | None
    status: str
    processing_unit: str
    timeliness: TimelinessResult
    answers: dict
    notes: dict
    note: str
    checked_by: str
    checked_at: datetime | None
    apology_flagged: bool  # late and no apology letter recorded as passing
    apology_reasons_vi: tuple[str, ...] = ()
    apology_reasons_en: tuple[str, ...] = ()


def sampled_dossiers(ctx: AppContext, sample_id: str) -> list[SampledDossier]:
    """The sampled dossiers, in the order of the draw (stratum, then rank)."""
    with ctx.session() as s:
        sample = get_or_404(s, Sample, sample_id, "mẫu", "sample")
        rows = s.execute(
            select(DossierCheck, Dossier)
            .join(Dossier, Dossier.id == DossierCheck.dossier_id)
            .where(DossierCheck.sample_id == sample_id)
            .order_by(DossierCheck.stratum, DossierCheck.rank)
        ).all()
        as_of = sample.strata.get("as_of")
    reference = date.fromisoformat(as_of) if as_of else local_today()
    years = {reference.year}
    for _check, d in rows:
        for value in (d.received_at, d.due_at, d.finished_at, d.returned_at):
            if value is not None:
                years.add(_local(value).year)
    calendar = working_calendar(ctx, years)
    out = []
    for check, d in rows:
        due, returned, finished = _local(d.due_at), _local(d.returned_at), _local(d.finished_at)
        timeliness = classify(due, returned, calendar, finished=finished, as_of=reference)
        answers = dict(check.answers or {})
        letter = answers.get("td.apology_letter")
        apology = assess_apology(timeliness, due, letter_sent=None if letter is None else letter == Verdict.PASS)
        out.append(
            SampledDossier(
                check_id=check.id, sample_id=sample_id, stratum=tuple(check.stratum.split("\t")),
                rank=check.rank, code=d.code, procedure_name=d.procedure_name, procedure_code=d.procedure_code,
                domain=d.domain, channel=d.channel, received=_local(d.received_at), due=due, finished=finished,
                returned=returned, status=d.status, processing_unit=d.processing_unit, timeliness=timeliness,
                answers=answers, notes=dict(check.notes or {}), note=check.note, checked_by=check.checked_by,
                checked_at=check.checked_at, apology_flagged=apology.flagged and letter != Verdict.NA,
                apology_reasons_vi=apology.reasons_vi, apology_reasons_en=apology.reasons_en,
            )
        )  # fmt: skip
    return out


def record_dossier_check(
    ctx: AppContext,
    check_id: str,
    item_id: str,
    value: Any = ...,
    note: str | None = None,
) -> DossierCheck:
    """Save one checklist answer (and/or its note) for a sampled dossier; ``value=...`` keeps it."""
    checklist = dossier_checklist(ctx)
    with ctx.session() as s:
        check = get_or_404(s, DossierCheck, check_id, "hồ sơ được chọn", "sampled dossier")
        visit_for_update(s, check.visit_id)
        if check.checklist_version and check.checklist_version != checklist.version:
            checklist = checklist_service.checklist_version(ctx, s, DOSSIER_CHECKLIST_ID, check.checklist_version)
        else:
            checklist_service.snapshot(s, ctx, checklist)
        try:
            item = checklist.item(item_id)
        except KeyError:
            raise NotFound(f"Không có mục {item_id} trong bảng kiểm.", f"No item {item_id} in the checklist.") from None
        answers = dict(check.answers or {})
        notes = dict(check.notes or {})
        if value is not ...:
            try:
                stored = normalise_value(item, value)
            except ValueError as exc:
                vi, _, en = str(exc).partition(" / ")
                raise ValidationFailed(vi, en or vi) from exc
            if stored is None:
                answers.pop(item_id, None)
            else:
                answers[item_id] = stored
        if note is not None:
            text = (nfc(note) or "").strip()
            if text:
                notes[item_id] = text
            else:
                notes.pop(item_id, None)
        check.answers = answers
        check.notes = notes
        check.checklist_id = checklist.id
        check.checklist_version = checklist.version
        check.checked_by = ctx.actor
        check.checked_at = utcnow()
        s.add(check)
        return check


def set_dossier_note(ctx: AppContext, check_id: str, note: str) -> DossierCheck:
    """The general note on a sampled dossier (not tied to one item)."""
    with ctx.session() as s:
        check = get_or_404(s, DossierCheck, check_id, "hồ sơ được chọn", "sampled dossier")
        visit_for_update(s, check.visit_id)
        check.note = (nfc(note) or "").strip()
        check.checked_by = ctx.actor
        check.checked_at = utcnow()
        s.add(check)
        return check


# --- the minutes ----------------------------------------------------------------------------------


def minutes_sample(ctx: AppContext, visit_id: str, lang: str = "vi") -> DossierSample | None:
    """The visit's last drawn sample as the minutes print it (seed, commitment, frame hash, rows)."""
    drawn = [x for x in list_samples(ctx, visit_id) if x.drawn]
    if not drawn:
        return None
    summary = drawn[-1]
    checklist = dossier_checklist(ctx)
    rows = []
    for d in sampled_dossiers(ctx, summary.id):
        failed = []
        for item_id, value in d.answers.items():
            try:
                item = checklist.item(item_id)
            except KeyError:
                continue
            if is_failed(item, value):
                text = item.text.get(lang)
                failed.append(f"{text}: {d.notes[item_id]}" if d.notes.get(item_id) else text)
        if d.apology_flagged and "td.apology_letter" not in d.answers:
            failed.append("Thiếu văn bản xin lỗi (Mẫu 04)" if lang == "vi" else "No apology letter (Form 04)")
        if not d.answers:
            result = "Chưa kiểm tra" if lang == "vi" else "Not checked"
        elif failed:
            result = ("Không đạt: " if lang == "vi" else "Fail: ") + "; ".join(failed)
        else:
            result = "Đạt" if lang == "vi" else "Pass"
        status = d.timeliness.status
        label = status.label_vi if lang == "vi" else status.label_en
        if status in (Timeliness.EARLY, Timeliness.LATE, Timeliness.OVERDUE) and d.timeliness.working_days:
            label += f" ({d.timeliness.working_days} {'ngày làm việc' if lang == 'vi' else 'working days'})"
        rows.append(
            DossierRow(code=d.code, procedure=d.procedure_name, domain=d.domain, received=_day(d.received),
                       due=_day(d.due), returned=_day(d.returned or d.finished), timeliness=label, result=result)
        )  # fmt: skip
    params = summary.parameters
    by = "theo lĩnh vực" if lang == "vi" else "by domain"
    if "timeliness" in params.get("strata_by", []):
        by += " và tiến độ" if lang == "vi" else " and timeliness"
    size = SampleSize.from_dict(params["size"])
    return DossierSample(
        seed_hex=summary.seed_hex,
        commitment=summary.commitment,
        frame_hash=summary.frame_hash,
        algorithm_version=summary.algorithm_version,
        frame_size=int(params.get("frame_size", 0)),
        rows=tuple(rows),
        strata=f"{by}; {size.describe()}",
    )


__all__ = [
    "PreparedSample",
    "RegisterPreview",
    "RegisterSummary",
    "SampleSummary",
    "SampledDossier",
    "dossier_checklist",
    "draw_new_sample",
    "draw_sample",
    "import_register",
    "list_registers",
    "list_samples",
    "load_frame",
    "minutes_sample",
    "prepare_sample",
    "preview_register",
    "recorded_draw",
    "record_dossier_check",
    "sampled_dossiers",
    "set_dossier_note",
    "verify_sample",
    "working_calendar",
]


def dossier_gaps(ctx: AppContext, visit_id: str) -> list[checklist_service.Gap]:
    """What the visit's sampled dossiers still lack before the visit can close.

    Every sampled dossier is checked item by item; a failed item that requires a note needs one (on
    the item, or the dossier's general note), and one that requires a photo needs a photo of that
    dossier. Samples fixed but never drawn hold no dossiers and ask for nothing.
    """
    with ctx.session() as s:
        rows = s.execute(
            select(DossierCheck, Dossier.code)
            .join(Dossier, Dossier.id == DossierCheck.dossier_id)
            .where(DossierCheck.visit_id == visit_id)
            .order_by(DossierCheck.stratum, DossierCheck.rank)
        ).all()
        photo_counts = dict(s.execute(
            select(Photo.dossier_check_id, func.count())
            .where(Photo.visit_id == visit_id, Photo.dossier_check_id.is_not(None))
            .group_by(Photo.dossier_check_id)
        ).all())
        checklists_by_version: dict[str, Checklist] = {}
        for check, _code in rows:
            version = check.checklist_version or ""
            if version not in checklists_by_version:
                checklists_by_version[version] = (
                    checklist_service.checklist_version(ctx, s, DOSSIER_CHECKLIST_ID, version)
                    if version else dossier_checklist(ctx))
    out: list[checklist_service.Gap] = []
    for check, code in rows:
        checklist = checklists_by_version[check.checklist_version or ""]
        answers, notes = dict(check.answers or {}), dict(check.notes or {})
        unanswered = [item for item in checklist.items if answers.get(item.id) is None]
        if unanswered:
            out.append(checklist_service.Gap(
                DOSSIER_CHECKLIST_ID, unanswered[0].id, "unanswered",
                f"Hồ sơ {code}: còn {len(unanswered)} nội dung chưa kiểm tra.",
                f"Dossier {code}: {len(unanswered)} items not checked yet."))
        for item in checklist.items:
            req = missing_evidence(item, answers.get(item.id), notes.get(item.id) or check.note or "",
                                   photo_counts.get(check.id, 0))
            if req and req.needs_note:
                out.append(checklist_service.Gap(DOSSIER_CHECKLIST_ID, item.id, "note",
                                                  f"Hồ sơ {code}: mục không đạt cần ghi chú: {item.text.vi}",
                                                  f"Dossier {code}: failed item needs a note: {item.text.en}"))
            if req and req.needs_photo:
                out.append(checklist_service.Gap(DOSSIER_CHECKLIST_ID, item.id, "photo",
                                                  f"Hồ sơ {code}: mục không đạt cần ảnh: {item.text.vi}",
                                                  f"Dossier {code}: failed item needs a photo: {item.text.en}"))
    return out
