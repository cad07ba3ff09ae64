"""Every label the app shows, in Vietnamese first and English second.

Views never hold literal UI text: they call ``t("key")`` (or ``t("key", n=3)`` for a label with
``{placeholders}``). A unit test checks that every key used under ``ui/`` exists here and that both
languages are filled in, so switching to English never leaves a Vietnamese label behind (or the
other way round). Names of people, units and checklist texts are data and are shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from inspection_app import locale

LANGS = ("vi", "en")

# key: (vi, en)
LABELS: Mapping[str, tuple[str, str]] = {
    # --- app shell -------------------------------------------------------------------------------
    "app.title": ("Kiểm tra công vụ", "Public-service inspection"),
    "nav.visits": ("Cuộc kiểm tra", "Visits"),
    "nav.review": ("Tổng hợp", "Review"),
    "nav.settings": ("Cài đặt", "Settings"),
    "nav.back": ("Quay lại", "Back"),
    "nav.checklist": ("Nội dung", "Checklist"),
    "nav.roll_call": ("Điểm danh", "Roll call"),
    "nav.findings": ("Phát hiện", "Findings"),
    "nav.photos": ("Ảnh", "Photos"),
    "nav.signatures": ("Chữ ký", "Signatures"),
    "nav.close": ("Kết thúc", "Close"),
    "nav.info": ("Thông tin cuộc kiểm tra", "Visit details"),
    "nav.setup": ("Thiết lập", "Set-up"),
    "who.ask": ("Ai đang ghi trên máy này?", "Who is recording on this tablet?"),
    "who.nobody": ("Chọn người ghi", "Choose who records"),
    "who.switch": ("Đổi người ghi trên máy này", "Change who records on this tablet"),
    "nav.steps": ("Các bước kiểm tra", "Steps of the visit"),
    "nav.prev_step": ("Bước trước", "Previous step"),
    "nav.next_step": ("Tiếp: {step}", "Next: {step}"),
    "nav.language": ("English", "Tiếng Việt"),  # the button shows the *other* language
    "common.save": ("Lưu", "Save"),
    "common.saved": ("Đã lưu", "Saved"),
    "common.cancel": ("Hủy", "Cancel"),
    "common.add": ("Thêm", "Add"),
    "common.delete": ("Xóa", "Delete"),
    "common.edit": ("Sửa", "Edit"),
    "common.ok": ("Đồng ý", "OK"),
    "common.close": ("Đóng", "Close"),
    "common.none": ("Chưa có", "None yet"),
    "common.loading": ("Đang tải…", "Loading…"),
    "common.working": ("Đang xử lý…", "Working…"),
    "common.now": ("Bây giờ", "Now"),
    "common.unexpected": ("Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu trước đó vẫn còn nguyên.",
                          "Something unexpected went wrong. Everything saved before is intact."),
    "common.not_ready": ("Chức năng này chưa sẵn sàng trong phiên bản này.",
                         "This function is not available in this version yet."),
    "common.locked": ("Cuộc kiểm tra đã khóa: chỉ xem, không sửa được.",
                      "This visit is locked: read-only."),
    "common.not_found": ("Không tìm thấy cuộc kiểm tra.", "Visit not found."),
    "common.required": ("Bắt buộc", "Required"),
    "common.date_hint": ("dd/mm/yyyy", "dd/mm/yyyy"),
    "common.time_hint": ("HH:MM", "HH:MM"),
    "common.bad_date": ("Ngày không hợp lệ (dd/mm/yyyy)", "Invalid date (dd/mm/yyyy)"),
    "common.bad_time": ("Giờ không hợp lệ (HH:MM)", "Invalid time (HH:MM)"),
    "common.bad_datetime": ("Thời điểm không hợp lệ (dd/mm/yyyy HH:MM)",
                            "Invalid date and time (dd/mm/yyyy HH:MM)"),
    # --- home ------------------------------------------------------------------------------------
    "home.title": ("Cuộc kiểm tra", "Inspection visits"),
    "home.new_visit": ("Tạo cuộc kiểm tra mới", "Start a new visit"),
    "home.in_progress": ("Đang thực hiện", "In progress"),
    "home.recent": ("Gần đây", "Recent"),
    "home.empty": ("Chưa có cuộc kiểm tra nào. Bấm \"Tạo cuộc kiểm tra mới\" để bắt đầu.",
                   "No visits yet. Tap \"Start a new visit\" to begin."),
    "home.open": ("Mở", "Open"),
    "home.progress": ("{answered}/{total} nội dung", "{answered}/{total} item(s)"),
    # --- visit statuses and kinds ----------------------------------------------------------------
    "status.draft": ("Nháp", "Draft"),
    "status.on_site": ("Đang kiểm tra", "On site"),
    "status.closed": ("Đã khóa", "Closed"),
    "status.signed": ("Đã ký số", "Signed"),
    "status.filed": ("Đã nộp", "Filed"),
    "kind.planned": ("Theo kế hoạch", "Planned"),
    "kind.unannounced": ("Đột xuất", "Unannounced"),
    # --- visit set-up ----------------------------------------------------------------------------
    "setup.title": ("Thiết lập cuộc kiểm tra", "Set up a visit"),
    "setup.unit": ("Đơn vị được kiểm tra", "Inspected unit"),
    "setup.unit_search": ("Tìm đơn vị", "Find a unit"),
    "setup.unit_new": ("Thêm đơn vị mới", "Add a new unit"),
    "setup.unit_name": ("Tên đơn vị", "Unit name"),
    "setup.unit_kind": ("Loại đơn vị", "Kind of unit"),
    "setup.unit_address": ("Địa chỉ", "Address"),
    "setup.unit_added": ("Đã thêm đơn vị: {name}", "Unit added: {name}"),
    "setup.unit_none": ("Chưa có đơn vị nào, hãy thêm đơn vị mới.", "No units yet: add one."),
    "setup.unit_selected": ("Đã chọn: {name}", "Selected: {name}"),
    "setup.unit_pick_first": ("Hãy chọn đơn vị được kiểm tra.", "Pick the inspected unit."),
    "setup.kind": ("Hình thức kiểm tra", "Kind of visit"),
    "setup.decision": ("Quyết định thành lập Đoàn", "Decision setting up the team"),
    "setup.decision_number": ("Số quyết định", "Decision number"),
    "setup.decision_date": ("Ngày quyết định", "Decision date"),
    "setup.place": ("Địa điểm", "Place"),
    "setup.arrival": ("Thời điểm Đoàn đến", "Team's arrival"),
    "setup.arrival_hint": ("dd/mm/yyyy HH:MM", "dd/mm/yyyy HH:MM"),
    "setup.team": ("Thành viên Đoàn", "Team members"),
    "setup.unit_reps": ("Đại diện đơn vị", "Unit's representatives"),
    "setup.person_name": ("Họ và tên", "Full name"),
    "setup.person_position": ("Chức vụ", "Position"),
    "setup.person_role": ("Vai trò", "Role"),
    "setup.add_member": ("Thêm thành viên", "Add member"),
    "setup.add_rep": ("Thêm đại diện", "Add representative"),
    "setup.remove": ("Bỏ", "Remove"),
    "setup.checklists": ("Nội dung kiểm tra áp dụng", "Checklists that apply"),
    "setup.no_checklists": ("Không tìm thấy danh mục kiểm tra nào.", "No checklists found."),
    "setup.create": ("Bắt đầu kiểm tra", "Start the visit"),
    "setup.created": ("Đã tạo cuộc kiểm tra", "Visit created"),
    "setup.details": ("Thông tin cuộc kiểm tra", "Visit details"),
    "setup.edit_title": ("Sửa thông tin cuộc kiểm tra", "Edit the visit's set-up"),
    "setup.edit": ("Sửa thông tin", "Edit set-up"),
    "setup.save": ("Lưu thay đổi", "Save changes"),
    "setup.saved": ("Đã lưu thay đổi thông tin cuộc kiểm tra", "The visit's set-up was saved"),
    "setup.discard": ("Hủy bản nháp", "Discard the draft"),
    "setup.confirm_discard": ("Hủy những gì đã nhập trong biểu mẫu này?", "Discard what was typed in this form?"),
    "setup.locked_no_edit": ("Cuộc kiểm tra đã khóa: thông tin không sửa được nữa.",
                             "The visit is locked: its set-up can no longer be changed."),
    "setup.unit_add_typed": ("Không có đơn vị này. Thêm “{name}” làm đơn vị mới", "No such unit. Add “{name}” as a new unit"),
    # --- team roles and signers --------------------------------------------------------------------
    "role.leader": ("Trưởng đoàn", "Team leader"),
    "role.deputy": ("Phó Trưởng đoàn", "Deputy leader"),
    "role.member": ("Thành viên", "Member"),
    "role.secretary": ("Thư ký", "Secretary"),
    "signer.team_leader": ("Trưởng đoàn", "Team leader"),
    "signer.secretary": ("Thư ký", "Secretary"),
    "signer.unit_representative": ("Đại diện đơn vị được kiểm tra", "Unit's representative"),
    # --- checklist runner ------------------------------------------------------------------------
    "cl.title": ("Nội dung kiểm tra", "Checklist"),
    "cl.none": ("Cuộc kiểm tra này chưa có danh mục kiểm tra.", "This visit has no checklist."),
    "cl.pass": ("Đạt", "Pass"),
    "cl.fail": ("Không đạt", "Fail"),
    "cl.na": ("Không áp dụng", "N/A"),
    "cl.note": ("Ghi chú", "Note"),
    "cl.add_note": ("Thêm ghi chú", "Add a note"),
    "cl.add_photo": ("Thêm ảnh", "Add a photo"),
    "cl.add_finding": ("Ghi phát hiện", "Record a finding"),
    "cl.value": ("Giá trị", "Value"),
    "cl.count": ("Số lượng", "Count"),
    "cl.time": ("Giờ (HH:MM)", "Time (HH:MM)"),
    "cl.text": ("Nội dung", "Text"),
    "cl.person": ("Người", "Person"),
    "cl.needs_note": ("Cần ghi chú cho nội dung không đạt", "A failed item needs a note"),
    "cl.needs_photo": ("Cần ảnh cho nội dung không đạt", "A failed item needs a photo"),
    "cl.section_progress": ("{answered}/{total}", "{answered}/{total}"),
    "cl.legal": ("Căn cứ: {basis}", "Basis: {basis}"),
    "cl.saved_at": ("Đã lưu {time}", "Saved {time}"),
    "cl.photos": ("{n} ảnh", "{n} photo(s)"),
    "cl.arrival": ("Đoàn đến lúc {time}", "Team arrived {time}"),
    "cl.roll_call_facts": ("Điểm danh: có mặt {present}/{roster}, đi muộn {late}",
                           "Roll call: at work {present}/{roster}, late {late}"),
    "cl.from_roll_call": ("Số liệu từ điểm danh", "From the roll call"),
    "cl.next_unanswered": ("Câu chưa trả lời tiếp theo", "Next unanswered item"),
    "cl.all_answered": ("Đã trả lời hết các câu của danh mục này.", "Every item of this checklist is answered."),
    "cl.fold": ("Thu gọn hoặc mở phần này", "Fold or open this section"),
    # --- roll call -------------------------------------------------------------------------------
    "rc.title": ("Điểm danh", "Roll call"),
    "rc.import": ("Nhập danh sách từ tệp", "Import roster from a file"),
    "rc.imported": ("Đã nhập {n} người", "Imported {n} people"),
    "rc.import_problems": ("Các dòng chưa nhập được:", "Rows not imported:"),
    "rc.add_person": ("Thêm người", "Add person"),
    "rc.full_name": ("Họ và tên", "Full name"),
    "rc.position": ("Chức vụ", "Position"),
    "rc.department": ("Phòng/bộ phận", "Department"),
    "rc.empty": ("Chưa có danh sách công chức, viên chức của đơn vị. Nhập từ tệp hoặc thêm từng người.",
                 "The unit's roster is empty. Import it from a file or add people one by one."),
    "rc.totals": ("Tổng số: {total} · Có mặt: {present} · Đi muộn: {late} · Vắng có lý do: {excused} · "
                  "Vắng không lý do: {unexcused} · Rời vị trí: {left} · Chưa điểm danh: {unmarked}",
                  "Total: {total} · Present: {present} · Late: {late} · Excused: {excused} · "
                  "Unexcused: {unexcused} · Left post: {left} · Not marked: {unmarked}"),
    "rc.arrival": ("Giờ đến", "Arrival time"),
    "rc.arrival_needed": ("Nhập giờ người này đến (HH:MM)", "Type the time this person arrived (HH:MM)"),
    "rc.reason": ("Lý do", "Reason"),
    "rc.evidence": ("Giấy tờ chứng minh", "Evidence"),
    "rc.note": ("Ghi chú", "Note"),
    "rc.minutes_late": ("muộn {n} phút", "{n} min late"),
    "rc.unmarked": ("Chưa điểm danh", "Not marked"),
    "rc.all_present": ("Còn lại: có mặt", "Rest: present"),
    "att.present": ("Có mặt", "Present"),
    "att.late": ("Đi muộn", "Late"),
    "att.absent_excused": ("Vắng có lý do", "Absent, excused"),
    "att.absent_unexcused": ("Vắng không lý do", "Absent, unexcused"),
    "att.left_post": ("Rời vị trí", "Left post"),
    # --- findings --------------------------------------------------------------------------------
    "fd.title": ("Phát hiện", "Findings"),
    "fd.new": ("Thêm phát hiện", "New finding"),
    "fd.save": ("Lưu phát hiện", "Save the finding"),
    "fd.description": ("Mô tả phát hiện", "Description"),
    "fd.severity": ("Mức độ", "Severity"),
    "fd.link": ("Gắn với", "Linked to"),
    "fd.link_none": ("Không gắn", "Stand-alone"),
    "fd.link_item": ("Nội dung kiểm tra", "Checklist item"),
    "fd.link_person": ("Người", "Person"),
    "fd.pick_item": ("Chọn nội dung", "Pick an item"),
    "fd.pick_person": ("Chọn người", "Pick a person"),
    "fd.recorded": ("Ghi lúc {time} bởi {who}", "Recorded {time} by {who}"),
    "fd.empty": ("Chưa có phát hiện nào.", "No findings yet."),
    "fd.added": ("Đã ghi phát hiện", "Finding recorded"),
    "fd.deleted": ("Đã xóa phát hiện", "Finding deleted"),
    "fd.confirm_delete": ("Xóa phát hiện này?", "Delete this finding?"),
    "fd.explanation": ("Yêu cầu bản tường trình", "Written explanation requested"),
    "sev.low": ("Nhẹ", "Low"),
    "sev.medium": ("Trung bình", "Medium"),
    "sev.high": ("Cao", "High"),
    # --- photos ----------------------------------------------------------------------------------
    "ph.title": ("Ảnh hiện trường", "Evidence photos"),
    "ph.pick": ("Chọn hoặc chụp ảnh", "Pick or take photos"),
    "ph.caption": ("Chú thích", "Caption"),
    "ph.added": ("Đã thêm {n} ảnh", "Added {n} photo(s)"),
    "ph.empty": ("Chưa có ảnh.", "No photos yet."),
    "ph.attach": ("Gắn với", "Attach to"),
    "ph.cancelled": ("Chưa chọn ảnh nào", "No photo picked"),
    "ph.working": ("Đang xử lý ảnh…", "Processing photos…"),
    # --- signatures ------------------------------------------------------------------------------
    "sg.title": ("Chữ ký", "Signatures"),
    "sg.pad": ("Vùng ký của {role}", "Signature pad: {role}"),
    "sg.name": ("Họ và tên người ký", "Signer's full name"),
    "sg.position": ("Chức vụ", "Position"),
    "sg.clear": ("Ký lại", "Clear and redo"),
    "sg.save": ("Lưu chữ ký", "Save signature"),
    "sg.refuse": ("Ghi nhận từ chối ký", "Record a refusal"),
    "sg.refusal_reason": ("Lý do từ chối ký", "Reason for refusing"),
    "sg.signed": ("Đã ký: {name}", "Signed: {name}"),
    "sg.refused": ("Từ chối ký: {name}. Lý do: {reason}", "Refused to sign: {name}. Reason: {reason}"),
    "sg.unsigned": ("Chưa ký", "Not signed"),
    "sg.empty_pad": ("Chưa có nét ký trên vùng ký.", "Nothing drawn on the pad yet."),
    "sg.need_name": ("Hãy nhập họ và tên người ký.", "Enter the signer's full name."),
    "sg.need_reason": ("Hãy nhập lý do từ chối ký.", "Enter the reason for refusing."),
    "sg.saved": ("Đã lưu chữ ký", "Signature saved"),
    "sg.refusal_saved": ("Đã ghi nhận từ chối ký", "Refusal recorded"),
    "sg.cleared": ("Đã xóa chữ ký", "Signature cleared"),
    # --- close -----------------------------------------------------------------------------------
    "cz.title": ("Kết thúc và khóa cuộc kiểm tra", "Close and lock the visit"),
    "cz.check": ("Kiểm tra còn thiếu", "Check what is missing"),
    "cz.missing": ("Còn thiếu {n} mục:", "{n} thing(s) missing:"),
    "cz.more": ("… và {n} mục khác", "… and {n} more"),
    "cz.ready": ("Đã đủ thông tin, có thể khóa cuộc kiểm tra.", "Everything is there: the visit can be locked."),
    "cz.lock": ("Khóa cuộc kiểm tra", "Lock the visit"),
    "cz.confirm": ("Khóa cuộc kiểm tra? Sau khi khóa không sửa được nữa.",
                   "Lock the visit? It cannot be changed afterwards."),
    "cz.locked": ("Đã khóa cuộc kiểm tra lúc {time}", "Visit locked at {time}"),
    "cz.export": ("Xuất biên bản (PDF)", "Export minutes (PDF)"),
    "cz.exported": ("Đã xuất biên bản: {path}", "Minutes exported: {path}"),
    # --- settings --------------------------------------------------------------------------------
    "st.title": ("Cài đặt", "Settings"),
    "st.language": ("Ngôn ngữ", "Language"),
    "st.lang_vi": ("Tiếng Việt", "Tiếng Việt"),
    "st.lang_en": ("English", "English"),
    "st.department": ("Cơ quan kiểm tra", "Inspecting department"),
    "st.province": ("Tỉnh, thành phố (ví dụ: Tây Ninh)", "Province or city (e.g. Tây Ninh)"),
    "st.province_kind": ("Cấp: tỉnh hoặc thành phố", "Kind: tỉnh (province) or thành phố (city)"),
    "st.organisation": ("Tên đầy đủ của cơ quan (để trống: Sở Nội vụ + tỉnh)",
                        "Organisation's full name (empty: Sở Nội vụ + province)"),
    "st.drafting_unit": ("Ký hiệu đơn vị soạn thảo (dòng “Lưu: VT, …”)", "Drafting unit's abbreviation (“Lưu: VT, …”)"),
    "st.parent_agency": ("Cơ quan chủ quản (để trống: UBND + tỉnh)", "Parent agency (empty: UBND + province)"),
    "st.dept_name": ("Tên cơ quan", "Department name"),
    "st.team_name": ("Tên Đoàn kiểm tra", "Team name"),
    "st.dept_code": ("Ký hiệu viết tắt", "Code"),
    "st.place": ("Địa danh", "Place name"),
    "st.director_title": ("Chức danh người đứng đầu", "Director's title"),
    "st.inspector": ("Người sử dụng máy", "Inspector using this tablet"),
    "st.office_hours": ("Giờ làm việc", "Office hours"),
    "st.season": ("Mùa", "Season"),
    "st.months": ("Tháng áp dụng", "Months"),
    "st.morning": ("Buổi sáng", "Morning"),
    "st.afternoon": ("Buổi chiều", "Afternoon"),
    "st.from": ("Từ", "From"),
    "st.to": ("Đến", "To"),
    "st.saved": ("Đã lưu cài đặt", "Settings saved"),
    "st.discard": ("Bỏ những gì chưa lưu", "Discard unsaved changes"),
    "st.calendar": ("Ngày nghỉ và ngày làm bù", "Days off and make-up working days"),
    "st.calendar_help": ("Ngoài ngày lễ theo luật, dùng để tính ngày làm việc khi xét hồ sơ đúng hạn.",
                         "Besides the statutory holidays; used to count working days for dossier timeliness."),
    "st.days_off": ("Ngày nghỉ bổ sung (ví dụ Tết theo quyết định)", "Extra days off (e.g. Tết by decision)"),
    "st.makeup": ("Ngày làm bù (thứ Bảy làm việc)", "Make-up working days (Saturdays worked)"),
    "st.days_hint": ("dd/mm/yyyy, cách nhau dấu phẩy", "dd/mm/yyyy, separated by commas"),
    "st.data_dir": ("Thư mục dữ liệu: {path}", "Data directory: {path}"),
    # --- review placeholder ----------------------------------------------------------------------
    "rv.title": ("Tổng hợp kết quả", "Review"),
    "rv.placeholder": ("Màn hình tổng hợp cho văn phòng sẽ có ở phiên bản sau.",
                       "The office review screens come in a later version."),
}

from .i18n_dossiers import DOSSIER_LABELS  # noqa: E402  (the dossier-sampling screen's labels)

LABELS = {**LABELS, **DOSSIER_LABELS}

from .i18n_office import OFFICE_LABELS  # noqa: E402  (the office review screens' labels)

LABELS = {**LABELS, **OFFICE_LABELS}

from .i18n_minutes import MINUTES_LABELS  # noqa: E402  (the conclusions and minutes screens' labels)

LABELS = {**LABELS, **MINUTES_LABELS}

from .i18n_install import INSTALL_LABELS  # noqa: E402  (first start, demo banner and camera labels)

LABELS = {**LABELS, **INSTALL_LABELS}

from .i18n_visit import VISIT_LABELS  # noqa: E402  (visit screens of issue #13: roster order, timeliness, photo links)

LABELS = {**LABELS, **VISIT_LABELS}


_PLURAL = re.compile(r"\b(\d+)((?:\s[\w-]+){1,3}?)\(s\)")


def plural_en(text: str) -> str:
    """English plurals after the numbers are in: "1 photo(s)" → "1 photo", "3 photo(s)" → "3 photos".

    Vietnamese nouns do not change with the number, so only English labels write "(s)".
    """
    text = _PLURAL.sub(lambda m: m.group(1) + m.group(2) + ("" if m.group(1) == "1" else "s"), text)
    return text.replace("(s)", "s")


def label(key: str, lang: str = "vi", **fmt: object) -> str:
    """The label for ``key`` in ``lang``.

    ``key`` is a key of the tables above, or (the catalog form, issue #16) a gettext message id: its
    Vietnamese text, translated from ``inspection_app/locale``. A missing key shows itself so it is easy
    to spot.
    """
    pair = LABELS.get(key)
    if pair is None:
        return locale.translate(key, lang, fmt)
    text = pair[0] if lang == "vi" else pair[1]
    text = text.format(**fmt) if fmt else text
    return plural_en(text) if lang != "vi" and "(s)" in text else text


class I18n:
    """A translator bound to the current language; views hold one and call it."""

    def __init__(self, lang: str = "vi"):
        self.lang = lang if lang in LANGS else "vi"

    def __call__(self, key: str, **fmt: object) -> str:
        return label(key, self.lang, **fmt)

    def plural(self, singular: str, plural: str, count: int, /, **fmt: object) -> str:
        """The form of the message ``singular``/``plural`` for ``count`` (gettext ``ngettext``: one form in
        Vietnamese, two in English); ``{n}`` (``count`` unless given) and the other ``{placeholders}`` are filled."""
        text = locale.fill(locale.ngettext(singular, plural, count, self.lang), {"n": count, **fmt})
        return locale.plural_en(text) if self.lang != "vi" and "(s)" in text else text

    def pick(self, vi: str, en: str | None) -> str:
        """Choose between the two versions of a data text (checklist titles, error messages)."""
        return vi if self.lang == "vi" or not en else en

    def text(self, obj: object) -> str:
        """A bilingual data text: an object with ``.vi``/``.en``, a dict, or a plain string."""
        if obj is None:
            return ""
        if isinstance(obj, str):
            return obj
        if isinstance(obj, dict):
            return self.pick(obj.get("vi", ""), obj.get("en"))
        vi = getattr(obj, "vi", None)
        if vi is not None:
            return self.pick(vi, getattr(obj, "en", None))
        return str(obj)
