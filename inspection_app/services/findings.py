"""Findings: on their own, or hanging off a checklist item or a person."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from ..domain.errors import ValidationFailed
from ..domain.text import nfc
from ..store.models import Finding, Severity, StaffMember
from .common import get_or_404, visit_for_update
from .context import AppContext

FINDING_KINDS = {
    "attendance": {"vi": "Giờ giấc, điểm danh", "en": "Working hours"},
    "alcohol": {"vi": "Rượu, bia", "en": "Alcohol"},
    "tobacco": {"vi": "Thuốc lá", "en": "Tobacco"},
    "office_culture": {"vi": "Văn hóa công sở", "en": "Office culture"},
    "leadership": {"vi": "Trách nhiệm người đứng đầu", "en": "Leadership duties"},
    "dossier": {"vi": "Hồ sơ TTHC", "en": "Procedure dossiers"},
    "other": {"vi": "Khác", "en": "Other"},
    "absent_unexcused": {"vi": "Vắng mặt không có lý do", "en": "Absent without reason"},
}


def _check(description: str, severity: str, kind: str) -> str:
    text = (nfc(description) or "").strip()
    if not text:
        raise ValidationFailed("Cần mô tả nội dung phát hiện.", "A finding needs a description.")
    if severity not in {s.value for s in Severity}:
        raise ValidationFailed("Mức độ không hợp lệ.", "Unknown severity.")
    if kind and kind not in FINDING_KINDS:
        raise ValidationFailed("Loại vi phạm không hợp lệ.", "Unknown kind of finding.")
    return text


def add_finding(ctx: AppContext, visit_id: str, description: str, severity: str = Severity.MEDIUM.value,
                checklist_id: str | None = None, item_id: str | None = None, staff_id: str | None = None,
                kind: str = "", explanation_requested: bool = False, place: str = "",
                occurred_at: datetime | None = None) -> Finding:
    text = _check(description, severity, kind)
    with ctx.session() as s:
        visit_for_update(s, visit_id)
        if staff_id:
            get_or_404(s, StaffMember, staff_id, "cán bộ", "staff member")
        finding = Finding(visit_id=visit_id, description=text, severity=severity, checklist_id=checklist_id,
                          item_id=item_id, staff_id=staff_id, kind=kind, explanation_requested=explanation_requested,
                          place=(nfc(place) or "").strip(), occurred_at=occurred_at, recorded_by=ctx.actor)
        s.add(finding)
        return finding


def list_findings(ctx: AppContext, visit_id: str) -> list[Finding]:
    with ctx.session() as s:
        return list(s.exec(select(Finding).where(Finding.visit_id == visit_id).order_by(Finding.recorded_at)))


def update_finding(ctx: AppContext, finding_id: str, **fields) -> Finding:
    allowed = {"description", "severity", "kind", "explanation_requested", "place", "occurred_at", "staff_id",
               "checklist_id", "item_id"}
    if set(fields) - allowed:
        raise ValueError(f"not editable: {sorted(set(fields) - allowed)}")
    with ctx.session() as s:
        finding = get_or_404(s, Finding, finding_id, "phát hiện", "finding")
        visit_for_update(s, finding.visit_id)
        merged = {"description": finding.description, "severity": finding.severity, "kind": finding.kind, **fields}
        fields["description"] = _check(merged["description"], merged["severity"], merged["kind"])
        for key, value in fields.items():
            setattr(finding, key, value)
        s.add(finding)
        return finding


def delete_finding(ctx: AppContext, finding_id: str) -> None:
    with ctx.session() as s:
        finding = get_or_404(s, Finding, finding_id, "phát hiện", "finding")
        visit_for_update(s, finding.visit_id)
        s.delete(finding)
