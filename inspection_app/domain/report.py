"""The office's figures and the Director's period report, as plain data.

:class:`Metrics` is what the dashboard shows for a unit, a month or a whole period: counts added up
by the database, rates derived here so that every screen, the PDF report and the spreadsheet
compute them the same way. :class:`PeriodReport` is everything the report says, in the order of the
document; ``services.reports`` fills it from the store and ``pdf.report`` draws it.

Definitions (kept here, once):
- attendance rate: people found at work (present or late) over the people on the visits' roll
  calls (the domain's ``RollCallTotals.attendance_rate`` on recorded entries);
- unexcused absences: roll-call entries "absent without reason";
- alcohol and tobacco violations: findings of kind ``alcohol`` / ``tobacco`` (one per person and
  occasion); failed items of the ``alcohol_tobacco`` checklist are counted separately;
- office-culture failures: failed items of the ``office_culture`` checklist;
- on-time rate: sampled dossiers returned early or on time over the sampled dossiers whose
  timeliness was determined.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime


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
    alcohol: int = 0  # findings of kind "alcohol"
    tobacco: int = 0  # findings of kind "tobacco"
    alcohol_tobacco_items_failed: int = 0
    office_culture_items: int = 0  # items answered pass or fail
    office_culture_failed: int = 0
    dossiers_checked: int = 0  # sampled dossiers with a timeliness
    dossiers_early: int = 0
    dossiers_on_time: int = 0
    dossiers_late: int = 0

    def __add__(self, other: "Metrics") -> "Metrics":
        return Metrics(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def at_work(self) -> int:
        return self.present + self.late

    @property
    def attendance_rate(self) -> float | None:
        """None when nobody was checked (shown as "–", not as 0 %)."""
        return self.at_work / self.roll_call if self.roll_call else None

    @property
    def alcohol_tobacco(self) -> int:
        return self.alcohol + self.tobacco

    @property
    def office_culture_failure_rate(self) -> float | None:
        return self.office_culture_failed / self.office_culture_items if self.office_culture_items else None

    @property
    def dossiers_in_time(self) -> int:
        return self.dossiers_early + self.dossiers_on_time

    @property
    def on_time_rate(self) -> float | None:
        return self.dossiers_in_time / self.dossiers_checked if self.dossiers_checked else None


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
    """One alcohol or tobacco violation, for the report's list."""

    unit_name: str
    visit_date: date | None
    kind: str  # alcohol / tobacco
    description: str
    person: str = ""


@dataclass(frozen=True)
class PeriodReport:
    """Báo cáo kết quả kiểm tra công vụ for a period: everything the document says."""

    parent_agency: str  # UBND TỈNH …
    issuer: str  # SỞ NỘI VỤ
    department_code: str  # SNV, for "Số: …/BC-SNV"
    place: str  # for the date line
    recipient: str  # Kính gửi: Giám đốc Sở Nội vụ
    date_from: date
    date_to: date
    issued_on: date
    number: str = ""  # left blank to be filled by the office ("Số:      /BC-SNV")
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
    signer_title: str = "NGƯỜI LẬP BÁO CÁO"
    signer_name: str = ""
