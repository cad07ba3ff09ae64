"""The Department's report to the provincial People's Committee on public-service inspection.

"Báo cáo kết quả kiểm tra công vụ" from the Sở Nội vụ to the Ủy ban nhân dân tỉnh (or thành phố):
the units checked with their dates and minutes numbers, the results, how the results were handled
(outcomes per violator, remedies), strengths and shortcomings (typed by the office), a comparison
with the previous period of the same length, and proposals (typed). PDF in the Decree 30/2020/NĐ-CP
layout (``pdf.province_report``) and XLSX (``report_xlsx.province_workbook``). Figures are those of
the dashboard for the same period (finished visits only).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from inspection_app.locale import both

from ..domain.report import PeriodReport, ProvinceReport
from ..domain.text import nfc
from .context import AppContext
from .office_dates import LOCAL_TZ, today_local
from .report_data import check_period, gather, metrics_only, previous_period, province_sentence
from .reports import ReportFile, _signer


def _text(value: str) -> str:
    """Typed paragraphs: NFC, trailing spaces gone, blank lines collapsed; line breaks kept."""
    lines = [" ".join(line.split()) for line in (nfc(value) or "").splitlines()]
    return "\n".join(line for line in lines if line)


def province_report(ctx: AppContext, date_from: date, date_to: date, *, today: date | None = None,
                    number: str = "", signer_name: str | None = None, signer_title: str = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
                    strengths: str = "", shortcomings: str = "", proposals: str = "") -> ProvinceReport:
    """Everything the Department's report says. Raises ValidationFailed for a period that has not ended
    (or is reversed) and for a missing signer's name."""
    today = today or today_local()
    check_period(date_from, date_to, today)
    name = _signer(signer_name, ctx.actor)
    dept = ctx.settings.department
    g = gather(ctx, date_from, date_to, today)
    prev_from, prev_to = previous_period(date_from, date_to)
    title = "\n".join(" ".join(line.split()) for line in (nfc(signer_title) or "GIÁM ĐỐC").upper().splitlines()
                      if line.strip()) or "GIÁM ĐỐC"
    content = PeriodReport(
        parent_agency=dept.parent_agency_line(), issuer=dept.name, department_code=f"{dept.code}", place=dept.place_name(),
        recipient=f"Ủy ban nhân dân {province_sentence(dept)}", date_from=date_from, date_to=date_to,
        issued_on=today, number=(nfc(number) or "").strip(), totals=g.board.totals, by_unit=g.board.by_unit,
        by_month=g.board.by_month, units_visited=g.units_visited, planned_visits=g.planned,
        unannounced_visits=g.unannounced, remedies=g.remedies, overdue=g.overdue, violations=g.violations,
        generated_at=datetime.now(LOCAL_TZ), signer_title=title, signer_name=name, signer_post="",
        recipients=("- Như trên;", f"- {dept.director_title} (để b/c);"), archive="- Lưu: VT, ĐKTCV.",
        by_kind=g.by_kind, by_category=g.by_category, by_unit_kind=g.by_unit_kind, handling=g.handling,
        visits=g.visits, open_visits=g.open_visits)
    return ProvinceReport(content=content, previous=metrics_only(ctx, prev_from, prev_to), previous_from=prev_from,
                          previous_to=prev_to, strengths=_text(strengths), shortcomings=_text(shortcomings),
                          proposals=_text(proposals))


def _title(report: ProvinceReport) -> str:
    c = report.content
    return f"Báo cáo kết quả kiểm tra công vụ {c.date_from:%d/%m/%Y} - {c.date_to:%d/%m/%Y}"


def write_province_pdf(ctx: AppContext, date_from: date, date_to: date, out: str | Path, **kw: Any) -> ReportFile:
    from ..pdf.province_report import write_province_report

    report = province_report(ctx, date_from, date_to, **kw)
    rendered = write_province_report(report, Path(out))
    return ReportFile(Path(out), rendered.page_count, len(rendered.pdf))


def write_province_xlsx(ctx: AppContext, date_from: date, date_to: date, out: str | Path, **kw: Any) -> Path:
    from .report_xlsx import province_workbook
    from .xlsx_out import save

    report = province_report(ctx, date_from, date_to, **kw)
    return save(province_workbook(ctx, report, _title(report)), out, *both("bảng tính báo cáo"))


def province_bytes(ctx: AppContext, date_from: date, date_to: date, **kw: Any) -> tuple[bytes, bytes, str]:
    """PDF and XLSX in memory, and a file-name stem: for a browser download."""
    from ..pdf.province_report import render_province_report
    from .report_xlsx import province_workbook

    report = province_report(ctx, date_from, date_to, **kw)
    buf = io.BytesIO()
    province_workbook(ctx, report, _title(report)).save(buf)
    return (render_province_report(report).pdf, buf.getvalue(),
            f"bao-cao-ubnd-kiem-tra-cong-vu-{date_from:%Y%m%d}-{date_to:%Y%m%d}")


__all__ = ["province_report", "write_province_pdf", "write_province_xlsx", "province_bytes"]
