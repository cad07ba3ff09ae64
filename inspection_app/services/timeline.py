"""Times recorded against the team's arrival (issue #11, point 2: one source for each fact).

The team's arrival lives on the visit (``Visit.arrival_at``) and nowhere else. A roll-call arrival or a
finding timed before it is more often a slip than a fact, so it is asked about, not refused: these
checks raise :class:`~inspection_app.domain.minutes_rules.BeforeArrival` (a ValidationFailed carrying
``arrival`` and ``moment``) unless ``confirmed``; the screen shows the question and, on "yes", calls the
service again with ``confirmed=True``. The roll-call and findings services call them before saving.
"""

from __future__ import annotations

from datetime import datetime, time

from inspection_app.locale import both

from ..domain.localtime import LOCAL_TZ  # local time has one home
from ..domain.minutes_rules import BeforeArrival, before_arrival
from . import visits as visit_service
from .context import AppContext


def team_arrival(ctx: AppContext, visit_id: str) -> datetime | None:
    """The team's arrival as a local wall-clock datetime, or None when not recorded."""
    arrival = visit_service.get_visit(ctx, visit_id).arrival_at
    return arrival.astimezone(LOCAL_TZ).replace(tzinfo=None) if arrival else None


def check_roll_call_arrival(ctx: AppContext, visit_id: str, hhmm: str | None, *,
                            confirmed: bool = False) -> None:
    """Ask before recording a person's arrival ("HH:MM", local) earlier than the team's arrival."""
    arrival = team_arrival(ctx, visit_id)
    if not hhmm or arrival is None:
        return
    hh, mm = (int(x) for x in hhmm.split(":"))
    before_arrival(time(hh, mm), arrival.time(), *both("Giờ đến ghi cho người này"),
                   confirmed=confirmed)


def check_finding_time(ctx: AppContext, visit_id: str, occurred_at: datetime | None, *,
                       confirmed: bool = False) -> None:
    """Ask before recording a finding at a time (aware datetime) earlier than the team's arrival."""
    arrival = visit_service.get_visit(ctx, visit_id).arrival_at
    if occurred_at is None or arrival is None:
        return
    local = occurred_at.astimezone(LOCAL_TZ)
    before_arrival(local, arrival.astimezone(LOCAL_TZ), *both("Thời điểm ghi cho phát hiện này"), confirmed=confirmed)


__all__ = ["BeforeArrival", "check_finding_time", "check_roll_call_arrival", "team_arrival"]
