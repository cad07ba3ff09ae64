"""Shared by the office's read side (visits table, dashboard, reports, follow-up): a visit's date and
which visits count.

A visit's date is its arrival on site, or its creation while the team has not arrived, in local
time (Asia/Ho_Chi_Minh, UTC+7 all year: Viet Nam keeps no daylight saving time).

Honest counts (issue #12, ``docs/glossary.md`` "Chỉ số / Metrics"): totals and rates count only
*finished* visits, i.e. closed, signed or filed (:data:`COUNTED_STATUSES`); a draft or a visit still
on site is listed apart and never enters a figure.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, func, literal
from sqlmodel import col

# local time has one home (domain/localtime.py); these names stay importable here for the office services
from ..domain.localtime import LOCAL_TZ, UTC_OFFSET, local_date, today_local
from ..domain.localtime import local_midnight_utc as utc_bound  # the UTC instant at which local ``day`` begins
from ..store import models as m
from ..store.types import UTCDateTime

SHIFT = UTC_OFFSET  # Viet Nam keeps UTC+7 all year
COUNTED_STATUSES = (m.VisitStatus.CLOSED.value, m.VisitStatus.SIGNED.value, m.VisitStatus.FILED.value)
OPEN_STATUSES = (m.VisitStatus.DRAFT.value, m.VisitStatus.ON_SITE.value)


def visit_when() -> ColumnElement[datetime]:
    """SQL expression: the moment that dates a visit (arrival, else creation), UTC."""
    return func.coalesce(m.Visit.arrival_at, m.Visit.created_at)


def period_clauses(date_from: date | None, date_to: date | None) -> list[ColumnElement[bool]]:
    """WHERE clauses on ``Visit`` for local dates ``date_from``..``date_to`` (inclusive; None: no bound)."""
    when = visit_when()
    out: list[ColumnElement[bool]] = []
    if date_from:
        out.append(when >= literal(utc_bound(date_from), UTCDateTime))
    if date_to:
        out.append(when < literal(utc_bound(date_to + timedelta(days=1)), UTCDateTime))
    return out


def counted_clause() -> ColumnElement[bool]:
    """WHERE clause on ``Visit``: the visit is finished and enters the figures."""
    return col(m.Visit.status).in_(COUNTED_STATUSES)


def aware(value: datetime | str | None) -> datetime | None:
    """min()/max() over a column bypass its type on SQLite: normalise what comes back."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# Old private names, kept for callers in other modules.
_visit_when, _utc_bound, _period_clauses, _aware = visit_when, utc_bound, period_clauses, aware


# Local time has its home in domain/localtime.py; the office services import these names from here too.
__all__ = ["COUNTED_STATUSES", "LOCAL_TZ", "OPEN_STATUSES", "SHIFT", "aware", "counted_clause", "local_date",
           "period_clauses", "today_local", "utc_bound", "visit_when"]
