"""The office dashboard: figures for a period, by unit and by month, counted in SQL.

Split out of ``services.review`` (which re-exports it). Only finished visits (closed, signed, filed)
are counted (``office_dates.COUNTED_STATUSES``); the period's open visits are listed apart in
:attr:`Dashboard.open_visits` and give no figure. Each source table is counted per visit with
grouped conditional sums that covering indexes answer (``store.models``, ``store.office``); the
violations come from ``violation_tally`` (each counted once). Visits are then mapped to their unit
and local month here, so no date arithmetic depends on the database's dialect: the cost grows with
the number of visits counted and cells shown, and the per-row work stays in the database.

Definitions of every figure: ``docs/glossary.md``, "Chỉ số / Metrics".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from operator import add

from sqlalchemy import DateTime, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from ..domain.report import Metrics, MonthMetrics, OpenVisit, UnitMetrics
from ..domain.text import fold
from ..store import models as m
from .context import AppContext
from .office_dates import SHIFT, counted_clause, local_date, period_clauses, visit_when, OPEN_STATUSES
from .violation_tally import counts_by_visit, item_kinds

ALCOHOL_TOBACCO = "alcohol_tobacco"
OFFICE_CULTURE = "office_culture"


@dataclass(frozen=True)
class Dashboard:
    date_from: date | None
    date_to: date | None
    unit_id: str | None
    totals: Metrics
    by_unit: list[UnitMetrics]  # units with counted visits in the period, by name
    by_month: list[MonthMetrics]  # months with counted visits, in order
    by_unit_month: dict[tuple[str, str], Metrics] = field(default_factory=dict)  # (unit id, "YYYY-MM")
    open_visits: list[OpenVisit] = field(default_factory=list)  # not finished: listed, not counted


def _n(condition):
    return func.sum(case((condition, 1), else_=0))


_FIELDS = [f.name for f in dataclass_fields(Metrics)]
_AT = {name: i for i, name in enumerate(_FIELDS)}
_ROLL_STATUSES = ("present", "late", "absent_excused", "absent_unexcused", "left_post")


def visit_filter(date_from: date | None, date_to: date | None, unit_id: str | None) -> list:
    """WHERE clauses on ``Visit`` for the counted visits of a period (and unit)."""
    clauses = [counted_clause(), *period_clauses(date_from, date_to)]
    if unit_id:
        clauses.append(m.Visit.unit_id == unit_id)
    return clauses


def _counts(session: Session, date_from, date_to, unit_id, kinds) -> dict[tuple[str, str], list[int]]:
    """All counters per (unit id, month), as vectors in the order of :class:`Metrics`' fields."""
    conn = session.connection()
    where = visit_filter(date_from, date_to, unit_id)
    width = len(_FIELDS)
    cell: dict[str, list[int]] = {}  # visit id -> the counters of its (unit, month)
    acc: dict[tuple[str, str], list[int]] = {}
    visits_at = _AT["visits"]
    months: dict[int, str] = {}
    # The visit's time as the naive UTC value the store keeps, shifted to Viet Nam's fixed UTC+7.
    when = type_coerce(visit_when(), DateTime())
    for vid, unit, moment in conn.execute(select(m.Visit.id, m.Visit.unit_id, when).where(*where)):
        if isinstance(moment, str):  # SQLite without the column's type: ISO text
            moment = datetime.fromisoformat(moment)
        local = moment + SHIFT
        number = local.year * 100 + local.month
        month = months.get(number)
        if month is None:
            month = months[number] = f"{local.year:04d}-{local.month:02d}"
        counters = acc.get((unit, month))
        if counters is None:
            counters = acc[(unit, month)] = [0] * width
        counters[visits_at] += 1
        cell[vid] = counters
    if not cell:
        return acc
    visit_ids = select(m.Visit.id).where(*where)

    def add_rows(targets: list[str], column, *columns, where=()) -> None:
        query = select(column, *columns).where(column.in_(visit_ids), *where).group_by(column)
        slots = [_AT[t] for t in targets]
        for row in conn.execute(query):
            counters = cell.get(row[0])
            if counters is not None:
                for slot, value in zip(slots, row[1:]):
                    counters[slot] += value or 0

    rc, fd, an, dc = m.RollCallEntry, m.Finding, m.Answer, m.DossierCheck
    add_rows(["roll_call", *_ROLL_STATUSES], rc.visit_id, func.count(),
             *(_n(rc.status == st) for st in _ROLL_STATUSES))
    add_rows(["findings"], fd.visit_id, func.count())
    add_rows(["office_culture_items", "office_culture_failed", "alcohol_tobacco_items_failed"], an.visit_id,
             _n(an.checklist_id == OFFICE_CULTURE), _n(and_(an.checklist_id == OFFICE_CULTURE, an.value == "fail")),
             _n(and_(an.checklist_id == ALCOHOL_TOBACCO, an.value == "fail")),
             where=(an.checklist_id.in_((ALCOHOL_TOBACCO, OFFICE_CULTURE)), an.value.in_(("pass", "fail"))))
    add_rows(["dossiers_checked", "dossiers_early", "dossiers_on_time", "dossiers_late"], dc.visit_id,
             func.count(), _n(dc.timeliness == "early"), _n(dc.timeliness == "on_time"),
             _n(dc.timeliness == "late"), where=(dc.timeliness.in_(("early", "on_time", "late")),))
    for vid, by_kind in counts_by_visit(conn, visit_ids, kinds).items():
        counters = cell.get(vid)
        if counters is not None:
            for kind, n in by_kind.items():
                counters[_AT[f"v_{kind}"]] += n
    return acc


def open_visits(session: Session, date_from: date | None, date_to: date | None,
                unit_id: str | None = None) -> list[OpenVisit]:
    """Visits of the period still in draft or on site, oldest first."""
    q = (select(m.Visit.id, m.Unit.name, m.Visit.arrival_at, m.Visit.created_at, m.Visit.status)
         .join(m.Unit, m.Unit.id == m.Visit.unit_id)
         .where(m.Visit.status.in_(OPEN_STATUSES), *period_clauses(date_from, date_to)))
    if unit_id:
        q = q.where(m.Visit.unit_id == unit_id)
    rows = [OpenVisit(vid, name, local_date(arr or created), status) for vid, name, arr, created, status in
            session.execute(q)]
    return sorted(rows, key=lambda v: (v.visit_date or date.min, fold(v.unit_name)))


def dashboard(ctx: AppContext, date_from: date | None = None, date_to: date | None = None,
              unit_id: str | None = None) -> Dashboard:
    """Figures by unit and by month for a period (local dates, inclusive; None: no bound)."""
    kinds = item_kinds(ctx)
    with ctx.session() as s:
        acc = _counts(s, date_from, date_to, unit_id, kinds)
        unit_ids = {u for u, _ in acc}
        names = dict(s.execute(select(m.Unit.id, m.Unit.name).where(m.Unit.id.in_(unit_ids))).all()) \
            if unit_ids else {}
        pending = open_visits(s, date_from, date_to, unit_id)
    width = len(_FIELDS)
    per_unit: dict[str, list[int]] = {}
    per_month: dict[str, list[int]] = {}
    total = [0] * width
    for (unit, month), vector in acc.items():  # plain integers: cheap to add up
        per_unit[unit] = list(map(add, per_unit.get(unit) or [0] * width, vector))
        per_month[month] = list(map(add, per_month.get(month) or [0] * width, vector))
        total = list(map(add, total, vector))
    by_unit = sorted((UnitMetrics(u, names.get(u, ""), Metrics(*v)) for u, v in per_unit.items()),
                     key=lambda x: fold(x.unit_name))
    by_month = [MonthMetrics(mo, Metrics(*per_month[mo])) for mo in sorted(per_month)]
    return Dashboard(date_from=date_from, date_to=date_to, unit_id=unit_id, totals=Metrics(*total), by_unit=by_unit,
                     by_month=by_month, by_unit_month={key: Metrics(*v) for key, v in acc.items()},
                     open_visits=pending)


__all__ = ["Dashboard", "dashboard", "open_visits", "visit_filter"]
