"""The office dashboard (``/review/dashboard``): figures for a period, by unit and by month.

The stock Flet web client has no chart extension, so the bars are Containers whose width is
proportional to the value: rates on a 0–100 % scale, counts on the column's largest value. The
two period reports (PDF and XLSX, ``review_reports``) are made from the same period here. Only
finished visits are counted; open ones are listed apart above the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import flet as ft

from inspection_app.locale import N_, N_p
from inspection_app.ui.enum_labels import enum_label

from ...domain.report import VIOLATION_KIND_CODES, Metrics, percent
from ...services import review
from .. import fmt
from ..state import ReviewPeriod
from .base import banner, heading, muted
from .review_common import (
    PERIODS,
    TARGET,
    ReviewScreen,
    cell,
    date_field,
    dropdown,
    header_row,
    period_range,
    read_date,
    show_date,
)
from .review_reports import ReportPanel

BAR_W = 96  # px: the track of a bar
W_VISITS, W_METRIC = 72, 168


@dataclass(frozen=True)
class Column:
    label_key: str
    color: str
    rate: bool  # a 0..1 rate (else a count)
    value: Callable[[Metrics], float | int | None]
    text: Callable[[Metrics, str], str]


def _count(fn: Callable[[Metrics], int]) -> Callable[[Metrics, str], str]:
    return lambda mt, lang: str(fn(mt))


def _rate(fn: Callable[[Metrics], float | None]) -> Callable[[Metrics, str], str]:
    return lambda mt, lang: percent(fn(mt), lang)


COLUMNS = [
    Column(N_("Tỷ lệ có mặt"), ft.Colors.TEAL_600, True, lambda m: m.attendance_rate,
           _rate(lambda m: m.attendance_rate)),
    Column(N_p("of.m.unexcused", "Vắng không lý do"), ft.Colors.ORANGE_700, False, lambda m: m.absent_unexcused,
           _count(lambda m: m.absent_unexcused)),
    Column(N_("Vi phạm rượu, bia, thuốc lá"), ft.Colors.RED_700, False, lambda m: m.alcohol_tobacco,
           _count(lambda m: m.alcohol_tobacco)),
    Column(N_("Tổng số vi phạm"), ft.Colors.PURPLE_600, False, lambda m: m.violations,
           _count(lambda m: m.violations)),
    Column(N_("Hồ sơ đúng hạn"), ft.Colors.BLUE_700, True, lambda m: m.on_time_rate, _rate(lambda m: m.on_time_rate)),
]


def bar_fraction(value: float | int | None, scale: float) -> float:
    """The filled share of a bar (0..1); nothing for a missing value or an empty scale."""
    if value is None or scale <= 0:
        return 0.0
    return max(0.0, min(1.0, float(value) / scale))


def bar(fraction: float, color: str, width: float = BAR_W) -> ft.Control:
    filled = round(width * fraction)
    return ft.Container(
        ft.Container(width=filled, height=16, bgcolor=color, border_radius=4) if filled else None,
        width=width, height=16, bgcolor=ft.Colors.GREY_200, border_radius=4, alignment=ft.Alignment.CENTER_LEFT)


class ReviewDashboardScreen(ReviewScreen):
    tab = "dashboard"
    title_key = N_("Số liệu tổng hợp")

    def __init__(self, app, **params: str):
        super().__init__(app, **params)
        saved = app.state.review_period or ReviewPeriod()
        self.period = saved.period
        self.date_from, self.date_to = saved.date_from, saved.date_to
        self.unit_id = saved.unit_id
        self.data: review.Dashboard | None = None
        self.options: Any = None

    async def load(self) -> None:
        options = await self.app.call(review.filter_options, self.app.ctx)
        self.options = options.value if options.ok else None
        await self._fetch()

    async def _fetch(self) -> bool:
        data: Any
        data = await self.app.call(review.dashboard, self.app.ctx, self.date_from, self.date_to, self.unit_id)
        if not data.ok:
            return False
        data = data.value
        self.data = data
        self.app.state.review_period = ReviewPeriod(self.period, self.date_from, self.date_to, self.unit_id)
        return True

    # --- layout ------------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        t = self.t
        self.presets = ft.SegmentedButton(
            selected=[self.period] if self.period in PERIODS else [], allow_empty_selection=True,
            allow_multiple_selection=False, on_change=self._preset,
            segments=[ft.Segment(value=p, label=ft.Text(t(enum_label("of.period", p)))) for p in PERIODS])
        self.f_from = date_field(t("Từ ngày"), self.date_from, on_submit=self._apply)
        self.f_to = date_field(t("Đến ngày"), self.date_to, on_submit=self._apply)
        units = [("", t("Tất cả đơn vị"))] + list(self.options.units if self.options else [])
        self.f_unit = dropdown(t("Đơn vị"), units, self.unit_id, 300, self._apply)
        self.reports = ReportPanel(self, self._report_period)
        self.report_button = ft.FilledButton(t("Lập báo cáo (PDF, XLSX)"), icon=ft.Icons.SUMMARIZE,
                                             on_click=self.reports.toggle)
        self.content = ft.Column(spacing=14)
        self._fill()
        controls = ft.Column([
            ft.Row([self.presets], wrap=True),
            ft.Row([self.f_from, self.f_to, self.f_unit,
                    ft.FilledTonalButton(t("Lọc"), icon=ft.Icons.FILTER_ALT,
                                         on_click=self._apply)],
                   spacing=10, wrap=True, vertical_alignment=ft.CrossAxisAlignment.START),
        ], spacing=10)
        return ft.Column([controls, self.reports.control, self.content], spacing=12, scroll=ft.ScrollMode.AUTO,
                         expand=True)

    def actions(self) -> list[ft.Control]:
        return [self.report_button]

    def _fill(self) -> None:
        t, d = self.t, self.data
        if d is None:
            self.content.controls = [banner(t("Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu trước đó vẫn còn nguyên."), "error")]
            return
        pending = []
        if d.open_visits:
            names = "; ".join(f"{o.unit_name} ({show_date(o.visit_date)}, {t(enum_label('status', o.status))})"
                              for o in d.open_visits[:8])
            more = "; …" if d.open_count > 8 else ""
            pending = [banner(t.plural("{n} cuộc kiểm tra chưa kết thúc, không tính vào số liệu: {names}", "{n} cuộc kiểm tra chưa kết thúc, không tính vào số liệu: {names}", d.open_count, n=d.open_count, names=names + more), "warn",
                              identifier="dash-open")]
        if not d.totals.visits:
            self.content.controls = [*pending, banner(t("Không có lượt kiểm tra nào trong khoảng thời gian này."), "info", identifier="dash-empty")]
            return
        self.content.controls = [
            *pending,
            muted(self._period_text(), 15),
            self._cards(d.totals),
            heading(t("Theo đơn vị"), 18),
            self._bars([(u.unit_name, u.metrics) for u in d.by_unit], N_("Đơn vị"), "dash-unit"),
            heading(t("Theo tháng"), 18),
            self._bars([(fmt_month(mo.month), mo.metrics) for mo in d.by_month], N_("Tháng"), "dash-month"),
            muted(t("Chỉ tính các cuộc kiểm tra đã kết thúc. Có mặt: có mặt đúng giờ và đi muộn; tỷ lệ có mặt: số có mặt trên số người được điểm danh. Vi phạm: mỗi vi phạm tính một lần cho mỗi người (hoặc mỗi nội dung kiểm tra khi không nêu người), dù được ghi qua điểm danh, bảng kiểm hay phát hiện. Văn hóa công sở: số nội dung không đạt. Hồ sơ đúng hạn: hồ sơ được chọn mẫu trả sớm hoặc đúng hẹn trên số hồ sơ xác định được."), 13),
        ]

    def _period_text(self) -> str:
        t = self.t
        if self.date_from or self.date_to:
            return t("Từ {start} đến {end}", start=fmt.show_date(self.date_from) if self.date_from else "…",
                     end=fmt.show_date(self.date_to) if self.date_to else "…")
        return t("Toàn bộ các lượt kiểm tra đã có")

    def _cards(self, m: Metrics) -> ft.Control:
        t, lang = self.t, self.t.lang
        cards = [
            ("kpi-visits", t("Lượt kiểm tra"), str(m.visits), t.plural("{n} người được điểm danh", "{n} người được điểm danh", m.roll_call, n=m.roll_call),
             ft.Colors.INDIGO_700),
            ("kpi-attendance", t("Tỷ lệ có mặt"), percent(m.attendance_rate, lang),
             t("{at_work}/{total} người", at_work=m.at_work, total=m.roll_call), ft.Colors.TEAL_700),
            ("kpi-unexcused", t(N_p("of.m.unexcused", "Vắng không lý do")), str(m.absent_unexcused),
             t("Đi muộn: {late} · Rời vị trí: {left}", late=m.late, left=m.left_post), ft.Colors.ORANGE_800),
            ("kpi-alcohol-tobacco", t("Vi phạm rượu, bia, thuốc lá"), str(m.alcohol_tobacco),
             t("Rượu, bia: {alcohol} · Thuốc lá: {tobacco}", alcohol=m.alcohol, tobacco=m.tobacco), ft.Colors.RED_800),
            ("kpi-violations", t("Tổng số vi phạm"), str(m.violations),
             " · ".join(f"{t(enum_label('of.vk', k))}: {m.violations_of(k)}" for k in VIOLATION_KIND_CODES
                        if m.violations_of(k)) or "–", ft.Colors.PURPLE_800),
            ("kpi-office-culture", t("Văn hóa công sở không đạt"), str(m.office_culture_failed),
             t.plural("trên {n} nội dung ({rate})", "trên {n} nội dung ({rate})", m.office_culture_items, n=m.office_culture_items,
               rate=percent(m.office_culture_failure_rate, lang)), ft.Colors.PURPLE_700),
            ("kpi-on-time", t("Hồ sơ đúng hạn"), percent(m.on_time_rate, lang),
             t("{ok}/{total} hồ sơ chọn mẫu", ok=m.dossiers_in_time, total=m.dossiers_checked), ft.Colors.BLUE_800),
        ]
        return ft.Row([self._card(*c) for c in cards], spacing=10, wrap=True)

    @staticmethod
    def _card(identifier: str, label: str, value: str, sub: str, color: str) -> ft.Control:
        box = ft.Container(
            ft.Column([ft.Text(label, size=14, color=ft.Colors.GREY_800, max_lines=2),
                       ft.Text(value, size=30, weight=ft.FontWeight.W_700, color=color),
                       ft.Text(sub, size=13, color=ft.Colors.GREY_700, max_lines=3,
                               overflow=ft.TextOverflow.ELLIPSIS)], spacing=2),
            width=152, height=148, padding=ft.Padding.symmetric(horizontal=12, vertical=8), border_radius=10, bgcolor=ft.Colors.WHITE,
            border=ft.Border.all(1, ft.Colors.GREY_300))
        return ft.Semantics(identifier=identifier, container=True, content=box)

    def _bars(self, rows: list[tuple[str, Metrics]], first_key: str, prefix: str) -> ft.Control:
        t, lang = self.t, self.t.lang
        scales = []
        for col in COLUMNS:
            if col.rate:
                scales.append(1.0)
            else:
                scales.append(float(max((col.value(mt) or 0 for _, mt in rows), default=0)))
        right = ft.Alignment.CENTER_RIGHT
        header = header_row([cell(t(first_key), expand=1, bold=True),
                             cell(t("Lượt"), W_VISITS, bold=True, align=right),
                             *[cell(t(col.label_key), W_METRIC, bold=True, size=14) for col in COLUMNS]])
        body: list[ft.Control] = []
        for i, (name, mt) in enumerate(rows, start=1):
            cells = [cell(name, expand=1, bold=True), cell(str(mt.visits), W_VISITS, align=right)]
            for col, scale in zip(COLUMNS, scales):
                value = col.value(mt)
                cells.append(cell(ft.Row([bar(bar_fraction(value, scale), col.color),
                                          ft.Text(col.text(mt, lang), size=15, weight=ft.FontWeight.W_600)],
                                         spacing=8), W_METRIC))
            body.append(ft.Semantics(identifier=f"{prefix}-{i}", container=True, content=ft.Container(
                ft.Row(cells, spacing=0), height=TARGET,
                bgcolor=ft.Colors.WHITE if i % 2 else ft.Colors.GREY_50,
                border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200)))))
        return ft.Column([header, *body], spacing=0)

    # --- handlers ----------------------------------------------------------------------------------
    async def _preset(self, e=None) -> None:
        chosen = list(self.presets.selected or [])
        if not chosen:
            return
        self.period = chosen[0]
        self.date_from, self.date_to = period_range(self.period, fmt.now_local().date())
        self.f_from.value = fmt.show_date(self.date_from) if self.date_from else ""
        self.f_to.value = fmt.show_date(self.date_to) if self.date_to else ""
        self.f_from.error = self.f_to.error = None
        await self._refresh()

    async def _apply(self, e=None) -> None:
        ok_from, date_from = read_date(self.t, self.f_from)
        ok_to, date_to = read_date(self.t, self.f_to)
        if not (ok_from and ok_to):
            self.update()
            return
        self.date_from, self.date_to = date_from, date_to
        if (date_from, date_to) != period_range(self.period, fmt.now_local().date()):
            self.period = ""
            self.presets.selected = []
        await self._refresh()

    async def _refresh(self) -> None:
        self.unit_id = self.f_unit.value or None
        if await self._fetch():
            self._fill()
        self.update()

    def _report_period(self):
        """The period of the report: the dashboard's dates; an open end is yesterday (a report covers a
        period that has ended; the service refuses one that has not)."""
        t = self.t
        ok_from, date_from = read_date(t, self.f_from)
        ok_to, date_to = read_date(t, self.f_to)
        if not (ok_from and ok_to):
            return None, t("Ngày không hợp lệ (dd/mm/yyyy)")
        if date_from is None and self.options is not None:  # "all time": from the first visit on record
            date_from = self.options.first_date
        if date_to is None:
            date_to = fmt.now_local().date() - timedelta(days=1)
        if date_from is None:
            return None, t("Chưa có lượt kiểm tra nào để báo cáo; hãy chọn khoảng thời gian của báo cáo.")
        return (date_from, date_to), ""


def fmt_month(month: str) -> str:
    """"2026-03" as Vietnamese documents write a month: "03/2026"."""
    year, _, mon = month.partition("-")
    return f"{mon}/{year}" if mon else month
