"""Working days and timeliness: weekends, Tết, make-up Saturdays, configured days off."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from inspection_app.domain.calendar import WorkingCalendar, vietnam_calendar
from inspection_app.domain.timeliness import Timeliness, assess_apology, classify, status_of

CAL = vietnam_calendar([2025, 2026], extra_days_off=[date(2026, 2, 23)], makeup_days=[date(2026, 2, 28)])


def test_vietnam_calendar_holidays_and_makeup_days():
    assert not CAL.is_working_day(date(2025, 1, 29))  # Tết Nguyên Đán 2025
    assert not CAL.is_working_day(date(2025, 9, 2))  # Quốc khánh
    assert not CAL.is_working_day(date(2025, 5, 2))  # swapped day off …
    assert CAL.is_working_day(date(2025, 4, 26))  # … made up on Saturday 26/4/2025 (from the package)
    assert not CAL.is_working_day(date(2026, 2, 23))  # configured extra Tết day off
    assert CAL.is_working_day(date(2026, 2, 28))  # configured make-up Saturday
    assert not CAL.is_working_day(date(2025, 7, 19)) and not CAL.is_working_day(date(2025, 7, 20))
    assert CAL.is_working_day(date(2025, 7, 21))


def test_calendar_round_trips_and_restricts():
    assert WorkingCalendar.from_dict(CAL.to_dict()) == CAL
    only_2026 = CAL.restricted_to([2026])
    assert all(d.year == 2026 for d in only_2026.days_off | only_2026.makeup_days)
    assert vietnam_calendar([]) == WorkingCalendar()


def test_makeup_day_wins_over_a_listed_day_off():
    cal = vietnam_calendar([2025], extra_days_off=[date(2025, 7, 19)], makeup_days=[date(2025, 7, 19)])
    assert cal.is_working_day(date(2025, 7, 19))


def test_working_days_over_tet():
    # Due Friday 24/1/2025; Tết closes 27–31/1; the next working day is Monday 3/2.
    assert CAL.working_days_after(date(2025, 1, 24), date(2025, 2, 3)) == 1
    assert CAL.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    result = classify(datetime(2025, 1, 24, 17), datetime(2025, 2, 3, 8), CAL)
    assert result.status is Timeliness.LATE and result.working_days == 1
    # 2026: package Tết 16–20/2, configured extra day off Monday 23/2
    assert CAL.working_days_after(date(2026, 2, 13), date(2026, 2, 25)) == 2


def test_working_days_over_a_makeup_saturday():
    # Friday 25/4/2025 due; Saturday 26/4 is a make-up working day: returning then is 1 day late.
    assert classify(date(2025, 4, 25), datetime(2025, 4, 26, 9), CAL).working_days == 1
    assert CAL.working_days_after(date(2025, 4, 25), date(2025, 4, 28)) == 2  # Sat 26 + Mon 28
    # 30/4, 1/5 and the swapped 2/5 are off; Monday 5/5 is the next working day
    assert CAL.working_days_after(date(2025, 4, 29), date(2025, 5, 5)) == 1
    assert CAL.add_working_days(date(2025, 4, 25), 2) == date(2025, 4, 28)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2025, 4, 25), -1)


def test_on_time_is_about_the_date_not_the_hour():
    result = classify(datetime(2025, 7, 16, 0, 0), datetime(2025, 7, 16, 16, 45), CAL)
    assert result.status is Timeliness.ON_TIME and result.working_days == 0
    assert result.result_date == date(2025, 7, 16) and result.basis == "returned"


def test_early_counts_working_days_before_the_due_date():
    result = classify(date(2025, 7, 21), datetime(2025, 7, 17, 10), CAL)  # Thu → due Mon
    assert result.status is Timeliness.EARLY and result.working_days == 2  # Fri 18, Mon 21


def test_late_on_a_weekend_is_at_least_one_day_late():
    result = classify(date(2025, 7, 18), datetime(2025, 7, 19, 9), CAL)  # due Fri, returned Sat
    assert result.status is Timeliness.LATE and result.working_days == 1


def test_finished_stands_in_for_returned():
    result = classify(date(2025, 7, 18), None, CAL, finished=datetime(2025, 7, 18, 11))
    assert result.status is Timeliness.ON_TIME and result.basis == "finished"


def test_pending_overdue_unknown():
    assert classify(date(2025, 7, 18), None, CAL, as_of=date(2025, 7, 18)).status is Timeliness.PENDING
    assert classify(date(2025, 7, 18), None, CAL).status is Timeliness.PENDING
    overdue = classify(date(2025, 7, 18), None, CAL, as_of=date(2025, 7, 22))
    assert overdue.status is Timeliness.OVERDUE and overdue.working_days == 2
    assert classify(None, datetime(2025, 7, 18), CAL).status is Timeliness.UNKNOWN


def test_status_of_needs_no_calendar():
    assert status_of(date(2025, 7, 18), date(2025, 7, 21)) is Timeliness.LATE
    assert status_of(date(2025, 7, 18), date(2025, 7, 17)) is Timeliness.EARLY
    assert status_of(date(2025, 7, 18), None, date(2025, 7, 19)) is Timeliness.OVERDUE
    assert Timeliness.LATE.label_vi == "Quá hạn" and Timeliness.LATE.label_en == "Late"


def test_late_dossier_without_apology_letter_is_flagged():
    due = date(2025, 7, 18)
    late = classify(due, datetime(2025, 7, 23, 9), CAL)
    missing = assess_apology(late, due, letter_sent=False)
    assert missing.required and missing.flagged and "Mẫu 04" in missing.reasons_vi[0]
    assert assess_apology(late, due, letter_sent=None).flagged  # not checked yet: still flagged
    ok = assess_apology(late, due, letter_sent=True, letter_date=date(2025, 7, 17), new_due=date(2025, 7, 25))
    assert ok.required and not ok.flagged
    sent_late = assess_apology(late, due, letter_sent=True, letter_date=date(2025, 7, 18))
    assert sent_late.flagged and "before the due date" in sent_late.reasons_en[0]
    not_kept = assess_apology(late, due, letter_sent=True, letter_date=date(2025, 7, 16), new_due=date(2025, 7, 22))
    assert not_kept.flagged and "new date" in not_kept.reasons_en[0]
    on_time = classify(due, datetime(2025, 7, 18, 9), CAL)
    assert assess_apology(on_time, due, letter_sent=False) == assess_apology(on_time, due, letter_sent=None)
    assert not assess_apology(on_time, due, letter_sent=False).flagged
