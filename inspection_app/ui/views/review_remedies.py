"""Remedies follow-up (``/review/remedies``): each requested fix, its deadline, the unit's report-back.

Overdue ones (still open after the date the unit had to report by) come first and stand out in red.
The office records a report-back (its date and what it says), then accepts it or reopens the fix.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

from ...services import review
from .. import fmt
from .base import banner, muted
from .review_common import ReviewScreen, date_field, dropdown, read_date, remedy_chip, show_date, top_gap

STATUSES = ("open", "reported", "done")


class RemedyCard:
    """One remedy, with its report-back form (hidden until asked for)."""

    def __init__(self, screen: ReviewRemediesScreen, n: int, row: review.RemedyRow):
        self.screen, self.n, self.row = screen, n, row
        t = screen.t
        self.when = date_field(t("Ngày báo cáo"), fmt.now_local().date(), width=190)
        self.text = ft.TextField(label=t("Nội dung báo cáo"), multiline=True, min_lines=2, max_lines=5, expand=True,
                                 value=row.report_text if row.status == "open" else "")
        self.form = ft.Container(
            ft.Column([ft.Row([self.when, self.text], vertical_alignment=ft.CrossAxisAlignment.START),
                       ft.Row([ft.FilledButton(t("Lưu báo cáo"), icon=ft.Icons.SAVE,
                                               on_click=self._save),
                               ft.TextButton(t("Hủy"), on_click=self._hide)])],
                      spacing=8),
            visible=False, padding=ft.Padding.only(top=8))
        self.control = self._build()

    def _build(self) -> ft.Control:
        t, r = self.screen.t, self.row
        when = " · ".join(x for x in (
            t("Thời hạn khắc phục: {d}", d=show_date(r.deadline)),
            t("Hạn báo cáo: {d}", d=show_date(r.report_due)) if r.report_due else "") if x)
        parts: list[ft.Control] = [
            ft.Row([remedy_chip(t, r.status, r.overdue, r.days_overdue),
                    ft.Text(r.text, size=17, weight=ft.FontWeight.W_600, expand=True)],
                   vertical_alignment=ft.CrossAxisAlignment.START),
            ft.Row([ft.Text(f"{r.unit_name} · {t('kiểm tra ngày {d}', d=show_date(r.visit_date))}", size=15,
                            color=ft.Colors.GREY_800),
                    ft.TextButton(t("Xem lượt kiểm tra"), icon=ft.Icons.OPEN_IN_NEW,
                                  on_click=lambda e: self.screen.app.go(f"/review/visits/{r.visit_id}"))],
                   spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            ft.Text(when, size=15, color=ft.Colors.RED_900 if r.overdue else None,
                    weight=ft.FontWeight.W_600 if r.overdue else None),
        ]
        if r.reported_on:
            late = f" ({t('báo cáo muộn')})" if r.reported_late else ""
            parts.append(ft.Text(t("Đơn vị báo cáo ngày {d}: {text}", d=show_date(r.reported_on), text=r.report_text) + late,
                                 size=15, color=ft.Colors.BLUE_900))
        if r.reviewed_by:
            parts.append(muted(t("Người xem xét: {who}", who=r.reviewed_by), 14))
        actions: list[ft.Control] = []
        if r.status != "done":
            actions.append(ft.OutlinedButton(t("Ghi nhận báo cáo của đơn vị"), icon=ft.Icons.EDIT_NOTE,
                                             on_click=self._show))
        if r.status == "reported":
            actions.append(ft.FilledButton(t("Xác nhận hoàn thành"), icon=ft.Icons.TASK_ALT,
                                           on_click=self._accept))
        if r.status in ("reported", "done"):
            actions.append(ft.TextButton(t("Chưa đạt, mở lại"), icon=ft.Icons.REPLAY,
                                         on_click=self._reopen))
        parts += [ft.Row(actions, spacing=8, wrap=True), self.form]
        box = ft.Container(
            ft.Column(parts, spacing=6), padding=14, border_radius=10,
            bgcolor=ft.Colors.RED_50 if r.overdue else ft.Colors.WHITE,
            border=ft.Border.all(2 if r.overdue else 1, ft.Colors.RED_400 if r.overdue else ft.Colors.GREY_300))
        return ft.Semantics(identifier=f"remedy-{self.n}", container=True, content=box)

    def _show(self, e=None) -> None:
        self.form.visible = True

    def _hide(self, e=None) -> None:
        self.form.visible = False

    async def _accept(self, e=None) -> None:
        await self.screen.change(review.accept_remedy, self.row.id)

    async def _reopen(self, e=None) -> None:
        await self.screen.change(review.reopen_remedy, self.row.id)

    async def _save(self, e=None) -> None:
        ok, when = read_date(self.screen.t, self.when)
        if not ok or when is None:
            self.when.error = self.screen.t("Ngày không hợp lệ (dd/mm/yyyy)")
            self.screen.update()
            return
        await self.screen.change(review.record_report_back, self.row.id, when, self.text.value or "")


class ReviewRemediesScreen(ReviewScreen):
    tab = "remedies"
    title_key = N_("Theo dõi khắc phục")

    def __init__(self, app, **params: str):
        super().__init__(app, **params)
        self.unit_id: str | None = None
        self.status: str | None = None
        self.overdue_only = False
        self.rows: list[review.RemedyRow] = []
        self.options: Any = None

    async def load(self) -> None:
        options = await self.app.call(review.filter_options, self.app.ctx)
        self.options = options.value if options.ok else None
        await self._fetch()

    async def _fetch(self) -> bool:
        got = await self.app.call(review.remedies, self.app.ctx, unit_id=self.unit_id, status=self.status,
                                  overdue_only=self.overdue_only)
        if not got.ok:
            return False
        rows = got.value
        self.rows = rows
        return True

    def build(self) -> ft.Control:
        t = self.t
        units = [("", t("Tất cả đơn vị"))] + list(self.options.units if self.options else [])
        self.f_unit = dropdown(t("Đơn vị"), units, self.unit_id, 300, self._apply)
        self.f_status = dropdown(t("Trạng thái"), [("", t("Tất cả trạng thái"))] +
                                 [(s, t(enum_label("of.rm.status", s))) for s in STATUSES], self.status, 220, self._apply)
        self.f_overdue = ft.Checkbox(label=t("Chỉ hiện quá hạn"), value=self.overdue_only, on_change=self._apply)
        self.summary = ft.Text("", size=16, weight=ft.FontWeight.W_600)
        self.list = ft.Column(spacing=10)
        self._fill()
        filters = ft.Row([self.f_unit, self.f_status, self.f_overdue], spacing=12,
                         vertical_alignment=ft.CrossAxisAlignment.CENTER)
        return ft.Column([top_gap(), filters, ft.Semantics(identifier="remedies-summary", container=True, content=self.summary),
                          self.list], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)

    def _fill(self) -> None:
        t = self.t
        overdue = sum(1 for r in self.rows if r.overdue)
        self.summary.value = t.plural("{n} yêu cầu khắc phục, {overdue} quá hạn", "{n} yêu cầu khắc phục, {overdue} quá hạn", len(self.rows), n=len(self.rows), overdue=overdue)
        self.summary.color = ft.Colors.RED_900 if overdue else None
        self.cards = [RemedyCard(self, i, r) for i, r in enumerate(self.rows, start=1)]
        self.list.controls = [c.control for c in self.cards] or [banner(t("Không có yêu cầu khắc phục nào phù hợp."), "info")]

    async def _apply(self, e=None) -> None:
        self.unit_id = self.f_unit.value or None
        self.status = self.f_status.value or None
        self.overdue_only = bool(self.f_overdue.value)
        if await self._fetch():
            self._fill()
        self.update()

    async def change(self, fn, remedy_id: str, *args) -> None:
        """Record a report-back, accept or reopen; then show the list as it now is."""
        got = await self.app.call(fn, self.app.ctx, remedy_id, *args)
        if not got.ok:
            self.update()
            return
        if await self._fetch():
            self._fill()
        self.app.toast(self.t("Đã lưu"))  # updates the page
