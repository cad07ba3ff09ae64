"""Units and their staff rosters."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from ..domain.errors import ValidationFailed
from ..domain.roll_call import RosterParse, parse_roster
from ..domain.text import nfc
from ..registers.table_reader import read_table
from ..store.models import StaffMember, Unit
from .common import get_or_404
from .context import AppContext


def list_units(ctx: AppContext) -> list[Unit]:
    with ctx.session() as s:
        return list(s.exec(select(Unit).order_by(Unit.name)))


def get_unit(ctx: AppContext, unit_id: str) -> Unit:
    with ctx.session() as s:
        return get_or_404(s, Unit, unit_id, "đơn vị", "unit")


def create_unit(ctx: AppContext, name: str, kind: str = "", parent_agency: str = "", address: str = "",
                head_name: str = "") -> Unit:
    name = " ".join((nfc(name) or "").split())
    if not name:
        raise ValidationFailed("Cần nhập tên đơn vị.", "The unit's name is required.")
    with ctx.session() as s:
        unit = Unit(name=name, kind=kind, parent_agency=parent_agency, address=address, head_name=head_name)
        s.add(unit)
        return unit


def list_staff(ctx: AppContext, unit_id: str, active_only: bool = True) -> list[StaffMember]:
    with ctx.session() as s:
        q = select(StaffMember).where(StaffMember.unit_id == unit_id)
        if active_only:
            q = q.where(StaffMember.active == True)  # noqa: E712
        return list(s.exec(q.order_by(StaffMember.department, StaffMember.full_name)))


def add_staff(ctx: AppContext, unit_id: str, full_name: str, position: str = "", department: str = "",
              employment_type: str = "") -> StaffMember:
    full_name = " ".join((nfc(full_name) or "").split())
    if not full_name:
        raise ValidationFailed("Cần nhập họ và tên.", "The person's full name is required.")
    with ctx.session() as s:
        get_or_404(s, Unit, unit_id, "đơn vị", "unit")
        person = StaffMember(unit_id=unit_id, full_name=full_name, position=position, department=department,
                             employment_type=employment_type)
        s.add(person)
        return person


def import_roster(ctx: AppContext, unit_id: str, data: bytes | Path, filename: str | None = None,
                  sheet: str | None = None) -> RosterParse:
    """Add the people of a roster file to a unit; unreadable rows are reported and skipped.

    People already on the roster (same name and position) are not added twice, so importing the
    same file again is harmless.
    """
    if isinstance(data, Path):
        filename = filename or data.name
        try:
            data = data.read_bytes()
        except OSError as exc:
            raise ValidationFailed(f"Không mở được tệp {data}: {exc.strerror}.",
                                   f"Could not open the file {data}: {exc.strerror}.") from exc
    table = read_table(data, filename or "roster.csv", sheet)
    parsed = parse_roster(table.header, table.rows)
    with ctx.session() as s:
        get_or_404(s, Unit, unit_id, "đơn vị", "unit")
        existing = {(p.full_name, p.position) for p in s.exec(select(StaffMember).where(StaffMember.unit_id == unit_id))}
        for person in parsed.people:
            if (person.full_name, person.position) in existing:
                continue
            s.add(StaffMember(unit_id=unit_id, full_name=person.full_name, position=person.position,
                              department=person.department, employment_type=person.employment_type))
    return parsed
