"""Showing and reading dates and times the way Vietnamese forms write them.

Stored times are UTC; the app shows them in Asia/Ho_Chi_Minh as dd/mm/yyyy and HH:MM, and reads
what the inspector types in the same forms. Parsing errors return ``None`` so the view can say
which field is wrong in the current language.
"""

from __future__ import annotations

from datetime import date, datetime

# local time has one home (domain/localtime.py); the screens call these names through fmt
from ..domain.localtime import LOCAL_TZ, now_local  # noqa: F401  (fmt.LOCAL_TZ, fmt.now_local)
from ..domain.localtime import to_local as local  # a naive value is taken as UTC, as the store writes it


def show_date(d: date | datetime | None) -> str:
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = local(d)
    return d.strftime("%d/%m/%Y")


def show_time(dt: datetime | None) -> str:
    return local(dt).strftime("%H:%M") if dt else ""


def show_datetime(dt: datetime | None) -> str:
    return local(dt).strftime("%d/%m/%Y %H:%M") if dt else ""


def parse_date(text: str) -> date | None:
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_datetime(text: str) -> datetime | None:
    """'14/07/2026 07:45' (local time) as an aware datetime."""
    text = " ".join((text or "").split())
    for pattern in ("%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            continue
    return None


def parse_hhmm(text: str) -> str | None:
    """'7:5' is not a time; '7:05' and '07:05' are. Returns 'HH:MM'."""
    text = (text or "").strip().replace("h", ":").replace(".", ":")
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[1]) != 2:
        return None
    hh, mm = int(parts[0]), int(parts[1])
    if hh > 23 or mm > 59:
        return None
    return f"{hh:02d}:{mm:02d}"
