"""The office's review: the visits table, a visit's full record, the dashboard, remedies follow-up.

Everything returned is a plain frozen dataclass, so the desktop screens only lay things out. Figures
are computed by aggregate SQL (per visit, answered from covering indexes) that runs the same on
SQLite and PostgreSQL, then grouped by unit and local month here.

A visit's date is its arrival on site, or its creation while the team has not arrived, in local
time (Asia/Ho_Chi_Minh, UTC+7 all year: Vietnam keeps no daylight saving time).
"""

from __future__ import annotations

import hashlib
from operator import add
from collections import defaultdict
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from sqlalchemy import DateTime, String, and_, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session

from ..domain.errors import NotFound, ValidationFailed
from ..domain.report import Metrics, MonthMetrics, UnitMetrics
from ..domain.roll_call import RollCallTotals, totals as roll_call_totals
from ..domain.text import fold, nfc
from ..store import models as m
from ..store.audit import verify_chain
from ..store.types import UTCDateTime
from .context import AppContext

LOCAL_TZ = timezone(timedelta(hours=7), "ICT")
_SHIFT = timedelta(hours=7)  # Viet Nam keeps UTC+7 all year
ALCOHOL_TOBACCO = "alcohol_tobacco"
OFFICE_CULTURE = "office_culture"
VIOLATION_KINDS = ("alcohol", "tobacco")
_IN_TIME = ("early", "on_time")


# --- dates ----------------------------------------------------------------------------------------


def _visit_when():
    return func.coalesce(m.Visit.arrival_at, m.Visit.created_at)


def _utc_bound(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LOCAL_TZ).astimezone(timezone.utc)


def _period_clauses(date_from: date | None, date_to: date | None) -> list:
    when = _visit_when()
    out = []
    if date_from:
        out.append(when >= literal(_utc_bound(date_from), UTCDateTime))
    if date_to:
        out.append(when < literal(_utc_bound(date_to + timedelta(days=1)), UTCDateTime))
    return out


def local_date(value: datetime | None) -> date | None:
    return value.astimezone(LOCAL_TZ).date() if value else None


# --- the visits table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFilters:
    unit_id: str | None = None
    date_from: date | None = None  # local dates, both inclusive
    date_to: date | None = None
    status: str | None = None  # VisitStatus value
    checklist_id: str | None = None  # visits that use this checklist
    violation_kind: str | None = None  # visits with a finding of this kind (alcohol, tobacco …)
    search: str = ""  # unit name (diacritics and case ignored), decision or minutes number, place


@dataclass(frozen=True)
class VisitRow:
    id: str
    unit_id: str
    unit_name: str
    kind: str  # planned / unannounced
    status: str
    visit_date: date | None  # local
    arrival_at: datetime | None
    decision_number: str
    minutes_number: str
    findings: int
    violations: int  # alcohol and tobacco findings
    open_remedies: int
    overdue_remedies: int
    open_conflicts: int


@dataclass(frozen=True)
class VisitPage:
    rows: list[VisitRow]
    total: int
    page: int  # 0-based
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class FilterOptions:
    units: list[tuple[str, str]]  # (id, name), by name
    statuses: list[str]
    checklists: list[str]
    violation_kinds: list[str]
    first_date: date | None
    last_date: date | None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_clause(session: Session, text: str):
    text = " ".join((nfc(text) or "").split())
    if not text:
        return None
    key = fold(text)
    unit_ids = [uid for uid, name in session.execute(select(m.Unit.id, m.Unit.name)) if key in fold(name or "")]
    pattern = f"%{_escape_like(text)}%"
    clauses = [m.Visit.decision_number.ilike(pattern, escape="\\"),
               m.Visit.minutes_number.ilike(pattern, escape="\\"),
               m.Visit.place.ilike(pattern, escape="\\")]
    if unit_ids:
        clauses.append(m.Visit.unit_id.in_(unit_ids))
    return or_(*clauses)


def _visit_clauses(session: Session, f: VisitFilters) -> list:
    clauses = _period_clauses(f.date_from, f.date_to)
    if f.unit_id:
        clauses.append(m.Visit.unit_id == f.unit_id)
    if f.status:
        clauses.append(m.Visit.status == f.status)
    if f.checklist_id:
        used = select(m.Answer.id).where(m.Answer.visit_id == m.Visit.id, m.Answer.checklist_id == f.checklist_id)
        planned = cast(m.Visit.checklists, String).like(
            f'%"{_escape_like(f.checklist_id)}"%', escape="\\")
        clauses.append(or_(used.exists(), planned))
    if f.violation_kind:
        clauses.append(select(m.Finding.id).where(m.Finding.visit_id == m.Visit.id,
                                                  m.Finding.kind == f.violation_kind).exists())
    search = _search_clause(session, f.search)
    if search is not None:
        clauses.append(search)
    return clauses


def _count_by_visit(session: Session, column, ids: list[str], *where) -> dict[str, int]:
    if not ids:
        return {}
    q = select(column, func.count()).where(column.in_(ids), *where).group_by(column)
    return dict(session.execute(q).all())


def visits_page(ctx: AppContext, filters: VisitFilters | None = None, page: int = 0, page_size: int = 50,
                today: date | None = None) -> VisitPage:
    """One page of the visits table, newest first."""
    f = filters or VisitFilters()
    page, page_size = max(0, page), max(1, min(page_size, 500))
    today = today or datetime.now(LOCAL_TZ).date()
    with ctx.session() as s:
        clauses = _visit_clauses(s, f)
        total = s.execute(select(func.count()).select_from(m.Visit).where(*clauses)).scalar_one()
        q = (select(m.Visit.id, m.Visit.unit_id, m.Unit.name, m.Visit.kind, m.Visit.status, m.Visit.arrival_at,
                    m.Visit.created_at, m.Visit.decision_number, m.Visit.minutes_number)
             .join(m.Unit, m.Unit.id == m.Visit.unit_id).where(*clauses)
             .order_by(_visit_when().desc(), m.Visit.id).limit(page_size).offset(page * page_size))
        rows = s.execute(q).all()
        ids = [r.id for r in rows]
        findings = _count_by_visit(s, m.Finding.visit_id, ids)
        violations = _count_by_visit(s, m.Finding.visit_id, ids, m.Finding.kind.in_(VIOLATION_KINDS))
        open_remedies = _count_by_visit(s, m.Remedy.visit_id, ids, m.Remedy.status == m.RemedyStatus.OPEN.value)
        overdue = _count_by_visit(s, m.Remedy.visit_id, ids, m.Remedy.status == m.RemedyStatus.OPEN.value,
                                  func.coalesce(m.Remedy.report_due, m.Remedy.deadline) < today)
        conflicts = _count_by_visit(s, m.SyncConflict.visit_id, ids, m.SyncConflict.resolution == "")
    out = [VisitRow(id=r.id, unit_id=r.unit_id, unit_name=r.name, kind=r.kind, status=r.status,
                    visit_date=local_date(r.arrival_at or r.created_at), arrival_at=r.arrival_at,
                    decision_number=r.decision_number, minutes_number=r.minutes_number,
                    findings=findings.get(r.id, 0), violations=violations.get(r.id, 0),
                    open_remedies=open_remedies.get(r.id, 0), overdue_remedies=overdue.get(r.id, 0),
                    open_conflicts=conflicts.get(r.id, 0)) for r in rows]
    return VisitPage(rows=out, total=total, page=page, page_size=page_size)


def filter_options(ctx: AppContext) -> FilterOptions:
    """Values for the filter controls: units that were visited, statuses, checklists, kinds."""
    with ctx.session() as s:
        units = s.execute(select(m.Unit.id, m.Unit.name).where(
            m.Unit.id.in_(select(m.Visit.unit_id).distinct()))).all()
        statuses = [v for v in s.execute(select(m.Visit.status).distinct()).scalars()]
        checklists = sorted(set(s.execute(select(m.Answer.checklist_id).distinct()).scalars()))
        kinds = sorted(k for k in s.execute(select(m.Finding.kind).distinct()).scalars() if k)
        first, last = s.execute(select(func.min(_visit_when()), func.max(_visit_when()))).one()
    order = [st.value for st in m.VisitStatus]
    return FilterOptions(
        units=sorted(((u, n) for u, n in units), key=lambda x: fold(x[1] or "")),
        statuses=sorted(statuses, key=lambda st: order.index(st) if st in order else len(order)),
        checklists=checklists, violation_kinds=kinds,
        first_date=local_date(_aware(first)), last_date=local_date(_aware(last)))


def _aware(value) -> datetime | None:
    """min()/max() over a column bypass its type on SQLite: normalise what comes back."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# --- a visit's full record ------------------------------------------------------------------------


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
    person: str  # staff member's name, if any
    place: str
    occurred_at: datetime | None
    explanation_requested: bool
    checklist_id: str | None
    item_id: str | None
    photo_ids: list[str]


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
    sizes: dict
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
class RemedyRow:
    id: str
    visit_id: str
    unit_id: str
    unit_name: str
    visit_date: date | None
    finding_id: str | None
    text: str
    deadline: date | None
    report_due: date | None
    status: str  # open / reported / done
    reported_on: date | None
    report_text: str
    reviewed_by: str
    overdue: bool  # still open after its report-back (or fix) date
    days_overdue: int
    reported_late: bool  # reported after the date asked


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
    checklists: list[dict]
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


def _remedy_row(r: m.Remedy, unit_id: str, unit_name: str, visit_date: date | None, today: date) -> RemedyRow:
    due = r.report_due or r.deadline
    overdue = r.status == m.RemedyStatus.OPEN.value and due is not None and due < today
    return RemedyRow(
        id=r.id, visit_id=r.visit_id, unit_id=unit_id, unit_name=unit_name, visit_date=visit_date,
        finding_id=r.finding_id, text=r.text, deadline=r.deadline, report_due=r.report_due, status=r.status,
        reported_on=r.reported_on, report_text=r.report_text, reviewed_by=r.reviewed_by, overdue=overdue,
        days_overdue=(today - due).days if overdue else 0,
        reported_late=bool(r.reported_on and due and r.reported_on > due))


def visit_record(ctx: AppContext, visit_id: str, today: date | None = None) -> VisitRecord:
    """Everything recorded about one visit, read-only, with its minutes and the audit chain's state."""
    today = today or datetime.now(LOCAL_TZ).date()
    with ctx.session() as s:
        v = s.get(m.Visit, visit_id)
        if v is None:
            raise NotFound(f"Không tìm thấy lượt kiểm tra ({visit_id}).", f"Visit not found ({visit_id}).")
        u = s.get(m.Unit, v.unit_id)

        def rows(model, *order):
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
        findings = rows(m.Finding, m.Finding.recorded_at)
        roll = rows(m.RollCallEntry)
        staff_ids = {f.staff_id for f in findings if f.staff_id} | {e.staff_id for e in roll}
        staff = {p.id: p for p in s.execute(select(m.StaffMember).where(m.StaffMember.id.in_(staff_ids))).scalars()} \
            if staff_ids else {}
        roster = s.execute(select(func.count()).select_from(m.StaffMember).where(
            m.StaffMember.unit_id == v.unit_id, m.StaffMember.active.is_(True))).scalar_one()
        checks = s.execute(select(m.DossierCheck, m.Dossier).join(m.Dossier, m.Dossier.id == m.DossierCheck.dossier_id)
                           .where(m.DossierCheck.visit_id == visit_id)
                           .order_by(m.DossierCheck.stratum, m.DossierCheck.rank)).all()
        samples = rows(m.Sample, m.Sample.drawn_at)
        signatures = rows(m.Signature, m.Signature.role)
        minutes = rows(m.MinutesDocument, m.MinutesDocument.version)
        remedies = rows(m.Remedy, m.Remedy.deadline)
        conflicts = s.execute(select(func.count()).select_from(m.SyncConflict).where(
            m.SyncConflict.visit_id == visit_id, m.SyncConflict.resolution == "")).scalar_one()
        devices = sorted(set(s.execute(select(m.AuditEvent.device_id).where(
            m.AuditEvent.visit_id == visit_id).distinct()).scalars()))
        chain = verify_chain(s, visit_id)

    visit_date = local_date(v.arrival_at or v.created_at)
    minutes_rows = []
    for d in minutes:
        path = ctx.path(d.file_path) if d.file_path else None
        present = bool(path and path.is_file())
        minutes_rows.append(MinutesRow(
            id=d.id, version=d.version, number=d.number, path=path, sha256=d.sha256, signed=d.signed,
            signed_at=d.signed_at, signer_subject=d.signer_subject, reason=d.reason, file_present=present,
            file_intact=present and (not d.sha256 or _sha256(path) == d.sha256)))
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
                             checklist_id=f.checklist_id, item_id=f.item_id, photo_ids=photos_of.get(f.id, []))
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
                         item_id=p.item_id, finding_id=p.finding_id) for p in photos],
        signatures=[SignatureRow(g.role, g.full_name, g.position, g.refused, g.refusal_reason, g.signed_at)
                    for g in signatures],
        minutes=minutes_rows,
        remedies=[_remedy_row(r, u.id, u.name, visit_date, today) for r in remedies],
        open_conflicts=conflicts,
        audit=AuditSummary(events=chain.checked, devices=devices, chain_ok=chain.ok, problem=chain.reason))


# --- the dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    date_from: date | None
    date_to: date | None
    unit_id: str | None
    totals: Metrics
    by_unit: list[UnitMetrics]  # units with visits in the period, by name
    by_month: list[MonthMetrics]  # months with visits, in order
    by_unit_month: dict[tuple[str, str], Metrics] = field(default_factory=dict)  # (unit id, "YYYY-MM")


def _n(condition):
    return func.sum(case((condition, 1), else_=0))


_FIELDS = [f.name for f in dataclass_fields(Metrics)]
_AT = {name: i for i, name in enumerate(_FIELDS)}
_ROLL_STATUSES = ("present", "late", "absent_excused", "absent_unexcused", "left_post")


def _counts(session: Session, date_from, date_to, unit_id) -> dict[tuple[str, str], list[int]]:
    """All counters per (unit id, month), as vectors in the order of :class:`Metrics`' fields.

    Each source table is counted per visit with conditional sums, which its covering index
    (``store.models``: ``ix_finding_visit_kind`` …) answers without reading rows; visits are mapped
    to their unit and local month here, so no date arithmetic depends on the database's dialect.
    Results are read through the Core connection: plain tuples, no ORM bookkeeping.
    """
    conn = session.connection()
    visit_filter = [*_period_clauses(date_from, date_to)]
    if unit_id:
        visit_filter.append(m.Visit.unit_id == unit_id)
    width = len(_FIELDS)
    cell: dict[str, list[int]] = {}  # visit id -> the counters of its (unit, month)
    acc: dict[tuple[str, str], list[int]] = {}
    visits_at = _AT["visits"]
    months: dict[int, str] = {}
    # The visit's time as the naive UTC value the store keeps (no per-row time-zone objects), shifted
    # to Viet Nam's fixed UTC+7 for its month.
    when = type_coerce(_visit_when(), DateTime())
    for vid, unit, moment in conn.execute(select(m.Visit.id, m.Visit.unit_id, when).where(*visit_filter)):
        if isinstance(moment, str):  # SQLite without the column's type: ISO text
            moment = datetime.fromisoformat(moment)
        local = moment + _SHIFT
        number = local.year * 100 + local.month
        month = months.get(number)
        if month is None:
            month = months[number] = f"{local.year:04d}-{local.month:02d}"
        key = (unit, month)
        counters = acc.get(key)
        if counters is None:
            counters = acc[key] = [0] * width
        counters[visits_at] += 1
        cell[vid] = counters
    if not cell:
        return acc

    def add(targets: list[str], column, *columns, where=()) -> None:
        """Add each row's values (after the visit id) to the named counters of the visit's cell."""
        query = select(column, *columns).where(*where).group_by(column)
        if visit_filter:
            query = query.where(column.in_(select(m.Visit.id).where(*visit_filter)))
        slots = [_AT[t] for t in targets]
        for row in conn.execute(query):
            counters = cell.get(row[0])
            if counters is not None:
                for slot, value in zip(slots, row[1:]):
                    counters[slot] += value or 0

    rc, fd, an, dc = m.RollCallEntry, m.Finding, m.Answer, m.DossierCheck
    add(["roll_call", *_ROLL_STATUSES], rc.visit_id, func.count(), *(_n(rc.status == st) for st in _ROLL_STATUSES))
    add(["findings", "alcohol", "tobacco"], fd.visit_id, func.count(), _n(fd.kind == "alcohol"),
        _n(fd.kind == "tobacco"))
    add(["office_culture_items", "office_culture_failed", "alcohol_tobacco_items_failed"], an.visit_id,
        _n(an.checklist_id == OFFICE_CULTURE), _n(and_(an.checklist_id == OFFICE_CULTURE, an.value == "fail")),
        _n(and_(an.checklist_id == ALCOHOL_TOBACCO, an.value == "fail")),
        where=(an.checklist_id.in_((ALCOHOL_TOBACCO, OFFICE_CULTURE)), an.value.in_(("pass", "fail"))))
    add(["dossiers_checked", "dossiers_early", "dossiers_on_time", "dossiers_late"], dc.visit_id, func.count(),
        _n(dc.timeliness == "early"), _n(dc.timeliness == "on_time"), _n(dc.timeliness == "late"),
        where=(dc.timeliness.in_(("early", "on_time", "late")),))
    return acc


def _metrics(vector: list[int]) -> Metrics:
    return Metrics(*vector)


def dashboard(ctx: AppContext, date_from: date | None = None, date_to: date | None = None,
              unit_id: str | None = None) -> Dashboard:
    """Figures by unit and by month for a period (local dates, inclusive; None: no bound)."""
    with ctx.session() as s:
        acc = _counts(s, date_from, date_to, unit_id)
        unit_ids = {u for u, _ in acc}
        names = dict(s.execute(select(m.Unit.id, m.Unit.name).where(m.Unit.id.in_(unit_ids))).all()) if unit_ids else {}
    width = len(_FIELDS)
    per_unit: dict[str, list[int]] = {}
    per_month: dict[str, list[int]] = {}
    total = [0] * width
    for (unit, month), vector in acc.items():  # plain integers: cheap to add up
        per_unit[unit] = list(map(add, per_unit.get(unit) or [0] * width, vector))
        per_month[month] = list(map(add, per_month.get(month) or [0] * width, vector))
        total = list(map(add, total, vector))
    by_unit = sorted((UnitMetrics(u, names.get(u, ""), _metrics(v)) for u, v in per_unit.items()),
                     key=lambda x: fold(x.unit_name))
    by_month = [MonthMetrics(mo, _metrics(per_month[mo])) for mo in sorted(per_month)]
    return Dashboard(date_from=date_from, date_to=date_to, unit_id=unit_id, totals=_metrics(total), by_unit=by_unit,
                     by_month=by_month, by_unit_month={key: _metrics(v) for key, v in acc.items()})


# --- remedies follow-up -----------------------------------------------------------------------------


def remedies(ctx: AppContext, today: date | None = None, *, unit_id: str | None = None,
             status: str | None = None, overdue_only: bool = False, date_from: date | None = None,
             date_to: date | None = None) -> list[RemedyRow]:
    """Requested fixes with their deadlines and report-backs; overdue ones first, most overdue first.

    ``date_from``/``date_to`` select by the visit's date; ``status`` is a RemedyStatus value.
    """
    today = today or datetime.now(LOCAL_TZ).date()
    with ctx.session() as s:
        q = (select(m.Remedy, m.Unit.id, m.Unit.name, m.Visit.arrival_at, m.Visit.created_at)
             .join(m.Visit, m.Visit.id == m.Remedy.visit_id).join(m.Unit, m.Unit.id == m.Visit.unit_id)
             .where(*_period_clauses(date_from, date_to)))
        if unit_id:
            q = q.where(m.Visit.unit_id == unit_id)
        if status:
            q = q.where(m.Remedy.status == status)
        if overdue_only:
            q = q.where(m.Remedy.status == m.RemedyStatus.OPEN.value,
                        func.coalesce(m.Remedy.report_due, m.Remedy.deadline) < today)
        out = [_remedy_row(r, uid, uname, local_date(arr or created), today) for r, uid, uname, arr, created in s.execute(q)]
    far = date.max
    return sorted(out, key=lambda r: (not r.overdue, -r.days_overdue, r.report_due or r.deadline or far,
                                      fold(r.unit_name), r.id))


def _remedy_for_update(s: Session, remedy_id: str) -> m.Remedy:
    r = s.get(m.Remedy, remedy_id)
    if r is None:
        raise NotFound(f"Không tìm thấy yêu cầu khắc phục ({remedy_id}).", f"Remedy not found ({remedy_id}).")
    return r


def _remedy_row_for(ctx: AppContext, remedy_id: str, today: date | None) -> RemedyRow:
    today = today or datetime.now(LOCAL_TZ).date()
    with ctx.session() as s:
        r, uid, uname, arr, created = s.execute(
            select(m.Remedy, m.Unit.id, m.Unit.name, m.Visit.arrival_at, m.Visit.created_at)
            .join(m.Visit, m.Visit.id == m.Remedy.visit_id).join(m.Unit, m.Unit.id == m.Visit.unit_id)
            .where(m.Remedy.id == remedy_id)).one()
        return _remedy_row(r, uid, uname, local_date(arr or created), today)


def record_report_back(ctx: AppContext, remedy_id: str, reported_on: date, report_text: str,
                       today: date | None = None) -> RemedyRow:
    """The unit reported on its fix (báo cáo kết quả khắc phục): date and what it says."""
    text = " ".join((nfc(report_text) or "").split())
    if not text:
        raise ValidationFailed("Hãy nhập nội dung báo cáo của đơn vị.", "Enter what the unit reported.")
    if reported_on > (today or datetime.now(LOCAL_TZ).date()):
        raise ValidationFailed("Ngày báo cáo không thể ở tương lai.", "The report date cannot be in the future.")
    with ctx.session() as s:
        r = _remedy_for_update(s, remedy_id)
        if r.status == m.RemedyStatus.DONE.value:
            raise ValidationFailed("Yêu cầu này đã được xác nhận hoàn thành.", "This remedy was already accepted as done.")
        r.reported_on, r.report_text, r.status = reported_on, text, m.RemedyStatus.REPORTED.value
    return _remedy_row_for(ctx, remedy_id, today)


def accept_remedy(ctx: AppContext, remedy_id: str, today: date | None = None) -> RemedyRow:
    """The office accepts the unit's report: the remedy is done, reviewed by this context's actor."""
    with ctx.session() as s:
        r = _remedy_for_update(s, remedy_id)
        if r.status == m.RemedyStatus.OPEN.value:
            raise ValidationFailed("Đơn vị chưa báo cáo kết quả khắc phục.", "The unit has not reported back yet.")
        r.status, r.reviewed_by = m.RemedyStatus.DONE.value, ctx.actor
    return _remedy_row_for(ctx, remedy_id, today)


def reopen_remedy(ctx: AppContext, remedy_id: str, today: date | None = None) -> RemedyRow:
    """The report was not enough: the remedy is open again (the report stays on record)."""
    with ctx.session() as s:
        r = _remedy_for_update(s, remedy_id)
        r.status, r.reviewed_by = m.RemedyStatus.OPEN.value, ctx.actor
    return _remedy_row_for(ctx, remedy_id, today)


__all__ = [
    "VisitFilters", "VisitRow", "VisitPage", "FilterOptions", "visits_page", "filter_options",
    "VisitRecord", "UnitInfo", "ParticipantRow", "AnswerRow", "FindingRow", "AttendanceRow", "DossierRow",
    "SampleRow", "PhotoRow", "SignatureRow", "MinutesRow", "RemedyRow", "AuditSummary", "visit_record",
    "Dashboard", "dashboard", "remedies", "record_report_back", "accept_remedy", "reopen_remedy", "local_date",
    "LOCAL_TZ",
]
