"""Units and their staff rosters."""

from __future__ import annotations

from sqlmodel import select

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from ..domain.roll_call import clean_text
from ..domain.text import nfc
from ..store.models import StaffMember, Unit
from .common import get_or_404
from .context import AppContext
from .roll_call import RosterOrder, import_roster, next_roster_row, order_staff

__all__ = ["add_staff", "create_unit", "get_unit", "import_roster", "list_staff", "list_units"]


def list_units(ctx: AppContext) -> list[Unit]:
    with ctx.session() as s:
        return list(s.exec(select(Unit).order_by(Unit.name)))


def get_unit(ctx: AppContext, unit_id: str) -> Unit:
    with ctx.session() as s:
        return get_or_404(s, Unit, unit_id, *both("đơn vị"))


def create_unit(ctx: AppContext, name: str, kind: str = "", parent_agency: str = "", address: str = "",
                head_name: str = "") -> Unit:
    name = " ".join((nfc(name) or "").split())
    if not name:
        raise ValidationFailed("Cần nhập tên đơn vị.")
    with ctx.session() as s:
        unit = Unit(name=name, kind=kind, parent_agency=parent_agency, address=address, head_name=head_name)
        s.add(unit)
        return unit


def list_staff(ctx: AppContext, unit_id: str, active_only: bool = True,
               order: RosterOrder = "file") -> list[StaffMember]:
    """A unit's roster in the file's order (or Vietnamese alphabetical order: see ``roll_call.order_staff``)."""
    with ctx.session() as s:
        q = select(StaffMember).where(StaffMember.unit_id == unit_id)
        if active_only:
            q = q.where(StaffMember.active == True)  # noqa: E712
        return order_staff(list(s.exec(q)), order)


def add_staff(ctx: AppContext, unit_id: str, full_name: str, position: str = "", department: str = "",
              employment_type: str = "") -> StaffMember:
    full_name = clean_text(full_name)
    if not full_name:
        raise ValidationFailed("Cần nhập họ và tên.")
    with ctx.session() as s:
        get_or_404(s, Unit, unit_id, *both("đơn vị"))
        person = StaffMember(unit_id=unit_id, full_name=full_name, position=position, department=department,
                             employment_type=employment_type, roster_row=next_roster_row(s, unit_id))
        s.add(person)
        return person
