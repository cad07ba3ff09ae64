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

from inspection_app.locale import N_p, both

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
    ("answer", "value"): both(N_p("services.conflict_words", "Kết quả")),
    ("answer", "note"): both("Ghi chú"),
    ("finding", "description"): both("Nội dung phát hiện"),
    ("finding", "severity"): both("Mức độ"),
    ("finding", "kind"): both("Loại vi phạm"),
    ("finding", "explanation_requested"): both("Yêu cầu bản tường trình"),
    ("finding", "occurred_at"): both("Thời điểm"),
    ("finding", "place"): both("Nơi xảy ra"),
    ("finding", "staff_id"): both("Người vi phạm"),
    ("visit", "status"): both("Trạng thái cuộc kiểm tra"),
    ("visit", "assessment"): both("Đánh giá"),
    ("visit", "unit_opinion"): both("Ý kiến của đơn vị"),
    ("visit", "arrival_at"): both("Giờ Đoàn đến"),
    ("visit", "ended_at"): both("Giờ kết thúc"),
    ("visit", "place"): both("Địa điểm"),
    ("visit", "decision_number"): both("Số quyết định thành lập Đoàn"),
    ("visit", "minutes_number"): both("Số biên bản"),
    ("rollcallentry", "status"): both("Điểm danh"),
    ("rollcallentry", "arrival_time"): both("Giờ đến"),
    ("rollcallentry", "reason"): both("Lý do"),
    ("remedy", "text"): both(N_p("services.conflict_words", "Nội dung yêu cầu khắc phục")),
    ("remedy", "deadline"): both("Hạn khắc phục"),
    ("remedy", "status"): both("Tình trạng khắc phục"),
    ("photo", "caption"): both(N_p("services.conflict_words", "Chú thích ảnh")),
    ("minutesdocument", "number"): both("Số biên bản"),
    ("minutesdocument", "sha256"): both("Nội dung tệp biên bản"),
    ("minutesdocument", "file_path"): both("Tệp biên bản"),
    ("minutesdocument", "byte_size"): both("Kích thước tệp biên bản"),
    ("minutesdocument", "signer_subject"): both("Người ký"),
    ("minutesdocument", "signed"): both("Đã ký"),
    ("minutesdocument", "signed_at"): both(N_p("services.conflict_words", "Thời điểm ký")),
    ("participant", "full_name"): both("Họ tên thành viên"),
    ("participant", "position"): both("Chức vụ"),
    ("unit", "name"): both("Tên đơn vị"),
    ("unit", "code"): both("Mã đơn vị"),
}

_RECORDS: dict[str, tuple[str, str]] = {
    "visit": both(N_p("services.conflict_words", "Cuộc kiểm tra")),
    "answer": both(N_p("services.conflict_words", "Nội dung kiểm tra")),
    "finding": both(N_p("services.conflict_words", "Phát hiện")),
    "remedy": both("Yêu cầu khắc phục"),
    "photo": both(N_p("services.conflict_words", "Ảnh")),
    "rollcallentry": both("Điểm danh"),
    "participant": both("Thành phần tham gia"),
    "minutesdocument": both("Biên bản"),
    "signature": both(N_p("services.conflict_words", "Chữ ký")),
    "dossiercheck": both("Kiểm tra hồ sơ"),
    "sample": both("Mẫu hồ sơ"),
    "register": both("Sổ theo dõi hồ sơ"),
    "unit": both("Đơn vị"),
    "staffmember": both("Danh sách công chức"),
    "checklistsnapshot": both("Nội dung danh mục kiểm tra"),
    "inspector": both(N_p("services.conflict_words", "Thành viên Đoàn")),
    "visitseal": both("Dấu đối chiếu nội dung đã ký"),
}

_KINDS = {
    "field": both("Hai máy sửa khác nhau"),
    "signed_visit": both("Sửa cuộc kiểm tra đã ký: không áp dụng"),
    "signed_minutes": both("Sửa biên bản đã ký: không áp dụng"),
    "deleted": both("Đã xóa ở máy khác"),
    "duplicate_number": both("Số biên bản trùng với một cuộc kiểm tra đã có: văn thư không nhận trùng số"),
}

_VALUES = {
    "pass": both("Đạt"), "fail": both("Không đạt"), "na": both(N_p("services.conflict_words", "Không áp dụng")),
    "present": both("Có mặt"), "late": both("Đi muộn"),
    "absent_excused": both("Vắng có lý do"),
    "absent_unexcused": both(N_p("services.conflict_words", "Vắng không lý do")), "left_post": both("Rời vị trí"),
    "draft": both("Nháp"), "on_site": both("Đang kiểm tra"), "closed": both("Đã kết thúc"),
    "signed": both("Đã ký"), "filed": both(N_p("services.conflict_words", "Đã lưu")), "open": both("Chưa khắc phục"),
    "reported": both("Đã báo cáo"), "done": both("Đã hoàn thành"),
    "low": both("Thấp"), "medium": both("Trung bình"), "high": both("Cao"),
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
        return _RECORDS.get(table, both("Bản ghi"))[0 if vi else 1]
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _what(s: Session, ctx: AppContext, c: ConflictRow, lang: str) -> str:
    from .checklists import checklist_version

    vi = lang == "vi"
    record = _RECORDS.get(c.entity, both("Bản ghi"))[0 if vi else 1]
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
