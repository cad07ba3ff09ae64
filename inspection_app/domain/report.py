"""The office's figures and the Director's period report, as plain data.

:class:`Metrics` is what the dashboard shows for a unit, a month or a whole period: counts added up
by the database, rates derived here so that every screen, the PDF report and the spreadsheet
compute them the same way. :class:`PeriodReport` is everything the report says, in the order of the
document; ``services.reports`` fills it from the store and ``pdf.report`` draws it.

Definitions: ``docs/glossary.md``, section "Chỉ số / Metrics" (one definition per figure, the same
in the minutes, the dashboard, both reports and the spreadsheets). In short:
- only finished visits (closed, signed, filed) are counted; open ones are listed apart;
- "Có mặt" (at work) = present on time + late; attendance rate = at work / roll-call entries;
- a violation is counted once per visit, kind and person (or, when no person is named, per checklist
  item or finding), whichever way it was recorded (``services.violation_tally``);
- office-culture failures: failed items of the ``office_culture`` checklist;
- on-time rate: sampled dossiers returned early or on time over those whose timeliness is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from .violations import ViolationKind

VIOLATION_KIND_CODES = tuple(k.value for k in ViolationKind)


@dataclass(frozen=True)
class Metrics:
    visits: int = 0
    roll_call: int = 0  # roll-call entries (people checked)
    present: int = 0
    late: int = 0
    absent_excused: int = 0
    absent_unexcused: int = 0
    left_post: int = 0
    findings: int = 0
    alcohol_tobacco_items_failed: int = 0
    office_culture_items: int = 0  # items answered pass or fail
    office_culture_failed: int = 0
    dossiers_checked: int = 0  # sampled dossiers with a timeliness
    dossiers_early: int = 0
    dossiers_on_time: int = 0
    dossiers_late: int = 0
    # Violations by kind (domain.violations.ViolationKind), each counted once (see the module docstring).
    v_late: int = 0
    v_absent_unexcused: int = 0
    v_left_post: int = 0
    v_alcohol: int = 0
    v_tobacco: int = 0
    v_e_cigarette: int = 0
    v_office_culture: int = 0
    v_tthc_dossier: int = 0
    v_head_duties: int = 0
    v_other: int = 0

    def __add__(self, other: Metrics) -> Metrics:  # noqa: D105
        return Metrics(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def at_work(self) -> int:
        return self.present + self.late

    @property
    def attendance_rate(self) -> float | None:
        """None when nobody was checked (shown as "–", not as 0 %)."""
        return self.at_work / self.roll_call if self.roll_call else None

    @property
    def alcohol(self) -> int:
        return self.v_alcohol

    @property
    def tobacco(self) -> int:
        """Tobacco violations, cigarettes only; e-cigarettes are :attr:`v_e_cigarette`."""
        return self.v_tobacco

    @property
    def alcohol_tobacco(self) -> int:
        """Alcohol, tobacco and e-cigarette violations."""
        return self.v_alcohol + self.v_tobacco + self.v_e_cigarette

    @property
    def violations(self) -> int:
        """All violations of every kind, each counted once."""
        return sum(getattr(self, f"v_{k}") for k in VIOLATION_KIND_CODES)

    def violations_of(self, kind: str) -> int:
        return int(getattr(self, f"v_{kind}"))

    @property
    def office_culture_failure_rate(self) -> float | None:
        return self.office_culture_failed / self.office_culture_items if self.office_culture_items else None

    @property
    def dossiers_in_time(self) -> int:
        return self.dossiers_early + self.dossiers_on_time

    @property
    def on_time_rate(self) -> float | None:
        return self.dossiers_in_time / self.dossiers_checked if self.dossiers_checked else None


#: The counters kept per visit (every Metrics field but ``visits``, which counts the visits themselves).
TALLY_FIELDS = tuple(f.name for f in fields(Metrics) if f.name != "visits")


def percent(rate: float | None, lang: str = "vi", digits: int = 1) -> str:
    """"87,5%" in Vietnamese, "87.5%" in English, "–" when there is nothing to measure."""
    if rate is None:
        return "–"
    text = f"{rate * 100:.{digits}f}%"
    return text.replace(".", ",") if lang == "vi" else text


@dataclass(frozen=True)
class UnitMetrics:
    unit_id: str
    unit_name: str
    metrics: Metrics


@dataclass(frozen=True)
class MonthMetrics:
    month: str  # "2026-03"
    metrics: Metrics

    @property
    def label(self) -> str:
        """"03/2026", as Vietnamese documents write a month."""
        year, month = self.month.split("-")
        return f"{month}/{year}"


@dataclass(frozen=True)
class RemedySummary:
    total: int = 0
    open: int = 0
    overdue: int = 0
    reported: int = 0
    done: int = 0


@dataclass(frozen=True)
class OverdueRemedy:
    unit_name: str
    visit_date: date | None
    text: str
    due: date | None
    days_overdue: int


@dataclass(frozen=True)
class ViolationLine:
    """One violation (any kind, counted once), for the reports' lists."""

    unit_name: str
    visit_date: date | None
    kind: str  # a ViolationKind code
    description: str
    person: str = ""
    category: str = ""  # domain.outcomes staff category
    handling: str = "none"  # domain.outcomes handling code
    minutes_number: str = ""


@dataclass(frozen=True)
class Count:
    """A labelled count: violations of a kind, people of a category, outcomes of a handling."""

    code: str
    label: str
    count: int
    extra: int = 0  # a second figure where the table has one (e.g. people besides violations)


@dataclass(frozen=True)
class UnitKindRow:
    """Units checked and violations found, by kind of unit (Unit.kind)."""

    kind: str
    units: int
    visits: int
    violations: int


@dataclass(frozen=True)
class VisitLine:
    """A counted visit, for "units checked": unit, date, minutes number and figures."""

    unit_name: str
    unit_kind: str
    visit_date: date | None
    visit_kind: str  # planned / unannounced
    minutes_number: str
    status: str
    violations: int
    visit_id: str = ""  # for joining, never shown


@dataclass(frozen=True)
class PeriodReport:
    """Báo cáo kết quả kiểm tra công vụ for a period: everything the document says.

    Used for both documents: the team's report to the Director and (inside :class:`ProvinceReport`)
    the Department's figures.
    """

    parent_agency: str  # the line above the issuer: "SỞ NỘI VỤ TỈNH TÂY NINH" / "UBND TỈNH TÂY NINH"
    issuer: str  # ĐOÀN KIỂM TRA CÔNG VỤ / SỞ NỘI VỤ
    department_code: str  # the issuer's code: "Số: …/BC-<code>"
    place: str  # for the date line
    recipient: str  # Kính gửi: Giám đốc Sở Nội vụ
    date_from: date
    date_to: date
    issued_on: date
    number: str = ""  # left blank to be filled by the văn thư ("Số:      /BC-…")
    totals: Metrics = field(default_factory=Metrics)
    by_unit: list[UnitMetrics] = field(default_factory=list)
    by_month: list[MonthMetrics] = field(default_factory=list)
    units_visited: int = 0
    planned_visits: int = 0
    unannounced_visits: int = 0
    remedies: RemedySummary = field(default_factory=RemedySummary)
    overdue: list[OverdueRemedy] = field(default_factory=list)
    violations: list[ViolationLine] = field(default_factory=list)
    generated_at: datetime | None = None
    signer_title: str = "TRƯỞNG ĐOÀN"
    signer_name: str = ""
    signer_post: str = ""  # the signer's post in the Department, printed under the team title
    recipients: tuple[str, ...] = ("- Như trên;",)  # "Nơi nhận", before "- Lưu: …"
    archive: str = "- Lưu: VT, ĐKTCV."
    by_kind: list[Count] = field(default_factory=list)  # violations by kind
    by_category: list[Count] = field(default_factory=list)  # violations (count) and people (extra) by category
    by_unit_kind: list[UnitKindRow] = field(default_factory=list)
    handling: list[Count] = field(default_factory=list)  # person-violations by outcome
    visits: list[VisitLine] = field(default_factory=list)
    open_visits: list[OpenVisit] = field(default_factory=list)


@dataclass(frozen=True)
class ProvinceReport:
    """The Department's report to the provincial People's Committee on public-service inspection."""

    content: PeriodReport  # header fields are the Department's; figures of the period
    previous: Metrics  # the previous period of the same length
    previous_from: date
    previous_to: date
    strengths: str = ""  # typed by the office
    shortcomings: str = ""
    proposals: str = ""


@dataclass(frozen=True)
class OpenVisit:
    """A visit in the period that is not finished (draft or on site): listed, never counted."""

    visit_id: str
    unit_name: str
    visit_date: date | None
    status: str  # draft / on_site


STATUS_LABELS = {"draft": "Chưa bắt đầu", "on_site": "Đang kiểm tra", "closed": "Đã kết thúc",
                 "signed": "Đã ký biên bản", "filed": "Đã lưu hồ sơ"}
VISIT_KIND_LABELS = {"planned": "Theo kế hoạch", "unannounced": "Đột xuất"}
VIOLATION_LABELS = {
    "late": "Đi muộn", "absent_unexcused": "Vắng mặt không có lý do", "left_post": "Rời vị trí trong giờ làm việc",
    "alcohol": "Rượu, bia", "tobacco": "Thuốc lá", "e_cigarette": "Thuốc lá điện tử, thuốc lá nung nóng",
    "office_culture": "Văn hóa công sở", "tthc_dossier": "Hồ sơ thủ tục hành chính",
    "head_duties": "Trách nhiệm người đứng đầu, cấp phó", "other": "Vi phạm khác",
}


#: The figures as the spreadsheets and tables name them, in order: (Vietnamese label, Metrics attribute).
#: One list, used by every XLSX; the words are those of ``docs/glossary.md`` "Chỉ số / Metrics".
METRIC_COLUMNS: list[tuple[str, str]] = [
    ("Lượt kiểm tra", "visits"), ("Lượt điểm danh", "roll_call"), ("Có mặt", "at_work"),
    ("Có mặt đúng giờ", "present"), ("Đi muộn", "late"), ("Vắng có lý do", "absent_excused"),
    ("Vắng không lý do", "absent_unexcused"), ("Rời vị trí", "left_post"), ("Tỷ lệ có mặt", "attendance_rate"),
    *[(f"Vi phạm: {VIOLATION_LABELS[k].lower() if k != 'other' else 'khác'}", f"v_{k}") for k in VIOLATION_KIND_CODES],
    ("Tổng số vi phạm", "violations"),
    ("Nội dung rượu, bia, thuốc lá không đạt", "alcohol_tobacco_items_failed"),
    ("Nội dung văn hóa công sở đã kiểm tra", "office_culture_items"),
    ("Nội dung văn hóa công sở không đạt", "office_culture_failed"), ("Hồ sơ TTHC kiểm tra", "dossiers_checked"),
    ("Hồ sơ trước hạn", "dossiers_early"), ("Hồ sơ đúng hạn", "dossiers_on_time"), ("Hồ sơ quá hạn", "dossiers_late"),
    ("Tỷ lệ hồ sơ đúng hạn", "on_time_rate"), ("Phát hiện", "findings"),
]
RATE_ATTRIBUTES = frozenset({"attendance_rate", "on_time_rate"})


def metric_values(mt: Metrics) -> list[Any]:
    return [getattr(mt, attr) for _, attr in METRIC_COLUMNS]
