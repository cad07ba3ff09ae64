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
}
