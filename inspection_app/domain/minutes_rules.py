"""Rules of the minutes that guard what is typed or drawn (pure; no I/O).

- A signature is a signature (issue #13, point 8): :func:`signature_problem`.
- Input limits (issue #11, point 8): :data:`LIMITS` and :func:`check_length`; services enforce them
  and the screens set the same ``max_length`` on their fields, so the limit is said at the field.
- Times before the team's arrival (issue #11, point 2): :func:`before_arrival` and
  :class:`BeforeArrival`, which the screens turn into a confirmation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from inspection_app.locale import N_p, both

from .errors import Phrase, ValidationFailed

# --- a signature is a signature ----------------------------------------------------------------------

#: a drawn signature must run at least this share of the pad's width, in total stroke length …
MIN_STROKE_LENGTH = 0.4
#: … and its marks must span at least these shares of the pad's width and height
MIN_EXTENT_WIDTH = 0.15
MIN_EXTENT_HEIGHT = 0.08


def signature_problem(strokes: Sequence[Sequence[Sequence[float]]], pad_width: float,
                      pad_height: float) -> ValidationFailed | None:
    """Why these pad strokes are not a signature (a tap, two taps, a small wiggle), or None.

    Rule: total stroke length ≥ 40 % of the pad's width, and the marks' bounding box ≥ 15 % of the
    pad's width and 8 % of its height (the pad of the signatures screen is 520 × 200: 208 px of ink
    spanning 78 × 16 px). Units are pad units; the rule is relative, so any pad size works.
    """
    points = [(float(p[0]), float(p[1])) for s in strokes for p in s]
    if pad_width <= 0 or pad_height <= 0 or not points:
        return ValidationFailed("Chữ ký trống: hãy ký vào khung.")
    length = 0.0
    for s in strokes:
        for a, b in zip(s, s[1:]):
            length += math.hypot(float(b[0]) - float(a[0]), float(b[1]) - float(a[1]))
    width = max(p[0] for p in points) - min(p[0] for p in points)
    height = max(p[1] for p in points) - min(p[1] for p in points)
    if (length < MIN_STROKE_LENGTH * pad_width or width < MIN_EXTENT_WIDTH * pad_width
            or height < MIN_EXTENT_HEIGHT * pad_height):
        return ValidationFailed(
            "Nét ký quá ngắn hoặc quá nhỏ để là chữ ký (một lần chạm hay một vệt nhỏ không được nhận). Hãy ký đầy đủ: nét ký dài ít nhất {value}% bề ngang khung, rộng ít nhất {value2}% và cao ít nhất {value3}% khung.", value=round(MIN_STROKE_LENGTH * 100), value2=round(MIN_EXTENT_WIDTH * 100), value3=round(MIN_EXTENT_HEIGHT * 100))
    return None



# --- input limits -------------------------------------------------------------------------------------

#: characters per field; a 4,000-character note still renders (tables split across pages)
LIMITS = {
    "assessment": 6000,  # III. Đánh giá chung
    "unit_opinion": 4000,  # V. Ý kiến của đơn vị
    "remedy": 1500,  # one request to remedy
    "note": 4000,  # a checklist item's note, a finding's description
    "reason": 1000,  # an absence reason, a refusal to sign
    "name": 120,  # a person's full name
    "position": 200,  # a post
}

_FIELD_WORDS = {
    "assessment": both("Phần đánh giá"),
    "unit_opinion": both("Ý kiến của đơn vị"),
    "remedy": both(N_p("domain.minutes_rules", "Nội dung yêu cầu khắc phục")),
    "note": both(N_p("domain.minutes_rules", "Ghi chú")),
    "reason": both(N_p("domain.minutes_rules", "Lý do")),
    "name": both(N_p("domain.minutes_rules", "Họ và tên")),
    "position": both(N_p("domain.minutes_rules", "Chức vụ")),
}


def _vn(n: int) -> str:
    """4000 -> "4.000" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def check_length(field: str, text: str | None) -> str:
    """Return ``text`` if it fits ``LIMITS[field]``; else raise ValidationFailed naming the field,
    the limit and the length typed (nothing is cut silently)."""
    text = text or ""
    limit = LIMITS[field]
    if len(text) > limit:
        vi, en = _FIELD_WORDS[field]
        raise ValidationFailed(
            "{what} dài {n} ký tự, vượt giới hạn {limit2} ký tự. Hãy rút gọn.", what=Phrase(vi, en),
            n=Phrase(_vn(len(text)), f"{len(text):,}"), limit2=Phrase(_vn(limit), f"{limit:,}"),
            field=field, limit=limit)
    return text


# --- times before the team's arrival -----------------------------------------------------------------


class BeforeArrival(ValidationFailed):
    """A time recorded before the team arrived: the screen asks to confirm it (then calls again with
    ``confirmed=True``) rather than refusing it. ``details``: ``arrival`` and ``moment`` (HH:MM)."""


def before_arrival(moment: dt.datetime | dt.time | None, arrival: dt.datetime | dt.time | None,
                   what_vi: str, what_en: str, *, confirmed: bool = False) -> None:
    """Raise :class:`BeforeArrival` when ``moment`` is earlier than the team's ``arrival`` (both local
    wall-clock times of the visit's day, or both aware datetimes) and it was not confirmed.

    Source: the minutes record what the team saw on site (DOMAIN.md, roll call: "Record team arrival
    time"); a late arrival or a finding timed before the team arrived is a typing slip more often than
    a fact, so it is asked about, not refused.
    """
    if confirmed or moment is None or arrival is None:
        return
    if isinstance(moment, dt.datetime) != isinstance(arrival, dt.datetime):
        raise TypeError("compare two datetimes or two times")
    if moment >= arrival:  # type: ignore[operator]  # both datetimes or both times, checked above
        return
    m, a = moment.strftime("%H:%M"), arrival.strftime("%H:%M")
    raise BeforeArrival(
        "{what} ({m}) sớm hơn giờ Đoàn đến ({a}). Có đúng vậy không?", what=Phrase(what_vi, what_en), m=m, a=a,
        arrival=a, moment=m)


__all__ = ["LIMITS", "MIN_EXTENT_HEIGHT", "MIN_EXTENT_WIDTH", "MIN_STROKE_LENGTH", "BeforeArrival",
           "before_arrival", "check_length", "signature_problem"]
