"""Requests to remedy, recorded on site with their deadlines (section IV of the minutes).

The office follows them up afterwards (``services.review``: report-back, accept, reopen); here the
team records them while the visit is open.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from ..domain.text import nfc
from ..store.models import Finding, Remedy
from .common import get_or_404, visit_for_update
from .context import AppContext


def _validate(text: str, deadline: date | None, report_due: date | None) -> str:
    clean = " ".join((nfc(text) or "").split())
    if not clean:
        raise ValidationFailed("Cần ghi nội dung yêu cầu khắc phục.")
    if deadline is None:
        raise ValidationFailed("Cần thời hạn khắc phục.")
    if report_due is not None and report_due < deadline:
        raise ValidationFailed("Hạn báo cáo không được trước thời hạn khắc phục.")
    return clean


def list_remedies(ctx: AppContext, visit_id: str) -> list[Remedy]:
    with ctx.session() as s:
        return list(s.exec(select(Remedy).where(col(Remedy.visit_id) == visit_id).order_by(col(Remedy.created_at))))


def add_remedy(ctx: AppContext, visit_id: str, text: str, deadline: date | None, report_due: date | None = None,
               finding_id: str | None = None) -> Remedy:
    clean = _validate(text, deadline, report_due)
    with ctx.session() as s:
        visit_for_update(s, visit_id)
        if finding_id:
            finding = get_or_404(s, Finding, finding_id, *both("phát hiện"))
            if finding.visit_id != visit_id:
                raise ValidationFailed("Phát hiện này thuộc lượt kiểm tra khác.")
        remedy = Remedy(visit_id=visit_id, text=clean, deadline=deadline, report_due=report_due or deadline,
                        finding_id=finding_id or None)
        s.add(remedy)
        return remedy


def update_remedy(ctx: AppContext, remedy_id: str, *, text: str | None = None, deadline: date | None = None,
                  report_due: date | None = None) -> Remedy:
    with ctx.session() as s:
        remedy = get_or_404(s, Remedy, remedy_id, *both("yêu cầu khắc phục"))
        visit_for_update(s, remedy.visit_id)
        new_deadline = deadline or remedy.deadline
        new_due = report_due or remedy.report_due
        remedy.text = _validate(text if text is not None else remedy.text, new_deadline, new_due)
        remedy.deadline, remedy.report_due = new_deadline, new_due
        s.add(remedy)
        return remedy


def delete_remedy(ctx: AppContext, remedy_id: str) -> None:
    with ctx.session() as s:
        remedy = get_or_404(s, Remedy, remedy_id, *both("yêu cầu khắc phục"))
        visit_for_update(s, remedy.visit_id)
        s.delete(remedy)
