from datetime import time

import pytest

from inspection_app.domain import roll_call as rc
from inspection_app.domain.errors import ValidationFailed


def test_roster_columns_map_forgivingly():
    header = ["STT", "  HỌ VÀ  TÊN ", "Chức vụ", "Phòng ban", "Loại hình", "Số điện thoại"]
    rows = [(2, ["1", "Nguyễn Văn An", "Chủ tịch", "Lãnh đạo", "Công chức", "0909"]),
            (3, ["2", "", "Chuyên viên", "", "", ""]),
            (4, ["3", "Trần Thị Bình", "Chuyên viên", "Văn phòng", "Công chức", ""]),
            (5, ["4", "Trần Thị Bình", "Chuyên viên", "Văn phòng", "Công chức", ""]),
            (6, ["5", "Lê 123", "", "", "", ""])]
    parsed = rc.parse_roster(header, rows)
    assert [p.full_name for p in parsed.people] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert parsed.people[0].department == "Lãnh đạo"
    assert [p.row for p in parsed.problems] == [3, 5, 6]
    assert all(p.vi and p.en for p in parsed.problems)
    assert "Số điện thoại" in parsed.unmapped and parsed.mapping["full_name"] == "  HỌ VÀ  TÊN "


def test_roster_without_name_column_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        rc.parse_roster(["Chức vụ", "Phòng"], [(2, ["a", "b"])])
    assert "Họ và tên" in exc.value.vi and "full name" in exc.value.en


@pytest.mark.parametrize("arrival,expected", [("07:30", 0), ("07:29", 0), ("07:52", 22), ("09:00", 90),
                                              ("13:45", 15), ("13:00", 0)])
def test_minutes_late_against_office_hours(arrival, expected):
    h, m = map(int, arrival.split(":"))
    assert rc.minutes_late(time(h, m), time(7, 30), time(11, 30), time(13, 30)) == expected


def test_totals_and_rates():
    t = rc.totals(["present", "present", "late", "absent_excused", "absent_unexcused", "left_post", None], 8)
    assert (t.present, t.late, t.absent_excused, t.absent_unexcused, t.left_post, t.not_recorded) == (2, 1, 1, 1, 1, 2)
    assert t.at_work == 3 and t.violations == 3
    assert t.attendance_rate == pytest.approx(3 / 8)
    rows = dict(t.as_rows("vi"))
    assert rows["Tỷ lệ có mặt"] == "37,5%"
    assert dict(t.as_rows("en"))["Attendance rate"] == "37.5%"
    assert rc.totals([], 0).attendance_rate == 0.0


def test_entry_rules():
    rc.validate_entry("present", None, "")
    with pytest.raises(ValidationFailed):
        rc.validate_entry("late", None, "")
    with pytest.raises(ValidationFailed):
        rc.validate_entry("absent_excused", None, " ")
    with pytest.raises(ValidationFailed):
        rc.validate_entry("sleeping", None, "")
