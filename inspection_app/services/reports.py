"""The team's period report to the Director: its content, the PDF, and its tables as XLSX.

``period_report`` gathers everything the report says into a :class:`PeriodReport` (pure data, the
same figures as the dashboard: ``report_data.gather``); ``write_report_pdf`` draws it
(``pdf.report``, Decree 30/2020/NĐ-CP layout) and ``write_report_xlsx`` writes the tables behind it,
complete, for the office to filter and chart. The Department's report to the provincial People's
Committee is ``services.province_report``.

The document (Decree 30/2020/NĐ-CP, Phụ lục I): the header names the Department with its province
above the team ("SỞ NỘI VỤ TỈNH TÂY NINH" / "ĐOÀN KIỂM TRA CÔNG VỤ"), the number carries the team's
own code ("Số: …/BC-ĐKTCV", II.3.a: a team using the Department's seal has its own series),
"Kính gửi" the Director, "Nơi nhận" starts with "- Như trên;" (a report to a superior, II.9) and the
signer block prints the team title, the signer's post in the Department and name (II.7.c). A period
that has not ended is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from ..domain.report import PeriodReport, percent
from ..domain.text import nfc
from .context import AppContext
from .office_dates import LOCAL_TZ, today_local
from .report_data import check_period, gather, province_caps, team_code


@dataclass(frozen=True)
class ReportFile:
    path: Path
    pages: int
    byte_size: int


def _signer(name: str | None, fallback: str) -> str:
    text = " ".join((nfc(name if name is not None else fallback) or "").split())
    if not text:
        raise ValidationFailed("Hãy nhập họ và tên người ký báo cáo.")
    return text


def period_report(ctx: AppContext, date_from: date, date_to: date, *, today: date | None = None,
                  number: str = "", signer_name: str | None = None, signer_post: str = "") -> PeriodReport:
    """Everything the team's report says, for finished visits whose date falls in [date_from, date_to].

    ``signer_name`` defaults to this context's actor; ``signer_post`` is the signer's post in the
    Department (e.g. "Phó Giám đốc Sở Nội vụ"). Raises ValidationFailed when the period has not
    ended (``date_to`` is today or later) or is reversed, or when there is no signer's name.
    """
    today = today or today_local()
    check_period(date_from, date_to, today)
    name = _signer(signer_name, ctx.actor)
    dept = ctx.settings.department
    g = gather(ctx, date_from, date_to, today)
    code = team_code(dept)
    return PeriodReport(
        parent_agency=f"{dept.name} {province_caps(dept)}".strip(), issuer=dept.team_name, department_code=code,
        place=dept.place_name(), recipient=dept.director_title, date_from=date_from, date_to=date_to, issued_on=today,
        number=(nfc(number) or "").strip(), totals=g.board.totals, by_unit=g.board.by_unit, by_month=g.board.by_month,
        units_visited=g.units_visited, planned_visits=g.planned, unannounced_visits=g.unannounced,
        remedies=g.remedies, overdue=g.overdue, violations=g.violations, generated_at=datetime.now(LOCAL_TZ),
        signer_title="TRƯỞNG ĐOÀN", signer_name=name, signer_post=" ".join((nfc(signer_post) or "").split()),
        recipients=("- Như trên;",), archive=f"- Lưu: VT, {code}.", by_kind=g.by_kind, by_category=g.by_category,
        by_unit_kind=g.by_unit_kind, handling=g.handling, visits=g.visits, open_visits=g.open_visits)


def write_report_pdf(ctx: AppContext, date_from: date, date_to: date, out: str | Path, *,
                     today: date | None = None, number: str = "", signer_name: str | None = None,
                     signer_post: str = "") -> ReportFile:
    from ..pdf.report import write_report

    content = period_report(ctx, date_from, date_to, today=today, number=number, signer_name=signer_name,
                            signer_post=signer_post)
    rendered = write_report(content, Path(out))
    return ReportFile(Path(out), rendered.page_count, len(rendered.pdf))


def write_report_xlsx(ctx: AppContext, date_from: date, date_to: date, out: str | Path, *,
                      today: date | None = None, signer_name: str | None = None) -> Path:
    """The report's tables, complete: summary, by unit, by month, violations, remedies, visits."""
    from .report_xlsx import period_workbook
    from .xlsx_out import save

    content = period_report(ctx, date_from, date_to, today=today, signer_name=signer_name)
    wb = period_workbook(ctx, content, f"Báo cáo kết quả kiểm tra công vụ {date_from:%d/%m/%Y} - {date_to:%d/%m/%Y}")
    return save(wb, out, *both("bảng tính báo cáo"))


def report_bytes(ctx: AppContext, date_from: date, date_to: date, *, today: date | None = None, number: str = "",
                 signer_name: str | None = None, signer_post: str = "") -> tuple[bytes, bytes, str]:
    """PDF and XLSX of the team's report in memory, and a file-name stem: for a browser download."""
    import io

    from ..pdf.report import render_report
    from .report_xlsx import period_workbook

    content = period_report(ctx, date_from, date_to, today=today, number=number, signer_name=signer_name,
                            signer_post=signer_post)
    pdf = render_report(content).pdf
    buf = io.BytesIO()
    period_workbook(ctx, content, f"Báo cáo kết quả kiểm tra công vụ {date_from:%d/%m/%Y} - {date_to:%d/%m/%Y}") \
        .save(buf)
    return pdf, buf.getvalue(), f"bao-cao-kiem-tra-cong-vu-{date_from:%Y%m%d}-{date_to:%Y%m%d}"


def save_export(ctx: AppContext, file_name: str, data: bytes) -> Path:
    """Keep a made document under ``<data_dir>/exports/`` (a desktop's copy; a browser downloads it instead).

    ``file_name`` is made by this program (never typed); only its last component is used.
    """
    from ..pdf.layout import write_atomic

    out = ctx.data_dir / "exports" / Path(file_name).name
    write_atomic(out, data, *both("tệp xuất"))
    return out


__all__ = ["ReportFile", "period_report", "write_report_pdf", "write_report_xlsx", "report_bytes", "save_export",
           "percent"]
