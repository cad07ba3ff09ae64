"""A visit's full record, read-only, as the office reviews it (``review.visit_record``).

Split out of ``services.review`` (which re-exports it). Everything returned is a plain frozen
dataclass, so the desktop screens only lay things out.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select
from sqlmodel import col

from ..domain.errors import NotFound
from ..domain.roll_call import RollCallTotals
from ..domain.roll_call import totals as roll_call_totals
from ..domain.text import fold
from ..store import models as m
from ..store.audit import verify_chain
from ..store.office import FindingPerson
from ..store.photo_links import PhotoExtraLink
from .context import AppContext
from .follow_up import RemedyRow, _remedy_row
from .office_dates import LOCAL_TZ, local_date


@dataclass(frozen=True)
class UnitInfo:
    id: str
    name: str
    kind: str
    parent_agency: str
    address: str
    head_name: str


@dataclass(frozen=True)
class ParticipantRow:
    side: str
    role: str
    full_name: str
    position: str


@dataclass(frozen=True)
class AnswerRow:
    checklist_id: str
    checklist_version: str
    item_id: str
    value: str | None
    note: str
    answered_by: str
    answered_at: datetime | None


@dataclass(frozen=True)
class FindingRow:
    id: str
    kind: str
    severity: str
    description: str
    person: str  # staff member's name, if any (the first of ``people``)
    place: str
    occurred_at: datetime | None
    explanation_requested: bool
    checklist_id: str | None
    item_id: str | None
    photo_ids: list[str]
    people: list[str] = field(default_factory=list)  # everyone the finding concerns (FindingPerson)


@dataclass(frozen=True)
class AttendanceRow:
    staff_id: str
    full_name: str
    position: str
    status: str
    arrival_time: str | None
    minutes_late: int | None
    reason: str
    evidence: str
    note: str


@dataclass(frozen=True)
class DossierRow:
    code: str
    procedure_name: str
    domain: str
    channel: str
    received_at: datetime | None
    due_at: datetime | None
    returned_at: datetime | None
    timeliness: str
    stratum: str
    note: str


@dataclass(frozen=True)
class SampleRow:
    id: str
    algorithm_version: str
    frame_hash: str
    commitment: str
    seed_hex: str
    sizes: dict[str, Any]
    drawn_at: datetime | None


@dataclass(frozen=True)
class PhotoRow:
    id: str
    caption: str
    original: Path
    report: Path
    thumb: Path
    captured_at: datetime | None
    checklist_id: str | None
    item_id: str | None
    finding_id: str | None
    #: the further items and findings this photo is evidence for (issue #13), as (checklist_id, item_id,
    #: finding_id), oldest link first; the first link is the three fields above
    also: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class SignatureRow:
    role: str
    full_name: str
    position: str
    refused: bool
    refusal_reason: str
    signed_at: datetime | None


@dataclass(frozen=True)
class MinutesRow:
    id: str
    version: int
    number: str
    path: Path | None  # absolute; None when the version has no file yet
    sha256: str
    signed: bool
    signed_at: datetime | None
    signer_subject: str
    reason: str
    file_present: bool
    file_intact: bool  # the file's SHA-256 matches the recorded one


@dataclass(frozen=True)
class AuditSummary:
    events: int
    devices: list[str]
    chain_ok: bool
    problem: str


@dataclass(frozen=True)
class VisitRecord:
    id: str
    unit: UnitInfo
    kind: str
    status: str
    visit_date: date | None
    decision_number: str
    decision_date: date | None
    plan_reference: str
    place: str
    arrival_at: datetime | None
    ended_at: datetime | None
    closed_at: datetime | None
    minutes_number: str
    assessment: str
    unit_opinion: str
    checklists: list[dict[str, Any]]
    created_by: str
    device_id: str
    participants: list[ParticipantRow]
    answers: dict[str, list[AnswerRow]]  # checklist id -> answers in item order
    findings: list[FindingRow]
    roll_call: list[AttendanceRow]
    roll_call_totals: RollCallTotals
    samples: list[SampleRow]
    dossiers: list[DossierRow]
    photos: list[PhotoRow]
    signatures: list[SignatureRow]
    minutes: list[MinutesRow]  # by version
    remedies: list[RemedyRow]
    open_conflicts: int
    audit: AuditSummary


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def visit_record(ctx: AppContext, visit_id: str, today: date | None = None) -> VisitRecord:
    """Everything recorded about one visit, read-only, with its minutes and the audit chain's state."""
    today = today or datetime.now(LOCAL_TZ).date()
    with ctx.session() as s:
        v = s.get(m.Visit, visit_id)
        if v is None:
            raise NotFound("Không tìm thấy lượt kiểm tra ({visit_id}).", visit_id=visit_id)
        u = cast(m.Unit, s.get(m.Unit, v.unit_id))  # a visit's unit is a foreign key: always there

        def rows(model: Any, *order: Any) -> list[Any]:
            return list(s.execute(select(model).where(model.visit_id == visit_id).order_by(*order)).scalars())

        participants = rows(m.Participant, m.Participant.side, m.Participant.sort_order, m.Participant.full_name)
        answers: dict[str, list[AnswerRow]] = defaultdict(list)
        for a in rows(m.Answer, m.Answer.checklist_id, m.Answer.item_id):
            answers[a.checklist_id].append(AnswerRow(a.checklist_id, a.checklist_version, a.item_id, a.value,
                                                     a.note, a.answered_by, a.answered_at))
        photos = rows(m.Photo, m.Photo.captured_at, m.Photo.ingested_at)
        photos_of: dict[str, list[str]] = defaultdict(list)
        for p in photos:
            if p.finding_id:
                photos_of[p.finding_id].append(p.id)
        also: dict[str, list[tuple[str | None, str | None, str | None]]] = defaultdict(list)
        for x in s.execute(select(PhotoExtraLink).where(col(PhotoExtraLink.visit_id) == visit_id)
                           .order_by(col(PhotoExtraLink.created_at))).scalars():
            also[x.photo_id].append((x.checklist_id, x.item_id, x.finding_id))
            if x.finding_id and x.photo_id not in photos_of[x.finding_id]:
                photos_of[x.finding_id].append(x.photo_id)
        findings = rows(m.Finding, m.Finding.recorded_at)
        roll = rows(m.RollCallEntry)
        links = s.execute(select(col(FindingPerson.finding_id), col(FindingPerson.staff_id))
                          .where(col(FindingPerson.visit_id) == visit_id).order_by(col(FindingPerson.created_at))).all()
        people_of: dict[str, list[str]] = defaultdict(list)
        for f in findings:
            if f.staff_id:
                people_of[f.id].append(f.staff_id)
        for fid, sid in links:
            if sid not in people_of[fid]:
                people_of[fid].append(sid)
        staff_ids = {sid for ids in people_of.values() for sid in ids} | {e.staff_id for e in roll}
        staff = {p.id: p for p in s.execute(select(m.StaffMember).where(col(m.StaffMember.id).in_(staff_ids))).scalars()} \
            if staff_ids else {}
        roster = s.execute(select(func.count()).select_from(m.StaffMember).where(
            col(m.StaffMember.unit_id) == v.unit_id, col(m.StaffMember.active).is_(True))).scalar_one()
        checks = s.execute(select(m.DossierCheck, m.Dossier).join(m.Dossier, col(m.Dossier.id) == col(m.DossierCheck.dossier_id))
                           .where(col(m.DossierCheck.visit_id) == visit_id)
                           .order_by(col(m.DossierCheck.stratum), col(m.DossierCheck.rank))).all()
        samples = rows(m.Sample, m.Sample.drawn_at)
        signatures = rows(m.Signature, m.Signature.role)
        minutes = rows(m.MinutesDocument, m.MinutesDocument.version)
        remedies = rows(m.Remedy, m.Remedy.deadline)
        conflicts = s.execute(select(func.count()).select_from(m.SyncConflict).where(
            col(m.SyncConflict.visit_id) == visit_id, col(m.SyncConflict.resolution) == "")).scalar_one()
        devices = sorted(set(s.execute(select(col(m.AuditEvent.device_id)).where(
            col(m.AuditEvent.visit_id) == visit_id).distinct()).scalars()))
        chain = verify_chain(s, visit_id)

    visit_date = local_date(v.arrival_at or v.created_at)
    minutes_rows = []
    for d in minutes:
        path = ctx.path(d.file_path) if d.file_path else None
        present = bool(path and path.is_file())
        minutes_rows.append(MinutesRow(
            id=d.id, version=d.version, number=d.number, path=path, sha256=d.sha256, signed=d.signed,
            signed_at=d.signed_at, signer_subject=d.signer_subject, reason=d.reason, file_present=present,
            file_intact=present and (not d.sha256 or _sha256(cast(Path, path)) == d.sha256)))
    attendance = sorted(
        (AttendanceRow(staff_id=e.staff_id, full_name=staff[e.staff_id].full_name if e.staff_id in staff else "",
                       position=staff[e.staff_id].position if e.staff_id in staff else "", status=e.status,
                       arrival_time=e.arrival_time, minutes_late=e.minutes_late, reason=e.reason,
                       evidence=e.evidence, note=e.note) for e in roll),
        key=lambda a: fold(a.full_name))
    return VisitRecord(
        id=v.id,
        unit=UnitInfo(u.id, u.name, u.kind, u.parent_agency, u.address, u.head_name),
        kind=v.kind, status=v.status, visit_date=visit_date, decision_number=v.decision_number,
        decision_date=v.decision_date, plan_reference=v.plan_reference, place=v.place, arrival_at=v.arrival_at,
        ended_at=v.ended_at, closed_at=v.closed_at, minutes_number=v.minutes_number, assessment=v.assessment,
        unit_opinion=v.unit_opinion, checklists=list(v.checklists or []), created_by=v.created_by,
        device_id=v.device_id,
        participants=[ParticipantRow(p.side, p.role, p.full_name, p.position) for p in participants],
        answers=dict(answers),
        findings=[FindingRow(id=f.id, kind=f.kind, severity=f.severity, description=f.description,
                             person=staff[f.staff_id].full_name if f.staff_id in staff else "", place=f.place,
                             occurred_at=f.occurred_at, explanation_requested=f.explanation_requested,
                             checklist_id=f.checklist_id, item_id=f.item_id, photo_ids=photos_of.get(f.id, []),
                             people=[staff[sid].full_name for sid in people_of.get(f.id, []) if sid in staff])
                  for f in findings],
        roll_call=attendance,
        roll_call_totals=roll_call_totals([e.status for e in roll], max(roster, len(roll))),
        samples=[SampleRow(sm.id, sm.algorithm_version, sm.frame_hash, sm.commitment, sm.seed_hex, dict(sm.sizes),
                           sm.drawn_at) for sm in samples],
        dossiers=[DossierRow(code=d.code, procedure_name=d.procedure_name, domain=d.domain, channel=d.channel,
                             received_at=d.received_at, due_at=d.due_at, returned_at=d.returned_at,
                             timeliness=c.timeliness, stratum=c.stratum, note=c.note) for c, d in checks],
        photos=[PhotoRow(id=p.id, caption=p.caption, original=ctx.path(p.original_path), report=ctx.path(p.report_path),
                         thumb=ctx.path(p.thumb_path), captured_at=p.captured_at, checklist_id=p.checklist_id,
                         item_id=p.item_id, finding_id=p.finding_id, also=also.get(p.id, [])) for p in photos],
        signatures=[SignatureRow(g.role, g.full_name, g.position, g.refused, g.refusal_reason, g.signed_at)
                    for g in signatures],
        minutes=minutes_rows,
        remedies=[_remedy_row(r, u.id, u.name, visit_date, today) for r in remedies],
        open_conflicts=conflicts,
        audit=AuditSummary(events=chain.checked, devices=devices, chain_ok=chain.ok, problem=chain.reason))


__all__ = ["VisitRecord", "UnitInfo", "ParticipantRow", "AnswerRow", "FindingRow", "AttendanceRow", "DossierRow",
           "SampleRow", "PhotoRow", "SignatureRow", "MinutesRow", "AuditSummary", "visit_record"]
