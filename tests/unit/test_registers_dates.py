"""Register dates: dd/mm/yyyy, with time, compact, ISO, and Excel serials."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from inspection_app.registers.dates import DateFormatError, DateParser, parse_datetime


@pytest.mark.parametrize(
    "value,expected",
    [
        ("14/07/2025", datetime(2025, 7, 14)),
        ("4/7/2025", datetime(2025, 7, 4)),
        ("14-07-2025", datetime(2025, 7, 14)),
        ("14.07.2025", datetime(2025, 7, 14)),
        ("14/07/2025 08:30", datetime(2025, 7, 14, 8, 30)),
        ("14/07/2025 08:30:15", datetime(2025, 7, 14, 8, 30, 15)),
        ("14/07/2025 8h30", datetime(2025, 7, 14, 8, 30)),
        ("14/07/2025 02:30 PM", datetime(2025, 7, 14, 14, 30)),
        ("14/07/2025 02:30 CH", datetime(2025, 7, 14, 14, 30)),
        ("14/07/2025 12:05 SA", datetime(2025, 7, 14, 0, 5)),
        ("08:30 14/07/2025", datetime(2025, 7, 14, 8, 30)),
        ("20250714083015", datetime(2025, 7, 14, 8, 30, 15)),
        ("202507140830", datetime(2025, 7, 14, 8, 30)),
        ("20250714", datetime(2025, 7, 14)),
        ("2025-07-14", datetime(2025, 7, 14)),
        ("2025-07-14T08:30:00", datetime(2025, 7, 14, 8, 30)),
        ("2025-07-14 08:30", datetime(2025, 7, 14, 8, 30)),
        ("45852", datetime(2025, 7, 14)),  # Excel serial as text
        ("45852.5", datetime(2025, 7, 14, 12)),
        (45852, datetime(2025, 7, 14)),  # Excel serial as a number cell
        (45852.354166666664, datetime(2025, 7, 14, 8, 30)),  # rounded to the second
        (20250714083015, datetime(2025, 7, 14, 8, 30, 15)),  # compact typed as a number
        (datetime(2025, 7, 14, 8, 30, 0, 999_999), datetime(2025, 7, 14, 8, 30, 1)),
        (date(2025, 7, 14), datetime(2025, 7, 14)),
        ("  14/07/2025  ", datetime(2025, 7, 14)),
        ("", None),
        (None, None),
    ],
)
def test_accepted_formats(value, expected):
    assert parse_datetime(value) == expected
    assert DateParser()(value) == expected


@pytest.mark.parametrize(
    "value", ["31/02/2025", "14/13/2025", "14/07/2025 25:00", "07/14/2025", "hôm qua", "2025/07", "14/07/25", True, -3]
)
def test_rejected_values(value):
    with pytest.raises(DateFormatError):
        parse_datetime(value)
    with pytest.raises(DateFormatError):
        DateParser()(value)


def test_parser_memory_combines_remembered_date_and_time():
    parse = DateParser()
    assert parse("14/07/2025 08:30") == datetime(2025, 7, 14, 8, 30)
    assert parse("14/07/2025 17:45") == datetime(2025, 7, 14, 17, 45)
    assert parse("15/07/2025 08:30") == datetime(2025, 7, 15, 8, 30)
    with pytest.raises(DateFormatError):
        parse("32/07/2025 08:30")
    with pytest.raises(DateFormatError):
        parse("14/07/2025 08:61")


def test_many_gives_what_the_parser_gives_value_by_value():

    values = ["14/07/2025 08:30", "14/07/2025 17:00", "15/07/2025 08:30", "14/07/2025", "", None, 45852, 45852.5,
              "2025-07-14T08:30:00", "31/02/2025 08:30", "14/07/2025 25:00", "14/07/2025 8h30", "hôm qua",
              "14/07/2025 08:30 CH", datetime(2025, 7, 14, 8, 30, 0, 600_000)]  # fmt: skip
    one_by_one = DateParser()
    expected = {}
    for value in values:
        try:
            expected[value] = one_by_one(value)
        except DateFormatError:
            expected[value] = DateFormatError
    got = DateParser().many(values)
    assert {v: DateFormatError if isinstance(r, DateFormatError) else r for v, r in got.items()} == expected


def test_each_with_texts_gives_what_the_parser_gives_and_the_frame_texts():
    """Value by value, twice over (the second time from the remembered days and times of day): the
    parser's results, and texts that are exactly what the sampling frame writes for them."""
    values = ["14/07/2025 08:30", "14/07/2025 17:00", "15/07/2025 08:30", "14/07/2025", "", None, 45852, 45852.5,
              "2025-07-14T08:30:00", "31/02/2025 08:30", "14/07/2025 25:00", "14/07/2025 8h30", "hôm qua",
              "14/07/2025 08:30 CH", "14/07/2025 08:30:15", "1/1/0999 00:00",
              datetime(2025, 7, 14, 8, 30, 0, 600_000)] * 2  # fmt: skip
    one_by_one = DateParser()
    expected = []
    for value in values:
        try:
            expected.append(one_by_one(value))
        except DateFormatError:
            expected.append(DateFormatError)
    results, texts, refused = DateParser().each_with_texts(values)
    assert [DateFormatError if isinstance(r, DateFormatError) else r for r in results] == expected
    assert texts == [None if r is DateFormatError else "" if r is None else r.isoformat() for r in expected]
    assert refused and "0999-01-01T00:00:00" in texts
