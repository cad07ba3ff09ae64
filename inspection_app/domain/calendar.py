"""The working-day calendar that timeliness is measured against.

A calendar is data: a set of days off that would otherwise be working days (public holidays, the
extra Tết days a government decision adds) and a set of make-up working days that would otherwise
be a weekend (the Saturday worked to bridge a holiday). Monday to Friday are working days unless
they are days off; Saturday and Sunday are not, unless they are make-up days.

The calendar is passed in, never read from configuration here, so a recorded sample can carry the
exact calendar it was drawn with and be re-drawn after the holiday data has changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkingCalendar:
    """Days off and make-up working days; everything else follows the Mon–Fri week."""

    days_off: frozenset[date] = field(default_factory=frozenset)
    makeup_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_days:
            return True
        if day.weekday() >= 5:
            return False
        return day not in self.days_off

    def working_days_after(self, start: date, end: date) -> int:
        """Working days in the half-open span (start, end]; 0 when end <= start."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return count

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (a due date from a processing time)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day = start
        while days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def to_dict(self) -> dict[str, list[str]]:
        """A JSON-friendly form (ISO dates, sorted) so a sample can record its calendar."""
        return {
            "days_off": sorted(d.isoformat() for d in self.days_off),
            "makeup_days": sorted(d.isoformat() for d in self.makeup_days),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Iterable[str]]) -> WorkingCalendar:
        return cls(
            days_off=frozenset(date.fromisoformat(d) for d in data.get("days_off", ())),
            makeup_days=frozenset(date.fromisoformat(d) for d in data.get("makeup_days", ())),
        )

    def restricted_to(self, years: Iterable[int]) -> WorkingCalendar:
        """Only the days in the given years (what a recorded sample needs to carry)."""
        wanted = set(years)
        return WorkingCalendar(
            days_off=frozenset(d for d in self.days_off if d.year in wanted),
            makeup_days=frozenset(d for d in self.makeup_days if d.year in wanted),
        )


def vietnam_calendar(
    years: Iterable[int],
    extra_days_off: Iterable[date] = (),
    makeup_days: Iterable[date] = (),
) -> WorkingCalendar:
    """Vietnam's public holidays for `years` (from the `holidays` package) plus configured days.

    The package knows the statutory holidays, their observed days and the swaps the government
    announced (its `weekend_workdays` are make-up Saturdays). Tết is often extended for public
    servants by a later decision; `extra_days_off` and `makeup_days` cover what it does not know.
    A day listed in both `extra_days_off` and `makeup_days` is a make-up day (the later decision
    wins over a holiday that was swapped away).
    """
    import holidays  # third-party data, no I/O; imported here to keep domain import cheap

    years = sorted(set(years))
    vn = holidays.country_holidays("VN", years=years) if years else None
    off = set(vn.keys()) if vn is not None else set()
    makeup = {d for d in (vn.weekend_workdays if vn is not None else ()) if d.year in years}
    off.update(extra_days_off)
    makeup.update(makeup_days)
    off.difference_update(makeup)
    return WorkingCalendar(days_off=frozenset(off), makeup_days=frozenset(makeup))
