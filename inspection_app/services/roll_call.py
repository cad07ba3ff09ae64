"""Roll call during a visit: the unit's roster (imported from the unit's file), each person's status
and live totals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Literal

from sqlmodel import Session, func, select

from inspection_app.domain.errors import Phrase
from inspection_app.locale import N_p, both

from ..domain import roll_call as rules
from ..domain.collation import name_sort_key, sort_key
from ..domain.errors import ValidationFailed
from ..domain.localtime import LOCAL_TZ  # local time has one home
from ..domain.text import nfc
from ..registers.table import cell_text, find_header, read_table
from ..store.models import RollCallEntry, StaffMember, Unit, Visit
from .common import get_or_404, visit_for_update
from .context import AppContext


@dataclass(frozen=True)
class RollCallRow:
    staff: StaffMember
    entry: RollCallEntry | None

    @property
    def status(self) -> str | None:
        return self.entry.status if self.entry else None


@dataclass(frozen=True)
class RollCallSheet:
    visit_id: str
    rows: list[RollCallRow]
    totals: rules.RollCallTotals


RosterOrder = Literal["file", "name", "department"]


def order_staff(people: list[StaffMember], order: RosterOrder = "file") -> list[StaffMember]:
    """People in the roster file's order, or alphabetically in Vietnamese (by given name, then the whole
    name; ``department`` groups by department first). See :mod:`inspection_app.domain.collation`."""
    if order == "name":
        return sorted(people, key=lambda p: name_sort_key(p.full_name))
    if order == "department":
        return sorted(people, key=lambda p: (sort_key(p.department), name_sort_key(p.full_name)))
    return sorted(people, key=lambda p: (p.roster_row, p.created_at))


def roll_call_sheet(ctx: AppContext, visit_id: str, order: RosterOrder = "file") -> RollCallSheet:
    with ctx.session() as s:
        visit = get_or_404(s, Visit, visit_id, *both("lượt kiểm tra"))
        staff = order_staff(list(s.exec(select(StaffMember).where(StaffMember.unit_id == visit.unit_id,
                                                                  StaffMember.active == True))),  # noqa: E712
                            order)
        entries = {e.staff_id: e for e in s.exec(select(RollCallEntry).where(RollCallEntry.visit_id == visit_id))}
    rows = [RollCallRow(p, entries.get(p.id)) for p in staff]
    return RollCallSheet(visit_id, rows, rules.totals((r.status for r in rows), len(rows)))


def _parse_hhmm(value: str) -> time:
    try:
        hh, mm = value.strip().split(":")
        return time(int(hh), int(mm))
    except (ValueError, AttributeError):
        raise ValidationFailed("Giờ đến phải có dạng HH:MM, ví dụ 07:45.") from None


def set_attendance(ctx: AppContext, visit_id: str, staff_id: str, status: str, arrival_time: str | None = None,
                   reason: str = "", evidence: str = "", note: str = "") -> RollCallEntry:
    """Record one person's status; minutes late are computed from the configured office hours."""
    reason, evidence, note = ((nfc(x or "") or "").strip() for x in (reason, evidence, note))
    rules.validate_entry(status, arrival_time, reason)
    with ctx.session() as s:
        visit = visit_for_update(s, visit_id)
        person = get_or_404(s, StaffMember, staff_id, *both("cán bộ"))
        if person.unit_id != visit.unit_id:
            raise ValidationFailed(N_p("services.roll_call", "Người này không thuộc đơn vị được kiểm tra."))
        entry = s.exec(select(RollCallEntry).where(RollCallEntry.visit_id == visit_id,
                                                   RollCallEntry.staff_id == staff_id)).first()
        entry = entry or RollCallEntry(visit_id=visit_id, staff_id=staff_id)
        entry.status = status
        entry.minutes_late = None
        entry.arrival_time = None
        if status == "late":
            arrival = _parse_hhmm(arrival_time or "")
            day = (visit.arrival_at or visit.created_at).astimezone(LOCAL_TZ).date()
            hours = ctx.settings.hours_for(day)
            entry.arrival_time = arrival.strftime("%H:%M")
            entry.minutes_late = rules.minutes_late(arrival, hours.morning_start, hours.morning_end,
                                                    hours.afternoon_start)
        entry.reason = reason if status.startswith("absent") or status == "left_post" else ""
        entry.evidence = evidence if status == "absent_excused" else ""
        entry.note = note
        entry.recorded_by = ctx.actor
        if visit.status == "draft":
            visit.status = "on_site"
            s.add(visit)
        s.add(entry)
        return entry


def clear_attendance(ctx: AppContext, visit_id: str, staff_id: str) -> None:
    with ctx.session() as s:
        visit_for_update(s, visit_id)
        entry = s.exec(select(RollCallEntry).where(RollCallEntry.visit_id == visit_id,
                                                   RollCallEntry.staff_id == staff_id)).first()
        if entry:
            s.delete(entry)


# --- the roster file -------------------------------------------------------------------------------


def read_roster(data: bytes, filename: str, sheet: str | None = None) -> rules.RosterParse:
    """A roster file (CSV, XLSX, XLS, ODS) read by the shared table reader, parsed, nothing stored.

    Rows the reader refuses (stray quotes, control characters, over-long cells) and cells holding a
    formula with no stored result are reported with the roster's own problems, by row number.
    """
    table = read_table(data, filename, sheet=sheet)
    number, header_cells, rows = find_header(
        table, lambda cells: rules.is_roster_header([cell_text(c) for c in cells]),
        what_vi="có cột “Họ và tên”", what_en="with a “Họ và tên” (full name) column",
    )  # fmt: skip
    header = [cell_text(c) for c in header_cells]
    columns, _ = rules.map_columns(header, rules.ROSTER_COLUMNS)
    used = set(columns.values())
    formula_problems: list[rules.RowProblem] = []

    def text_rows() -> Iterator[tuple[int, list[str]]]:
        for row_number, cells in rows:
            hit = used.intersection(table.formulas.get(row_number, ()))
            if hit:
                names = ", ".join(f"'{header[i]}'" for i in sorted(hit))
                formula_problems.append(rules.RowProblem(
                    row_number,
                    *both("Dòng {row_number}: ô {names} là công thức chưa có kết quả (tệp chưa được mở và lưu bằng Excel/LibreOffice); bỏ qua.", row_number=row_number, names=names)))  # fmt: skip
                continue
            yield row_number, [cell_text(c) for c in cells]

    parsed = rules.parse_roster(header, text_rows())
    reader_problems = [rules.RowProblem(b.row, *both("Dòng {row}: {reason}", row=b.row, reason=Phrase(b.reason_vi, b.reason_en)))
                       for b in table.problems]  # fmt: skip
    parsed.problems = sorted([*parsed.problems, *formula_problems, *reader_problems], key=lambda p: p.row)
    if not parsed.people and not parsed.problems:
        raise ValidationFailed(
            "Tệp {filename} chỉ có dòng tiêu đề (dòng {number}), không có người nào bên dưới.", filename=filename, number=number,
        )
    return parsed


def import_roster(ctx: AppContext, unit_id: str, data: bytes | Path, filename: str | None = None,
                  sheet: str | None = None) -> rules.RosterParse:
    """Add the people of a roster file to a unit; unreadable rows are reported and skipped.

    A person already on the unit's roster is matched by staff code when the file has one (and then
    updated), else by the same cells (:attr:`RosterPerson.identity`), so importing the same file again
    adds nobody. The file's order becomes the order shown.
    """
    if isinstance(data, Path):
        path = data
        filename = filename or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationFailed("Không mở được tệp {path}: {strerror}.", path=path, strerror=exc.strerror) from exc
    parsed = read_roster(data, filename or "roster.csv", sheet)
    with ctx.session() as s:
        get_or_404(s, Unit, unit_id, *both("đơn vị"))
        existing = list(s.exec(select(StaffMember).where(StaffMember.unit_id == unit_id)))
        by_identity: dict[tuple[str, ...], StaffMember] = {}
        for known in existing:
            by_identity.setdefault(_identity(known), known)
        for person in parsed.people:
            member = by_identity.get(person.identity)
            if member is None and person.staff_code:  # first import with codes: match the row as before
                member = by_identity.get(_identity(person, without_code=True))
                if member is not None and member.staff_code:
                    member = None
            if member is None:
                member = StaffMember(unit_id=unit_id, full_name=person.full_name)
                by_identity[person.identity] = member
            member.full_name = person.full_name
            member.position = person.position
            member.department = person.department
            member.employment_type = person.employment_type
            member.staff_code = person.staff_code
            member.roster_row = person.row
            member.active = True
            s.add(member)
    return parsed


def _identity(member: StaffMember | rules.RosterPerson, without_code: bool = False) -> tuple[str, ...]:
    return rules.RosterPerson(0, rules.clean_text(member.full_name), rules.clean_text(member.position),
                              rules.clean_text(member.department), rules.clean_text(member.employment_type),
                              "" if without_code else rules.clean_text(member.staff_code)).identity  # fmt: skip


def next_roster_row(session: Session, unit_id: str) -> int:
    """The place after the last person of a unit's roster, for a person added by hand."""
    last = session.exec(select(func.max(StaffMember.roster_row)).where(StaffMember.unit_id == unit_id)).one()
    return (last or 0) + 1
