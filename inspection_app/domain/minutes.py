"""The content of the minutes (biên bản), independent of the database and of the PDF.

A :class:`MinutesContent` is everything the printed document says, already in the order and the
words of the document. The service builds it from the store; the PDF layer draws it; tests and
the benchmark build it by hand. Keeping it pure means the layout can be checked without a
database, and a stored version of the minutes can be re-drawn exactly.

The document language is Vietnamese. Wording follows the Decree 30/2020/NĐ-CP conventions for
administrative documents: numbers below 10 get a leading zero ("Số: 05/BB-SNV"), days below 10
and the months January and February too ("ngày 05 tháng 02 năm 2026").

Times are local (Asia/Ho_Chi_Minh) wall-clock times; the service converts from UTC before it
builds the content.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from .roll_call import RollCallTotals
from .text import roman as roman  # the one home of roman numerals; kept importable here

# moved; kept importable here for callers outside (``x as x`` marks a re-export)
from .wording import (
    BLANK_NUMBER as BLANK_NUMBER,
)
from .wording import (
    END_MARK as END_MARK,
)
from .wording import (
    clock as clock,
)
from .wording import closing_sentence, date_line, number_line, opening_sentence, short_date
from .wording import (
    distinct_parts as distinct_parts,
)
from .wording import (
    format_minutes_number as format_minutes_number,
)
from .wording import (
    recipients_lines as recipients_lines,
)
from .wording import (
    refusal_sentence as refusal_sentence,
)
from .wording import (
    refusal_text as refusal_text,
)
from .wording import (
    two_digits as two_digits,
)
from .wording import (
    vn_date as vn_date,
)

Point = tuple[float, float]
Stroke = tuple[Point, ...]


class Outcome(enum.Enum):
    """The answer to one checklist item."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"
    VALUE = "value"  # a count, a time or free text: the value itself is the result
    UNANSWERED = "unanswered"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.PASSED: "Đạt",
    Outcome.FAILED: "Không đạt",
    Outcome.NOT_APPLICABLE: "Không áp dụng",
    Outcome.VALUE: "",
    Outcome.UNANSWERED: "Chưa kiểm tra",
}


class SignerRole(enum.Enum):
    """Who signs the minutes on paper (and on the tablet's signature pad)."""

    UNIT_REPRESENTATIVE = "unit_representative"
    TEAM_LEADER = "team_leader"
    SECRETARY = "secretary"

    @property
    def title(self) -> str:
        """The capitalised heading above the signature (Decree 30: bold caps)."""
        return _ROLE_TITLES[self]


_ROLE_TITLES = {
    SignerRole.UNIT_REPRESENTATIVE: "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA",
    SignerRole.TEAM_LEADER: "TRƯỞNG ĐOÀN",
    SignerRole.SECRETARY: "THƯ KÝ",
}


@dataclass(frozen=True)
class Department:
    """Who issues the minutes.

    ``parent_body`` is the governing authority ("UBND TỈNH TÂY NINH"), ``issuing_body`` the
    office that issues the document ("SỞ NỘI VỤ" or "ĐOÀN KIỂM TRA CÔNG VỤ"), ``minutes_code``
    the suffix of the document number ("BB-SNV" gives "Số: 12/BB-SNV").
    """

    parent_body: str
    issuing_body: str
    minutes_code: str


@dataclass(frozen=True)
class TeamMember:
    name: str
    position: str  # "Phó Giám đốc Sở Nội vụ"
    role: str  # "Trưởng đoàn", "Thành viên", "Thư ký"


@dataclass(frozen=True)
class UnitRepresentative:
    name: str
    position: str  # "Chủ tịch UBND xã", "Trạm trưởng"


@dataclass(frozen=True)
class ItemResult:
    """One checklist item as it appears in the minutes."""

    item_id: str
    text: str
    outcome: Outcome
    value: str = ""  # the answer for VALUE items, or a value that goes with a pass/fail
    note: str = ""
    legal_basis: str = ""
    photo_refs: tuple[str, ...] = ()

    @property
    def result_text(self) -> str:
        """What the "Kết quả" column shows."""
        if self.outcome is Outcome.VALUE:
            return self.value
        if self.value:
            return f"{self.outcome.label} ({self.value})"
        return self.outcome.label

    @property
    def belongs_in_body(self) -> bool:
        """Failed items and items with a note are told in the body; all items go to the annex."""
        return self.outcome is Outcome.FAILED or bool(self.note.strip())


@dataclass(frozen=True)
class ChecklistSection:
    """Results of one checklist (e.g. "Thời gian làm việc, điểm danh")."""

    checklist_id: str
    version: str
    title: str
    items: tuple[ItemResult, ...]
    summary: str = ""  # an optional sentence the team wrote for this checklist

    @property
    def body_items(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if i.belongs_in_body)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for i in self.items if i.outcome is outcome)


@dataclass(frozen=True)
class Remedy:
    text: str
    deadline: dt.date | None = None
    report_back: dt.date | None = None  # date by which the unit reports the fix in writing


@dataclass(frozen=True)
class SignatureMark:
    """A handwritten signature drawn on the pad, or a refusal to sign.

    ``strokes`` are in pad coordinates: x to the right, y downwards, inside a pad of
    ``pad_width`` by ``pad_height``. The PDF draws them as vector paths.
    """

    role: SignerRole
    name: str
    strokes: tuple[Stroke, ...] = ()
    pad_width: float = 0.0
    pad_height: float = 0.0
    refused: bool = False
    refusal_reason: str = ""
    title: str = ""  # overrides role.title, e.g. "KT. TRƯỞNG ĐOÀN / PHÓ TRƯỞNG ĐOÀN"
    post: str = ""  # the signer's post in the Department, printed under the title (PL I, II.7.c)

    @property
    def heading(self) -> str:
        return self.title or self.role.title

    @property
    def has_drawing(self) -> bool:
        return any(len(s) >= 1 for s in self.strokes) and self.pad_width > 0 and self.pad_height > 0


@dataclass(frozen=True)
class RollCallRow:
    name: str
    position: str
    status: str  # "Có mặt", "Đi muộn", "Vắng có lý do", "Vắng không lý do", "Rời vị trí"
    arrival: str = ""  # "07:52"
    minutes_late: int | None = None
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class RollCall:
    rows: tuple[RollCallRow, ...]
    totals: RollCallTotals
    team_arrival: str = ""  # "07:35": when the team arrived, which the roll call refers to
    method: str = ""  # how attendance is kept by the unit ("máy chấm công vân tay", "sổ")


@dataclass(frozen=True)
class DossierRow:
    code: str
    procedure: str
    domain: str
    received: dt.date | None
    due: dt.date | None
    returned: dt.date | None
    timeliness: str  # the printed label: "Trước hạn (2 ngày làm việc)", "Đúng hạn", "Quá hạn (3 …)"
    result: str  # result of the check: "Đạt", "Không đạt: …"
    status: str = ""  # domain.timeliness.Timeliness code (early, on_time, late, pending, overdue, unknown)
    failed: bool = False  # some checked content of the dossier did not pass

    @property
    def status_label(self) -> str:
        """The one-stop word for the status ("Trước hạn / Đúng hạn / Quá hạn"), from the code."""
        return TIMELINESS_LABELS.get(self.status, "")


#: the one-stop vocabulary (Thông tư 03/2025/TT-VPCP; DOMAIN.md "Words"), by Timeliness code
TIMELINESS_LABELS = {
    "early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn",
    "pending": "Đang xử lý (trong hạn)", "overdue": "Đang xử lý (quá hạn)", "unknown": "Không xác định",
}


@dataclass(frozen=True)
class DossierSample:
    """The sampled dossiers and what is needed to re-draw the sample and check it was fair."""

    seed_hex: str
    commitment: str  # hash of the seed, recorded before the seed was revealed
    frame_hash: str  # hash of the register (sampling frame) the sample was drawn from
    algorithm_version: str
    frame_size: int
    rows: tuple[DossierRow, ...]
    strata: str = ""  # "theo lĩnh vực" …


@dataclass(frozen=True)
class PhotoEntry:
    """A photo for the annex: the report copy on disk (a JPEG), never the original."""

    ref: str  # "A1", the mark used in the body next to the item
    path: str
    caption: str
    taken_at: dt.datetime | None
    item_ref: str = ""  # "1.3 Đeo thẻ công chức" — the checklist item the photo belongs to
    sha256: str = ""  # of the original, so the annex can be matched to the evidence store


@dataclass(frozen=True)
class MinutesContent:
    """Everything the minutes say, in Vietnamese, ready to be drawn."""

    department: Department
    number: int | None  # None for a draft: "Số: ……/BB-SNV"
    place: str  # "Tây Ninh" in the date line
    date: dt.date
    unit_name: str  # "UBND xã Tân Phú"
    summary: str  # "Kiểm tra công vụ tại UBND xã Tân Phú"
    legal_basis: tuple[str, ...]
    start: dt.datetime
    venue: str  # where the meeting took place: "Trụ sở UBND xã Tân Phú, …"
    team: tuple[TeamMember, ...]
    unit_representatives: tuple[UnitRepresentative, ...]
    sections: tuple[ChecklistSection, ...]
    assessment: str
    remedies: tuple[Remedy, ...]
    unit_opinion: str
    end: dt.datetime
    signatures: tuple[SignatureMark, ...]
    roll_call: RollCall | None = None
    sample: DossierSample | None = None
    photos: tuple[PhotoEntry, ...] = ()
    other_findings: tuple[str, ...] = ()  # findings not tied to a checklist item
    team_name: str = "Đoàn kiểm tra công vụ"
    copies: int = 2
    visit_kind: str = ""  # "planned" (theo kế hoạch) / "unannounced" (đột xuất); "" says neither
    recipients: tuple[str, ...] = ()  # "Nơi nhận" lines, each without its leading "- "
    issuer_name: str = ""  # the issuing body as the annex headings name it; team_name if empty
    version: int = 1
    correction_reason: str = ""  # set on a corrected version (2, 3, …)
    visit_id: str = ""

    @property
    def number_line(self) -> str:
        return number_line(self.number, self.department.minutes_code)

    @property
    def date_line(self) -> str:
        return date_line(self.place, self.date)

    @property
    def opening(self) -> str:
        return opening_sentence(self.start, self.venue, self.team_name, self.unit_name, self.visit_kind)

    @property
    def refusal(self) -> SignatureMark | None:
        """The unit representative's refusal to sign, if recorded."""
        mark = self.signature(SignerRole.UNIT_REPRESENTATIVE)
        return mark if mark is not None and mark.refused else None

    @property
    def closing(self) -> str:
        return closing_sentence(self.end, self.copies, same_day=self.end.date() == self.start.date(),
                                refusal=self.refusal, unit_name=self.unit_name)

    @property
    def issuer(self) -> str:
        return self.issuer_name or self.team_name

    def signature(self, role: SignerRole) -> SignatureMark | None:
        return next((s for s in self.signatures if s.role is role), None)


# --- composing text ---------------------------------------------------------------------------


def remedy_sentence(remedy: Remedy) -> str:
    text = remedy.text.rstrip(" .;")
    parts = [text]
    if remedy.deadline:
        parts.append(f"thời hạn hoàn thành trước {short_date(remedy.deadline)}")
    if remedy.report_back:
        parts.append(f"báo cáo kết quả khắc phục bằng văn bản về Đoàn trước {short_date(remedy.report_back)}")
    return "; ".join(parts) + "."


def dossier_counts(rows: Sequence[DossierRow]) -> list[tuple[str, int]]:
    """(status word, count) in the order of the vocabulary, from the rows' status codes, never from
    the printed label; only statuses that occur. Rows without a code count as "Không xác định"."""
    counts: dict[str, int] = {}
    for r in rows:
        key = r.status if r.status in TIMELINESS_LABELS else "unknown"
        counts[key] = counts.get(key, 0) + 1
    return [(label, counts[code]) for code, label in TIMELINESS_LABELS.items() if counts.get(code)]


def sample_sentence(sample: DossierSample, annex_refs: str = "") -> str:
    """One sentence of the body: how the dossiers were chosen and what the check found; the
    verification details (random number, seal, register fingerprint) are in an annex."""
    counts = "; ".join(f"{label.lower()}: {n}" for label, n in dossier_counts(sample.rows))
    failed = sum(1 for r in sample.rows if r.failed)
    ref = f" (chi tiết tại {annex_refs})" if annex_refs else ""
    return (
        f"Đoàn chọn ngẫu nhiên {len(sample.rows)} hồ sơ trong tổng số {sample.frame_size} hồ sơ của sổ "
        f"theo dõi bằng cách chọn có thể kiểm chứng lại; về tiến độ giải quyết: {counts or 'không có'}; "
        f"số hồ sơ có nội dung không đạt: {failed}{ref}."
    )


def roll_call_summary(totals: RollCallTotals) -> str:
    """The totals sentence of the minutes. "Có mặt" counts everyone found at the unit during the
    check: on time, late, or who later left their post."""
    text = (
        f"Tổng số theo danh sách: {totals.roster} người; có mặt: {totals.at_work + totals.left_post}; "
        f"đi muộn: {totals.late}; vắng có lý do: {totals.absent_excused}; "
        f"vắng không lý do: {totals.absent_unexcused}; rời vị trí trong giờ làm việc: "
        f"{totals.left_post}"
    )
    if totals.not_recorded:
        text += f"; chưa điểm danh: {totals.not_recorded}"
    return text + "."


def section_summary(section: ChecklistSection) -> str:
    """"Kiểm tra 12 nội dung: 9 đạt, 2 không đạt, 1 không áp dụng.\""""
    parts = [f"Kiểm tra {len(section.items)} nội dung"]
    counts = [(Outcome.PASSED, "đạt"), (Outcome.FAILED, "không đạt"),
              (Outcome.NOT_APPLICABLE, "không áp dụng"), (Outcome.VALUE, "ghi nhận số liệu"),
              (Outcome.UNANSWERED, "chưa kiểm tra")]
    tail = [f"{section.count(o)} {label}" for o, label in counts if section.count(o)]
    return parts[0] + (": " + ", ".join(tail) if tail else "") + "."


def strokes_from_lists(raw: Sequence[Sequence[Sequence[float]]]) -> tuple[Stroke, ...]:
    """Turn JSON-ish ``[[[x, y], …], …]`` into the frozen stroke tuples."""
    return tuple(tuple((float(p[0]), float(p[1])) for p in s) for s in raw)


__all__ = [
    "BLANK_NUMBER", "END_MARK", "TIMELINESS_LABELS", "distinct_parts", "dossier_counts",
    "recipients_lines", "refusal_sentence", "sample_sentence",
    "ChecklistSection", "Department", "DossierRow", "DossierSample", "ItemResult", "MinutesContent",
    "Outcome", "PhotoEntry", "Remedy", "RollCall", "RollCallRow", "SignatureMark",
    "SignerRole", "TeamMember", "UnitRepresentative", "closing_sentence", "date_line",
    "format_minutes_number", "number_line", "opening_sentence", "refusal_text",
    "remedy_sentence", "roll_call_summary", "roman", "section_summary", "short_date",
    "strokes_from_lists", "vn_date",
]
