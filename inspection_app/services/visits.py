"""Visits: set-up, participants, signatures, the close check and locking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from inspection_app.domain.errors import Phrase
from inspection_app.locale import N_p, both

from ..domain.errors import ValidationFailed
from ..domain.text import nfc
from ..store.models import Participant, Side, Signature, SignerRole, TeamRole, Unit, Visit, VisitKind
from ..store.types import utcnow
from . import checklists as checklist_service
from .common import get_or_404, visit_for_update
from .context import AppContext
from .home_list import VisitSummary


@dataclass(frozen=True)
class ParticipantIn:
    full_name: str
    role: str = TeamRole.MEMBER.value  # for the unit side: free text ("Chủ tịch UBND xã")
    position: str = ""
    id: str | None = None  # an existing participant being edited (update_setup)


@dataclass(frozen=True)
class Missing:
    """Something that keeps a visit from being closed."""

    kind: str  # unanswered / note / photo / signature / team
    vi: str
    en: str
    checklist_id: str | None = None
    item_id: str | None = None


def _clean(text: str) -> str:
    return " ".join((nfc(text) or "").split())


def list_visits(ctx: AppContext, status: str | None = None, limit: int = 100) -> list[VisitSummary]:
    """Visits, newest first: in-progress ones and recent ones."""
    with ctx.session() as s:
        q = select(Visit, col(Unit.name)).join(Unit, col(Unit.id) == col(Visit.unit_id))
        if status:
            q = q.where(Visit.status == status)
        q = q.order_by(col(Visit.created_at).desc()).limit(limit)
        return [VisitSummary(v.id, name, v.kind, v.status, v.arrival_at, v.created_at, v.decision_number)
                for v, name in s.exec(q)]


def create_visit(ctx: AppContext, unit_id: str, *, kind: str = VisitKind.PLANNED.value, decision_number: str = "",
                 decision_date: date | None = None, arrival_at: datetime | None = None,
                 checklist_ids: list[str] | None = None, team: list[ParticipantIn] | None = None,
                 unit_reps: list[ParticipantIn] | None = None, place: str = "", plan_reference: str = "") -> Visit:
    team = [p for p in (team or []) if _clean(p.full_name)]
    unit_reps = [p for p in (unit_reps or []) if _clean(p.full_name)]
    if kind not in {k.value for k in VisitKind}:
        raise ValidationFailed("Hình thức kiểm tra không hợp lệ.")
    _check_team(team)
    catalogue = {c.id: c for c in checklist_service.available_checklists(ctx)}
    chosen = checklist_ids if checklist_ids is not None else list(catalogue)
    unknown = [c for c in chosen if c not in catalogue]
    if unknown:
        raise ValidationFailed("Không có bảng kiểm: {unknown}", unknown=", ".join(unknown))
    if not chosen:
        raise ValidationFailed("Chọn ít nhất một bảng kiểm.")
    with ctx.session() as s:
        unit = get_or_404(s, Unit, unit_id, *both("đơn vị"))
        visit = Visit(unit_id=unit.id, kind=kind, decision_number=_clean(decision_number), decision_date=decision_date,
                      plan_reference=_clean(plan_reference), place=_clean(place) or unit.address or unit.name,
                      arrival_at=arrival_at or utcnow(), created_by=ctx.actor, device_id=ctx.settings.device_id,
                      checklists=[{"id": c, "version": catalogue[c].version} for c in chosen])
        s.add(visit)
        s.flush()
        for c in chosen:
            checklist_service.snapshot(s, ctx, catalogue[c])
        for order, p in enumerate(team):
            s.add(Participant(visit_id=visit.id, side=Side.TEAM.value, role=p.role, full_name=_clean(p.full_name),
                              position=_clean(p.position), sort_order=order))
        for order, p in enumerate(unit_reps):
            s.add(Participant(visit_id=visit.id, side=Side.UNIT.value, role=_clean(p.role),
                              full_name=_clean(p.full_name), position=_clean(p.position), sort_order=order))
        return visit


def _check_team(team: list[ParticipantIn]) -> None:
    for p in team:
        if p.role not in {r.value for r in TeamRole}:
            raise ValidationFailed("Vai trò không hợp lệ: {role}", role=p.role)
    if sum(1 for p in team if p.role == TeamRole.LEADER) > 1:
        raise ValidationFailed("Đoàn chỉ có một Trưởng đoàn.")


def update_setup(ctx: AppContext, visit_id: str, *, kind: str, decision_number: str, decision_date: date | None,
                 place: str, arrival_at: datetime | None, team: list[ParticipantIn], unit_reps: list[ParticipantIn],
                 checklist_ids: list[str]) -> Visit:
    """Correct a visit's set-up until it is locked (issue 13: "editable until locked").

    The visit's details are overwritten; people are matched by ``ParticipantIn.id`` (kept, changed,
    added, or removed when left out); checklists may be added, and removed only while nothing is
    answered in them. Every change is written to the visit's audit chain under ``ctx.actor``
    (``store.audit``), so the record shows what was corrected, when and by whom.

    Raises ``ValidationFailed`` (bad kind or role, two leaders, no or unknown checklist, an answered
    checklist removed) and ``Locked`` once the visit is closed or signed.
    """
    from ..store.models import Answer

    team = [p for p in team if _clean(p.full_name)]
    unit_reps = [p for p in unit_reps if _clean(p.full_name)]
    if kind not in {k.value for k in VisitKind}:
        raise ValidationFailed("Hình thức kiểm tra không hợp lệ.")
    _check_team(team)
    catalogue = {c.id: c for c in checklist_service.available_checklists(ctx)}
    if not checklist_ids:
        raise ValidationFailed("Chọn ít nhất một bảng kiểm.")
    with ctx.session() as s:
        visit = visit_for_update(s, visit_id)
        current = {c["id"]: c for c in visit.checklists}
        unknown = [c for c in checklist_ids if c not in current and c not in catalogue]
        if unknown:
            raise ValidationFailed("Không có bảng kiểm: {unknown}", unknown=", ".join(unknown))
        removed = [c for c in current if c not in checklist_ids]
        for cid in removed:
            if s.exec(select(Answer.id).where(Answer.visit_id == visit_id, Answer.checklist_id == cid)).first():
                title = catalogue[cid].title.vi if cid in catalogue else cid
                title_en = catalogue[cid].title.en if cid in catalogue else cid
                raise ValidationFailed("Bảng kiểm “{title}” đã có câu trả lời, không bỏ được.", title=Phrase(title, title_en))
        new_lists = []
        for cid in checklist_ids:
            if cid in current:
                new_lists.append(current[cid])
            else:
                new_lists.append({"id": cid, "version": catalogue[cid].version})
                checklist_service.snapshot(s, ctx, catalogue[cid])
        visit.kind, visit.decision_number, visit.decision_date = kind, _clean(decision_number), decision_date
        visit.place = _clean(place) or visit.place
        if arrival_at is not None:
            visit.arrival_at = arrival_at
        if new_lists != visit.checklists:
            visit.checklists = new_lists
        s.add(visit)
        existing = {p.id: p for p in s.exec(select(Participant).where(Participant.visit_id == visit_id))}
        kept: set[str] = set()
        for side, people in ((Side.TEAM.value, team), (Side.UNIT.value, unit_reps)):
            for order, person in enumerate(people):
                row = existing.get(person.id or "")
                if row is None or row.side != side:
                    row = Participant(visit_id=visit_id, side=side)  # type: ignore[call-arg]  # full_name set below
                values = {"role": person.role if side == Side.TEAM.value else _clean(person.role),
                          "full_name": _clean(person.full_name), "position": _clean(person.position),
                          "sort_order": order}
                for k, v in values.items():
                    if getattr(row, k) != v:
                        setattr(row, k, v)
                s.add(row)
                if row.id:
                    kept.add(row.id)
        for pid, row in existing.items():
            if pid not in kept:
                s.delete(row)
        s.flush()
        return visit


def get_visit(ctx: AppContext, visit_id: str) -> Visit:
    with ctx.session() as s:
        return get_or_404(s, Visit, visit_id, *both("lượt kiểm tra"))


_EDITABLE = {"kind", "decision_number", "decision_date", "plan_reference", "place", "arrival_at", "ended_at",
             "assessment", "unit_opinion",
             # the decision's issuer and the plan as data (issue #11, point 4)
             "decision_issuer", "plan_number", "plan_date", "plan_issuer"}


def update_visit(ctx: AppContext, visit_id: str, **fields: Any) -> Visit:
    bad = set(fields) - _EDITABLE
    if bad:
        raise ValueError(f"not editable: {sorted(bad)}")
    with ctx.session() as s:
        visit = visit_for_update(s, visit_id)
        for key, value in fields.items():
            setattr(visit, key, nfc(value).strip() if isinstance(value, str) else value)
        if visit.ended_at and visit.arrival_at and visit.ended_at < visit.arrival_at.replace(second=0, microsecond=0):
            raise ValidationFailed(
                "Giờ kết thúc biên bản không được trước giờ Đoàn đến.")
        s.add(visit)
        return visit


def participants(ctx: AppContext, visit_id: str, side: str | None = None) -> list[Participant]:
    with ctx.session() as s:
        q = select(Participant).where(Participant.visit_id == visit_id)
        if side:
            q = q.where(Participant.side == side)
        return list(s.exec(q.order_by(col(Participant.side), col(Participant.sort_order))))


def add_participant(ctx: AppContext, visit_id: str, side: str, person: ParticipantIn) -> Participant:
    if not _clean(person.full_name):
        raise ValidationFailed("Cần nhập họ và tên.")
    with ctx.session() as s:
        visit_for_update(s, visit_id)
        count = len(s.exec(select(Participant.id).where(Participant.visit_id == visit_id,
                                                        Participant.side == side)).all())
        p = Participant(visit_id=visit_id, side=side, role=person.role, full_name=_clean(person.full_name),
                        position=_clean(person.position), sort_order=count)
        s.add(p)
        return p


def remove_participant(ctx: AppContext, participant_id: str) -> None:
    with ctx.session() as s:
        p = get_or_404(s, Participant, participant_id, *both("thành phần"))
        visit_for_update(s, p.visit_id)
        s.delete(p)


# --- signatures ------------------------------------------------------------------------------------

def list_signatures(ctx: AppContext, visit_id: str) -> dict[str, Signature]:
    with ctx.session() as s:
        return {sig.role: sig for sig in s.exec(select(Signature).where(Signature.visit_id == visit_id))}


def _signature(s: Session, visit_id: str, role: str) -> Signature:
    if role not in {r.value for r in SignerRole}:
        raise ValidationFailed("Vai trò ký không hợp lệ: {role}", role=role)
    sig = s.exec(select(Signature).where(Signature.visit_id == visit_id, Signature.role == role)).first()
    return sig or Signature(visit_id=visit_id, role=role)


def save_signature(ctx: AppContext, visit_id: str, role: str, full_name: str, strokes: Sequence[Sequence[Sequence[float]]],
                   pad_width: float, pad_height: float, position: str = "") -> Signature:
    """Keep a drawn signature as vector strokes ([[x, y], …] per stroke, in pad coordinates)."""
    clean = [[[round(float(x), 1), round(float(y), 1)] for x, y in stroke] for stroke in strokes if len(stroke) >= 1]
    if sum(len(st) for st in clean) < 2:
        raise ValidationFailed("Chữ ký trống: hãy ký vào khung.")
    if not _clean(full_name):
        raise ValidationFailed("Cần họ và tên người ký.")
    with ctx.session() as s:
        visit_for_update(s, visit_id)
        sig = _signature(s, visit_id, role)
        sig.full_name, sig.position = _clean(full_name), _clean(position)
        sig.strokes, sig.pad_width, sig.pad_height = clean, float(pad_width), float(pad_height)
        sig.refused, sig.refusal_reason, sig.signed_at = False, "", utcnow()
        s.add(sig)
        return sig


def refuse_signature(ctx: AppContext, visit_id: str, role: str, full_name: str, reason: str) -> Signature:
    """Record that a party refused to sign, with the reason; the minutes stay valid."""
    if not _clean(reason):
        raise ValidationFailed("Cần ghi lý do từ chối ký.")
    with ctx.session() as s:
        visit_for_update(s, visit_id)
        sig = _signature(s, visit_id, role)
        sig.full_name, sig.strokes = _clean(full_name), []
        sig.refused, sig.refusal_reason, sig.signed_at = True, _clean(reason), utcnow()
        s.add(sig)
        return sig


def clear_signature(ctx: AppContext, visit_id: str, role: str) -> None:
    with ctx.session() as s:
        visit_for_update(s, visit_id)
        sig = s.exec(select(Signature).where(Signature.visit_id == visit_id, Signature.role == role)).first()
        if sig is not None:
            s.delete(sig)


# --- closing ---------------------------------------------------------------------------------------

REQUIRED_SIGNERS = (SignerRole.TEAM_LEADER, SignerRole.SECRETARY, SignerRole.UNIT_REPRESENTATIVE)
_SIGNER_LABEL = {
    SignerRole.TEAM_LEADER: both(N_p("services.visits", "Trưởng đoàn")),
    SignerRole.SECRETARY: both(N_p("services.visits", "Thư ký")),
    SignerRole.UNIT_REPRESENTATIVE: both(N_p("services.visits", "Đại diện đơn vị được kiểm tra")),
}


# --- the guided visit: its steps in order, each with its state -------------------------------------

STEPS = ("setup", "checklist", "roll-call", "dossiers", "findings", "conclusions", "signatures", "close")


@dataclass(frozen=True)
class Step:
    """One step of a visit (issue 13, "a guided visit"): ``state`` is todo / partial / done;
    ``done`` of ``total`` counts what the step has (answered items, people called, signatures);
    ``total`` 0 means the step has nothing to count (findings: ``done`` is how many)."""

    key: str
    state: str
    done: int = 0
    total: int = 0


def visit_steps(ctx: AppContext, visit_id: str) -> list[Step]:
    """The visit's steps in order (set-up → checklists → roll call → dossiers → findings →
    assessment → signatures → close) with their state, from what is recorded."""
    from ..store.models import Finding
    from . import roll_call, sampling  # on use: the first screen needs no sampling code (start-up, #17)

    def state(done: int, total: int) -> str:
        return "done" if total and done >= total else "partial" if done else "todo"

    visit = get_visit(ctx, visit_id)
    team = participants(ctx, visit_id, Side.TEAM.value)
    ready = int(bool(visit.decision_number)) + int(any(p.role == TeamRole.LEADER for p in team))
    steps = [Step("setup", state(ready, 2), ready, 2)]
    progress = checklist_service.progress(ctx, visit_id)
    answered, items = sum(p.answered for p in progress), sum(p.total for p in progress)
    steps.append(Step("checklist", state(answered, items), answered, items))
    totals = roll_call.roll_call_sheet(ctx, visit_id).totals
    called = totals.roster - totals.not_recorded
    steps.append(Step("roll-call", state(called, totals.roster), called, totals.roster))

    drawn = [x for x in sampling.list_samples(ctx, visit_id) if x.drawn]
    dossier_gaps = sampling.dossier_gaps(ctx, visit_id) if drawn else []
    steps.append(Step("dossiers", "done" if drawn and not dossier_gaps else "partial" if drawn else "todo"))
    with ctx.session() as s:
        found = len(s.exec(select(Finding.id).where(Finding.visit_id == visit_id)).all())
    steps.append(Step("findings", "done" if found else "todo", found, 0))
    steps.append(Step("conclusions", "done" if visit.assessment.strip() else "todo"))
    signed = sum(1 for role in REQUIRED_SIGNERS if role.value in list_signatures(ctx, visit_id))
    steps.append(Step("signatures", state(signed, len(REQUIRED_SIGNERS)), signed, len(REQUIRED_SIGNERS)))
    steps.append(Step("close", "done" if visit.locked else "todo"))
    return steps
