"""Conflicts of a bundle import in the reviewer's words (issue #12, point 6).

A conflict row (``services.bundles.ConflictRow``) names tables, columns, device ids and UTC times.
A reviewer needs: which visit (unit and day), the checklist item's own text or what the record is
("Phát hiện: Hút thuốc…"), the field in plain words, both values as the forms show them, who changed
each and when (local time, to the minute), and the device by the name it was enrolled under. A
signer appears by name and title, never as a raw certificate name ("2.5.4.12=…").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from ..store import models as m
from .context import AppContext

if TYPE_CHECKING:
    from .bundles import ConflictRow

from ..domain.localtime import LOCAL_TZ  # local time has one home


@dataclass(frozen=True)
class ConflictView:
    id: str
    visit: str  # "UBND xã Tân Thành, 10/03/2026"
    what: str  # the item's text, or what the record is
    field: str  # the field in plain words ("" when the whole record is concerned)
    kind: str  # plain words for the kind of conflict
    here: str  # the value kept here, as the forms show it
    incoming: str  # the bundle's value
    here_by: str  # "Lê Văn Cường · Máy tính bảng 1 · 10/03/2026 08:40"
    incoming_by: str
    kept: str  # which value stays, in words
    can_take_other: bool


# (table, column) -> (vi, en); a column not listed is "another detail" of its record.
_FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    ("answer", "value"): ("Kết quả", "Result"),
    ("answer", "note"): ("Ghi chú", "Note"),
    ("finding", "description"): ("Nội dung phát hiện", "What was found"),
    ("finding", "severity"): ("Mức độ", "Severity"),
    ("finding", "kind"): ("Loại vi phạm", "Kind of violation"),
    ("finding", "explanation_requested"): ("Yêu cầu bản tường trình", "Written explanation requested"),
    ("finding", "occurred_at"): ("Thời điểm", "When it happened"),
    ("finding", "place"): ("Nơi xảy ra", "Place"),
    ("finding", "staff_id"): ("Người vi phạm", "Person"),
    ("visit", "status"): ("Trạng thái cuộc kiểm tra", "State of the visit"),
    ("visit", "assessment"): ("Đánh giá", "Assessment"),
    ("visit", "unit_opinion"): ("Ý kiến của đơn vị", "The unit's opinion"),
    ("visit", "arrival_at"): ("Giờ Đoàn đến", "Team's arrival"),
    ("visit", "ended_at"): ("Giờ kết thúc", "End time"),
    ("visit", "place"): ("Địa điểm", "Place"),
    ("visit", "decision_number"): ("Số quyết định thành lập Đoàn", "Decision number"),
    ("visit", "minutes_number"): ("Số biên bản", "Minutes number"),
    ("rollcallentry", "status"): ("Điểm danh", "Roll call"),
    ("rollcallentry", "arrival_time"): ("Giờ đến", "Arrival time"),
    ("rollcallentry", "reason"): ("Lý do", "Reason"),
    ("remedy", "text"): ("Nội dung yêu cầu khắc phục", "Requested fix"),
    ("remedy", "deadline"): ("Hạn khắc phục", "Deadline"),
    ("remedy", "status"): ("Tình trạng khắc phục", "Follow-up state"),
    ("photo", "caption"): ("Chú thích ảnh", "Caption"),
    ("minutesdocument", "number"): ("Số biên bản", "Minutes number"),
    ("minutesdocument", "sha256"): ("Nội dung tệp biên bản", "Content of the minutes file"),
    ("minutesdocument", "file_path"): ("Tệp biên bản", "Minutes file"),
    ("minutesdocument", "byte_size"): ("Kích thước tệp biên bản", "Size of the minutes file"),
    ("minutesdocument", "signer_subject"): ("Người ký", "Signer"),
    ("minutesdocument", "signed"): ("Đã ký", "Signed"),
    ("minutesdocument", "signed_at"): ("Thời điểm ký", "Signing time"),
    ("participant", "full_name"): ("Họ tên thành viên", "Member's name"),
    ("participant", "position"): ("Chức vụ", "Position"),
    ("unit", "name"): ("Tên đơn vị", "Unit name"),
    ("unit", "code"): ("Mã đơn vị", "Unit code"),
}

_RECORDS: dict[str, tuple[str, str]] = {
    "visit": ("Cuộc kiểm tra", "The visit"),
    "answer": ("Nội dung kiểm tra", "Checklist item"),
    "finding": ("Phát hiện", "Finding"),
    "remedy": ("Yêu cầu khắc phục", "Requested fix"),
    "photo": ("Ảnh", "Photo"),
    "rollcallentry": ("Điểm danh", "Roll call"),
    "participant": ("Thành phần tham gia", "Participant"),
    "minutesdocument": ("Biên bản", "Minutes"),
    "signature": ("Chữ ký", "Signature"),
    "dossiercheck": ("Kiểm tra hồ sơ", "Dossier check"),
    "sample": ("Mẫu hồ sơ", "Dossier sample"),
    "register": ("Sổ theo dõi hồ sơ", "Dossier register"),
    "unit": ("Đơn vị", "Unit"),
    "staffmember": ("Danh sách công chức", "Roster"),
    "checklistsnapshot": ("Nội dung danh mục kiểm tra", "Checklist text"),
    "inspector": ("Thành viên Đoàn", "Inspector"),
    "visitseal": ("Dấu đối chiếu nội dung đã ký", "Digest of the signed content"),
}

_KINDS = {
    "field": ("Hai máy sửa khác nhau", "Changed differently on two devices"),
    "signed_visit": ("Sửa cuộc kiểm tra đã ký: không áp dụng", "Change to a signed visit: not applied"),
    "signed_minutes": ("Sửa biên bản đã ký: không áp dụng", "Change to signed minutes: not applied"),
    "deleted": ("Đã xóa ở máy khác", "Deleted on another device"),
    "duplicate_number": ("Số biên bản trùng với một cuộc kiểm tra đã có: văn thư không nhận trùng số",
                         "Minutes number already held by another visit: the office does not accept a duplicate"),
}

_VALUES = {
    "pass": ("Đạt", "Pass"), "fail": ("Không đạt", "Fail"), "na": ("Không áp dụng", "Not applicable"),
    "present": ("Có mặt", "Present"), "late": ("Đi muộn", "Late"),
    "absent_excused": ("Vắng có lý do", "Absent, excused"),
    "absent_unexcused": ("Vắng không lý do", "Absent without reason"), "left_post": ("Bỏ vị trí", "Left post"),
    "draft": ("Nháp", "Draft"), "on_site": ("Đang kiểm tra", "On site"), "closed": ("Đã kết thúc", "Closed"),
    "signed": ("Đã ký", "Signed"), "filed": ("Đã lưu", "Filed"), "open": ("Chưa khắc phục", "Open"),
    "reported": ("Đã báo cáo", "Reported"), "done": ("Đã hoàn thành", "Done"),
    "low": ("Thấp", "Low"), "medium": ("Trung bình", "Medium"), "high": ("Cao", "High"),
}

# OIDs of the name parts a Vietnamese signing certificate carries (RFC 4519 / X.520).
_DN_PARTS = {"2.5.4.3": "CN", "2.5.4.12": "title", "2.5.4.10": "O", "2.5.4.11": "OU"}


def signer_text(subject: str) -> str:
    """A certificate subject as "Name, Title" ("CN=Trần Thị Bình,2.5.4.12=Trưởng đoàn,O=…")."""
    parts: dict[str, str] = {}
    for piece in re.split(r"(?<!\\),", subject or ""):
        if "=" not in piece:
            continue
        key, value = piece.split("=", 1)
        key = _DN_PARTS.get(key.strip(), key.strip())
        parts.setdefault(key.casefold(), value.strip().replace("\\,", ","))
    name = parts.get("cn", "")
    title = parts.get("title", "")
    if not name and not title:
        return subject or ""
    return ", ".join(x for x in (name, title) if x)


def when_text(moment: datetime | None) -> str:
    """Local time to the minute: "10/03/2026 08:40"."""
    if moment is None:
        return ""
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def value_text(table: str, column: str, value: Any, lang: str, staff: dict[str, str]) -> str:
    vi = lang == "vi"
    if value is None or value == "":
        return "(trống)" if vi else "(empty)"
    if isinstance(value, bool):
        return ("Có" if value else "Không") if vi else ("Yes" if value else "No")
    if column == "signer_subject":
        return signer_text(str(value))
    if column.endswith("staff_id") and str(value) in staff:
        return staff[str(value)]
    if isinstance(value, str):
        if value in _VALUES:
            return _VALUES[value][0 if vi else 1]
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                return when_text(moment)
            if len(value) == 10:
                return moment.strftime("%d/%m/%Y")
        except ValueError:
            pass
        return value if len(value) <= 160 else value[:157] + "…"
    if isinstance(value, dict):  # a whole record (a deletion, a new record refused)
        for key in ("description", "text", "value", "caption", "full_name", "number"):
            if value.get(key):
                return value_text(table, key, value[key], lang, staff)
        return _RECORDS.get(table, ("Bản ghi", "Record"))[0 if vi else 1]
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _what(s: Session, ctx: AppContext, c: ConflictRow, lang: str) -> str:
    from .checklists import checklist_version

    vi = lang == "vi"
    record = _RECORDS.get(c.entity, ("Bản ghi", "Record"))[0 if vi else 1]
    row: Any  # the record of the conflict, whichever table it is in
    if c.entity == "answer":
        row = s.get(m.Answer, c.entity_id)
        if row is not None:
            try:
                item = checklist_version(ctx, s, row.checklist_id, row.checklist_version).item(row.item_id)
                return item.text.get(lang)
            except Exception:  # noqa: BLE001 - an item no checklist here knows: say what it is
                return record
    if c.entity == "finding":
        row = s.get(m.Finding, c.entity_id)
        if row is not None:
            return f"{record}: {row.description[:120]}"
    if c.entity == "remedy":
        row = s.get(m.Remedy, c.entity_id)
        if row is not None:
            return f"{record}: {row.text[:120]}"
    if c.entity == "rollcallentry":
        row = s.get(m.RollCallEntry, c.entity_id)
        person = s.get(m.StaffMember, row.staff_id) if row is not None else None
        if person is not None:
            return f"{record}: {person.full_name}"
    if c.entity == "minutesdocument":
        row = s.get(m.MinutesDocument, c.entity_id)
        if row is not None and row.number:
            return f"{record} {row.number}"
    return record


def describe(ctx: AppContext, conflicts: Sequence[ConflictRow], lang: str | None = None) -> list[ConflictView]:
    """Each :class:`~inspection_app.services.bundles.ConflictRow` in the reviewer's words."""
    from . import devices

    lang = lang or ctx.lang
    vi = lang == "vi"
    names = devices.device_names(ctx)
    out: list[ConflictView] = []
    with ctx.session() as s:
        staff: dict[str, str] = {}
        for c in conflicts:
            for v in (c.local_value, c.incoming_value):
                if isinstance(v, str) and len(v) == 36 and v not in staff:
                    person = s.get(m.StaffMember, v)
                    if person is not None:
                        staff[v] = person.full_name
        for c in conflicts:
            visit_text = ""
            if c.visit_id:
                visit = s.get(m.Visit, c.visit_id)
                if visit is not None:
                    unit = s.get(m.Unit, visit.unit_id)
                    day = visit.arrival_at or visit.created_at
                    visit_text = ", ".join(x for x in ((unit.name if unit else ""),
                                                       day.astimezone(LOCAL_TZ).strftime("%d/%m/%Y") if day else "")
                                           if x)
            label = _FIELDS.get((c.entity, c.field))
            field = (label[0 if vi else 1] if label else
                     ("Thông tin khác" if vi else "Another detail")) if c.field else ""

            def who(person: str, device: str, moment: datetime | None) -> str:
                device_name = names.get(device, "") or (("máy " if vi else "device ") + device[:8] if device else "")
                return " · ".join(x for x in (person, device_name, when_text(moment)) if x)

            kept_here = c.kept == "local"
            out.append(ConflictView(
                id=c.id, visit=visit_text, what=_what(s, ctx, c, lang), field=field,
                kind=_KINDS.get(c.kind, _KINDS["field"])[0 if vi else 1],
                here=value_text(c.entity, c.field, c.local_value, lang, staff),
                incoming=value_text(c.entity, c.field, c.incoming_value, lang, staff),
                here_by=who(c.local_by, c.local_device, c.local_at),
                incoming_by=who(c.incoming_by, c.incoming_device, c.incoming_at),
                kept=(("Giữ giá trị ở văn phòng" if kept_here else "Lấy giá trị trong gói") if vi else
                      ("The office's value stays" if kept_here else "The bundle's value was taken")),
                can_take_other=c.kind == "field" and bool(c.field)))
    return out


__all__ = ["ConflictView", "describe", "signer_text", "when_text", "value_text"]
