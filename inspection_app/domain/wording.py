"""The wording of official documents (Decree 30/2020/NĐ-CP conventions): numbers with a leading
zero, Vietnamese dates, clock times, and the fixed sentences of the minutes (opening, closing,
refusal, "Nơi nhận"). Pure text: no records, no I/O; :mod:`.minutes` builds on it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Refusal(Protocol):
    """What the closing sentence needs of a refusal to sign (``minutes.SignatureMark`` has it)."""

    @property
    def name(self) -> str: ...

    @property
    def refusal_reason(self) -> str: ...


def two_digits(n: int) -> str:
    """Decree 30: numbers below 10 are written with a leading zero."""
    return f"{n:02d}"


#: the gap left for the văn thư to write the number by hand (no-break spaces survive paragraph markup)
BLANK_NUMBER = "\u00a0" * 8


def format_minutes_number(number: int | None, code: str) -> str:
    """"12/BB-SNV"; without a number (no block reserved, or a draft) a blank gap "        /BB-SNV"
    that the records office fills in (Decree 30, PL I, II.3.a)."""
    return f"{two_digits(number) if number is not None else BLANK_NUMBER}/{code}"


def number_line(number: int | None, code: str) -> str:
    return f"Số: {format_minutes_number(number, code)}"


def vn_date(day: dt.date) -> str:
    """"ngày 05 tháng 02 năm 2026": days below 10 and months 1–2 get a leading zero (Decree 30)."""
    month = two_digits(day.month) if day.month < 3 else str(day.month)
    return f"ngày {two_digits(day.day)} tháng {month} năm {day.year}"


def date_line(place: str, day: dt.date) -> str:
    """"Tây Ninh, ngày 14 tháng 7 năm 2026"."""
    return f"{place}, {vn_date(day)}"


def short_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def clock(moment: dt.datetime | dt.time) -> str:
    """"08 giờ 05 phút"."""
    return f"{two_digits(moment.hour)} giờ {two_digits(moment.minute)} phút"


VISIT_KIND_WORDS = {"planned": "theo kế hoạch", "unannounced": "đột xuất"}


def opening_sentence(start: dt.datetime, venue: str, team_name: str, unit_name: str,
                     visit_kind: str = "") -> str:
    """The opening: time, place, who, and whether the visit was planned or unannounced."""
    kind = VISIT_KIND_WORDS.get(visit_kind, "")
    what = f"kiểm tra công vụ {kind}" if kind else "kiểm tra công vụ"
    return (
        f"Hôm nay, vào lúc {clock(start)}, {vn_date(start.date())}, tại {venue}, "
        f"{team_name} tiến hành {what} tại {unit_name}."
    )


def copies_words(n: int) -> str:
    return two_digits(n)


#: Decree 30 end mark, after the last sentence of the text
END_MARK = "./."


def _copies_clause(copies: int) -> str:
    copies = max(1, copies)
    if copies == 2:
        return f"lập thành {copies_words(copies)} bản, mỗi bên giữ 01 bản"
    return (f"lập thành {copies_words(copies)} bản, đơn vị được kiểm tra giữ 01 bản, "
            f"Đoàn kiểm tra giữ {copies_words(copies - 1)} bản")


def closing_sentence(end: dt.datetime, copies: int = 2, *, same_day: bool = True,
                     refusal: Refusal | None = None, unit_name: str = "") -> str:
    """The closing sentence of the minutes, with the end time filled in and the "./." end mark.

    After a refusal to sign it records the refusal and its reason and does not say the parties
    agreed ("thống nhất"); the minutes stay valid with the team's signatures.
    """
    when = "cùng ngày" if same_day else vn_date(end.date())
    head = f"Biên bản kết thúc lúc {clock(end)} {when}, đã đọc lại cho các bên cùng nghe"
    if refusal is None:
        return f"{head}, thống nhất và {_copies_clause(copies)}{END_MARK}"
    who = f"Đại diện {unit_name}" if unit_name else "Đại diện đơn vị được kiểm tra"
    if refusal.name:
        who += f" ({refusal.name})"
    return (f"{head}. {who} {refusal_sentence(refusal.refusal_reason)} Biên bản có chữ ký của các "
            f"thành viên Đoàn kiểm tra và được {_copies_clause(copies)}{END_MARK}")


def refusal_sentence(reason: str) -> str:
    """"từ chối ký biên bản, lý do: …." (the sentence of section V and of the closing)."""
    reason = " ".join(reason.split()).rstrip(".")
    return f"từ chối ký biên bản, lý do: {reason}." if reason else "từ chối ký biên bản, không nêu lý do."


def distinct_parts(*parts: str) -> str:
    """Join the non-empty parts with ", ", leaving out one that repeats another (case-insensitive)
    or is contained in a longer one: "Chủ tịch UBND phường" is printed once, not twice."""
    kept: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        low = part.casefold()
        if any(low in k.casefold() for k in kept):
            continue
        kept = [k for k in kept if k.casefold() not in low] + [part]
    return ", ".join(kept)


def recipients_lines(unit_name: str, director: str, drafting_unit: str) -> tuple[str, ...]:
    """The "Nơi nhận" list (Decree 30, PL I, II.9; Mẫu 1.9): the unit, the Director "để báo cáo",
    and "Lưu: VT, <drafting unit's abbreviation>" last."""
    lines = []
    if unit_name:
        lines.append(f"{unit_name};")
    if director:
        lines.append(f"{director} (để báo cáo);")
    lines.append("Lưu: VT" + (f", {drafting_unit.strip()}" if drafting_unit.strip() else "") + ".")
    return tuple(lines)


def refusal_text(reason: str) -> str:
    reason = reason.strip().rstrip(".")
    return f"(Từ chối ký. Lý do: {reason}.)" if reason else "(Từ chối ký, không nêu lý do.)"
