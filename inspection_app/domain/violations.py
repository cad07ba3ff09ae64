"""Kinds of violation an inspection records, as data the office counts.

A finding (``store.models.Finding.kind``) and a checklist item that can fail (``violation_kind`` in
the checklist format) carry one of these codes, so that the dashboard and the reports count each
violation once, whichever way the inspector recorded it (issue #12). Labels for people live in the
text catalogs, keyed by these codes.
"""

from __future__ import annotations

from enum import StrEnum


class ViolationKind(StrEnum):
    LATE = "late"  # đi muộn
    ABSENT_UNEXCUSED = "absent_unexcused"  # vắng mặt không lý do
    LEFT_POST = "left_post"  # rời vị trí trong giờ làm việc
    ALCOHOL = "alcohol"  # rượu, bia (Luật 44/2019/QH14, khoản 5 Điều 5)
    TOBACCO = "tobacco"  # thuốc lá (Luật 09/2012/QH13, Điều 11)
    E_CIGARETTE = "e_cigarette"  # thuốc lá điện tử, thuốc lá nung nóng (Nghị quyết 173/2024/QH15)
    OFFICE_CULTURE = "office_culture"  # văn hóa công sở (Quyết định 129/2007/QĐ-TTg)
    TTHC_DOSSIER = "tthc_dossier"  # hồ sơ thủ tục hành chính
    HEAD_DUTIES = "head_duties"  # trách nhiệm người đứng đầu, cấp phó
    OTHER = "other"


#: Kinds about a person's conduct (the roll call and alcohol/tobacco), counted per person.
PERSONAL_KINDS = frozenset({ViolationKind.LATE, ViolationKind.ABSENT_UNEXCUSED, ViolationKind.LEFT_POST,
                            ViolationKind.ALCOHOL, ViolationKind.TOBACCO, ViolationKind.E_CIGARETTE})
