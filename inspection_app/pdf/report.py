"""Draw :class:`~inspection_app.domain.report.PeriodReport`: the period report for the Director.

"Báo cáo kết quả kiểm tra công vụ", in the Decree 30/2020 style of the minutes: the same header
(agency block and national title, drawn by ``pdf.layout``), fonts, margins and page numbers, the
title "BÁO CÁO" with its summary line and rule, "Kính gửi", numbered sections, tables, and bar
charts drawn with ``reportlab.graphics`` (vectors: sharp when printed, a few kilobytes each).
The closing has "Nơi nhận" on the left and the signer on the right, as Decree 30 places them.

The layout helpers are the minutes' own (``pdf.layout``); nothing of the page geometry is repeated
here, so the two documents cannot drift apart.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from inspection_app.locale import both

from ..domain.minutes import date_line, short_date
from ..domain.report import VIOLATION_LABELS, Metrics, PeriodReport, percent
from . import fonts
from .layout import FRAME_WIDTH, TABLE_SIZE, _Doc, _grid, _Header, _Rule, _styles, _x, write_atomic  # noqa: F401

# Grey levels and one accent: the report is printed in black and white as often as not.
BAR_COLOURS = [colors.Color(0.20, 0.33, 0.55), colors.Color(0.62, 0.70, 0.80), colors.Color(0.35, 0.35, 0.35)]
MAX_LIST = 40  # lines of the violations and overdue lists; the spreadsheet has them all
TOP_UNITS = 12


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    page_count: int


def _num(n: int) -> str:
    """Thousands with dots, as Vietnamese documents write them."""
    return f"{n:,}".replace(",", ".")


def _metric_cells(mt: Metrics) -> list[str]:
    return [_num(mt.visits), percent(mt.attendance_rate), _num(mt.absent_unexcused), _num(mt.alcohol_tobacco),
            _num(mt.violations), percent(mt.on_time_rate)]


_METRIC_HEADERS = ["Lượt kiểm tra", "Tỷ lệ có mặt", "Vắng không lý do", "Vi phạm rượu, bia, thuốc lá",
                   "Tổng số vi phạm", "Tỷ lệ hồ sơ đúng hạn"]


def _metrics_table(first_header: str, rows: list[tuple[str, Metrics]], total: Metrics, st) -> Table:
    head_style = ParagraphStyle("th", parent=st.cell_bold, fontSize=9.5, leading=11.4)
    cell = ParagraphStyle("td", parent=st.cell, fontSize=10, leading=12)
    data = [[Paragraph("TT", head_style), Paragraph(first_header, head_style)]
            + [Paragraph(h, head_style) for h in _METRIC_HEADERS]]
    for i, (label, mt) in enumerate(rows, 1):
        data.append([str(i), Paragraph(_x(label), cell)] + _metric_cells(mt))
    data.append(["", Paragraph("<b>Tổng cộng</b>", cell)] + _metric_cells(total))
    first = 9 * mm
    label_w = 48 * mm
    rest = (FRAME_WIDTH - first - label_w) / len(_METRIC_HEADERS)
    return _grid(data, [first, label_w] + [rest] * len(_METRIC_HEADERS), extra=[
        ("FONT", (0, 1), (-1, -1), fonts.REGULAR, 10),
        ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("FONT", (2, -1), (-1, -1), fonts.BOLD, 10),
    ])


# --- charts ---------------------------------------------------------------------------------------


class _Chart(Flowable):
    """A reportlab Drawing with a caption underneath, kept together."""

    def __init__(self, drawing: Drawing, caption: str, st):
        super().__init__()
        self.drawing = drawing
        self.caption = Paragraph(_x(caption), ParagraphStyle("cap", parent=st.centred_italic, fontSize=11,
                                                               leading=13))

    def wrap(self, avail_width, avail_height):  # noqa: ANN001
        _, ch = self.caption.wrap(avail_width, avail_height)
        self._cap_h = ch
        self.width, self.height = avail_width, self.drawing.height + 4 + ch
        return self.width, self.height

    def draw(self) -> None:
        x = (self.width - self.drawing.width) / 2
        self.drawing.drawOn(self.canv, x, self._cap_h + 4)
        self.caption.drawOn(self.canv, 0, 0)


def _drawing(width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    d.initialFontName = fonts.REGULAR  # else the renderer's default state names an unembedded Helvetica
    return d


def _style_axis_labels(axis, size: float = 8.5) -> None:
    axis.labels.fontName = fonts.REGULAR
    axis.labels.fontSize = size


def _legend(drawing: Drawing, names: list[str], x: float, y: float) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = fonts.REGULAR, 8.5
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.columnMaximum = 1
    legend.deltax = 110
    legend.dxTextSpace = 4
    legend.colorNamePairs = list(zip(BAR_COLOURS, names))
    drawing.add(legend)


def _month_bars(report: PeriodReport, series: list[list[float]], names: list[str], width: float,
                height: float, percent: bool) -> Drawing:
    """Grouped vertical bars, one group per month of the report, with a legend on top."""
    months = report.by_month
    d = _drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 34
    chart.width, chart.height = width - 40, height - 56
    chart.data = [values or [0] for values in series]
    chart.categoryAxis.categoryNames = [mo.label for mo in months] or [""]
    if percent:
        chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
        chart.valueAxis.labelTextFormat = "%d%%"
    else:
        step = max(1, math.ceil(max([max(values) for values in chart.data] + [1]) / 5))  # whole counts
        chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, step
        chart.valueAxis.valueMax = step * (math.ceil(max([max(v) for v in chart.data] + [1]) / step) + 1)
        chart.valueAxis.labelTextFormat = "%d"
    _style_axis_labels(chart.valueAxis)
    _style_axis_labels(chart.categoryAxis, 8 if len(months) <= 12 else 6.5)
    if len(months) > 12:
        chart.categoryAxis.labels.angle = 45
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.barSpacing, chart.groupSpacing = 1, 6
    for i, colour in enumerate(BAR_COLOURS[:len(series)]):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    d.add(chart)
    _legend(d, names, 30, height - 4)
    return d


def month_rates_chart(report: PeriodReport, width: float = FRAME_WIDTH, height: float = 62 * mm) -> Drawing:
    """Attendance rate and on-time rate of dossiers, per month (grouped bars, percent)."""
    months = report.by_month
    return _month_bars(report, [[round((mo.metrics.attendance_rate or 0) * 100, 1) for mo in months],
                                [round((mo.metrics.on_time_rate or 0) * 100, 1) for mo in months]],
                       ["Tỷ lệ có mặt", "Tỷ lệ hồ sơ đúng hạn"], width, height, percent=True)


def month_violations_chart(report: PeriodReport, width: float = FRAME_WIDTH, height: float = 62 * mm) -> Drawing:
    """Violations per month: working hours (late, absent without reason, left post), alcohol and tobacco
    (with e-cigarettes), and all other kinds."""
    months = report.by_month

    def hours(mt: Metrics) -> int:
        return mt.v_late + mt.v_absent_unexcused + mt.v_left_post

    return _month_bars(report, [[hours(mo.metrics) for mo in months],
                                [mo.metrics.alcohol_tobacco for mo in months],
                                [mo.metrics.violations - hours(mo.metrics) - mo.metrics.alcohol_tobacco
                                 for mo in months]],
                       ["Giờ giấc, điểm danh", "Rượu, bia, thuốc lá", "Vi phạm khác"],
                       width, height, percent=False)


def units_violations_chart(report: PeriodReport, width: float = FRAME_WIDTH) -> Drawing | None:
    """The units with the most violations (horizontal bars), at most TOP_UNITS of them."""
    scored = [(u.metrics.violations, u) for u in report.by_unit]
    scored = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1].unit_name))[:TOP_UNITS]
    if not scored:
        return None
    scored.reverse()  # the largest on top
    height = 30 + 14 * len(scored) + 20
    d = _drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 20
    chart.width, chart.height = width - 170, 14 * len(scored)
    chart.data = [[s for s, _ in scored]]
    names = [u.unit_name if len(u.unit_name) <= 34 else u.unit_name[:33] + "…" for _, u in scored]
    chart.categoryAxis.categoryNames = names
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(s for s, _ in scored) * 1.1
    chart.valueAxis.labelTextFormat = "%d"
    _style_axis_labels(chart.valueAxis)
    _style_axis_labels(chart.categoryAxis, 8)
    chart.bars[0].fillColor = BAR_COLOURS[0]
    chart.bars[0].strokeColor = None
    chart.barLabels.fontName, chart.barLabels.fontSize = fonts.REGULAR, 7.5
    chart.barLabelFormat = "%d"
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    d.add(chart)
    return d


# --- the document ---------------------------------------------------------------------------------


def _sentence_rate(rate: float | None) -> str:
    return percent(rate) if rate is not None else "chưa có số liệu"


def _violation_sentence(r: PeriodReport) -> str:
    parts = [f"{k.label.lower()}: {_num(k.count)}" for k in r.by_kind if k.count]
    if not parts:
        return "Không phát hiện vi phạm."
    return (f"Phát hiện {_num(r.totals.violations)} vi phạm (mỗi vi phạm tính một lần cho mỗi người, dù được ghi "
            f"nhận qua điểm danh, bảng kiểm hay phát hiện), gồm: {'; '.join(parts)}.")


def violations_table(r: PeriodReport, st) -> list[Flowable]:
    """The violations list (at most MAX_LIST lines; the spreadsheet has them all)."""
    if not r.violations:
        return []
    rows = [["TT", "Đơn vị", "Ngày", "Loại vi phạm", "Nội dung"]]
    for i, v in enumerate(r.violations[:MAX_LIST], 1):
        rows.append([str(i), Paragraph(_x(v.unit_name), st.cell_small), short_date(v.visit_date),
                     Paragraph(_x(VIOLATION_LABELS.get(v.kind, v.kind)), st.cell_small),
                     Paragraph(_x((f"{v.person}: " if v.person else "") + v.description), st.cell_small)])
    out: list[Flowable] = [Spacer(1, 4), _grid(rows, [9 * mm, 42 * mm, 21 * mm, 30 * mm, FRAME_WIDTH - 102 * mm])]
    if len(r.violations) > MAX_LIST:
        out.append(Paragraph(_x(f"(và {_num(len(r.violations) - MAX_LIST)} vi phạm khác, chi tiết tại bảng tính "
                                f"kèm theo)"), st.note))
    return out


def breakdown_tables(r: PeriodReport, st, first_no: int) -> list[Flowable]:
    """Violations by staff category and by kind of unit (Bảng n, n+1)."""
    cat = [["Đối tượng", "Số vi phạm", "Số người vi phạm"]] + [
        [Paragraph(_x(c.label), st.cell_small), _num(c.count), _num(c.extra)] for c in r.by_category]
    kinds = [["Loại hình đơn vị", "Số đơn vị", "Lượt kiểm tra", "Số vi phạm"]] + [
        [Paragraph(_x(u.kind), st.cell_small), _num(u.units), _num(u.visits), _num(u.violations)]
        for u in r.by_unit_kind]
    right = [("ALIGN", (1, 1), (-1, -1), "RIGHT")]
    return [Spacer(1, 4), _grid(cat, [70 * mm, 40 * mm, 40 * mm], extra=right),
            Paragraph(f"Bảng {first_no}. Vi phạm theo đối tượng (cán bộ, công chức, viên chức, người lao động)", st.note),
            Spacer(1, 4), _grid(kinds, [70 * mm, 30 * mm, 30 * mm, 30 * mm], extra=right),
            Paragraph(f"Bảng {first_no + 1}. Kết quả theo loại hình đơn vị", st.note)]


def handling_sentence(r: PeriodReport) -> str:
    counts = {h.code: h.count for h in r.handling}
    done = [f"{h.label.lower()}: {_num(h.count)}" for h in r.handling if h.code != "none" and h.count]
    text = f"Kết quả xử lý người vi phạm: {'; '.join(done) if done else 'chưa có trường hợp nào được xử lý'}"
    return text + f"; chưa xử lý: {_num(counts.get('none', 0))} vi phạm."


def open_visits_note(r: PeriodReport, st) -> list[Flowable]:
    if not r.open_visits:
        return []
    names = "; ".join(f"{o.unit_name} ({short_date(o.visit_date)})" for o in r.open_visits[:10])
    more = f" và {_num(len(r.open_visits) - 10)} lượt khác" if len(r.open_visits) > 10 else ""
    return [Paragraph(_x(f"Có {_num(len(r.open_visits))} lượt kiểm tra chưa kết thúc, không tính vào số liệu báo cáo: "
                         f"{names}{more}."), st.body)]


def attendance_sentence(t: Metrics) -> str:
    return (f"Tổng số lượt điểm danh: {_num(t.roll_call)}; có mặt: {_num(t.at_work)} (trong đó đúng giờ: "
            f"{_num(t.present)}, đi muộn: {_num(t.late)}); vắng có lý do: {_num(t.absent_excused)}; vắng không có "
            f"lý do: {_num(t.absent_unexcused)}; rời vị trí trong giờ làm việc: {_num(t.left_post)}. "
            f"Tỷ lệ có mặt: {_sentence_rate(t.attendance_rate)}.")


def _body(r: PeriodReport, st) -> list[Flowable]:
    P = Paragraph
    t = r.totals
    period = f"từ ngày {short_date(r.date_from)} đến ngày {short_date(r.date_to)}"
    number = f"Số: {r.number or '……'}/BC-{r.department_code}"
    story: list[Flowable] = [
        _Header(r.parent_agency.upper(), r.issuer.upper(), number, date_line(r.place, r.issued_on)),
        Spacer(1, 16),
        P("BÁO CÁO", st.title),
        P(_x(f"Kết quả kiểm tra công vụ {period}"), st.summary),
        Spacer(1, 3),
        _Rule(width=FRAME_WIDTH, length=45 * mm),
        P(_x(f"Kính gửi: {r.recipient}."), ParagraphStyle("to", parent=st.centred, spaceBefore=6)),
        P(_x(f"{r.issuer.capitalize() if r.issuer.isupper() else r.issuer} báo cáo kết quả kiểm tra công vụ "
             f"{period} như sau:"), st.body),  # "ĐOÀN KIỂM TRA CÔNG VỤ" -> "Đoàn kiểm tra công vụ"
        P("I. TÌNH HÌNH CHUNG", st.heading),
        P(_x(f"Trong kỳ báo cáo, Đoàn kiểm tra công vụ đã hoàn thành {_num(t.visits)} lượt kiểm tra tại "
             f"{_num(r.units_visited)} cơ quan, đơn vị ({_num(r.planned_visits)} lượt theo kế hoạch, "
             f"{_num(r.unannounced_visits)} lượt đột xuất); điểm danh {_num(t.roll_call)} lượt cán bộ, công "
             f"chức, viên chức, người lao động; kiểm tra {_num(t.dossiers_checked)} hồ sơ thủ tục hành chính được "
             f"chọn mẫu; ghi nhận {_num(t.findings)} nội dung phát hiện."), st.body),
        *open_visits_note(r, st),
        P("II. KẾT QUẢ KIỂM TRA", st.heading),
        P("1. Chấp hành thời gian làm việc", st.subheading),
        P(_x(attendance_sentence(t)), st.body),
        P("2. Vi phạm được phát hiện", st.subheading),
        P(_x(_violation_sentence(r)), st.body),
        P(_x(f"Nội dung kiểm tra về rượu, bia, thuốc lá không đạt yêu cầu: {_num(t.alcohol_tobacco_items_failed)}."),
          st.body),
        *violations_table(r, st),
        *breakdown_tables(r, st, 1),
        P("3. Thực hiện văn hóa công sở", st.subheading),
        P(_x(f"Kiểm tra {_num(t.office_culture_items)} nội dung về văn hóa công sở, trong đó "
             f"{_num(t.office_culture_failed)} nội dung không đạt yêu cầu (tỷ lệ "
             f"{_sentence_rate(t.office_culture_failure_rate)})."), st.body),
        P("4. Giải quyết thủ tục hành chính", st.subheading),
        P(_x(f"Kiểm tra {_num(t.dossiers_checked)} hồ sơ được chọn mẫu: {_num(t.dossiers_early)} hồ sơ giải quyết "
             f"trước hạn, {_num(t.dossiers_on_time)} hồ sơ đúng hạn, {_num(t.dossiers_late)} hồ sơ quá hạn. "
             f"Tỷ lệ hồ sơ giải quyết đúng hạn (kể cả trước hạn): {_sentence_rate(t.on_time_rate)}."), st.body),
        P("5. Tổng hợp theo tháng", st.subheading),
        _Chart(month_rates_chart(r), "Biểu đồ 1. Tỷ lệ có mặt và tỷ lệ hồ sơ giải quyết đúng hạn theo tháng", st),
        Spacer(1, 6),
        _Chart(month_violations_chart(r), "Biểu đồ 2. Số vi phạm theo tháng", st),
        Spacer(1, 6),
        _metrics_table("Tháng", [(mo.label, mo.metrics) for mo in r.by_month], t, st),
        P("Bảng 3. Kết quả kiểm tra theo tháng", st.note),
        CondPageBreak(60 * mm),
        P("6. Tổng hợp theo đơn vị", st.subheading),
    ]
    chart = units_violations_chart(r)
    if chart is not None:
        story += [_Chart(chart, f"Biểu đồ 3. Các đơn vị có nhiều vi phạm nhất (tối đa {TOP_UNITS} đơn vị)", st),
                  Spacer(1, 6)]
    story += [
        _metrics_table("Đơn vị", [(u.unit_name, u.metrics) for u in r.by_unit], t, st),
        P("Bảng 4. Kết quả kiểm tra theo đơn vị", st.note),
        P("III. XỬ LÝ KẾT QUẢ KIỂM TRA VÀ THEO DÕI VIỆC KHẮC PHỤC", st.heading),
        P(_x(handling_sentence(r)), st.body),
        P(_x(remedies_sentence(r)), st.body),
        *overdue_table(r, st),
    ]
    story.append(P("IV. ĐỀ XUẤT, KIẾN NGHỊ", st.heading))
    story += [P(_x(line), st.body) for line in _proposals(r)]
    story.append(closing(r, st))
    return story


def remedies_sentence(r: PeriodReport) -> str:
    return (f"Tổng số yêu cầu khắc phục: {_num(r.remedies.total)}; đơn vị đã báo cáo kết quả: "
            f"{_num(r.remedies.reported)}; đã hoàn thành: {_num(r.remedies.done)}; chưa báo cáo: "
            f"{_num(r.remedies.open)}, trong đó quá hạn: {_num(r.remedies.overdue)}.")


def overdue_table(r: PeriodReport, st) -> list[Flowable]:
    if not r.overdue:
        return []
    P = Paragraph
    rows = [["TT", "Đơn vị", "Ngày kiểm tra", "Yêu cầu khắc phục", "Hạn báo cáo", "Quá hạn (ngày)"]]
    for i, o in enumerate(r.overdue[:MAX_LIST], 1):
        rows.append([str(i), P(_x(o.unit_name), st.cell_small), short_date(o.visit_date),
                     P(_x(o.text), st.cell_small), short_date(o.due), _num(o.days_overdue)])
    out: list[Flowable] = [Spacer(1, 4), _grid(rows, [9 * mm, 40 * mm, 22 * mm, FRAME_WIDTH - 111 * mm, 22 * mm,
                                                      18 * mm], extra=[("ALIGN", (-1, 1), (-1, -1), "RIGHT")])]
    if len(r.overdue) > MAX_LIST:
        out.append(P(_x(f"(và {_num(len(r.overdue) - MAX_LIST)} yêu cầu khác)"), st.note))
    return out


def _proposals(r: PeriodReport) -> list[str]:
    lines = []
    overdue_units = sorted({o.unit_name for o in r.overdue})
    if overdue_units:
        lines.append("Đề nghị Giám đốc Sở chỉ đạo các cơ quan, đơn vị chưa báo cáo kết quả khắc phục đúng hạn "
                     f"({', '.join(overdue_units[:10])}{', …' if len(overdue_units) > 10 else ''}) khẩn trương "
                     "thực hiện và báo cáo kết quả.")
    if r.totals.violations:
        lines.append("Đề nghị người đứng đầu các cơ quan, đơn vị có cán bộ, công chức, viên chức, người lao động vi "
                     "phạm xem xét, xử lý theo quy định và đưa kết quả vào đánh giá, xếp loại cuối năm.")
    lines.append("Tiếp tục kiểm tra đột xuất việc chấp hành kỷ luật, kỷ cương hành chính trong kỳ tới.")
    return [f"- {line}" for line in lines]


def closing(r: PeriodReport, st) -> Flowable:
    """"Nơi nhận" on the left (12 pt bold italic, list 11 pt, "- Như trên;" first, "- Lưu: …" last) and the
    signer on the right: title (and the signer's post in the Department), space to sign, name."""
    small = ParagraphStyle("recipients", parent=st.plain, fontSize=11, leading=13, spaceBefore=0)
    left = [Paragraph("<b><i>Nơi nhận:</i></b>", ParagraphStyle("nn", parent=small, fontSize=12))]
    left += [Paragraph(_x(line), small) for line in r.recipients]
    left.append(Paragraph(_x(r.archive), small))
    right = [Paragraph(_x(line), st.centred_bold) for line in r.signer_title.upper().splitlines()]
    if r.signer_post:
        right.append(Paragraph(_x(r.signer_post.upper()), st.centred_bold))
    right += [Spacer(1, 24 * mm), Paragraph(_x(r.signer_name), st.centred_bold)]
    half = FRAME_WIDTH / 2
    table = Table([[left, right]], colWidths=[half - 6 * mm, half + 6 * mm])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, TABLE_SIZE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return KeepTogether([Spacer(1, 10), table])


def build_report_pdf(story: list, date_from, date_to, issuer: str) -> RenderedReport:
    """A report's flowables as an A4 PDF in the Decree 30 layout, with its metadata (both reports)."""
    buf = io.BytesIO()
    doc = _Doc(
        buf,
        title=f"Báo cáo kết quả kiểm tra công vụ {short_date(date_from)} - {short_date(date_to)}",
        author=issuer, subject="Báo cáo kết quả kiểm tra công vụ", creator="inspection-app",
        producer="inspection-app (reportlab)", lang="vi-VN",
        invariant=bool(os.environ.get("INSPECTION_APP_INVARIANT_PDF")),
        initialFontName=fonts.REGULAR, initialFontSize=13,
    )
    doc.build(story)
    return RenderedReport(pdf=buf.getvalue(), page_count=doc.page)


def render_report(report: PeriodReport) -> RenderedReport:
    return build_report_pdf(_body(report, _styles()), report.date_from, report.date_to, report.issuer)


def write_report(report: PeriodReport, path: Path) -> RenderedReport:
    rendered = render_report(report)
    write_atomic(Path(path), rendered.pdf, *both("báo cáo"))
    return rendered


__all__ = ["RenderedReport", "render_report", "write_report", "month_rates_chart", "month_violations_chart",
           "units_violations_chart", "closing", "violations_table", "breakdown_tables", "handling_sentence",
           "open_visits_note", "attendance_sentence", "remedies_sentence", "overdue_table"]
