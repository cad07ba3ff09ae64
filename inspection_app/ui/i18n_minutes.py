"""Labels of the conclusions and minutes screens (``views/conclusions.py``, ``views/minutes.py``),
Vietnamese first, English second.

Merged into ``i18n.LABELS``. Keys start with ``cc.`` (conclusions: sections III-V of the minutes and
their closing time) and ``mn.`` (the minutes: draft, number, digital signature, check, correction).
"""

from __future__ import annotations

MINUTES_LABELS: dict[str, tuple[str, str]] = {
    "nav.conclusions": ("Đánh giá, kiến nghị", "Assessment"),
    "nav.minutes": ("Biên bản", "Minutes"),
    # --- signatures (bound to the minutes' content; issue #11 point 3, #13 point 8) ---------------
    "sg.stale": ("Phải ký lại: {name} đã ký trên nội dung cũ, biên bản đã thay đổi sau đó",
                 "Must sign again: {name} signed an earlier text; the minutes changed since"),
    "sg.stale_note": ("Chữ ký cũ không được in vào biên bản. Cần ký lại trước khi khóa cuộc kiểm tra.",
                      "The old signature is not printed on the minutes. Sign again before the visit is locked."),
    "sg.wait_conclusions": ("Chữ ký được lấy sau khi viết xong phần Đánh giá, kiến nghị. Còn thiếu:",
                            "Signatures are collected once the conclusions are written. Still missing:"),
    "sg.to_conclusions": ("Mở trang Đánh giá, kiến nghị", "Open the Assessment page"),
    "sg.order_hint": ("Nếu đại diện đơn vị từ chối ký, hãy ghi nhận việc từ chối trước: việc này làm thay "
                      "đổi mục V và câu kết của biên bản, các thành viên Đoàn ký sau trên nội dung đó.",
                      "If the unit's representative refuses to sign, record the refusal first: it changes "
                      "section V and the closing sentence, which the team then signs."),
    # --- conclusions -----------------------------------------------------------------------------
    "cc.title": ("Đánh giá, kiến nghị", "Assessment and requests"),
    "cc.assessment": ("III. Nhận xét, đánh giá", "III. Assessment"),
    "cc.assessment_label": ("Nhận xét, đánh giá của Đoàn kiểm tra", "The team's assessment"),
    "cc.remedies": ("IV. Kiến nghị, yêu cầu khắc phục", "IV. Requests to remedy"),
    "cc.opinion": ("V. Ý kiến của đơn vị được kiểm tra", "V. Opinion of the inspected unit"),
    "cc.opinion_label": ("Ý kiến của đơn vị", "The unit's opinion"),
    "cc.end": ("Thời điểm kết thúc biên bản", "End of the minutes"),
    "cc.end_label": ("Kết thúc lúc (HH:MM)", "Ended at (HH:MM)"),
    "cc.end_day": ("ngày {date}", "on {date}"),
    "cc.end_saved": ("Biên bản ghi: kết thúc lúc {time} ngày {date}.", "The minutes say: ended at {time} on {date}."),
    "cc.end_unsaved": ("Chưa lưu giờ kết thúc: nếu để vậy, biên bản lấy giờ khóa cuộc kiểm tra.",
                       "No end time saved yet: the minutes will use the time the visit is locked."),
    "cc.now": ("Lấy giờ hiện tại", "Use the time now"),
    "cc.saved": ("Đã lưu", "Saved"),
    "cc.remedy_new": ("Thêm yêu cầu khắc phục", "Add a request to remedy"),
    "cc.remedy_edit": ("Sửa yêu cầu khắc phục", "Edit the request to remedy"),
    "cc.remedy_text": ("Nội dung yêu cầu khắc phục", "What the unit must fix"),
    "cc.deadline": ("Thời hạn khắc phục (dd/mm/yyyy)", "Deadline (dd/mm/yyyy)"),
    "cc.report_due": ("Hạn báo cáo kết quả (dd/mm/yyyy)", "Report back by (dd/mm/yyyy)"),
    "cc.report_due_hint": ("Để trống: cùng ngày với thời hạn khắc phục", "Empty: the same day as the deadline"),
    "cc.link": ("Gắn với phát hiện", "Linked finding"),
    "cc.link_none": ("Không gắn với phát hiện nào", "No linked finding"),
    "cc.link_fixed": ("Phát hiện: {text}", "Finding: {text}"),
    "cc.remedy_save": ("Lưu yêu cầu", "Save the request"),
    "cc.remedy_added": ("Đã thêm yêu cầu khắc phục", "Request to remedy added"),
    "cc.remedy_updated": ("Đã sửa yêu cầu khắc phục", "Request to remedy updated"),
    "cc.remedy_deleted": ("Đã xóa yêu cầu khắc phục", "Request to remedy deleted"),
    "cc.remedy_confirm_delete": ("Xóa yêu cầu khắc phục này?", "Delete this request to remedy?"),
    "cc.remedy_dates": ("Thời hạn: {deadline} · Báo cáo trước: {due}",
                        "Deadline: {deadline} · Report back by: {due}"),
    "cc.remedies_empty": ("Chưa có yêu cầu khắc phục nào.", "No requests to remedy yet."),
    "cc.bad_deadline": ("Thời hạn khắc phục không hợp lệ (dd/mm/yyyy)", "Invalid deadline (dd/mm/yyyy)"),
    "cc.bad_report_due": ("Hạn báo cáo không hợp lệ (dd/mm/yyyy)", "Invalid report-back date (dd/mm/yyyy)"),
    "cc.to_minutes": ("Xem biên bản", "See the minutes"),
    # --- minutes: state --------------------------------------------------------------------------
    "mn.title": ("Biên bản kiểm tra", "Minutes"),
    "mn.to_section": ("Biên bản: xuất PDF, ký số", "Minutes: PDF and digital signature"),
    "mn.open": ("Cuộc kiểm tra chưa khóa: chỉ xem được bản nháp (chưa có số, chưa lưu). Khóa cuộc kiểm tra ở mục "
                "\"Kết thúc\" để lập biên bản chính thức và ký số.",
                "The visit is not locked yet: only a draft can be seen (no number, not stored). Lock the visit "
                "under \"Close\" to make the official minutes and sign them."),
    "mn.correcting": ("Đang lập bản đính chính (phiên bản {version}) của Biên bản số {number}. Lý do: {reason}. "
                      "Sửa nội dung cần thiết, rồi khóa lại cuộc kiểm tra và ký số phiên bản mới.",
                      "A correction (version {version}) of minutes no. {number} is being made. Reason: {reason}. "
                      "Change what is needed, then lock the visit again and sign the new version."),
    "mn.unsigned": ("Cuộc kiểm tra đã khóa. Biên bản chính thức chưa được ký số.",
                    "The visit is locked. The official minutes are not signed yet."),
    "mn.numbers": ("Số biên bản do văn thư cấp", "Minutes numbers from the records office"),
    "mn.numbers_none": ("Máy này chưa có khối số nào: biên bản sẽ để trống số để văn thư ghi. Nhập khối số "
                        "văn thư đã cấp cho máy này (năm, từ số, đến số).",
                        "This tablet has no number block: the minutes will leave the number blank for the records "
                        "office. Enter the block the office reserved for this tablet (year, from, to)."),
    "mn.numbers_help": ("Khi khóa cuộc kiểm tra, biên bản lấy số nhỏ nhất còn trống trong các khối số của máy này.",
                        "When the visit is locked, the minutes take the lowest free number of this tablet's blocks."),
    "mn.block_row": ("{code} năm {year}: số {first}–{last}, còn {free} số", "{code} {year}: numbers {first}–{last}, {free} left"),
    "mn.block_year": ("Năm", "Year"),
    "mn.block_first": ("Từ số", "From"),
    "mn.block_last": ("Đến số", "To"),
    "mn.block_add": ("Thêm khối số", "Add the block"),
    "mn.block_bad": ("Năm, từ số, đến số phải là số nguyên.", "Year, from and to must be whole numbers."),
    "mn.block_added": ("Đã thêm khối số {first}–{last} năm {year}", "Block {first}–{last} of {year} added"),
    "mn.no_number": ("(chưa có số: văn thư ghi số)", "(no number yet: the records office writes it)"),
    "mn.unsigned_number": ("Biên bản số {number}, phiên bản {version}: chưa ký số.",
                           "Minutes no. {number}, version {version}: not signed yet."),
    "mn.signed": ("Biên bản số {number}, phiên bản {version} đã ký số.",
                  "Minutes no. {number}, version {version} signed digitally."),
    "mn.draft": ("Xem bản nháp", "See the draft"),
    "mn.draft_done": ("Bản nháp (chưa có số): {path}", "Draft (no number): {path}"),
    "mn.export": ("Xuất biên bản chính thức (PDF)", "Export the official minutes (PDF)"),
    "mn.download": ("Tải tệp PDF", "Download the PDF"),
    "mn.exported": ("Biên bản số {number}, phiên bản {version}: {path}",
                    "Minutes no. {number}, version {version}: {path}"),
    "mn.go_close": ("Đến mục Kết thúc", "Go to Close"),
    "mn.go_conclusions": ("Sửa đánh giá, kiến nghị (mục III-V)", "Edit the assessment and requests (III-V)"),
    "mn.number": ("Số biên bản", "Minutes number"),
    "mn.version": ("Phiên bản", "Version"),
    "mn.sha256": ("Mã băm SHA-256", "SHA-256"),
    "mn.signer": ("Người ký", "Signer"),
    "mn.signed_at": ("Thời điểm ký", "Signed at"),
    "mn.file": ("Tệp", "File"),
    # --- minutes: signing ------------------------------------------------------------------------
    "mn.sign_heading": ("Ký số biên bản (Trưởng đoàn)", "Sign the minutes (team leader)"),
    "mn.identity": ("Khóa ký số", "Signing key"),
    "mn.identity_item": ("{name} - {title} ({kind}, hết hạn {expires})",
                         "{name} - {title} ({kind}, expires {expires})"),
    "mn.kind_pilot": ("thí điểm", "pilot"),
    "mn.kind_imported": ("CA cấp", "CA-issued"),
    "mn.leader_key": ("Khóa của Trưởng đoàn {name}", "Team leader {name}'s key"),
    "mn.passphrase": ("Mật khẩu khóa ký số", "Signing key passphrase"),
    "mn.sign": ("Ký số", "Sign"),
    "mn.signing": ("Đang ký số…", "Signing…"),
    "mn.signed_toast": ("Đã ký số biên bản {number}", "Minutes {number} signed"),
    "mn.need_passphrase": ("Hãy nhập mật khẩu khóa ký số.", "Enter the signing key's passphrase."),
    "mn.no_keys": ("Máy này chưa có khóa ký số. Văn phòng Sở cấp khóa bằng lệnh \"inspection-app keys init\" "
                   "(chứng thư thí điểm) hoặc nhập chứng thư do tổ chức chứng thực cấp bằng \"inspection-app keys "
                   "import TỆP.p12\".",
                   "There is no signing key on this machine. The office issues keys with \"inspection-app keys "
                   "init\" (pilot certificates) or imports a CA-issued certificate with \"inspection-app keys "
                   "import FILE.p12\"."),
    "mn.no_leader_key": ("Chưa có khóa ký số của Trưởng đoàn {name}. Chọn khóa khác, nhờ Văn phòng Sở cấp khóa "
                         "(\"inspection-app keys init\" hoặc \"keys import TỆP.p12\"), hoặc tạo chứng thư thí "
                         "điểm dưới đây.",
                         "There is no signing key for the team leader {name}. Choose another key, ask the office "
                         "for one (\"inspection-app keys init\" or \"keys import FILE.p12\"), or create pilot "
                         "certificates below."),
    "mn.pilot_heading": ("Tạo chứng thư THÍ ĐIỂM trên máy này", "Create PILOT certificates on this machine"),
    "mn.pilot_members": ("Sẽ cấp cho: {names}", "Issued to: {names}"),
    "mn.pilot_office": ("Văn thư của Sở (ký tiếp nhận)", "the department's office (receipt signature)"),
    "mn.pilot_passphrase": ("Mật khẩu bảo vệ khóa (ít nhất 8 ký tự)",
                            "Passphrase for the keys (at least 8 characters)"),
    "mn.pilot_existing": ("Máy đã có CA gốc thí điểm: nhập đúng mật khẩu của CA gốc.",
                          "This machine already has a pilot root CA: enter its passphrase."),
    "mn.pilot_create": ("Tạo chứng thư thí điểm", "Create pilot certificates"),
    "mn.pilot_done": ("Đã tạo {n} chứng thư thí điểm", "{n} pilot certificate(s) created"),
    # --- minutes: checking -----------------------------------------------------------------------
    "mn.verify": ("Kiểm tra chữ ký số", "Check the signatures"),
    "mn.verify_heading": ("Kết quả kiểm tra: phiên bản {version}", "Check result: version {version}"),
    "mn.verify_ok": ("Hợp lệ: mọi chữ ký nguyên vẹn và đáng tin cậy.", "Valid: every signature intact and trusted."),
    "mn.verify_bad": ("Có vấn đề: xem chi tiết từng chữ ký.", "Problems found: see each signature."),
    "mn.verify_sig": ("{field}: {name}", "{field}: {name}"),
    "mn.verify_ok_one": ("Hợp lệ", "Valid"),
    "mn.verify_bad_one": ("Không hợp lệ", "Invalid"),
    "mn.intact": ("Nguyên vẹn", "Intact"),
    "mn.trusted": ("Tin cậy", "Trusted"),
    "mn.yes": ("có", "yes"),
    "mn.no": ("không", "no"),
    "mn.changes": ("Thay đổi sau khi ký", "Changes after signing"),
    "mn.issuer": ("Cấp bởi", "Issued by"),
    "mn.matches": ("Khớp với phiên bản {version} lưu trên máy này.",
                   "Matches version {version} stored on this machine."),
    "mn.no_match": ("Không khớp với phiên bản nào lưu trên máy này.", "Matches no version stored on this machine."),
    # --- minutes: correction ---------------------------------------------------------------------
    "mn.correction_heading": ("Đính chính biên bản", "Correct the minutes"),
    "mn.correction_help": ("Biên bản đã ký không bao giờ bị sửa. Đính chính lập phiên bản mới (giữ nguyên số biên "
                           "bản, ghi rõ là đính chính phiên bản trước); phiên bản cũ và tệp của nó vẫn được lưu "
                           "nguyên. Cuộc kiểm tra mở lại để sửa, sau đó khóa và ký số lại.",
                           "Signed minutes are never changed. A correction makes a new version (same number, "
                           "saying it corrects the previous one); the old version and its file stay as they are. "
                           "The visit opens again for editing, then it is locked and signed again."),
    "mn.correction_reason": ("Lý do đính chính", "Reason for the correction"),
    "mn.correction_start": ("Lập bản đính chính", "Start a correction"),
    "mn.correction_confirm": ("Lập phiên bản đính chính? Cuộc kiểm tra sẽ mở lại để sửa; phiên bản đã ký giữ nguyên.",
                              "Start a correction? The visit opens again for editing; the signed version stays."),
    "mn.correction_yes": ("Xác nhận lập bản đính chính", "Yes, start the correction"),
    "mn.correction_done": ("Đã mở phiên bản {version} để đính chính. Phiên bản cũ vẫn được lưu.",
                           "Version {version} opened for the correction. The old version is kept."),
    "mn.correction_need_reason": ("Hãy ghi lý do đính chính.", "Enter the reason for the correction."),
    # --- minutes: versions -----------------------------------------------------------------------
    "mn.versions": ("Các phiên bản", "Versions"),
    "mn.versions_empty": ("Chưa có phiên bản chính thức nào.", "No official version yet."),
    "mn.version_row": ("Phiên bản {version} · số {number}", "Version {version} · no. {number}"),
    "mn.v_signed": ("đã ký số {time}", "signed {time}"),
    "mn.v_unsigned": ("chưa ký số", "not signed"),
    "mn.v_pending": ("đang lập (chưa có tệp)", "in progress (no file yet)"),
    "mn.v_reason": ("Đính chính: {reason}", "Correction: {reason}"),
}
