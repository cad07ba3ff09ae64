"""The timeliness a dossier's check records (issue #13): confirmed, overridden with a reason, or
unexplained; what the minutes count and print for each (``domain.timeliness_record``)."""

from __future__ import annotations

from inspection_app.domain.timeliness import Timeliness, TimelinessResult
from inspection_app.domain.timeliness_record import (
    annex_label,
    computed_choice,
    record_state,
    recorded_status,
)

LATE = TimelinessResult(Timeliness.LATE, 3)
OVERDUE = TimelinessResult(Timeliness.OVERDUE, 2)
PENDING = TimelinessResult(Timeliness.PENDING)


def test_an_overdue_dossier_is_late_and_a_pending_one_has_nothing_to_confirm():
    assert (computed_choice(LATE), computed_choice(OVERDUE), computed_choice(PENDING)) == ("late", "late", None)


def test_the_state_of_the_record():
    assert record_state(LATE, None, "") == "unconfirmed"
    assert record_state(LATE, "late", "") == "confirmed"
    assert record_state(OVERDUE, "late", "") == "confirmed"
    assert record_state(LATE, "on_time", "Sổ ghi sai ngày trả") == "overridden"
    assert record_state(LATE, "on_time", "  ") == "unexplained"
    assert record_state(PENDING, "on_time", "") == "unexplained"


def test_the_minutes_count_the_recorded_value_and_print_the_registers_beside_an_override():
    assert recorded_status(LATE, None) == "late" and recorded_status(LATE, "on_time") == "on_time"
    assert annex_label(LATE, None, "") == "Quá hạn (3 ngày làm việc) (chưa xác nhận)"
    assert annex_label(OVERDUE, "late", "") == "Quá hạn (2 ngày làm việc)"
    assert annex_label(LATE, "on_time", "Sổ ghi sai ngày trả.") == (
        "Đúng hạn (sửa khi kiểm tra; theo sổ theo dõi: quá hạn (3 ngày làm việc); lý do: Sổ ghi sai ngày trả)")
    assert annex_label(LATE, "on_time", "Wrong date", "en") == (
        "On time (changed on inspection; the register gives: late (3 working days); reason: Wrong date)")
    assert annex_label(LATE, "early", "") == (
        "Trước hạn (sửa khi kiểm tra; theo sổ theo dõi: quá hạn (3 ngày làm việc); lý do: chưa ghi)")
