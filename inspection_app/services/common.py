"""Small helpers the service modules share."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from ..domain.errors import Locked, NotFound
from ..store.models import Visit

T = TypeVar("T", bound=SQLModel)


def get_or_404(session: Session, model: type[T], record_id: str, what_vi: str, what_en: str) -> T:
    record = session.get(model, record_id)
    if record is None:
        raise NotFound("Không tìm thấy {what} ({record_id}).", what=Phrase(what_vi, what_en.capitalize()), record_id=record_id)
    return record


def visit_for_update(session: Session, visit_id: str) -> Visit:
    """The visit, refusing if it is locked: a closed or signed visit is read-only."""
    visit = get_or_404(session, Visit, visit_id, *both("lượt kiểm tra"))
    if visit.locked:
        raise Locked(
            "Lượt kiểm tra đã khóa (đã kết thúc hoặc đã ký), không thể sửa. Nếu cần đính chính, hãy lập phiên bản biên bản mới.",
            visit_id=visit_id,
        )
    return visit
