"""Labels of the first start, the demo banner and the in-app camera, Vietnamese first, English second.

Merged into ``i18n.LABELS``; kept apart so these screens and the others can be worked on at the
same time. Keys start with ``fs.`` (first start, demo) and ``cam.`` (camera).
"""

from __future__ import annotations

INSTALL_LABELS: dict[str, tuple[str, str]] = {
    # --- first start and the demo ----------------------------------------------------------------
    "fs.identity_title": ("Cơ quan kiểm tra", "The inspecting department"),
    "fs.identity_help": ("Trước khi lập biên bản, hãy cho biết Sở Nội vụ thuộc tỉnh, thành phố nào. Tên đầy đủ và cơ "
                         "quan chủ quản được ghi theo đó; có thể sửa trong Cài đặt.",
                         "Before any minutes are made, say which province or city this Department of Home Affairs "
                         "belongs to. Its full name and parent agency follow; both can be changed in Settings."),
    "fs.kind_province": ("Tỉnh", "Province (tỉnh)"),
    "fs.kind_city": ("Thành phố trực thuộc trung ương", "Centrally-run city (thành phố)"),
    "fs.identity_saved": ("Đã lưu: {name}", "Saved: {name}"),
    "fs.try_demo": ("Dùng thử với dữ liệu mẫu", "Try it with sample data"),
    "fs.try_demo_help": ("Mở một đơn vị mẫu với các cuộc kiểm tra đã làm sẵn, tách riêng khỏi dữ liệu thật.",
                         "Opens a sample department with visits already done, kept apart from the real data."),
    "fs.preparing": ("Đang chuẩn bị dữ liệu mẫu…", "Preparing the sample data…"),
    "fs.banner": ("DỮ LIỆU MẪU", "SAMPLE DATA"),
    "fs.banner_help": ("Chỉ để dùng thử: không phải hồ sơ thật, không xuất gói dữ liệu.",
                       "For trying the app only: not real records, never exported in a bundle."),
    "fs.leave_demo": ("Về dữ liệu thật", "Back to real data"),
    "fs.start_failed": ("Không mở được thư mục dữ liệu, nên ứng dụng chưa thể bắt đầu.",
                        "The data directory could not be opened, so the app cannot start."),
    "fs.device_title": ("Trên máy này", "On this device"),
    "fs.device_help": ("Các việc sau làm tại máy tính văn phòng:", "These are done at the office computer:"),
    "fs.feature.heic": ("Ảnh HEIC (hãy đặt máy chụp lưu ảnh JPEG)", "HEIC photos (set the camera to save JPEG)"),
    "fs.feature.office_db": ("Cơ sở dữ liệu dùng chung PostgreSQL của văn phòng",
                             "The office's shared PostgreSQL database"),
    "fs.feature.pades": ("Ký số biên bản (PAdES)", "Digital signing of the minutes (PAdES)"),
    # --- in-app camera ---------------------------------------------------------------------------
    "cam.take": ("Chụp ảnh", "Take a photo"),
    "cam.title": ("Chụp ảnh minh chứng", "Take an evidence photo"),
    "cam.capture": ("Chụp", "Capture"),
    "cam.retake": ("Chụp lại", "Retake"),
    "cam.use": ("Dùng ảnh này", "Use this photo"),
    "cam.close": ("Đóng", "Close"),
    "cam.starting": ("Đang mở máy ảnh…", "Starting the camera…"),
    "cam.none": ("Không tìm thấy máy ảnh trên thiết bị này.", "No camera was found on this device."),
    "cam.denied": ("Ứng dụng chưa được phép dùng máy ảnh. Hãy cho phép trong phần Cài đặt của máy tính bảng.",
                   "The app may not use the camera. Allow it in the tablet's Settings."),
    "cam.failed": ("Máy ảnh không chụp được. Hãy thử lại, hoặc chọn ảnh đã chụp.",
                   "The camera could not take the photo. Try again, or choose a photo already taken."),
    "cam.preview": ("Ảnh vừa chụp", "The photo just taken"),
}
