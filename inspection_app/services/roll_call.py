"""Roll call during a visit: the unit's roster with each person's status and live totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from sqlmodel import select

from ..domain import roll_call as rules
from ..domain.errors import ValidationFailed
from ..domain.text import nfc
from ..store.models import RollCallEntry, StaffMember, Visit
from .common import get_or_404, visit_for_update
from .context import AppContext

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class RollCallRow:
    staff: StaffMember
    entry: RollCallEntry | None

    @property
    def status(self) -> str | None:
        return self.entry.status if self.entry else None


@dataclass(frozen=True)
class RollCallSheet:
    visit_id: str
    rows: list[RollCallRow]
    totals: rules.RollCallTotals


def roll_call_sheet(ctx: AppContext, visit_id: str) -> RollCallSheet:
    with ctx.session() as s:
        visit = get_or_404(s, Visit, visit_id, "lượt kiểm tra", "visit")
        staff = list(s.exec(select(StaffMember).where(StaffMember.unit_id == visit.unit_id,
                                                      StaffMember.active == True)  # noqa: E712
                            .order_by(StaffMember.department, StaffMember.full_name)))
        entries = {e.staff_id: e for e in s.exec(select(RollCallEntry).where(RollCallEntry.visit_id == visit_id))}
    rows = [RollCallRow(p, entries.get(p.id)) for p in staff]
    return RollCallSheet(visit_id, rows, rules.totals((r.status for r in rows), len(rows)))


def _parse_hhmm(value: str) -> time:
    try:
        hh, mm = value.strip().split(":")
        return time(int(hh), int(mm))
    except (ValueError, AttributeError):
        raise ValidationFailed("Giờ đến phải có dạng HH:MM, ví dụ 07:45.",
                               "The arrival time must look like HH:MM, e.g. 07:45.") from None


def set_attendance(ctx: AppContext, visit_id: str, staff_id: str, status: str, arrival_time: str | None = None,
                   reason: str = "", evidence: str = "", note: str = "") -> RollCallEntry:
    """Record one person's status; minutes late are computed from the configured office hours."""
    reason, evidence, note = (nfc(x or "").strip() for x in (reason, evidence, note))
    rules.validate_entry(status, arrival_time, reason)
    with ctx.session() as s:
        visit = visit_for_update(s, visit_id)
        person = get_or_404(s, StaffMember, staff_id, "cán bộ", "staff member")
        if person.unit_id != visit.unit_id:
            raise ValidationFailed("Người này không thuộc đơn vị được kiểm tra.",
                                   "This person is not on the inspected unit's roster.")
        entry = s.exec(select(RollCallEntry).where(RollCallEntry.visit_id == visit_id,
                                                   RollCallEntry.staff_id == staff_id)).first()
        entry = entry or RollCallEntry(visit_id=visit_id, staff_id=staff_id)
        entry.status = status
        entry.minutes_late = None
        entry.arrival_time = None
        if status == "late":
            arrival = _parse_hhmm(arrival_time or "")
            day = (visit.arrival_at or visit.created_at).astimezone(LOCAL_TZ).date()
            hours = ctx.settings.hours_for(day)
            entry.arrival_time = arrival.strftime("%H:%M")
            entry.minutes_late = rules.minutes_late(arrival, hours.morning_start, hours.morning_end,
                                                    hours.afternoon_start)
        entry.reason = reason if status.startswith("absent") or status == "left_post" else ""
        entry.evidence = evidence if status == "absent_excused" else ""
        entry.note = note
        entry.recorded_by = ctx.actor
        if visit.status == "draft":
            visit.status = "on_site"
            s.add(visit)
        s.add(entry)
        return entry


def clear_attendance(ctx: AppContext, visit_id: str, staff_id: str) -> None:
    with ctx.session() as s:
        visit_for_update(s, visit_id)
        entry = s.exec(select(RollCallEntry).where(RollCallEntry.visit_id == visit_id,
                                                   RollCallEntry.staff_id == staff_id)).first()
        if entry:
            s.delete(entry)
