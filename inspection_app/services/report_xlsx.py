"""The reports' tables as XLSX, with Vietnamese labels; numbers as numbers, text always text.

Written through ``xlsx_out`` (formula-like text is quoted, control characters replaced). Status
and kind codes are shown in words (``domain.report`` labels); no record ids appear.
"""

from __future__ import annotations

from typing import Any

from ..domain.outcomes import handling_label
from ..domain.report import (
    METRIC_COLUMNS,
    RATE_ATTRIBUTES,
    STATUS_LABELS,
    VIOLATION_LABELS,
    VISIT_KIND_LABELS,
    PeriodReport,
    ProvinceReport,
    metric_values,
)
from .context import AppContext
from .follow_up import remedies
from .xlsx_out import sheet, workbook

_REMEDY_STATUS = {"open": "Chưa báo cáo", "reported": "Đã báo cáo", "done": "Hoàn thành"}


def _rate_cols(offset: int) -> set[int]:
    return {i + offset for i, (_, attr) in enumerate(METRIC_COLUMNS, 1) if attr in RATE_ATTRIBUTES}


def _summary_rows(c: PeriodReport) -> list[list[Any]]:
    t = c.totals
    rows: list[list[Any]] = [
        ["Kỳ báo cáo", f"{c.date_from:%d/%m/%Y} - {c.date_to:%d/%m/%Y}"],
        ["Số đơn vị được kiểm tra", c.units_visited],
        ["Lượt kiểm tra theo kế hoạch", c.planned_visits],
        ["Lượt kiểm tra đột xuất", c.unannounced_visits],
        *[[label, value] for (label, _), value in zip(METRIC_COLUMNS, metric_values(t))],
        ["Yêu cầu khắc phục", c.remedies.total],
        ["Khắc phục: chưa báo cáo", c.remedies.open],
        ["Khắc phục: quá hạn", c.remedies.overdue],
        ["Khắc phục: đã báo cáo", c.remedies.reported],
        ["Khắc phục: hoàn thành", c.remedies.done],
        ["Lượt kiểm tra chưa kết thúc (không tính vào số liệu)", len(c.open_visits)],
    ]
    return rows


def add_period_sheets(wb: Any, ctx: AppContext, c: PeriodReport, first: bool = True) -> None:
    header = [h for h, _ in METRIC_COLUMNS]
    ws = sheet(wb, "Tổng hợp", ["Chỉ tiêu", "Giá trị"], _summary_rows(c), {1: 48, 2: 18}, first=first)
    for row in ws.iter_rows(min_row=2):
        if row[0].value in {label for label, attr in METRIC_COLUMNS if attr in RATE_ATTRIBUTES}:
            row[1].number_format = "0.0%"
    sheet(wb, "Theo đơn vị", ["Đơn vị", *header],
          [[u.unit_name, *metric_values(u.metrics)] for u in c.by_unit] + [["Tổng cộng", *metric_values(c.totals)]],
          {1: 40}, percent_cols=_rate_cols(1))
    sheet(wb, "Theo tháng", ["Tháng", *header],
          [[mo.label, *metric_values(mo.metrics)] for mo in c.by_month] + [["Tổng cộng", *metric_values(c.totals)]],
          {1: 12}, percent_cols=_rate_cols(1))
    sheet(wb, "Vi phạm", ["Ngày kiểm tra", "Đơn vị", "Số biên bản", "Loại vi phạm", "Người vi phạm", "Đối tượng",
                          "Nội dung", "Hình thức xử lý"],
          [[v.visit_date, v.unit_name, v.minutes_number, VIOLATION_LABELS.get(v.kind, v.kind), v.person,
            _category(v.category) if v.person else "", v.description, handling_label(v.handling)]
           for v in c.violations], {1: 13, 2: 36, 3: 14, 4: 24, 5: 26, 6: 16, 7: 60, 8: 18})
    sheet(wb, "Theo loại vi phạm", ["Loại vi phạm", "Số vi phạm"], [[k.label, k.count] for k in c.by_kind], {1: 40})
    sheet(wb, "Theo đối tượng", ["Đối tượng", "Số vi phạm", "Số người vi phạm"],
          [[k.label, k.count, k.extra] for k in c.by_category], {1: 24})
    sheet(wb, "Theo loại hình đơn vị", ["Loại hình đơn vị", "Số đơn vị", "Lượt kiểm tra", "Số vi phạm"],
          [[u.kind, u.units, u.visits, u.violations] for u in c.by_unit_kind], {1: 36})
    sheet(wb, "Kết quả xử lý", ["Hình thức xử lý", "Số vi phạm"], [[h.label, h.count] for h in c.handling], {1: 40})
    counted = {v.visit_id for v in c.visits}
    follow = [r for r in remedies(ctx, c.issued_on, date_from=c.date_from, date_to=c.date_to) if r.visit_id in counted]
    sheet(wb, "Khắc phục", ["Đơn vị", "Ngày kiểm tra", "Yêu cầu khắc phục", "Hạn khắc phục", "Hạn báo cáo", "Trạng thái",
                            "Ngày báo cáo", "Nội dung báo cáo", "Quá hạn", "Số ngày quá hạn"],
          [[r.unit_name, r.visit_date, r.text, r.deadline, r.report_due, _REMEDY_STATUS.get(r.status, r.status),
            r.reported_on, r.report_text, "Có" if r.overdue else "", r.days_overdue or None] for r in follow],
          {1: 40, 2: 13, 3: 60, 4: 13, 5: 13, 6: 14, 7: 13, 8: 50, 9: 9, 10: 10})
    sheet(wb, "Lượt kiểm tra", ["Ngày kiểm tra", "Đơn vị", "Loại hình đơn vị", "Hình thức", "Trạng thái", "Số biên bản",
                                "Số vi phạm"],
          [[v.visit_date, v.unit_name, v.unit_kind, VISIT_KIND_LABELS.get(v.visit_kind, v.visit_kind),
            STATUS_LABELS.get(v.status, v.status), v.minutes_number, v.violations] for v in c.visits],
          {1: 13, 2: 40, 3: 20, 4: 14, 5: 16, 6: 14, 7: 10})
    sheet(wb, "Chưa kết thúc", ["Ngày", "Đơn vị", "Trạng thái", "Ghi chú"],
          [[o.visit_date, o.unit_name, STATUS_LABELS.get(o.status, o.status), "Không tính vào số liệu"]
           for o in c.open_visits], {1: 13, 2: 40, 3: 16, 4: 26})


def _category(code: str) -> str:
    from ..domain.outcomes import CATEGORY_LABELS

    return CATEGORY_LABELS.get(code, code)


def period_workbook(ctx: AppContext, content: PeriodReport, title: str) -> Any:
    wb = workbook(title)
    add_period_sheets(wb, ctx, content)
    return wb


def province_workbook(ctx: AppContext, report: ProvinceReport, title: str) -> Any:
    wb = workbook(title)
    c = report.content
    header = ["Chỉ tiêu", f"Kỳ này ({c.date_from:%d/%m/%Y} - {c.date_to:%d/%m/%Y})",
              f"Kỳ trước ({report.previous_from:%d/%m/%Y} - {report.previous_to:%d/%m/%Y})", "Tăng (+) / giảm (-)"]
    rows = []
    for (label, attr), now, before in zip(METRIC_COLUMNS, metric_values(c.totals), metric_values(report.previous)):
        if attr in RATE_ATTRIBUTES:
            delta = (now - before) if now is not None and before is not None else None
        else:
            delta = now - before
        rows.append([label, now, before, delta])
    ws = sheet(wb, "So sánh kỳ trước", header, rows, {1: 44, 2: 24, 3: 24, 4: 18}, first=True)
    rate_labels = {label for label, attr in METRIC_COLUMNS if attr in RATE_ATTRIBUTES}
    for row in ws.iter_rows(min_row=2):
        if row[0].value in rate_labels:
            for cell in row[1:]:
                cell.number_format = "0.0%"
    add_period_sheets(wb, ctx, c, first=False)
    sheet(wb, "Nhận xét, kiến nghị", ["Mục", "Nội dung"],
          [["Ưu điểm", report.strengths], ["Tồn tại, hạn chế", report.shortcomings], ["Đề xuất, kiến nghị", report.proposals]],
          {1: 22, 2: 100})
    return wb
