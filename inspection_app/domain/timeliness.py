"""Early, on time or late: a dossier's result date against its due date, in working days.

The rule the one-stop mechanism applies is about dates, not hours: a result handed back at any
time on the due date (ngày hẹn trả) is on time; a day earlier is early; a day later is late. How
early or late is counted in working days of the given :class:`WorkingCalendar`, so a dossier due
the Friday before Tết and returned the first working day after is one working day late, not ten
calendar days. A dossier returned on a non-working day after its due date is still late, and
counts as at least one working day late (the citizen waited past the promised date).

The result date is the "Ngày trả" (returned) when the register has it, else the end of processing
(finished). A dossier with no result date yet is pending, or overdue when the reference date is
already past its due date. A late dossier must have had an apology and extension letter (Form 04)
sent before the due date, and the new date kept; :func:`assess_apology` says which of these failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from inspection_app.domain.calendar import WorkingCalendar


class Timeliness(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    PENDING = "pending"  # not returned yet, due date not passed
    OVERDUE = "overdue"  # not returned yet, due date passed
    UNKNOWN = "unknown"  # no due date

    @property
    def label_vi(self) -> str:
        return _LABELS_VI[self]

    @property
    def label_en(self) -> str:
        return _LABELS_EN[self]


_LABELS_VI = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
    Timeliness.PENDING: "Đang xử lý (trong hạn)",
    Timeliness.OVERDUE: "Đang xử lý (quá hạn)",
    Timeliness.UNKNOWN: "Không xác định",
}
_LABELS_EN = {
    Timeliness.EARLY: "Early",
    Timeliness.ON_TIME: "On time",
    Timeliness.LATE: "Late",
    Timeliness.PENDING: "In progress (within time)",
    Timeliness.OVERDUE: "In progress (overdue)",
    Timeliness.UNKNOWN: "Unknown",
}


@dataclass(frozen=True)
class TimelinessResult:
    status: Timeliness
    working_days: int = 0  # early by / late by, in working days; 0 otherwise
    result_date: date | None = None  # the date compared with the due date
    basis: str | None = None  # "returned" or "finished": which register column gave result_date


def _day(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def status_of(
    due_day: date | None,
    result_day: date | None,
    as_of: date | None = None,
) -> Timeliness:
    """Only the class, from days alone: it needs no calendar (working days measure the amount)."""
    if due_day is None:
        return Timeliness.UNKNOWN
    if result_day is None:
        return Timeliness.OVERDUE if as_of is not None and as_of > due_day else Timeliness.PENDING
    if result_day == due_day:
        return Timeliness.ON_TIME
    return Timeliness.EARLY if result_day < due_day else Timeliness.LATE


def result_day_of(
    returned: date | datetime | None, finished: date | datetime | None
) -> tuple[date | None, str | None]:
    """The day compared with the due date, and which column gave it."""
    day = _day(returned)
    if day is not None:
        return day, "returned"
    day = _day(finished)
    return (day, "finished") if day is not None else (None, None)


def classify(
    due: date | datetime | None,
    returned: date | datetime | None,
    calendar: WorkingCalendar,
    *,
    finished: date | datetime | None = None,
    as_of: date | datetime | None = None,
) -> TimelinessResult:
    """Early / on time / late for one dossier; see the module docstring for the rules."""
    due_day = _day(due)
    result_day, basis = result_day_of(returned, finished)
    ref = _day(as_of)
    status = status_of(due_day, result_day, ref)
    if status is Timeliness.OVERDUE:
        assert due_day is not None and ref is not None
        return TimelinessResult(status, max(1, calendar.working_days_after(due_day, ref)))
    if status is Timeliness.EARLY:
        assert due_day is not None and result_day is not None
        return TimelinessResult(status, calendar.working_days_after(result_day, due_day), result_day, basis)
    if status is Timeliness.LATE:
        assert due_day is not None and result_day is not None
        late_by = max(1, calendar.working_days_after(due_day, result_day))
        return TimelinessResult(status, late_by, result_day, basis)
    if status is Timeliness.ON_TIME:
        return TimelinessResult(status, 0, result_day, basis)
    return TimelinessResult(status)


@dataclass(frozen=True)
class ApologyAssessment:
    """Whether a late dossier's apology and extension letter satisfies the rule."""

    required: bool
    flagged: bool  # True: an inspector must record a finding
    reasons_vi: tuple[str, ...] = ()
    reasons_en: tuple[str, ...] = ()


def assess_apology(
    result: TimelinessResult,
    due: date | datetime | None,
    *,
    letter_sent: bool | None,
    letter_date: date | datetime | None = None,
    new_due: date | datetime | None = None,
) -> ApologyAssessment:
    """Flag a late (or overdue) dossier whose apology letter is missing, late, or not kept.

    `letter_sent` None means the inspector has not checked yet; a late dossier is flagged until the
    letter is recorded, because the flag is what prompts the check.
    """
    if result.status not in (Timeliness.LATE, Timeliness.OVERDUE):
        return ApologyAssessment(required=False, flagged=False)
    vi: list[str] = []
    en: list[str] = []
    if not letter_sent:
        vi.append("Hồ sơ trễ hạn không có văn bản xin lỗi và hẹn lại ngày trả (Mẫu 04).")
        en.append("Late dossier without an apology and extension letter (Form 04).")
    else:
        due_day, sent_day, new_day = _day(due), _day(letter_date), _day(new_due)
        if sent_day is not None and due_day is not None and sent_day >= due_day:
            vi.append("Văn bản xin lỗi không được gửi trước ngày hẹn trả.")
            en.append("The apology letter was not sent before the due date.")
        if new_day is not None:
            if result.result_date is not None and result.result_date > new_day:
                vi.append("Không trả kết quả đúng ngày hẹn lại.")
                en.append("The result was not returned by the new date.")
    return ApologyAssessment(required=True, flagged=bool(vi), reasons_vi=tuple(vi), reasons_en=tuple(en))
