"""Outcomes: what happened to each violator, and the lists the office works from (issue #12, point 2).

Per violation and person (``violation_tally``: ``(visit, kind, subject)``) the office records the
handling (``domain.outcomes``: none yet, reminder, self-criticism, or a disciplinary form that the
person's category allows, per Nghị định 172/2025/NĐ-CP for cán bộ and công chức, Luật Viên chức for
viên chức, Bộ luật Lao động for người lao động), its date and its document. From those:

- :func:`violations` lists the violations of finished visits with their handling; ``unhandled_only``
  gives those still without one; :func:`overdue_remedies` lists remedies past their dates;
- :func:`year_end` gives the per-person and per-unit list for the year-end evaluation (Nghị định
  335/2025/NĐ-CP: any discipline in the year means "không hoàn thành nhiệm vụ"), and
  :func:`year_end_xlsx` writes it.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import col

from inspection_app.locale import both

from ..domain.errors import NotFound, Phrase, ValidationFailed
from ..domain.outcomes import BY_CODE, CATEGORY_LABELS, NONE, handling_label, handlings_for, staff_category
from ..domain.report import VIOLATION_LABELS
from ..domain.text import fold, nfc
from ..store import models as m
from ..store.office import Outcome
from .context import AppContext
from .dashboard import visit_filter
from .follow_up import RemedyRow, remedies
from .office_dates import COUNTED_STATUSES, local_date, today_local
from .violation_tally import KIND_CODES, item_kinds, list_violations


@dataclass(frozen=True)
class ViolationRow:
    visit_id: str
    kind: str
    kind_label: str
    subject: str  # "p:<staff id>", "i:<checklist>/<item>" or "f:<finding id>"
    staff_id: str | None
    person: str
    position: str
    category: str  # domain.outcomes category code
    category_label: str
    unit_id: str
    unit_name: str
    unit_kind: str
    visit_date: date | None
    minutes_number: str
    description: str
    handling: str
    handling_label: str
    decided_on: date | None
    document: str
    note: str

    @property
    def discipline(self) -> bool:
        h = BY_CODE.get(self.handling)
        return bool(h and h.discipline)


def _rows(ctx: AppContext, where: list[ColumnElement[bool]], unit_id: str | None = None) -> list[ViolationRow]:
    kinds = item_kinds(ctx)
    with ctx.session() as s:
        if unit_id:
            where = [*where, col(m.Visit.unit_id) == unit_id]
        ids = select(col(m.Visit.id)).where(*where)
        raw = list_violations(s, ids, kinds)
        if not raw:
            return []
        vids = sorted({v.visit_id for v in raw})
        info = {r.id: r for r in s.execute(
            select(col(m.Visit.id), col(m.Visit.unit_id), col(m.Unit.name), col(m.Unit.kind).label("unit_kind"), col(m.Visit.arrival_at),
                   col(m.Visit.created_at), col(m.Visit.minutes_number))
            .join(m.Unit, col(m.Unit.id) == col(m.Visit.unit_id)).where(col(m.Visit.id).in_(vids)))}
        outcomes = {(o.visit_id, o.kind, o.subject): o for o in s.execute(
            select(Outcome).where(col(Outcome.visit_id).in_(vids))).scalars()}
    out = []
    for v in raw:
        r, o = info[v.visit_id], outcomes.get((v.visit_id, v.kind, v.subject))
        cat = staff_category(v.employment_type) if v.staff_id else ""
        handling = o.handling if o else NONE
        out.append(ViolationRow(
            visit_id=v.visit_id, kind=v.kind, kind_label=VIOLATION_LABELS.get(v.kind, v.kind), subject=v.subject,
            staff_id=v.staff_id, person=v.person, position=v.position, category=cat,
            category_label=CATEGORY_LABELS.get(cat, "") if v.staff_id else "", unit_id=r.unit_id, unit_name=r.name,
            unit_kind=r.unit_kind or "", visit_date=local_date(r.arrival_at or r.created_at),
            minutes_number=r.minutes_number, description=v.description, handling=handling,
            handling_label=handling_label(handling), decided_on=o.decided_on if o else None,
            document=o.document if o else "", note=o.note if o else ""))
    return sorted(out, key=lambda x: (x.visit_date or date.min, fold(x.unit_name), KIND_CODES.index(x.kind),
                                      fold(x.person)))


def violations(ctx: AppContext, date_from: date | None = None, date_to: date | None = None, *,
               unit_id: str | None = None, unhandled_only: bool = False) -> list[ViolationRow]:
    """Violations of finished visits in the period (local dates, inclusive), oldest first."""
    rows = _rows(ctx, visit_filter(date_from, date_to, None), unit_id)
    return [r for r in rows if r.handling == NONE] if unhandled_only else rows


def overdue_remedies(ctx: AppContext, today: date | None = None) -> list[RemedyRow]:
    """Remedies still open after their report-back (or fix) date, most overdue first."""
    return remedies(ctx, today, overdue_only=True)


def _clean(text: str) -> str:
    return " ".join((nfc(text) or "").split())


def record_outcome(ctx: AppContext, visit_id: str, kind: str, subject: str, handling: str, *,
                   decided_on: date | None = None, document: str = "", note: str = "",
                   today: date | None = None) -> ViolationRow:
    """Record (or change) what was done about one violation of one person.

    Raises NotFound when the visit has no such violation; ValidationFailed when the visit is not
    finished, the handling is unknown or not allowed for the person's category (or for a violation
    with nobody named), a handling other than "none" has no date, the date is in the future or before
    the visit, or a disciplinary form has no document (its decision's number).
    """
    today = today or today_local()
    h = BY_CODE.get(handling)
    if h is None:
        raise ValidationFailed("Hình thức xử lý không hợp lệ.")
    document, note = _clean(document), _clean(note)
    with ctx.session() as s:
        visit = s.get(m.Visit, visit_id)
        if visit is None:
            raise NotFound("Không tìm thấy cuộc kiểm tra ({visit_id}).", visit_id=visit_id)
        if visit.status not in COUNTED_STATUSES:
            raise ValidationFailed("Cuộc kiểm tra chưa kết thúc: chưa thể ghi kết quả xử lý.")
        found = next((v for v in list_violations(s, [visit_id], item_kinds(ctx))
                      if v.kind == kind and v.subject == subject), None)
        if found is None:
            raise NotFound("Không tìm thấy vi phạm này trong cuộc kiểm tra.")
        category = staff_category(found.employment_type) if found.staff_id else ""
        if h.discipline and not found.staff_id:
            raise ValidationFailed("Hình thức kỷ luật chỉ áp dụng cho một người cụ thể.")
        if found.staff_id and h not in handlings_for(category):
            raise ValidationFailed("Hình thức \u201c{handling}\u201d không áp dụng cho {category}.",
                                   handling=Phrase(h.label, h.label_en),
                                   category=Phrase(CATEGORY_LABELS[category].lower(), "this staff category"))
        if handling != NONE and decided_on is None:
            raise ValidationFailed("Hãy nhập ngày xử lý.")
        visit_day = local_date(visit.arrival_at or visit.created_at)
        if decided_on is not None and decided_on > today:
            raise ValidationFailed("Ngày xử lý không thể ở tương lai.")
        if decided_on is not None and visit_day and decided_on < visit_day:
            raise ValidationFailed("Ngày xử lý không thể trước ngày kiểm tra.")
        if h.discipline and not document:
            raise ValidationFailed("Hãy nhập số, ngày quyết định kỷ luật.")
        row = s.execute(select(Outcome).where(col(Outcome.visit_id) == visit_id, col(Outcome.kind) == kind,
                                              col(Outcome.subject) == subject)).scalar_one_or_none()
        row = row or Outcome(visit_id=visit_id, kind=kind, subject=subject)
        row.staff_id = found.staff_id
        row.handling, row.decided_on = handling, decided_on if handling != NONE else None
        row.document, row.note, row.recorded_by = document, note, ctx.actor
        s.add(row)
    return next(r for r in _rows(ctx, [col(m.Visit.id) == visit_id]) if r.kind == kind and r.subject == subject)


# --- the year-end list (Nghị định 335/2025/NĐ-CP) --------------------------------------------------


@dataclass(frozen=True)
class PersonYear:
    staff_id: str
    full_name: str
    position: str
    category_label: str
    unit_name: str
    violations: int
    kinds: str  # "Đi muộn (2); Thuốc lá (1)"
    handlings: str  # "Khiển trách (Quyết định 15/QĐ-UBND ngày …)"
    disciplined: bool  # any disciplinary form in the year
    unhandled: int


@dataclass(frozen=True)
class UnitYear:
    unit_name: str
    unit_kind: str
    visits: int
    violations: int
    people: int
    disciplined_people: int
    unhandled: int


def year_end(ctx: AppContext, year: int) -> tuple[list[PersonYear], list[UnitYear]]:
    """Per person (named violations) and per unit, for finished visits dated in ``year``."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = violations(ctx, start, end)
    with ctx.session() as s:
        visits_per_unit: defaultdict[str, int] = defaultdict(int)
        names = {}
        for uid, uname, ukind in s.execute(select(col(m.Visit.unit_id), col(m.Unit.name), col(m.Unit.kind))
                                           .join(m.Unit, col(m.Unit.id) == col(m.Visit.unit_id))
                                           .where(*visit_filter(start, end, None))):
            visits_per_unit[uid] += 1
            names[uid] = (uname, ukind or "")
    by_person: dict[str, list[ViolationRow]] = defaultdict(list)
    by_unit: dict[str, list[ViolationRow]] = defaultdict(list)
    for r in rows:
        by_unit[r.unit_id].append(r)
        if r.staff_id:
            by_person[r.staff_id].append(r)
    people = []
    for sid, rs in by_person.items():
        kinds: defaultdict[str, int] = defaultdict(int)
        for r in rs:
            kinds[r.kind_label] += 1
        done = [f"{r.handling_label}" + (f" ({r.document})" if r.document else "") for r in rs if r.handling != NONE]
        people.append(PersonYear(
            staff_id=sid, full_name=rs[0].person, position=rs[0].position, category_label=rs[0].category_label,
            unit_name=rs[0].unit_name, violations=len(rs), kinds="; ".join(f"{k} ({n})" for k, n in kinds.items()),
            handlings="; ".join(dict.fromkeys(done)), disciplined=any(r.discipline for r in rs),
            unhandled=sum(1 for r in rs if r.handling == NONE)))
    people.sort(key=lambda p: (fold(p.unit_name), fold(p.full_name)))
    units = []
    for uid, n in visits_per_unit.items():
        rs = by_unit.get(uid, [])
        named = {r.staff_id for r in rs if r.staff_id}
        units.append(UnitYear(unit_name=names[uid][0], unit_kind=names[uid][1], visits=n, violations=len(rs),
                              people=len(named), disciplined_people=len({r.staff_id for r in rs if r.discipline}),
                              unhandled=sum(1 for r in rs if r.handling == NONE)))
    units.sort(key=lambda u: fold(u.unit_name))
    return people, units


def year_end_workbook(ctx: AppContext, year: int) -> Any:
    from .xlsx_out import sheet, workbook

    people, units = year_end(ctx, year)
    wb = workbook(f"Kết quả kiểm tra công vụ năm {year} phục vụ đánh giá, xếp loại")
    sheet(wb, "Theo người", ["Họ và tên", "Chức vụ", "Đối tượng", "Cơ quan, đơn vị", "Số vi phạm", "Loại vi phạm",
                             "Hình thức xử lý", "Bị kỷ luật trong năm", "Vi phạm chưa xử lý"],
          [[p.full_name, p.position, p.category_label, p.unit_name, p.violations, p.kinds, p.handlings,
            "Có" if p.disciplined else "Không", p.unhandled] for p in people],
          {1: 28, 2: 20, 3: 16, 4: 36, 5: 10, 6: 40, 7: 44, 8: 12, 9: 12}, first=True)
    sheet(wb, "Theo đơn vị", ["Cơ quan, đơn vị", "Loại hình", "Lượt kiểm tra", "Số vi phạm", "Số người vi phạm",
                              "Số người bị kỷ luật", "Vi phạm chưa xử lý"],
          [[u.unit_name, u.unit_kind, u.visits, u.violations, u.people, u.disciplined_people, u.unhandled]
           for u in units], {1: 40, 2: 20})
    sheet(wb, "Ghi chú", ["Nội dung"], [
        [f"Số liệu các cuộc kiểm tra đã kết thúc trong năm {year}."],
        ["Nghị định 335/2025/NĐ-CP: cán bộ, công chức, viên chức bị kỷ luật trong năm đánh giá được xếp loại "
         "không hoàn thành nhiệm vụ."],
    ], {1: 110})
    return wb


def year_end_xlsx(ctx: AppContext, year: int, out: str | Path | None = None) -> bytes:
    """The year-end list as XLSX bytes (and written to ``out`` when given)."""
    from .xlsx_out import save

    wb = year_end_workbook(ctx, year)
    if out is not None:
        save(wb, out, *both("danh sách cuối năm"))
        return Path(out).read_bytes()
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["ViolationRow", "violations", "overdue_remedies", "record_outcome", "PersonYear", "UnitYear", "year_end",
           "year_end_xlsx", "year_end_workbook"]
