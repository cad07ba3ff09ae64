"""What happened to a violator: the handling the office records, and staff categories.

Pure data and rules. The disciplinary forms depend on the person's category (``StaffMember.
employment_type``), as the law sets them; they are kept here as data, each with its source, so a
change of law is a change of this table:

- cán bộ (Nghị định 172/2025/NĐ-CP; Luật Cán bộ, công chức 80/2025/QH15): khiển trách, cảnh cáo,
  cách chức, bãi nhiệm;
- công chức (same sources): khiển trách, cảnh cáo, giáng chức, cách chức, buộc thôi việc;
- viên chức (Luật Viên chức 58/2010/QH12, Điều 52, as amended by Luật 52/2019/QH14; Nghị định
  112/2020/NĐ-CP): khiển trách, cảnh cáo, cách chức, buộc thôi việc;
- người lao động (Bộ luật Lao động 45/2019/QH14, Điều 124): khiển trách, kéo dài thời hạn nâng lương
  không quá 06 tháng, cách chức, sa thải.
(Sources checked from third-party copies in 2026-11, not the Gazette: re-check before release.)

Before discipline, the office may record a reminder (nhắc nhở) or a self-criticism (kiểm điểm).
Any discipline in the year means "không hoàn thành nhiệm vụ" in the year-end evaluation (Nghị định
335/2025/NĐ-CP), which is why the per-person list marks it.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspection_app.locale import both

from .text import fold

# Staff categories (StaffMember.employment_type, read forgivingly).
CADRE, CIVIL_SERVANT, PUBLIC_EMPLOYEE, WORKER, UNKNOWN = "can_bo", "cong_chuc", "vien_chuc", "nguoi_lao_dong", ""
CATEGORIES = (CADRE, CIVIL_SERVANT, PUBLIC_EMPLOYEE, WORKER, UNKNOWN)
CATEGORY_LABELS = {CADRE: "Cán bộ", CIVIL_SERVANT: "Công chức", PUBLIC_EMPLOYEE: "Viên chức",
                   WORKER: "Người lao động", UNKNOWN: "Chưa xác định"}


def staff_category(employment_type: str | None) -> str:
    """"Công chức" / "cong chuc" / "CC" → ``cong_chuc``; "hợp đồng 111" → ``nguoi_lao_dong``; else ""."""
    key = fold(employment_type or "").strip()
    if not key:
        return UNKNOWN
    if "vien chuc" in key or key == "vc":
        return PUBLIC_EMPLOYEE
    if "cong chuc" in key or key == "cc":
        return CIVIL_SERVANT
    if "can bo" in key or key == "cb":
        return CADRE
    if "lao dong" in key or "hop dong" in key or key in ("nld", "hd"):
        return WORKER
    return UNKNOWN


@dataclass(frozen=True)
class Handling:
    code: str
    label: str  # Vietnamese, as the documents write it
    label_en: str
    discipline: bool  # a disciplinary form (counts against the year-end evaluation)
    categories: tuple[str, ...]  # staff categories it applies to (all when empty)


NONE = "none"
HANDLINGS: tuple[Handling, ...] = (
    Handling(NONE, *both("Chưa xử lý"), False, ()),
    Handling("reminder", *both("Nhắc nhở"), False, ()),
    Handling("self_criticism", *both("Kiểm điểm"), False, ()),
    Handling("reprimand", *both("Khiển trách"), True, ()),
    Handling("warning", *both("Cảnh cáo"), True, (CADRE, CIVIL_SERVANT, PUBLIC_EMPLOYEE, UNKNOWN)),
    Handling("salary_delay", *both("Kéo dài thời hạn nâng lương không quá 06 tháng"),
             True, (WORKER, UNKNOWN)),
    Handling("demotion", *both("Giáng chức"), True, (CIVIL_SERVANT, UNKNOWN)),
    Handling("dismissal_from_post", *both("Cách chức"), True, ()),
    Handling("forced_resignation", *both("Buộc thôi việc"), True,
             (CIVIL_SERVANT, PUBLIC_EMPLOYEE, UNKNOWN)),
    Handling("removal_from_office", *both("Bãi nhiệm"), True, (CADRE, UNKNOWN)),
    Handling("summary_dismissal", *both("Sa thải"), True, (WORKER, UNKNOWN)),
)
BY_CODE = {h.code: h for h in HANDLINGS}


def handlings_for(category: str) -> list[Handling]:
    """The handlings the office may record for a person of ``category`` (all for an unknown one)."""
    return [h for h in HANDLINGS if not h.categories or category in h.categories]


def handling_label(code: str) -> str:
    h = BY_CODE.get(code)
    return h.label if h else code
