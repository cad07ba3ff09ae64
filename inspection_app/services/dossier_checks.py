"""Checking the sampled dossiers (checklist ``tthc_dossiers``) and what the minutes show of them.

A dossier's timeliness (item ``td.timeliness``: early / on time / late) is computed from the register
(``domain.timeliness``, in working days) and is never typed: the inspector *confirms* the computed
value, or *overrides* it with another value and a reason (issue #13, "ask once"). The value is the
item's answer and the reason its note, so both are audited, locked with the visit and carried in
bundles like any other answer of the check; an override without a reason is refused here, and the
close check lists a stored value that no longer matches the register and has no reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlmodel import col, func, select

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from ..domain.answers import is_failed, missing_evidence, normalise_value
from ..domain.calendar import WorkingCalendar, vietnam_calendar
from ..domain.checklist import Checklist, Verdict
from ..domain.errors import NotFound, ValidationFailed
from ..domain.minutes import DossierRow, DossierSample
from ..domain.sampling import (
    SampleSize,
)
from ..domain.text import nfc
from ..domain.timeliness import (
    TimelinessResult,
    assess_apology,
    classify,
)
from ..domain.timeliness_record import (
    CHOICE_OF_STATUS,
    TIMELINESS_ITEM,
    annex_label,
    record_state,
)
from ..store.models import Dossier, DossierCheck, Photo, Sample
from ..store.types import utcnow
from . import checklists as checklist_service
from .common import get_or_404, visit_for_update
from .context import AppContext
from .register_import import _local
from .sample_draw import _day, list_samples, local_today

DOSSIER_CHECKLIST_ID = "tthc_dossiers"
MAX_REASON = 1000  # characters of an override's reason


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
    raise NotFound("Không tìm thấy bảng kiểm hồ sơ TTHC.")


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
    answers: dict[str, Any]
    notes: dict[str, Any]
    note: str
    checked_by: str
    checked_at: datetime | None
    apology_flagged: bool  # late and no apology letter recorded as passing
    apology_reasons_vi: tuple[str, ...] = ()
    apology_reasons_en: tuple[str, ...] = ()

    @property
    def computed_timeliness(self) -> str | None:
        """The answer the register gives (early / on_time / late), or None when it cannot say."""
        return CHOICE_OF_STATUS.get(self.timeliness.status)

    @property
    def recorded_timeliness(self) -> str | None:
        """The answer the inspector confirmed or set; None while not confirmed."""
        return self.answers.get(TIMELINESS_ITEM)

    @property
    def timeliness_reason(self) -> str:
        return cast(str, self.notes.get(TIMELINESS_ITEM, ""))

    @property
    def timeliness_state(self) -> str:
        """See :func:`inspection_app.domain.timeliness_record.record_state`."""
        return record_state(self.timeliness, self.recorded_timeliness, self.timeliness_reason)


def sampled_dossiers(ctx: AppContext, sample_id: str) -> list[SampledDossier]:
    """The sampled dossiers, in the order of the draw (stratum, then rank)."""
    with ctx.session() as s:
        sample = get_or_404(s, Sample, sample_id, *both("mẫu"))
        rows = s.execute(
            select(DossierCheck, Dossier)
            .join(Dossier, col(Dossier.id) == col(DossierCheck.dossier_id))
            .where(DossierCheck.sample_id == sample_id)
            .order_by(col(DossierCheck.stratum), col(DossierCheck.rank))
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
        check = get_or_404(s, DossierCheck, check_id, *both("hồ sơ được chọn"))
        visit_for_update(s, check.visit_id)
        if check.checklist_version and check.checklist_version != checklist.version:
            checklist = checklist_service.checklist_version(ctx, s, DOSSIER_CHECKLIST_ID, check.checklist_version)
        else:
            checklist_service.snapshot(s, ctx, checklist)
        try:
            item = checklist.item(item_id)
        except KeyError:
            raise NotFound("Không có mục {item_id} trong bảng kiểm.", item_id=item_id) from None
        answers = dict(check.answers or {})
        notes = dict(check.notes or {})
        if item_id == TIMELINESS_ITEM and (value is not ... or note is not None):
            value = answers.get(item_id) if value is ... else value
            reason = notes.get(item_id, "") if note is None else note
            check.checklist_id, check.checklist_version = checklist.id, checklist.version
            _set_timeliness(s, ctx, check, item, value, reason)
            return check
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


def _computed(ctx: AppContext, s: Any, check: DossierCheck) -> TimelinessResult:
    """The dossier's timeliness from the register, as :func:`sampled_dossiers` computes it."""
    dossier = get_or_404(s, Dossier, check.dossier_id, *both("hồ sơ"))
    sample = get_or_404(s, Sample, check.sample_id, *both("mẫu"))
    as_of = sample.strata.get("as_of")
    reference = date.fromisoformat(as_of) if as_of else local_today()
    due, returned, finished = _local(dossier.due_at), _local(dossier.returned_at), _local(dossier.finished_at)
    years = {reference.year} | {v.year for v in (_local(dossier.received_at), due, returned, finished) if v}
    return classify(due, returned, working_calendar(ctx, years), finished=finished, as_of=reference)


def _set_timeliness(s: Any, ctx: AppContext, check: DossierCheck, item: Any, value: Any, reason: str) -> None:
    """Store the timeliness answer: the computed value (a confirmation, no reason kept), or another
    value with its reason. Raises ValidationFailed for a value that is not one of the item's
    choices, for an override without a reason, and for a reason over :data:`MAX_REASON` characters."""
    answers = dict(check.answers or {})
    notes = dict(check.notes or {})
    try:
        stored = normalise_value(item, value)
    except ValueError as exc:
        vi, _, en = str(exc).partition(" / ")
        raise ValidationFailed(vi, en or vi) from exc
    text = " ".join((nfc(reason) or "").split())
    if len(text) > MAX_REASON:
        raise ValidationFailed("Lý do dài quá {MAX_REASON} ký tự.", MAX_REASON=MAX_REASON)
    computed = CHOICE_OF_STATUS.get(_computed(ctx, s, check).status)
    if stored is None:
        answers.pop(TIMELINESS_ITEM, None)
        notes.pop(TIMELINESS_ITEM, None)
    elif stored == computed:
        answers[TIMELINESS_ITEM] = stored
        notes.pop(TIMELINESS_ITEM, None)  # a confirmation needs no reason
    else:
        if not text:
            raise ValidationFailed(
                "Kết quả thời hạn khác với kết quả tính từ sổ theo dõi: cần ghi lý do sửa.")
        answers[TIMELINESS_ITEM] = stored
        notes[TIMELINESS_ITEM] = text
    check.answers = answers
    check.notes = notes
    check.timeliness = stored or (computed or "")  # what the office counts: the confirmed value
    check.checked_by = ctx.actor
    check.checked_at = utcnow()
    s.add(check)


def confirm_timeliness(ctx: AppContext, check_id: str) -> DossierCheck:
    """Confirm the timeliness computed from the register (early / on time / late), audited.

    Raises ValidationFailed when the register cannot say (no due date, or not returned and not yet
    due): then the inspector sets the value with :func:`override_timeliness` and a reason.
    """
    checklist = dossier_checklist(ctx)
    with ctx.session() as s:
        check = get_or_404(s, DossierCheck, check_id, *both("hồ sơ được chọn"))
        visit_for_update(s, check.visit_id)
        result = _computed(ctx, s, check)
        computed = CHOICE_OF_STATUS.get(result.status)
        if computed is None:
            raise ValidationFailed(
                "Sổ theo dõi không cho biết kết quả thời hạn ({label}): hãy chọn kết quả và ghi lý do.", label=Phrase(result.status.label_vi, result.status.label_en))
        _set_timeliness(s, ctx, check, _timeliness_item(ctx, s, check, checklist), computed, "")
        return check


def override_timeliness(ctx: AppContext, check_id: str, value: str, reason: str) -> DossierCheck:
    """Set the timeliness to ``value`` (early / on_time / late) against the register, with ``reason``
    (required unless ``value`` is what the register gives; at most :data:`MAX_REASON` characters), audited."""
    checklist = dossier_checklist(ctx)
    with ctx.session() as s:
        check = get_or_404(s, DossierCheck, check_id, *both("hồ sơ được chọn"))
        visit_for_update(s, check.visit_id)
        _set_timeliness(s, ctx, check, _timeliness_item(ctx, s, check, checklist), value, reason)
        return check


def _timeliness_item(ctx: AppContext, s: Any, check: DossierCheck, checklist: Checklist) -> Any:
    if check.checklist_version and check.checklist_version != checklist.version:
        checklist = checklist_service.checklist_version(ctx, s, DOSSIER_CHECKLIST_ID, check.checklist_version)
    else:
        checklist_service.snapshot(s, ctx, checklist)
    check.checklist_id, check.checklist_version = checklist.id, checklist.version
    return checklist.item(TIMELINESS_ITEM)


def set_dossier_note(ctx: AppContext, check_id: str, note: str) -> DossierCheck:
    """The general note on a sampled dossier (not tied to one item)."""
    with ctx.session() as s:
        check = get_or_404(s, DossierCheck, check_id, *both("hồ sơ được chọn"))
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
        label = annex_label(d.timeliness, d.recorded_timeliness, d.timeliness_reason, lang)
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

def dossier_gaps(ctx: AppContext, visit_id: str) -> list[checklist_service.Gap]:
    """What the visit's sampled dossiers still lack before the visit can close.

    Every sampled dossier is checked item by item; a failed item that requires a note needs one (on
    the item, or the dossier's general note), and one that requires a photo needs a photo of that
    dossier. Samples fixed but never drawn hold no dossiers and ask for nothing.
    """
    with ctx.session() as s:
        rows = s.execute(
            select(DossierCheck, Dossier.code)
            .join(Dossier, col(Dossier.id) == col(DossierCheck.dossier_id))
            .where(DossierCheck.visit_id == visit_id)
            .order_by(col(DossierCheck.stratum), col(DossierCheck.rank))
        ).all()
        photo_counts: dict[str | None, int] = dict(s.execute(
            select(Photo.dossier_check_id, func.count())
            .where(col(Photo.visit_id) == visit_id, col(Photo.dossier_check_id).is_not(None))
            .group_by(Photo.dossier_check_id)
        ).tuples().all())
        checklists_by_version: dict[str, Checklist] = {}
        for check, _code in rows:
            version = check.checklist_version or ""
            if version not in checklists_by_version:
                checklists_by_version[version] = (
                    checklist_service.checklist_version(ctx, s, DOSSIER_CHECKLIST_ID, version)
                    if version else dossier_checklist(ctx))
    timeliness_of: dict[str, str | None] | None = None
    if any((c.answers or {}).get(TIMELINESS_ITEM) is not None for c, _ in rows):
        timeliness_of = {d.check_id: d.computed_timeliness
                         for sample_id in dict.fromkeys(c.sample_id for c, _ in rows)
                         for d in sampled_dossiers(ctx, sample_id)}
    out: list[checklist_service.Gap] = []
    for check, code in rows:
        checklist = checklists_by_version[check.checklist_version or ""]
        answers, notes = dict(check.answers or {}), dict(check.notes or {})
        unanswered = [item for item in checklist.items if answers.get(item.id) is None]
        if unanswered:
            out.append(checklist_service.Gap(
                DOSSIER_CHECKLIST_ID, unanswered[0].id, "unanswered",
                *both("Hồ sơ {code}: còn {n} nội dung chưa kiểm tra.", code=code, n=len(unanswered))))
        if timeliness_of is not None and answers.get(TIMELINESS_ITEM) is not None \
                and not (notes.get(TIMELINESS_ITEM) or "").strip() \
                and answers[TIMELINESS_ITEM] != timeliness_of.get(check.id):
            out.append(checklist_service.Gap(
                DOSSIER_CHECKLIST_ID, TIMELINESS_ITEM, "note",
                *both("Hồ sơ {code}: kết quả thời hạn khác với sổ theo dõi mà chưa ghi lý do.", code=code)))
        for item in checklist.items:
            req = missing_evidence(item, answers.get(item.id), notes.get(item.id) or check.note or "",
                                   photo_counts.get(check.id, 0))
            if req and req.needs_note:
                out.append(checklist_service.Gap(DOSSIER_CHECKLIST_ID, item.id, "note",
                                                  *both("Hồ sơ {code}: mục không đạt cần ghi chú: {what}", code=code, what=Phrase(item.text.vi, item.text.en))))
            if req and req.needs_photo:
                out.append(checklist_service.Gap(DOSSIER_CHECKLIST_ID, item.id, "photo",
                                                  *both("Hồ sơ {code}: mục không đạt cần ảnh: {what}", code=code, what=Phrase(item.text.vi, item.text.en))))
    return out


__all__ = [
    "DOSSIER_CHECKLIST_ID", "MAX_REASON", "TIMELINESS_ITEM", "SampledDossier", "confirm_timeliness",
    "dossier_checklist", "dossier_gaps", "minutes_sample", "override_timeliness", "record_dossier_check",
    "sampled_dossiers", "set_dossier_note", "working_calendar",
]
