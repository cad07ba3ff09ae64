"""Labels of the visit screens added for issue #13 (roster order, timeliness confirmation, photo links,
drafts of the conclusions), Vietnamese first, English second.

Merged into ``i18n.LABELS``; kept apart so these screens and the others can be worked on at the same time.
Keys keep the prefix of their screen (``rc.`` roll call, ``ds.`` dossiers, ``ph.`` photos, ``cc.`` conclusions).
"""

from __future__ import annotations

VISIT_LABELS: dict[str, tuple[str, str]] = {
    # --- roll call: the roster's order ------------------------------------------------------------
    "rc.order": ("Sắp xếp danh sách", "Order of the roster"),
    "rc.order_file": ("Theo thứ tự trong tệp", "As in the file"),
    "rc.order_name": ("Theo tên (A–Z)", "By name (A–Z)"),
    "rc.order_department": ("Theo phòng, ban", "By department"),
    # --- dossiers: the timeliness computed, confirmed or overridden with a reason ------------------------
    "ds.tlc.computed": ("Tính từ sổ theo dõi: {value}", "From the register: {value}"),
    "ds.tlc.cannot": ("Sổ theo dõi chưa cho biết kết quả: chọn kết quả và ghi lý do.",
                      "The register does not say: choose the result and give the reason."),
    "ds.tlc.unconfirmed": ("Chưa xác nhận", "Not confirmed yet"),
    "ds.tlc.confirmed": ("Đã xác nhận: {value}", "Confirmed: {value}"),
    "ds.tlc.overridden": ("Đã sửa thành: {value}. Lý do: {reason}", "Changed to: {value}. Reason: {reason}"),
    "ds.tlc.unexplained": ("Ghi {value}, khác với sổ theo dõi mà chưa có lý do: xác nhận hoặc ghi lý do.",
                           "Recorded as {value}, unlike the register and with no reason: confirm it or give one."),
    "ds.tlc.confirm": ("Xác nhận", "Confirm"),
    "ds.tlc.change": ("Sửa kết quả", "Change the result"),
    "ds.tlc.result": ("Kết quả khi kiểm tra", "Result found on inspection"),
    "ds.tlc.reason": ("Lý do sửa", "Reason for the change"),
    "ds.tlc.reason_needed": ("Cần ghi lý do khi kết quả khác với sổ theo dõi", "A reason is needed when the result differs from the register"),
    "ds.tlc.save": ("Lưu kết quả đã sửa", "Save the changed result"),
    "ds.tlc.saved_confirm": ("Đã xác nhận thời hạn giải quyết", "Timeliness confirmed"),
    "ds.tlc.saved_override": ("Đã lưu kết quả thời hạn đã sửa", "Changed timeliness saved"),
    "ds.tlc.chip_unconfirmed": ("Chưa xác nhận thời hạn", "Timeliness not confirmed"),
    "ds.tlc.chip_confirmed": ("Thời hạn đã xác nhận", "Timeliness confirmed"),
    "ds.tlc.chip_overridden": ("Thời hạn đã sửa: {value}", "Timeliness changed: {value}"),
    "ds.tlc.chip_unexplained": ("Thời hạn thiếu lý do sửa", "Timeliness change lacks a reason"),
    # --- photos: one photo, several items or findings ---------------------------------------------------
    "ph.link_more": ("Gắn thêm", "Link as well"),
    "ph.link_more_title": ("Gắn ảnh này thêm với", "Link this photo as well to"),
    "ph.also": ("Cũng là ảnh của: {what}", "Also evidence of: {what}"),
    "ph.unlink": ("Bỏ gắn: {what}", "Unlink: {what}"),
    "ph.linked_more": ("Đã gắn thêm ảnh", "Photo linked"),
    "ph.unlinked": ("Đã bỏ gắn ảnh", "Photo unlinked"),
}
