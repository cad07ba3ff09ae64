"""The one home of local time: Viet Nam's wall clock (Asia/Ho_Chi_Minh, UTC+7 all year, no daylight saving).

The store keeps UTC; screens, documents and registers speak local time. Every conversion goes through here,
so "today", "this month" and the time printed on the minutes agree everywhere.

``LOCAL_TZ`` is the fixed offset +07:00 ("ICT"): the tz database's Asia/Ho_Chi_Minh has been +07:00 since
1975, so the two agree for every date the app meets, and a fixed offset needs no tz database (Windows and
Android ship none unless the ``tzdata`` package is installed).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import overload

UTC_OFFSET = timedelta(hours=7)  # local wall clock minus UTC, every day of the year (naive arithmetic in bulk)
LOCAL_TZ = timezone(UTC_OFFSET, "ICT")


def now_local() -> datetime:
    """The current local time (aware, +07:00)."""
    return datetime.now(LOCAL_TZ)


def today_local() -> date:
    """Today's date on the local wall clock (not UTC's date, which lags until 07:00)."""
    return now_local().date()


@overload
def to_local(dt: datetime) -> datetime: ...
@overload
def to_local(dt: None) -> None: ...
@overload
def to_local(dt: datetime | None) -> datetime | None: ...
def to_local(dt: datetime | None) -> datetime | None:
    """An aware local datetime; a naive value is taken as UTC (as the store writes it); None stays None."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(LOCAL_TZ)


def local_naive(dt: datetime | None) -> datetime | None:
    """The local wall-clock time without tzinfo (for documents and spreadsheets that print it as is)."""
    shown = to_local(dt)
    return shown.replace(tzinfo=None) if shown else None


def local_date(dt: datetime | None) -> date | None:
    """The local calendar day of a moment."""
    shown = to_local(dt)
    return shown.date() if shown else None


def local_midnight_utc(day: date) -> datetime:
    """The UTC moment at which local ``day`` begins (for "from this day" queries on UTC columns)."""
    return datetime.combine(day, time(0, 0), LOCAL_TZ).astimezone(UTC)
