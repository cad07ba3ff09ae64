"""The office's visits table: filters, search, one page at a time, with per-visit counts.

Split out of ``services.review`` (which re-exports it). The page is chosen in SQL (ordered by the
visit's date, ``LIMIT``/``OFFSET``) and only the page's visits are counted, so the cost of a page
does not grow with the number of findings in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, String, cast, false, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from ..domain.text import fold, nfc
from ..store import models as m
from ..store.office import visit_tally
from .context import AppContext
from .dashboard import fill_tallies, tally_basis
from .office_dates import LOCAL_TZ, aware, local_date, period_clauses, visit_when
from .violation_tally import KIND_CODES, item_kinds


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
    violations: int  # violations of every kind, each counted once (services.violation_tally)
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


def _search_clause(session: Session, text: str) -> ColumnElement[bool] | None:
    text = " ".join((nfc(text) or "").split())
    if not text:
        return None
    key = fold(text)
    unit_ids = [uid for uid, name in session.execute(select(col(m.Unit.id), col(m.Unit.name))) if key in fold(name or "")]
    pattern = f"%{_escape_like(text)}%"
    clauses = [col(m.Visit.decision_number).ilike(pattern, escape="\\"),
               col(m.Visit.minutes_number).ilike(pattern, escape="\\"),
               col(m.Visit.place).ilike(pattern, escape="\\")]
    if unit_ids:
        clauses.append(col(m.Visit.unit_id).in_(unit_ids))
    return or_(*clauses)


def _visit_clauses(session: Session, f: VisitFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses on ``Visit`` for every filter but the violation kind (see :func:`_kind_column`)."""
    clauses = period_clauses(f.date_from, f.date_to)
    if f.unit_id:
        clauses.append(col(m.Visit.unit_id) == f.unit_id)
    if f.status:
        clauses.append(col(m.Visit.status) == f.status)
    if f.checklist_id:
        used = select(col(m.Answer.id)).where(col(m.Answer.visit_id) == col(m.Visit.id), col(m.Answer.checklist_id) == f.checklist_id)
        planned = cast(m.Visit.checklists, String).like(
            f'%"{_escape_like(f.checklist_id)}"%', escape="\\")
        clauses.append(or_(used.exists(), planned))
    search = _search_clause(session, f.search)
    if search is not None:
        clauses.append(search)
    return clauses


def _kind_clauses(session: Session, kind: str,
                  kinds: dict[tuple[str, str], str]) -> list[ColumnElement[bool]] | None:
    """WHERE clauses on the tally rows (``store.office.visit_tally``) of the visits with a violation of
    ``kind`` (None: an unknown kind, no visit). Every visit is counted into its tally first (once; the
    triggers keep the rows valid), so the page can be read newest first from the tally's index on ``at``.
    """
    if kind not in KIND_CODES:
        return None
    t = visit_tally
    basis = fill_tallies(session, [], kinds, [t.c.basis == tally_basis(kinds)])
    return [t.c.basis == basis, t.c[f"v_{kind}"] > 0]


def _count_by_visit(session: Session, column: Any, ids: list[str], *where: ColumnElement[bool]) -> dict[str, int]:
    if not ids:
        return {}
    q = select(column, func.count()).where(column.in_(ids), *where).group_by(column)
    return dict(session.execute(q).tuples().all())


def visits_page(ctx: AppContext, filters: VisitFilters | None = None, page: int = 0, page_size: int = 50,
                today: date | None = None) -> VisitPage:
    """One page of the visits table, newest first."""
    f = filters or VisitFilters()
    page, page_size = max(0, page), max(1, min(page_size, 500))
    today = today or datetime.now(LOCAL_TZ).date()
    kinds = item_kinds(ctx)
    with ctx.session() as s:
        clauses = _visit_clauses(s, f)
        columns = (col(m.Visit.id), col(m.Visit.unit_id), col(m.Unit.name), col(m.Visit.kind), col(m.Visit.status),
                   col(m.Visit.arrival_at), col(m.Visit.created_at), col(m.Visit.decision_number),
                   col(m.Visit.minutes_number))
        if f.violation_kind:  # from the per-visit tallies, in the order of their index on the visit's moment
            t = visit_tally
            by_kind = _kind_clauses(s, f.violation_kind, kinds)
            if by_kind is None:
                clauses.append(false())
                by_kind = []
            base = select(*columns).select_from(t).join(m.Visit, col(m.Visit.id) == t.c.visit_id)
            counted = select(func.count()).select_from(t)
            if clauses:  # other filters are on the visit; alone, the tallies (one per visit, just made) suffice
                counted = counted.join(m.Visit, col(m.Visit.id) == t.c.visit_id)
            total = s.execute(counted.where(*by_kind, *clauses)).scalar_one()
            # the same order as visit_when() desc, id (a row mirrors it)
            order: tuple[SQLColumnExpression[Any], ...] = (t.c.at.desc(), t.c.visit_id)
            clauses += by_kind
        else:
            base = select(*columns)
            total = s.execute(select(func.count()).select_from(m.Visit).where(*clauses)).scalar_one()
            order = (visit_when().desc(), col(m.Visit.id))
        q = (base.join(m.Unit, col(m.Unit.id) == col(m.Visit.unit_id)).where(*clauses)
             .order_by(*order).limit(page_size).offset(page * page_size))
        rows = s.execute(q).all()
        ids = [r.id for r in rows]
        findings: dict[str, int] = {}
        violations: dict[str, int] = {}
        if ids:  # from the visits' tallies (counted once, kept valid by triggers)
            t = visit_tally
            basis = fill_tallies(s, [col(m.Visit.id).in_(ids)], kinds)
            v_cols = [t.c[f"v_{k}"] for k in KIND_CODES]
            for vid, n_findings, *per_kind in s.execute(select(t.c.visit_id, t.c.findings, *v_cols)
                                                        .where(t.c.visit_id.in_(ids), t.c.basis == basis)):
                findings[vid], violations[vid] = n_findings, sum(per_kind)
        open_remedies = _count_by_visit(s, col(m.Remedy.visit_id), ids, col(m.Remedy.status) == m.RemedyStatus.OPEN.value)
        overdue = _count_by_visit(s, col(m.Remedy.visit_id), ids, col(m.Remedy.status) == m.RemedyStatus.OPEN.value,
                                  func.coalesce(m.Remedy.report_due, m.Remedy.deadline) < today)
        conflicts = _count_by_visit(s, col(m.SyncConflict.visit_id), ids, col(m.SyncConflict.resolution) == "")
    out = [VisitRow(id=r.id, unit_id=r.unit_id, unit_name=r.name, kind=r.kind, status=r.status,
                    visit_date=local_date(r.arrival_at or r.created_at), arrival_at=r.arrival_at,
                    decision_number=r.decision_number, minutes_number=r.minutes_number,
                    findings=findings.get(r.id, 0), violations=violations.get(r.id, 0),
                    open_remedies=open_remedies.get(r.id, 0), overdue_remedies=overdue.get(r.id, 0),
                    open_conflicts=conflicts.get(r.id, 0)) for r in rows]
    return VisitPage(rows=out, total=total, page=page, page_size=page_size)


def filter_options(ctx: AppContext) -> FilterOptions:
    """Values for the filter controls: units that were visited, statuses, checklists, violation kinds."""
    with ctx.session() as s:
        units = s.execute(select(col(m.Unit.id), col(m.Unit.name)).where(
            col(m.Unit.id).in_(select(col(m.Visit.unit_id)).distinct()))).all()
        statuses = list(s.execute(select(col(m.Visit.status)).distinct()).scalars())
        checklists = sorted(set(s.execute(select(col(m.Answer.checklist_id)).distinct()).scalars()))
        kinds = list(KIND_CODES)
        first, last = s.execute(select(func.min(visit_when()), func.max(visit_when()))).one()
    order = [st.value for st in m.VisitStatus]
    return FilterOptions(
        units=sorted(((u, n) for u, n in units), key=lambda x: fold(x[1] or "")),
        statuses=sorted(statuses, key=lambda st: order.index(st) if st in order else len(order)),
        checklists=checklists, violation_kinds=kinds,
        first_date=local_date(aware(first)), last_date=local_date(aware(last)))


__all__ = ["VisitFilters", "VisitRow", "VisitPage", "FilterOptions", "visits_page", "filter_options"]
