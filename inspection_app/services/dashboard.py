"""The office dashboard: figures for a period, by unit and by month, counted in SQL.

Split out of ``services.review`` (which re-exports it). Only finished visits (closed, signed, filed)
are counted (``office_dates.COUNTED_STATUSES``); the period's open visits are listed apart in
:attr:`Dashboard.open_visits` and give no figure. Each visit is counted once into a tally row
(``store.office.visit_tally``: its unit, local month and every counter of :class:`Metrics`), from
grouped conditional sums that covering indexes answer and ``violation_tally`` (each violation once);
database triggers forget a visit's row when anything it was counted from changes. The dashboard then
adds up tally rows in SQL, grouped by unit and month: its cost follows the visits and the cells
shown, not the findings, answers and roll-call entries behind them.

Definitions of every figure: ``docs/glossary.md``, "Chỉ số / Metrics".
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime
from operator import add
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    and_,
    case,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from ..domain.report import TALLY_FIELDS, Metrics, MonthMetrics, OpenVisit, UnitMetrics
from ..domain.text import fold
from ..store import models as m
from ..store.office import ensure_tally_triggers, visit_tally
from .context import AppContext
from .office_dates import COUNTED_STATUSES, OPEN_STATUSES, SHIFT, counted_clause, local_date, period_clauses, visit_when
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
    by_unit_month: Mapping[tuple[str, str], Metrics] = field(default_factory=dict)  # (unit id, "YYYY-MM")
    open_visits: list[OpenVisit] = field(default_factory=list)  # not finished: listed (oldest first), not counted
    open_count: int = 0  # all of them (the list stops at OPEN_LISTED)


class MetricsCells(Mapping[tuple[str, str], Metrics]):
    """``(unit id, "YYYY-MM") -> Metrics``, made on access from the counters' vectors (a province's
    dashboard has thousands of cells and shows none of them one by one)."""

    def __init__(self, vectors: dict[tuple[str, str], list[int]]) -> None:
        self._vectors = vectors

    def __getitem__(self, key: tuple[str, str]) -> Metrics:
        return Metrics(*self._vectors[key])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._vectors)

    def __len__(self) -> int:
        return len(self._vectors)


def _n(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


_FIELDS = [f.name for f in dataclass_fields(Metrics)]
_AT = {name: i for i, name in enumerate(TALLY_FIELDS)}  # slots of a per-visit tally vector
_ROLL_STATUSES = ("present", "late", "absent_excused", "absent_unexcused", "left_post")


def visit_filter(date_from: date | None, date_to: date | None, unit_id: str | None) -> list[ColumnElement[bool]]:
    """WHERE clauses on ``Visit`` for the counted visits of a period (and unit)."""
    clauses = [counted_clause(), *period_clauses(date_from, date_to)]
    if unit_id:
        clauses.append(col(m.Visit.unit_id) == unit_id)
    return clauses


TALLY_VERSION = "2"  # bump when what a tally counts changes: every row is then counted again (2: ``at``)
_CHUNK = 400
_ANALYZE_AFTER = 2_000  # rows counted at once after which the tally's statistics are refreshed
_ready: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines whose triggers are known to be in place


def tally_basis(kinds: dict[tuple[str, str], str]) -> str:
    """What a tally row is valid for: the tally's version and the checklists' item kinds."""
    text = json.dumps([TALLY_VERSION, sorted(f"{c}/{i}={k}" for (c, i), k in kinds.items())])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _vectors(conn: Connection, ids: list[str], kinds: dict[tuple[str, str], str]) -> dict[str, list[int]]:
    """Counters of each visit in ``ids``, in the order of ``TALLY_FIELDS`` (grouped SQL per source)."""
    out = {vid: [0] * len(TALLY_FIELDS) for vid in ids}

    def add_rows(targets: list[str], column: Any, *columns: Any, where: tuple[ColumnElement[bool], ...] = ()) -> None:
        query = select(column, *columns).where(column.in_(ids), *where).group_by(column)
        slots = [_AT[t] for t in targets]
        for row in conn.execute(query):
            counters = out[row[0]]
            for slot, value in zip(slots, row[1:]):
                counters[slot] += value or 0

    rc, fd, an, dc = m.RollCallEntry, m.Finding, m.Answer, m.DossierCheck
    add_rows(["roll_call", *_ROLL_STATUSES], rc.visit_id, func.count(),
             *(_n(col(rc.status) == st) for st in _ROLL_STATUSES))
    add_rows(["findings"], fd.visit_id, func.count())
    add_rows(["office_culture_items", "office_culture_failed", "alcohol_tobacco_items_failed"], an.visit_id,
             _n(col(an.checklist_id) == OFFICE_CULTURE), _n(and_(col(an.checklist_id) == OFFICE_CULTURE, col(an.value) == "fail")),
             _n(and_(col(an.checklist_id) == ALCOHOL_TOBACCO, col(an.value) == "fail")),
             where=(col(an.checklist_id).in_((ALCOHOL_TOBACCO, OFFICE_CULTURE)), col(an.value).in_(("pass", "fail"))))
    add_rows(["dossiers_checked", "dossiers_early", "dossiers_on_time", "dossiers_late"], dc.visit_id,
             func.count(), _n(col(dc.timeliness) == "early"), _n(col(dc.timeliness) == "on_time"),
             _n(col(dc.timeliness) == "late"), where=(col(dc.timeliness).in_(("early", "on_time", "late")),))
    for vid, by_kind in counts_by_visit(conn, ids, kinds).items():
        for kind, n in by_kind.items():
            out[vid][_AT[f"v_{kind}"]] += n
    return out


def _tally_where(date_from: date | None, date_to: date | None, unit_id: str | None,
                 basis: str) -> list[ColumnElement[bool]]:
    """The same selection as :func:`visit_filter`, on tally rows (a row mirrors its visit: any change to
    the visit forgets the row)."""
    t = visit_tally
    out = [t.c.basis == basis, t.c.status.in_(COUNTED_STATUSES)]
    if date_from:
        out.append(t.c.day >= date_from.isoformat())
    if date_to:
        out.append(t.c.day <= date_to.isoformat())
    if unit_id:
        out.append(t.c.unit_id == unit_id)
    return out


def fill_tallies(session: Session, where: list[ColumnElement[bool]], kinds: dict[tuple[str, str], str],
                 tally_where: list[ColumnElement[bool]] | None = None) -> str:
    """Count the visits matching ``where`` that have no valid tally row, and store their rows.

    ``tally_where`` (the same selection on tally rows) lets a complete cache be recognised by two
    counts instead of a lookup per visit. Returns the basis of valid rows. The triggers that forget
    stale rows are created on first use.
    """
    conn = session.connection()
    if conn.engine not in _ready:
        ensure_tally_triggers(conn)
        _ready.add(conn.engine)
    basis = tally_basis(kinds)
    t = visit_tally
    if tally_where is not None:
        have = conn.execute(select(func.count()).select_from(t).where(*tally_where)).scalar_one()
        want = conn.execute(select(func.count()).select_from(m.Visit).where(*where)).scalar_one()
        if have == want:
            return basis
    when = type_coerce(visit_when(), DateTime())
    valid = select(t.c.visit_id).where(t.c.visit_id == m.Visit.id, t.c.basis == basis).exists()
    missing = conn.execute(select(col(m.Visit.id), col(m.Visit.unit_id), col(m.Visit.status), when).where(*where, ~valid)).all()
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start:start + _CHUNK]
        ids = [r[0] for r in chunk]
        vectors = _vectors(conn, ids, kinds)
        rows = []
        for vid, unit, status, moment in chunk:
            if isinstance(moment, str):  # SQLite without the column's type: ISO text
                moment = datetime.fromisoformat(moment)
            local = moment + SHIFT
            at = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
            rows.append({"visit_id": vid, "basis": basis, "unit_id": unit, "status": status, "at": at,
                         "day": local.date().isoformat(), "month": f"{local.year:04d}-{local.month:02d}",
                         **dict(zip(TALLY_FIELDS, vectors[vid]))})
        try:
            with session.begin_nested():
                conn.execute(delete(t).where(t.c.visit_id.in_(ids)))
                conn.execute(insert(t), rows)
        except IntegrityError:  # another reader stored them first: theirs are as good
            continue
    if len(missing) >= _ANALYZE_AFTER:
        # Many rows at once (a first count, a new tally version, a large import): refresh the planner's
        # statistics of the tally, so that it reads pages through the index on ``at`` (see visits_table).
        try:
            with session.begin_nested():
                conn.execute(text(f"ANALYZE {t.name}"))
        except DBAPIError:  # e.g. a PostgreSQL role that does not own the table: the plan is only slower
            pass
    return basis


def _counts(session: Session, date_from: date | None, date_to: date | None, unit_id: str | None,
            kinds: dict[tuple[str, str], str]) -> dict[tuple[str, str], list[int]]:
    """All counters per (unit id, month), as vectors in the order of :class:`Metrics`' fields."""
    basis = tally_basis(kinds)
    where = _tally_where(date_from, date_to, unit_id, basis)
    fill_tallies(session, visit_filter(date_from, date_to, unit_id), kinds, where)
    t = visit_tally
    q = (select(t.c.unit_id, t.c.month, func.count(), *[func.sum(t.c[f]) for f in TALLY_FIELDS])
         .where(*where).group_by(t.c.unit_id, t.c.month))
    # Sums of NOT NULL integers over at least one row: never NULL. Fetched at once, unpacked once.
    return {(unit, month): rest for unit, month, *rest in session.connection().execute(q).all()}


OPEN_LISTED = 100  # open visits listed by name; all of them are counted in ``open_count``


def open_visits(session: Session, date_from: date | None, date_to: date | None,
                unit_id: str | None = None, limit: int = OPEN_LISTED) -> tuple[list[OpenVisit], int]:
    """Visits of the period still in draft or on site, oldest first (at most ``limit``), and how many."""
    where = [col(m.Visit.status).in_(OPEN_STATUSES), *period_clauses(date_from, date_to)]
    if unit_id:
        where.append(col(m.Visit.unit_id) == unit_id)
    count = session.execute(select(func.count()).select_from(m.Visit).where(*where)).scalar_one()
    q = (select(col(m.Visit.id), col(m.Unit.name), col(m.Visit.arrival_at), col(m.Visit.created_at), col(m.Visit.status))
         .join(m.Unit, col(m.Unit.id) == col(m.Visit.unit_id)).where(*where).order_by(visit_when(), col(m.Visit.id)).limit(limit))
    rows = [OpenVisit(vid, name, local_date(arr or created), status) for vid, name, arr, created, status in
            session.execute(q)]
    return rows, count


def dashboard(ctx: AppContext, date_from: date | None = None, date_to: date | None = None,
              unit_id: str | None = None) -> Dashboard:
    """Figures by unit and by month for a period (local dates, inclusive; None: no bound)."""
    kinds = item_kinds(ctx)
    with ctx.session() as s:
        acc = _counts(s, date_from, date_to, unit_id, kinds)
        unit_ids = {u for u, _ in acc}
        names: dict[str, str] = dict(s.execute(select(col(m.Unit.id), col(m.Unit.name)).where(col(m.Unit.id).in_(unit_ids))).tuples().all()) \
            if unit_ids else {}
        pending, pending_count = open_visits(s, date_from, date_to, unit_id)
    width = len(_FIELDS)
    per_unit: dict[str, list[int]] = {}
    per_month: dict[str, list[int]] = {}
    for (unit, month), vector in acc.items():  # plain integers, added element-wise in C (map/add)
        have = per_unit.get(unit)
        per_unit[unit] = vector if have is None else list(map(add, have, vector))
        have = per_month.get(month)
        per_month[month] = vector if have is None else list(map(add, have, vector))
    total = [0] * width
    for vector in per_month.values():
        total = list(map(add, total, vector))
    by_unit = sorted((UnitMetrics(u, names.get(u, ""), Metrics(*v)) for u, v in per_unit.items()),
                     key=lambda x: fold(x.unit_name))
    by_month = [MonthMetrics(mo, Metrics(*per_month[mo])) for mo in sorted(per_month)]
    return Dashboard(date_from=date_from, date_to=date_to, unit_id=unit_id, totals=Metrics(*total), by_unit=by_unit,
                     by_month=by_month, by_unit_month=MetricsCells(acc), open_visits=pending,
                     open_count=pending_count)


__all__ = ["Dashboard", "dashboard", "open_visits", "visit_filter", "fill_tallies", "tally_basis"]
