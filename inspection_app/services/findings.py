"""Findings: on their own, or hanging off a checklist item and the people they concern.

A finding that is a violation carries its kind (``domain.violations.ViolationKind``); the people it
concerns are linked through ``FindingPerson`` (one finding can concern several people), and
``Finding.staff_id`` keeps the first of them for older readers. The office counts each violation once
however it was recorded (``services.violation_tally``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from ..domain.text import nfc
from ..domain.violations import ViolationKind
from ..store.models import Finding, Severity, StaffMember, Visit
from ..store.office import FindingPerson
from ..store.photo_links import PhotoExtraLink
from .common import get_or_404, visit_for_update
from .context import AppContext

FINDING_KINDS = {
    "late": {"vi": "Đi muộn", "en": "Late"},
    "absent_unexcused": {"vi": "Vắng mặt không có lý do", "en": "Absent without reason"},
    "left_post": {"vi": "Rời vị trí trong giờ làm việc", "en": "Left post during working hours"},
    "alcohol": {"vi": "Rượu, bia", "en": "Alcohol"},
    "tobacco": {"vi": "Thuốc lá", "en": "Tobacco"},
    "e_cigarette": {"vi": "Thuốc lá điện tử, thuốc lá nung nóng", "en": "E-cigarettes, heated tobacco"},
    "office_culture": {"vi": "Văn hóa công sở", "en": "Office culture"},
    "tthc_dossier": {"vi": "Hồ sơ thủ tục hành chính", "en": "Procedure dossiers"},
    "head_duties": {"vi": "Trách nhiệm người đứng đầu, cấp phó", "en": "Head's and deputies' duties"},
    "other": {"vi": "Vi phạm khác", "en": "Other"},
}
assert set(FINDING_KINDS) == {k.value for k in ViolationKind}
# Codes of the first version, still accepted from older callers and tablets.
LEGACY_KINDS = {"attendance": "other", "dossier": "tthc_dossier", "leadership": "head_duties"}


def _check(description: str, severity: str, kind: str) -> str:
    text = (nfc(description) or "").strip()
    if not text:
        raise ValidationFailed("Cần mô tả nội dung phát hiện.")
    if severity not in {s.value for s in Severity}:
        raise ValidationFailed("Mức độ không hợp lệ.")
    if kind and kind not in FINDING_KINDS:
        raise ValidationFailed("Loại vi phạm không hợp lệ.")
    return text


def _people(s: Session, visit: Visit, staff_id: str | None, people: Iterable[str] | None) -> list[str]:
    """The staff ids a finding concerns, in order, without repeats; each must be on the unit's roster."""
    ids = list(dict.fromkeys([*([staff_id] if staff_id else []), *(people or [])]))
    for sid in ids:
        person = get_or_404(s, StaffMember, sid, *both("cán bộ"))
        if person.unit_id != visit.unit_id:
            raise ValidationFailed("{full_name} không thuộc đơn vị được kiểm tra.", full_name=person.full_name)
    return ids


def _link_people(s: Session, finding: Finding, ids: list[str]) -> None:
    current = {fp.staff_id: fp for fp in s.exec(select(FindingPerson).where(FindingPerson.finding_id == finding.id))}
    for sid, link in current.items():
        if sid not in ids:
            s.delete(link)
    for sid in ids:
        if sid not in current:
            s.add(FindingPerson(visit_id=finding.visit_id, finding_id=finding.id, staff_id=sid))
    finding.staff_id = ids[0] if ids else None


def add_finding(ctx: AppContext, visit_id: str, description: str, severity: str = Severity.MEDIUM.value,
                checklist_id: str | None = None, item_id: str | None = None, staff_id: str | None = None,
                kind: str = "", explanation_requested: bool = False, place: str = "",
                occurred_at: datetime | None = None, people: list[str] | tuple[str, ...] = ()) -> Finding:
    """Record a finding. ``kind``: a ViolationKind code or "" (not a violation); ``people``: staff ids
    of the unit it concerns (with ``staff_id``, the first); ``checklist_id``/``item_id``: the item.

    Raises ValidationFailed for an empty description, an unknown severity or kind, a person of
    another unit, or an item not in the visit's checklists.
    """
    kind = LEGACY_KINDS.get(kind, kind)
    text = _check(description, severity, kind)
    if bool(checklist_id) != bool(item_id):
        raise ValidationFailed("Hãy chọn cả bảng kiểm và nội dung kiểm tra.")
    with ctx.session() as s:
        visit = visit_for_update(s, visit_id)
        if checklist_id and checklist_id not in {ref["id"] for ref in visit.checklists or []}:
            raise ValidationFailed("Bảng kiểm {checklist_id} không áp dụng cho lượt kiểm tra này.", checklist_id=checklist_id)
        ids = _people(s, visit, staff_id, people)
        finding = Finding(visit_id=visit_id, description=text, severity=severity, checklist_id=checklist_id,
                          item_id=item_id, staff_id=ids[0] if ids else None, kind=kind,
                          explanation_requested=explanation_requested, place=(nfc(place) or "").strip(),
                          occurred_at=occurred_at, recorded_by=ctx.actor)
        s.add(finding)
        s.flush()
        _link_people(s, finding, ids)
        return finding


def finding_people(ctx: AppContext, visit_id: str) -> dict[str, list[str]]:
    """``finding id -> staff ids`` it concerns, for one visit (``Finding.staff_id`` included)."""
    out: dict[str, list[str]] = {}
    with ctx.session() as s:
        for f in s.exec(select(Finding).where(Finding.visit_id == visit_id)):
            if f.staff_id:
                out.setdefault(f.id, []).append(f.staff_id)
        for link in s.exec(select(FindingPerson).where(FindingPerson.visit_id == visit_id)
                           .order_by(col(FindingPerson.created_at))):
            if link.staff_id not in out.get(link.finding_id, []):
                out.setdefault(link.finding_id, []).append(link.staff_id)
    return out


def list_findings(ctx: AppContext, visit_id: str) -> list[Finding]:
    with ctx.session() as s:
        return list(s.exec(select(Finding).where(col(Finding.visit_id) == visit_id).order_by(col(Finding.recorded_at))))


def update_finding(ctx: AppContext, finding_id: str, **fields: Any) -> Finding:
    """Change a finding's fields; ``people=[…]`` replaces the people it concerns."""
    allowed = {"description", "severity", "kind", "explanation_requested", "place", "occurred_at", "staff_id",
               "checklist_id", "item_id", "people"}
    if set(fields) - allowed:
        raise ValueError(f"not editable: {sorted(set(fields) - allowed)}")
    with ctx.session() as s:
        finding = get_or_404(s, Finding, finding_id, *both("phát hiện"))
        visit = visit_for_update(s, finding.visit_id)
        if "kind" in fields:
            fields["kind"] = LEGACY_KINDS.get(fields["kind"], fields["kind"])
        merged = {"description": finding.description, "severity": finding.severity, **fields}
        # A stored kind of an older version is left as it is unless it is being changed.
        fields["description"] = _check(merged["description"], merged["severity"], fields.get("kind", ""))
        people = fields.pop("people", None)
        # ``people`` replaces everyone (its first becomes ``staff_id``); ``staff_id`` alone changes the first
        staff_id = fields.pop("staff_id", None if people is not None else finding.staff_id)
        for key, value in fields.items():
            setattr(finding, key, value)
        if people is not None:
            _link_people(s, finding, _people(s, visit, staff_id, people))
        elif staff_id != finding.staff_id:
            others = [fp.staff_id for fp in s.exec(select(FindingPerson).where(FindingPerson.finding_id == finding.id))
                      if fp.staff_id != finding.staff_id]
            _link_people(s, finding, _people(s, visit, staff_id, others))
        s.add(finding)
        return finding


def delete_finding(ctx: AppContext, finding_id: str) -> None:
    with ctx.session() as s:
        finding = get_or_404(s, Finding, finding_id, *both("phát hiện"))
        visit_for_update(s, finding.visit_id)
        for link in s.exec(select(FindingPerson).where(FindingPerson.finding_id == finding.id)):
            s.delete(link)
        for extra in s.exec(select(PhotoExtraLink).where(PhotoExtraLink.finding_id == finding.id)):
            s.delete(extra)  # a photo linked to this finding as well keeps its other links (issue #13)
        s.flush()
        s.delete(finding)
