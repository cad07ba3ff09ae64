"""The Director's period report: its content, the PDF, and the underlying tables as XLSX.

``period_report`` gathers everything the report says into a :class:`PeriodReport` (pure data, the
same figures as the dashboard); ``write_report_pdf`` draws it (``pdf.report``) and
``write_report_xlsx`` writes the tables behind it, complete (the PDF lists at most a few dozen
violations and overdue remedies; the spreadsheet has them all), for the office to filter and chart.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from ..domain.errors import ValidationFailed, storage_error
from ..domain.report import (Metrics, OverdueRemedy, PeriodReport, RemedySummary, ViolationLine, percent)
from ..domain.text import fold
from ..store import models as m
from .context import AppContext
from .review import LOCAL_TZ, RemedyRow, _period_clauses, dashboard, local_date, remedies


@dataclass(frozen=True)
class ReportFile:
    path: Path
    pages: int
    byte_size: int


def _check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ValidationFailed("Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.",
                               "The end of the report period must be after its start.")


def period_report(ctx: AppContext, date_from: date, date_to: date, *, today: date | None = None,
                  number: str = "", signer_name: str | None = None) -> PeriodReport:
    """Everything the period report says, for visits whose date falls in [date_from, date_to]."""
    _check_period(date_from, date_to)
    today = today or datetime.now(LOCAL_TZ).date()
    dept = ctx.settings.department
    board = dashboard(ctx, date_from, date_to)
    with ctx.session() as s:
        period = _period_clauses(date_from, date_to)
        kinds = dict(s.execute(select(m.Visit.kind, func.count()).where(*period).group_by(m.Visit.kind)).all())
        units = s.execute(select(func.count(func.distinct(m.Visit.unit_id))).where(*period)).scalar_one()
        violations = [
            ViolationLine(unit_name=unit, visit_date=local_date(arrival or created), kind=kind, description=text,
                          person=person or "")
            for unit, arrival, created, kind, text, person in s.execute(
                select(m.Unit.name, m.Visit.arrival_at, m.Visit.created_at, m.Finding.kind, m.Finding.description,
                       m.StaffMember.full_name)
                .join(m.Visit, m.Visit.id == m.Finding.visit_id).join(m.Unit, m.Unit.id == m.Visit.unit_id)
                .outerjoin(m.StaffMember, m.StaffMember.id == m.Finding.staff_id)
                .where(*period, m.Finding.kind.in_(("alcohol", "tobacco"))))]
    violations.sort(key=lambda v: (v.visit_date or date.min, fold(v.unit_name), v.kind))
    follow_up = remedies(ctx, today, date_from=date_from, date_to=date_to)
    status = Counter(r.status for r in follow_up)
    overdue = [OverdueRemedy(r.unit_name, r.visit_date, r.text, r.report_due or r.deadline, r.days_overdue)
               for r in follow_up if r.overdue]
    return PeriodReport(
        parent_agency=dept.name, issuer=dept.team_name, department_code=dept.code, place=dept.place_name(),
        recipient=dept.director_title, date_from=date_from, date_to=date_to, issued_on=today, number=number,
        totals=board.totals, by_unit=board.by_unit, by_month=board.by_month, units_visited=units,
        planned_visits=kinds.get(m.VisitKind.PLANNED.value, 0),
        unannounced_visits=kinds.get(m.VisitKind.UNANNOUNCED.value, 0),
        remedies=RemedySummary(total=len(follow_up), open=status.get("open", 0), overdue=len(overdue),
                               reported=status.get("reported", 0), done=status.get("done", 0)),
        overdue=overdue, violations=violations, generated_at=datetime.now(LOCAL_TZ),
        signer_title="TRƯỞNG ĐOÀN", signer_name=signer_name if signer_name is not None else ctx.actor)


def write_report_pdf(ctx: AppContext, date_from: date, date_to: date, out: str | Path, *,
                     today: date | None = None, number: str = "", signer_name: str | None = None) -> ReportFile:
    from ..pdf.report import write_report

    content = period_report(ctx, date_from, date_to, today=today, number=number, signer_name=signer_name)
    rendered = write_report(content, Path(out))
    return ReportFile(Path(out), rendered.page_count, len(rendered.pdf))


# --- the spreadsheet --------------------------------------------------------------------------------


_METRIC_COLUMNS = [
    ("Lượt kiểm tra", "visits"), ("Lượt điểm danh", "roll_call"), ("Có mặt", "present"), ("Đi muộn", "late"),
    ("Vắng có lý do", "absent_excused"), ("Vắng không lý do", "absent_unexcused"), ("Rời vị trí", "left_post"),
    ("Tỷ lệ có mặt", "attendance_rate"), ("Vi phạm rượu bia", "alcohol"), ("Vi phạm thuốc lá", "tobacco"),
    ("Nội dung rượu bia, thuốc lá không đạt", "alcohol_tobacco_items_failed"),
    ("Nội dung văn hóa công sở đã kiểm tra", "office_culture_items"),
    ("Văn hóa công sở không đạt", "office_culture_failed"), ("Hồ sơ kiểm tra", "dossiers_checked"),
    ("Trước hạn", "dossiers_early"), ("Đúng hạn", "dossiers_on_time"), ("Quá hạn", "dossiers_late"),
    ("Tỷ lệ đúng hạn", "on_time_rate"), ("Phát hiện", "findings"),
]
_RATES = {"attendance_rate", "on_time_rate"}


def _metric_values(mt: Metrics) -> list:
    return [getattr(mt, attr) for _, attr in _METRIC_COLUMNS]


def _xlsx_local(value: datetime | None):
    """openpyxl cannot store aware datetimes: local wall-clock time, as the office reads it."""
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None) if value else None


def write_report_xlsx(ctx: AppContext, date_from: date, date_to: date, out: str | Path, *,
                      today: date | None = None) -> Path:
    """The report's tables, complete: summary, by unit, by month, violations, remedies, visits."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    content = period_report(ctx, date_from, date_to, today=today)
    follow_up: list[RemedyRow] = remedies(ctx, content.issued_on, date_from=date_from, date_to=date_to)
    with ctx.session() as s:
        visit_rows = s.execute(
            select(m.Visit.arrival_at, m.Visit.created_at, m.Unit.name, m.Visit.kind, m.Visit.status,
                   m.Visit.decision_number, m.Visit.minutes_number, m.Visit.id)
            .join(m.Unit, m.Unit.id == m.Visit.unit_id).where(*_period_clauses(date_from, date_to))).all()
    visit_rows.sort(key=lambda r: (r.arrival_at or r.created_at, fold(r.name)))

    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDDDDD")

    def sheet(title: str, header: list[str], rows: list[list], widths: dict[int, float] | None = None,
              percent_cols: set[int] = frozenset(), date_cols: set[int] = frozenset(), first: bool = False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title
        ws.append(header)
        for cell in ws[1]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows:
            ws.append(row)
        for col in range(1, len(header) + 1):
            ws.column_dimensions[get_column_letter(col)].width = (widths or {}).get(col, 14)
            if col in percent_cols:
                for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                    cell.number_format = "0.0%"
            if col in date_cols:
                for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                    cell.number_format = "dd/mm/yyyy"
        ws.freeze_panes = "A2"
        return ws

    metric_header = [h for h, _ in _METRIC_COLUMNS]
    rate_cols = {i for i, (_, attr) in enumerate(_METRIC_COLUMNS, 1) if attr in _RATES}
    t = content.totals
    summary = [
        ["Kỳ báo cáo", f"{date_from:%d/%m/%Y} - {date_to:%d/%m/%Y}"],
        ["Số đơn vị được kiểm tra", content.units_visited],
        ["Lượt kiểm tra theo kế hoạch", content.planned_visits],
        ["Lượt kiểm tra đột xuất", content.unannounced_visits],
        *[[h, v] for h, v in zip(metric_header, _metric_values(t))],
        ["Yêu cầu khắc phục", content.remedies.total],
        ["Khắc phục: chưa báo cáo", content.remedies.open],
        ["Khắc phục: quá hạn", content.remedies.overdue],
        ["Khắc phục: đã báo cáo", content.remedies.reported],
        ["Khắc phục: hoàn thành", content.remedies.done],
    ]
    ws = sheet("Tổng hợp", ["Chỉ tiêu", "Giá trị"], summary, {1: 42, 2: 18}, first=True)
    for row in ws.iter_rows(min_row=2):
        if row[0].value in ("Tỷ lệ có mặt", "Tỷ lệ đúng hạn"):
            row[1].number_format = "0.0%"
    sheet("Theo đơn vị", ["Đơn vị", *metric_header],
          [[u.unit_name, *_metric_values(u.metrics)] for u in content.by_unit] + [["Tổng cộng", *_metric_values(t)]],
          {1: 40}, percent_cols={c + 1 for c in rate_cols})
    sheet("Theo tháng", ["Tháng", *metric_header],
          [[mo.label, *_metric_values(mo.metrics)] for mo in content.by_month] + [["Tổng cộng", *_metric_values(t)]],
          {1: 12}, percent_cols={c + 1 for c in rate_cols})
    sheet("Vi phạm rượu bia thuốc lá", ["Ngày", "Đơn vị", "Loại", "Nội dung", "Người vi phạm"],
          [[v.visit_date, v.unit_name, "Rượu, bia" if v.kind == "alcohol" else "Thuốc lá", v.description, v.person]
           for v in content.violations], {1: 12, 2: 40, 3: 12, 4: 60, 5: 28}, date_cols={1})
    sheet("Khắc phục", ["Đơn vị", "Ngày kiểm tra", "Yêu cầu khắc phục", "Hạn khắc phục", "Hạn báo cáo", "Trạng thái",
                        "Ngày báo cáo", "Nội dung báo cáo", "Quá hạn", "Số ngày quá hạn"],
          [[r.unit_name, r.visit_date, r.text, r.deadline, r.report_due,
            {"open": "Chưa báo cáo", "reported": "Đã báo cáo", "done": "Hoàn thành"}.get(r.status, r.status),
            r.reported_on, r.report_text, "Có" if r.overdue else "", r.days_overdue or None] for r in follow_up],
          {1: 40, 2: 13, 3: 60, 4: 13, 5: 13, 6: 14, 7: 13, 8: 50, 9: 9, 10: 10}, date_cols={2, 4, 5, 7})
    sheet("Lượt kiểm tra", ["Thời gian", "Đơn vị", "Hình thức", "Trạng thái", "Quyết định", "Số biên bản", "Mã"],
          [[_xlsx_local(r.arrival_at or r.created_at), r.name,
            "Đột xuất" if r.kind == m.VisitKind.UNANNOUNCED.value else "Theo kế hoạch", r.status,
            r.decision_number, r.minutes_number, r.id] for r in visit_rows],
          {1: 17, 2: 40, 3: 14, 4: 10, 5: 16, 6: 14, 7: 38})
    wb["Lượt kiểm tra"].column_dimensions["A"].width = 17
    for (cell,) in wb["Lượt kiểm tra"].iter_rows(min_row=2, min_col=1, max_col=1):
        cell.number_format = "dd/mm/yyyy hh:mm"
    wb.properties.title = f"Báo cáo kết quả kiểm tra công vụ {date_from:%d/%m/%Y} - {date_to:%d/%m/%Y}"
    wb.properties.creator = "inspection-app"

    out = Path(out)
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
        os.close(fd)
        wb.save(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise storage_error(exc, "bảng tính báo cáo", "the report spreadsheet") from exc
    return out


__all__ = ["ReportFile", "period_report", "write_report_pdf", "write_report_xlsx", "percent"]
