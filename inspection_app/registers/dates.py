"""Dates as registers write them: day first, with or without a time, compact, or Excel serials.

Accepted (day always before month; Vietnam does not write month first):
- ``dd/mm/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``, with one-digit day or month too;
- the same followed (or preceded) by ``HH:mm`` or ``HH:mm:ss`` (``08h30`` too, and AM/PM, SA/CH);
- ``yyyyMMddHHmmss``, ``yyyyMMddHHmm``, ``yyyyMMdd``;
- ISO ``yyyy-mm-dd`` with an optional ``THH:mm[:ss]``;
- Excel serial day numbers (``45852`` or ``45852.354``), as numbers or as text (up to 5 digits
  before the point); a whole number of 8 or more digits is read as the compact form.

Values become naive local date-times rounded to the second; a date alone is midnight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

_EXCEL_EPOCH = datetime(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31

_TIME = r"(\d{1,2})\s*[:hH]\s*(\d{2})(?:\s*:\s*(\d{2})(?:\.\d+)?)?\s*(am|pm|sa|ch|AM|PM|SA|CH)?"
_DMY = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})"
_DMY_TIME = re.compile(rf"^{_DMY}(?:[\sT,]+{_TIME})?$")
_TIME_DMY = re.compile(rf"^{_TIME}[\s,]+{_DMY}$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
_SERIAL = re.compile(r"^\d{1,5}(?:\.\d+)?$")  # up to 99999: the year 2173


class DateFormatError(ValueError):
    """A value that is not a date in any accepted format."""


def excel_serial(value: float, epoch: datetime = _EXCEL_EPOCH) -> datetime:
    """A serial day number on a workbook's calendar: day zero 1899-12-30, or 1904-01-01 for a workbook
    saved with the 1904 date system (ECMA-376 Part 1, §18.17.4.1)."""
    if not 0 < value <= _MAX_SERIAL:
        raise DateFormatError(f"serial {value!r} out of range")
    return _round_to_second(epoch + timedelta(days=value))


def _round_to_second(value: datetime) -> datetime:
    if value.microsecond:
        value = value.replace(microsecond=0) + timedelta(seconds=1 if value.microsecond >= 500_000 else 0)
    return value


def _hour(hour: str, suffix: str | None) -> int:
    h = int(hour)
    if suffix:
        pm = suffix.lower() in ("pm", "ch")
        if not 1 <= h <= 12:
            raise DateFormatError("12-hour time out of range")
        h = h % 12 + (12 if pm else 0)
    return h


def _build(y: str, mo: str, d: str, h: str | None, mi: str | None, s: str | None, suffix: str | None = None) -> datetime:
    try:
        return datetime(
            int(y), int(mo), int(d), _hour(h, suffix) if h else 0, int(mi) if mi else 0, int(s) if s else 0
        )
    except ValueError as exc:  # 31/02, 25:00 …
        raise DateFormatError(str(exc)) from exc


def parse_datetime(value: object, epoch: datetime = _EXCEL_EPOCH) -> datetime | None:
    """A register cell as a date-time; None for an empty cell. Raises DateFormatError.

    `epoch` is day zero for numbers stored in the cell (the workbook's date system); serials written
    as text (a CSV) are always on the 1900 system.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _round_to_second(value.replace(tzinfo=None))
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise DateFormatError("not a date")
    if isinstance(value, int | float):
        if value >= 10_000_000 and float(value).is_integer():  # yyyyMMdd[HHmm[ss]] typed as a number
            value = str(int(value))
        else:
            return excel_serial(float(value), epoch)
    text = str(value).strip()
    if not text:
        return None
    if m := _DMY_TIME.match(text):
        d, mo, y, h, mi, s, suffix = m.groups()
        return _build(y, mo, d, h, mi, s, suffix)
    if m := _COMPACT.match(text):
        return _build(*m.groups())
    if m := _TIME_DMY.match(text):
        h, mi, s, suffix, d, mo, y = m.groups()
        return _build(y, mo, d, h, mi, s, suffix)
    if m := _ISO.match(text):
        return _build(*m.groups())
    if _SERIAL.match(text):
        return excel_serial(float(text))
    raise DateFormatError(f"unrecognised date {text!r}")


_TIME_ONLY = re.compile(rf"^{_TIME}$")


def _parse_time(text: str) -> time:
    m = _TIME_ONLY.match(text)
    if m is None:
        raise DateFormatError(f"unrecognised time {text!r}")
    h, mi, s, suffix = m.groups()
    try:
        return time(_hour(h, suffix), int(mi), int(s) if s else 0)
    except ValueError as exc:
        raise DateFormatError(str(exc)) from exc


class DateParser:
    """parse_datetime with a memory, for one import.

    A register repeats the same few hundred dates and the same times of day over thousands of rows,
    so "14/07/2025 08:30" is read as a remembered date plus a remembered time of day.
    """

    def __init__(self, epoch: datetime = _EXCEL_EPOCH) -> None:
        self._epoch = epoch
        self._memo: dict[str, datetime | None] = {}  # whole values: dates alone, odd formats
        self._days: dict[str, date] = {}  # "14/07/2025" -> date
        self._times: dict[str, time] = {}  # "08:30" -> time
        # The same as the sampling frame writes them: "2025-07-14T", "08:30:00".
        self._day_texts: dict[str, str] = {}
        self._time_texts: dict[str, str] = {}

    def __call__(self, value: object) -> datetime | None:
        if value.__class__ is not str:
            return parse_datetime(value, self._epoch)
        found = self._memo.get(value)  # type: ignore[call-overload]
        if found is not None or value in self._memo:
            return found
        day_part, space, time_part = value.partition(" ")  # type: ignore[attr-defined]
        if space:
            day = self._days.get(day_part)
            clock = self._times.get(time_part)
            if day is not None and clock is not None:
                return datetime.combine(day, clock)
            if ":" not in day_part:
                try:
                    return self._date_and_time(day_part, time_part)
                except DateFormatError:
                    pass
        return self._remember(value)  # type: ignore[arg-type]

    def many(self, values: Iterable[object]) -> dict[object, datetime | None | DateFormatError]:
        """Each of `values` (the distinct cells of a column) and what calling the parser on it gives:
        its date-time, or the DateFormatError that refuses it. The same, in one tight loop for the
        "date time" texts whose day and time of day are already known (most of a register)."""
        days, times, combine = self._days, self._times, datetime.combine
        results: dict[object, datetime | None | DateFormatError] = {}
        for value in values:
            if value.__class__ is str:
                day_part, _, time_part = value.partition(" ")  # type: ignore[attr-defined]
                day = days.get(day_part)
                if day is not None:
                    clock = times.get(time_part)
                    if clock is not None:
                        results[value] = combine(day, clock)
                        continue
            try:
                results[value] = self(value)  # learns the day and the time of day for the next values
            except DateFormatError as exc:
                results[value] = exc
        return results

    def each_with_texts(
        self, values: Sequence[object]
    ) -> tuple[list[datetime | None | DateFormatError], list[str | None], bool]:
        """What calling the parser on each of `values` gives (its date-time, or the DateFormatError that
        refuses it), in one tight loop as :meth:`many`; each result's text as the sampling frame writes
        it (``datetime.isoformat()``, "" for None, None for a refused value), made from the remembered
        texts of its day and time of day; and whether any is refused. For a column whose values mostly
        differ (a reception time to the minute), where finding the distinct ones first costs more than
        it saves, and whose frame text would otherwise be made value by value again."""
        days, times, combine = self._days, self._times, datetime.combine
        day_texts, time_texts = self._day_texts, self._time_texts
        results: list[datetime | None | DateFormatError] = []
        texts: list[str | None] = []
        keep, write = results.append, texts.append
        refused = False
        for value in values:
            if value.__class__ is str:
                day_part, _, time_part = value.partition(" ")  # type: ignore[attr-defined, unused-ignore]
                day = days.get(day_part)
                if day is not None:
                    clock = times.get(time_part)
                    if clock is not None:
                        keep(combine(day, clock))
                        write(day_texts[day_part] + time_texts[time_part])
                        continue
            try:
                result = self(value)
            except DateFormatError as exc:
                keep(exc)
                write(None)
                refused = True
            else:
                keep(result)
                write("" if result is None else result.isoformat())
        return results, texts, refused

    def _date_and_time(self, day_part: str, time_part: str) -> datetime:
        day = self._days.get(day_part)
        if day is None:
            midnight = parse_datetime(day_part)
            if midnight is None or midnight.time() != time():
                raise DateFormatError("not a date alone")
            day = self._days[day_part] = midnight.date()
            self._day_texts[day_part] = f"{day.isoformat()}T"
        clock = self._times.get(time_part)
        if clock is None:
            clock = self._times[time_part] = _parse_time(time_part.strip())
            self._time_texts[time_part] = clock.isoformat()
        return datetime.combine(day, clock)

    def _remember(self, value: str) -> datetime | None:
        self._memo[value] = result = parse_datetime(value)
        return result
