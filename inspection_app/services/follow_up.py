"""Remedies follow-up at the office: requested fixes, their deadlines, the units' report-backs.

A remedy is overdue when it is still open after its report-back date (or, without one, its fix
deadline), in local dates. Split out of ``services.review`` (which re-exports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from ..domain.errors import NotFound, ValidationFailed
from ..domain.text import fold, nfc
from ..store import models as m
from .context import AppContext
from .office_dates import LOCAL_TZ, local_date
from .office_dates import period_clauses as _period_clauses


@dataclass(frozen=True)
class RemedyRow:
    id: str
    visit_id: str
    unit_id: str
    unit_name: str
    visit_date: date | None
    finding_id: str | None
    text: str
    deadline: date | None
    report_due: date | None
    status: str  # open / reported / done
    reported_on: date | None
    report_text: str
    reviewed_by: str
    overdue: bool  # still open after its report-back (or fix) date
    days_overdue: int
    reported_late: bool  # reported after the date asked



def _remedy_row(r: m.Remedy, unit_id: str, unit_name: str, visit_date: date | None, today: date) -> RemedyRow:
    due = r.report_due or r.deadline
    overdue = r.status == m.RemedyStatus.OPEN.value and due is not None and due < today
    return RemedyRow(
        id=r.id, visit_id=r.visit_id, unit_id=unit_id, unit_name=unit_name, visit_date=visit_date,
        finding_id=r.finding_id, text=r.text, deadline=r.deadline, report_due=r.report_due, status=r.status,
        reported_on=r.reported_on, report_text=r.report_text, reviewed_by=r.reviewed_by, overdue=overdue,
        days_overdue=(today - cast(date, due)).days if overdue else 0,
        reported_late=bool(r.reported_on and due and r.reported_on > due))




def remedies(ctx: AppContext, today: date | None = None, *, unit_id: str | None = None,
             status: str | None = None, overdue_only: bool = False, date_from: date | None = None,
             date_to: date | None = None) -> list[RemedyRow]:
    """Requested fixes with their deadlines and report-backs; overdue ones first, most overdue first.

    ``date_from``/``date_to`` select by the visit's date; ``status`` is a RemedyStatus value.
    """
    today = today or datetime.now(LOCAL_TZ).date()
    with ctx.session() as s:
        q = (select(m.Remedy, col(m.Unit.id), col(m.Unit.name), col(m.Visit.arrival_at), col(m.Visit.created_at))
             .join(m.Visit, col(m.Visit.id) == col(m.Remedy.visit_id)).join(m.Unit, col(m.Unit.id) == col(m.Visit.unit_id))
             .where(*_period_clauses(date_from, date_to)))
        if unit_id:
            q = q.where(col(m.Visit.unit_id) == unit_id)
        if status:
            q = q.where(col(m.Remedy.status) == status)
        if overdue_only:
            q = q.where(col(m.Remedy.status) == m.RemedyStatus.OPEN.value,
                        func.coalesce(m.Remedy.report_due, m.Remedy.deadline) < today)
        out = [_remedy_row(r, uid, uname, local_date(arr or created), today) for r, uid, uname, arr, created in s.execute(q)]
    far = date.max
    return sorted(out, key=lambda r: (not r.overdue, -r.days_overdue, r.report_due or r.deadline or far,
                                      fold(r.unit_name), r.id))


def _remedy_for_update(s: Session, remedy_id: str) -> m.Remedy:
    r = s.get(m.Remedy, remedy_id)
    if r is None:
        raise NotFound("Không tìm thấy yêu cầu khắc phục ({remedy_id}).", remedy_id=remedy_id)
    return r


def _remedy_row_for(ctx: AppContext, remedy_id: str, today: date | None) -> RemedyRow:
    today = today or datetime.now(LOCAL_TZ).date()
    with ctx.session() as s:
        r, uid, uname, arr, created = s.execute(
            select(m.Remedy, col(m.Unit.id), col(m.Unit.name), col(m.Visit.arrival_at), col(m.Visit.created_at))
            .join(m.Visit, col(m.Visit.id) == col(m.Remedy.visit_id)).join(m.Unit, col(m.Unit.id) == col(m.Visit.unit_id))
            .where(col(m.Remedy.id) == remedy_id)).one()
        return _remedy_row(r, uid, uname, local_date(arr or created), today)


def record_report_back(ctx: AppContext, remedy_id: str, reported_on: date, report_text: str,
                       today: date | None = None) -> RemedyRow:
    """The unit reported on its fix (báo cáo kết quả khắc phục): date and what it says."""
    text = " ".join((nfc(report_text) or "").split())
    if not text:
        raise ValidationFailed("Hãy nhập nội dung báo cáo của đơn vị.")
    if reported_on > (today or datetime.now(LOCAL_TZ).date()):
        raise ValidationFailed("Ngày báo cáo không thể ở tương lai.")
    with ctx.session() as s:
        r = _remedy_for_update(s, remedy_id)
        if r.status == m.RemedyStatus.DONE.value:
            raise ValidationFailed("Yêu cầu này đã được xác nhận hoàn thành.")
        r.reported_on, r.report_text, r.status = reported_on, text, m.RemedyStatus.REPORTED.value
    return _remedy_row_for(ctx, remedy_id, today)


def accept_remedy(ctx: AppContext, remedy_id: str, today: date | None = None) -> RemedyRow:
    """The office accepts the unit's report: the remedy is done, reviewed by this context's actor."""
    with ctx.session() as s:
        r = _remedy_for_update(s, remedy_id)
        if r.status == m.RemedyStatus.OPEN.value:
            raise ValidationFailed("Đơn vị chưa báo cáo kết quả khắc phục.")
        r.status, r.reviewed_by = m.RemedyStatus.DONE.value, ctx.actor
    return _remedy_row_for(ctx, remedy_id, today)


def reopen_remedy(ctx: AppContext, remedy_id: str, today: date | None = None) -> RemedyRow:
    """The report was not enough: the remedy is open again (the report stays on record)."""
    with ctx.session() as s:
        r = _remedy_for_update(s, remedy_id)
        r.status, r.reviewed_by = m.RemedyStatus.OPEN.value, ctx.actor
    return _remedy_row_for(ctx, remedy_id, today)


__all__ = ["RemedyRow", "remedies", "record_report_back", "accept_remedy", "reopen_remedy"]
