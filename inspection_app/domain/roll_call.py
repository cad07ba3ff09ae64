"""Roll call: reading a roster, per-person status, minutes late, totals and rates.

Pure rules: the table comes in already read (``registers.table``) and office hours come in as
plain times, so everything here is testable without files or settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time

from inspection_app.locale import both

from .errors import ValidationFailed
from .text import fold, nfc, unify_tone_marks

STATUSES = ("present", "late", "absent_excused", "absent_unexcused", "left_post")

STATUS_LABELS = {
    "present": {"vi": "Có mặt", "en": "Present"},
    "late": {"vi": "Đi muộn", "en": "Late"},
    "absent_excused": {"vi": "Vắng có lý do", "en": "Absent with reason"},
    "absent_unexcused": {"vi": "Vắng không lý do", "en": "Absent without reason"},
    "left_post": {"vi": "Rời vị trí", "en": "Left post"},
}

# Reasons for an excused absence and the evidence each one calls for.
ABSENCE_REASONS = {
    "business_trip": {"vi": "Đi công tác", "en": "Official travel", "evidence_vi": "Giấy đi công tác / quyết định cử",
                      "evidence_en": "Travel order"},
    "leave": {"vi": "Nghỉ phép", "en": "Annual leave", "evidence_vi": "Đơn nghỉ phép được duyệt",
              "evidence_en": "Approved leave form"},
    "sick": {"vi": "Nghỉ ốm", "en": "Sick", "evidence_vi": "Giấy nghỉ ốm / báo cáo lãnh đạo",
             "evidence_en": "Sick note or report to the head"},
    "training": {"vi": "Đi học, tập huấn", "en": "Training", "evidence_vi": "Quyết định cử đi học",
                 "evidence_en": "Training order"},
    "other": {"vi": "Lý do khác", "en": "Other", "evidence_vi": "", "evidence_en": ""},
}

# Roster headers as units write them, folded (no diacritics, lower case).
ROSTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "ten", "ten can bo", "full name", "name"),
    # Rosters that split the name: "Họ đệm" / "Họ và tên đệm" beside "Tên" (the given name).
    "family_name": ("ho dem", "ho va ten dem", "ho va dem", "ho lot", "ho", "family name"),
    "position": ("chuc vu", "chuc danh", "chuc vu chuc danh", "position", "title"),
    "department": ("phong ban", "bo phan", "phong", "don vi", "department"),
    "employment_type": ("loai", "loai hinh", "doi tuong", "hinh thuc", "ngach", "employment type", "type"),
    "staff_code": ("ma can bo", "ma cb", "ma cbccvc", "ma nhan vien", "ma nv", "ma cong chuc", "ma vien chuc",
                   "ma so can bo", "so hieu can bo", "so hieu cong chuc", "ma dinh danh can bo", "staff code",
                   "staff id", "employee id"),
}
MAX_NAME_CHARS = 120
MAX_FIELD_CHARS = 200


@dataclass(frozen=True)
class RosterPerson:
    """One row of a roster: a person is the row, or the staff code when the file has one."""

    row: int
    full_name: str
    position: str = ""
    department: str = ""
    employment_type: str = ""
    staff_code: str = ""

    @property
    def identity(self) -> tuple[str, ...]:
        """What makes two rows one person: the staff code, or else every kept cell of the row.

        Never the folded name: "Hương" and "Hường" are two people, and so are two namesakes in two
        departments. Cells are compared after the tone-mark style is unified and case folded, so
        "Lê Thị Hoà" and "LÊ THỊ HÒA" in the same post are one person written twice.
        """
        if self.staff_code:
            return ("code", self.staff_code.casefold())
        return ("row", *(v.casefold() for v in (self.full_name, self.position, self.department,
                                                  self.employment_type)))  # fmt: skip


@dataclass(frozen=True)
class RowProblem:
    row: int
    vi: str
    en: str


@dataclass
class RosterParse:
    people: list[RosterPerson] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # field -> header as written
    unmapped: list[str] = field(default_factory=list)


def clean_text(value: str | None) -> str:
    """A roster cell as stored: NFC, one tone-mark style, single spaces."""
    return " ".join(unify_tone_marks(nfc(value or "") or "").split())


def map_columns(header: list[str], synonyms: dict[str, tuple[str, ...]]) -> tuple[dict[str, int], list[str]]:
    """Match headers to fields forgivingly; returns field -> column index, and unmapped headers."""
    folded = [fold(h) for h in header]
    found: dict[str, int] = {}
    for name, keys in synonyms.items():
        for idx, h in enumerate(folded):
            if idx in found.values():
                continue
            if h in keys:
                found[name] = idx
                break
    unmapped = [header[i] for i in range(len(header)) if i not in found.values() and header[i]]
    return found, unmapped


def is_roster_header(header: list[str]) -> bool:
    return "full_name" in map_columns(header, ROSTER_COLUMNS)[0]


def parse_roster(header: list[str], rows: Iterable[tuple[int, list[str]]]) -> RosterParse:
    """People of a roster, in the file's order; every row left out is a problem with its row number.

    A row is left out when it has no name, a name with digits, a cell over its length limit, or
    when it repeats an earlier row (the same staff code, or the same cells: see
    :attr:`RosterPerson.identity`).
    """
    cols, unmapped = map_columns(header, ROSTER_COLUMNS)
    if "full_name" not in cols:
        raise ValidationFailed(
            "Không tìm thấy cột 'Họ và tên' trong danh sách. Các cột có: {header}", header=", ".join(header),
        )
    result = RosterParse(mapping={k: header[i] for k, i in cols.items()}, unmapped=unmapped)
    first_row: dict[tuple[str, ...], int] = {}
    for number, cells in rows:
        def get(name: str) -> str:
            idx = cols.get(name)
            return clean_text(cells[idx]) if idx is not None and idx < len(cells) else ""  # noqa: B023

        name = " ".join(x for x in (get("family_name"), get("full_name")) if x)
        if not name:
            result.problems.append(RowProblem(number, *both("Dòng {number}: thiếu họ và tên, bỏ qua.", number=number)))
            continue
        if len(name) > MAX_NAME_CHARS:
            result.problems.append(RowProblem(
                number, *both("Dòng {number}: họ và tên dài {n} ký tự, quá giới hạn {max_name_chars}; bỏ qua.", number=number, n=len(name), max_name_chars=MAX_NAME_CHARS)))  # fmt: skip
            continue
        if any(ch.isdigit() for ch in name):
            result.problems.append(RowProblem(number, *both("Dòng {number}: họ và tên '{name}' chứa chữ số, bỏ qua.", number=number, name=name)))
            continue
        values = {f: get(f) for f in ("position", "department", "employment_type", "staff_code")}
        too_long = [f for f, v in values.items() if len(v) > MAX_FIELD_CHARS]
        if too_long:
            header_name = header[cols[too_long[0]]]
            result.problems.append(RowProblem(
                number, *both("Dòng {number}: cột '{header_name}' dài quá {max_field_chars} ký tự; bỏ qua.", number=number, header_name=header_name, max_field_chars=MAX_FIELD_CHARS)))  # fmt: skip
            continue
        person = RosterPerson(number, name, **values)
        first = first_row.get(person.identity)
        if first is not None:
            if person.staff_code:
                vi = f"Dòng {number}: mã cán bộ {person.staff_code} trùng với dòng {first}; bỏ qua."
                en = f"Row {number}: staff code {person.staff_code} repeats row {first}; skipped."
            else:
                vi = f"Dòng {number}: '{name}' lặp lại đúng dòng {first} (cùng họ tên, chức vụ, phòng ban); bỏ qua."
                en = f"Row {number}: '{name}' repeats row {first} (same name, position, department); skipped."
            result.problems.append(RowProblem(number, vi, en))
            continue
        first_row[person.identity] = number
        result.people.append(person)
    return result


def minutes_late(arrival: time, morning_start: time, morning_end: time, afternoon_start: time) -> int:
    """Minutes after the start of the session the arrival falls in (0 when on time)."""
    def minutes(t: time) -> int:
        return t.hour * 60 + t.minute

    a = minutes(arrival)
    start = minutes(afternoon_start) if a >= minutes(morning_end) else minutes(morning_start)
    return max(0, a - start)


@dataclass(frozen=True)
class RollCallTotals:
    roster: int
    present: int
    late: int
    absent_excused: int
    absent_unexcused: int
    left_post: int
    not_recorded: int

    @property
    def at_work(self) -> int:
        """People found at work (present or late)."""
        return self.present + self.late

    @property
    def attendance_rate(self) -> float:
        return self.at_work / self.roster if self.roster else 0.0

    @property
    def violations(self) -> int:
        """Late, absent without reason or off their post: what the minutes count as breaches."""
        return self.late + self.absent_unexcused + self.left_post

    def as_rows(self, lang: str = "vi") -> list[tuple[str, str]]:
        """The totals as label/value rows for the minutes and the app."""
        pct = f"{self.attendance_rate * 100:.1f}%".replace(".", "," if lang == "vi" else ".")
        labels = {
            "vi": ["Tổng số theo danh sách", "Có mặt đúng giờ", "Đi muộn", "Vắng có lý do",
                   "Vắng không lý do", "Rời vị trí", "Chưa điểm danh", "Tỷ lệ có mặt"],
            "en": ["On the roster", "Present on time", "Late", "Absent with reason",
                   "Absent without reason", "Left post", "Not yet recorded", "Attendance rate"],
        }[lang]
        values = [self.roster, self.present, self.late, self.absent_excused, self.absent_unexcused,
                  self.left_post, self.not_recorded, pct]
        return [(label, str(v)) for label, v in zip(labels, values)]


def totals(statuses: Iterable[str | None], roster_size: int) -> RollCallTotals:
    counts = dict.fromkeys(STATUSES, 0)
    recorded = 0
    for status in statuses:
        if status in counts:
            counts[status] += 1
            recorded += 1
    return RollCallTotals(roster=roster_size, not_recorded=max(0, roster_size - recorded), **counts)


def validate_entry(status: str, arrival: str | None, reason: str) -> None:
    """Rules a roll-call entry must meet, with messages for the person entering it."""
    if status not in STATUSES:
        raise ValidationFailed("Trạng thái không hợp lệ: {status}", status=status)
    if status == "late" and not arrival:
        raise ValidationFailed("Người đi muộn cần giờ đến (HH:MM).")
    if status == "absent_excused" and not reason.strip():
        raise ValidationFailed("Vắng có lý do cần ghi lý do.")
