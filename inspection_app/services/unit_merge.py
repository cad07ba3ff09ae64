"""Units that two tablets set up separately (issue #12, point 5).

A tablet's new unit is matched to the office's by its code (``Unit.code``) while a bundle is merged
(``sync.merge``). Units without a code, or whose codes do not conflict, but with the same name, may
still be one unit: they are offered to the reviewer, who merges them. Merging moves the visits,
registers and roster of one unit to the other (each visit's change is audited) and removes it; the
removed id is remembered (``MergedUnit``), so a later bundle naming it lands on the unit kept.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import col

from ..domain.errors import NotFound, ValidationFailed
from ..store import models as m
from .context import AppContext


@dataclass(frozen=True)
class UnitChoice:
    id: str
    name: str
    code: str
    visits: int
    staff: int


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


def candidates(ctx: AppContext) -> list[list[UnitChoice]]:
    """Groups of units with the same name (case and spacing aside) and no two different codes."""
    with ctx.session() as s:
        visits: dict[str, int] = dict(s.execute(select(col(m.Visit.unit_id), func.count()).group_by(col(m.Visit.unit_id))).tuples().all())
        staff: dict[str, int] = dict(s.execute(select(col(m.StaffMember.unit_id), func.count()).group_by(col(m.StaffMember.unit_id))).tuples().all())
        groups: dict[str, list[UnitChoice]] = {}
        for u in s.execute(select(m.Unit).order_by(col(m.Unit.created_at))).scalars():
            groups.setdefault(_key(u.name), []).append(
                UnitChoice(u.id, u.name, u.code, visits.get(u.id, 0), staff.get(u.id, 0)))
    out = []
    for group in groups.values():
        codes = {u.code.strip() for u in group if u.code.strip()}
        if len(group) > 1 and len(codes) <= 1:
            out.append(sorted(group, key=lambda u: (not u.code, -u.visits)))
    return out


def merge_units(ctx: AppContext, keep_id: str, drop_id: str) -> UnitChoice:
    """Move everything of ``drop_id`` to ``keep_id`` and remove ``drop_id``."""
    if keep_id == drop_id:
        raise ValidationFailed("Hãy chọn hai đơn vị khác nhau.")
    with ctx.session() as s:
        keep, drop = s.get(m.Unit, keep_id), s.get(m.Unit, drop_id)
        if keep is None or drop is None:
            raise NotFound("Không tìm thấy đơn vị.")
        if keep.code and drop.code and keep.code.strip() != drop.code.strip():
            raise ValidationFailed(
                "Hai đơn vị có mã khác nhau ({code}, {code2}): đây là hai đơn vị, không gộp.", code=keep.code, code2=drop.code)
        for model in (m.Visit, m.Register, m.StaffMember):
            for row in s.execute(select(model).where(col(model.unit_id) == drop_id)).scalars():
                row.unit_id = keep_id
                s.add(row)
        keep.code = keep.code or drop.code
        for attr in ("kind", "parent_agency", "address", "head_name"):
            if not getattr(keep, attr) and getattr(drop, attr):
                setattr(keep, attr, getattr(drop, attr))
        s.add(keep)
        for alias in s.execute(select(m.MergedUnit).where(col(m.MergedUnit.into_id) == drop_id)).scalars():
            alias.into_id = keep_id
            s.add(alias)
        s.add(m.MergedUnit(unit_id=drop_id, into_id=keep_id, merged_by=ctx.actor))
        s.flush()
        s.delete(drop)
        s.flush()
        n_visits = s.execute(select(func.count()).select_from(m.Visit).where(col(m.Visit.unit_id) == keep_id)).scalar()
        n_staff = s.execute(select(func.count()).select_from(m.StaffMember)
                            .where(col(m.StaffMember.unit_id) == keep_id)).scalar()
        return UnitChoice(keep.id, keep.name, keep.code, n_visits or 0, n_staff or 0)


__all__ = ["UnitChoice", "candidates", "merge_units"]
