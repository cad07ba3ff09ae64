"""Outcomes (``/review/outcomes``): what was done about each violator, and what is still pending.

The list shows every violation of finished visits in the period (each counted once), with the
person, their staff category and the handling recorded; "unhandled only" narrows it to those still
without one. Each row opens a small form: the handling (only those the person's category allows,
``domain.outcomes``), its date and its document. The year-end list (per person and per unit, for
the evaluation under Nghị định 335/2025/NĐ-CP) comes as an XLSX download. Overdue remedies are
counted here and listed in their own tab.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from inspection_app.locale import N_

from ...domain.outcomes import BY_CODE, NONE, handlings_for
from ...services import outcomes, reports, review
from .. import fmt
from ..enum_labels import enum_label, has_label
from ..state import ReviewPeriod
from .base import banner, muted
from .review_common import ReviewScreen, attempt, chip, date_field, dropdown, read_date, show_date, top_gap


class OutcomeRow:
    """One violation and its handling form (hidden until asked for)."""

    def __init__(self, screen: ReviewOutcomesScreen, n: int, row: outcomes.ViolationRow):
        self.screen, self.n, self.row = screen, n, row
        t = screen.t
        allowed = handlings_for(row.category) if row.staff_id else [h for h in handlings_for("") if not h.discipline]
        self.handling = ft.Dropdown(label=t("Hình thức xử lý"), width=300, value=row.handling,
                                    options=[ft.DropdownOption(key=h.code, text=h.label if t.lang == "vi" else
                                                               h.label_en) for h in allowed])
        self.when = date_field(t("Ngày xử lý"), row.decided_on or fmt.now_local().date(), width=180)
        self.document = ft.TextField(label=t("Văn bản (số, ngày quyết định)"), value=row.document, expand=True)
        self.form = ft.Container(ft.Column([
            ft.Row([self.handling, self.when, self.document], vertical_alignment=ft.CrossAxisAlignment.START),
            ft.Row([ft.FilledButton(t("Lưu"), icon=ft.Icons.SAVE, on_click=self._save),
                    ft.TextButton(t("Hủy"), on_click=self._hide)])], spacing=8),
            visible=False, padding=ft.Padding.only(top=8))
        self.control = self._build()

    def _build(self) -> ft.Control:
        t, r = self.screen.t, self.row
        pending = r.handling == NONE
        h = BY_CODE.get(r.handling)  # the row's labels are the documents' Vietnamese; the screen speaks its language
        status = chip(t.pick(h.label, h.label_en) if h else r.handling_label,
                      ft.Colors.AMBER_100 if pending else ft.Colors.GREEN_100,
                      ft.Colors.BROWN_900 if pending else ft.Colors.GREEN_900)
        who = f"{r.person} · {r.category_label}" if r.person else t("không nêu người cụ thể")
        english = t.lang != "vi" and has_label("of.vk", r.kind)
        kind = t(enum_label("of.vk", r.kind)) if english else r.kind_label
        done = ""
        if not pending:
            done = " · ".join(x for x in (show_date(r.decided_on) if r.decided_on else "", r.document) if x)
        body = ft.Column([
            ft.Row([status, ft.Text(f"{kind}: {who}", size=17, weight=ft.FontWeight.W_600, expand=True)],
                   vertical_alignment=ft.CrossAxisAlignment.START),
            ft.Text(r.description, size=15),
            ft.Row([ft.Text(f"{r.unit_name} · {show_date(r.visit_date)}", size=14, color=ft.Colors.GREY_800),
                    ft.TextButton(t("Xem lượt kiểm tra"), icon=ft.Icons.OPEN_IN_NEW,
                                  on_click=lambda e: self.screen.app.go(f"/review/visits/{r.visit_id}"))], spacing=8),
            *([muted(done, 14)] if done else []),
            ft.Row([ft.OutlinedButton(t("Ghi kết quả xử lý"), icon=ft.Icons.GAVEL, on_click=self._show)]),
            self.form,
        ], spacing=6)
        return ft.Semantics(identifier=f"outcome-{self.n}", container=True, content=ft.Container(
            body, padding=14, border_radius=10, bgcolor=ft.Colors.WHITE,
            border=ft.Border.all(1, ft.Colors.GREY_300)))

    def _show(self, e=None) -> None:
        self.form.visible = True

    def _hide(self, e=None) -> None:
        self.form.visible = False

    async def _save(self, e=None) -> None:
        ok, when = read_date(self.screen.t, self.when)
        if not ok:
            self.screen.update()
            return
        r = self.row
        await self.screen.change(r.visit_id, r.kind, r.subject, self.handling.value or NONE, when,
                                 self.document.value or "")


class ReviewOutcomesScreen(ReviewScreen):
    tab = "outcomes"
    title_key = N_("Xử lý vi phạm")

    def __init__(self, app, **params: str):
        super().__init__(app, **params)
        saved = app.state.review_period or ReviewPeriod()  # the dashboard's period and unit
        self.date_from, self.date_to = saved.date_from, saved.date_to
        self.unit_id: str | None = saved.unit_id
        self.unhandled_only = False
        self.rows: list[outcomes.ViolationRow] = []
        self.overdue = 0
        self.options: Any = None
        self.picker = ft.FilePicker()

    async def load(self) -> None:
        options = await self.app.call(review.filter_options, self.app.ctx)
        self.options = options.value if options.ok else None
        await self._fetch()

    async def _fetch(self) -> bool:
        rows: Any
        rows = await self.app.call(outcomes.violations, self.app.ctx, self.date_from, self.date_to,
                                   unit_id=self.unit_id, unhandled_only=self.unhandled_only)
        overdue = await self.app.call(outcomes.overdue_remedies, self.app.ctx)
        if not rows.ok:
            return False
        rows = rows.value
        self.rows = rows
        self.overdue = len(overdue.value) if overdue.ok else 0
        return True

    def build(self) -> ft.Control:
        t = self.t
        units = [("", t("Tất cả đơn vị"))] + list(self.options.units if self.options else [])
        self.f_from = date_field(t("Từ ngày"), self.date_from, on_submit=self._apply)
        self.f_to = date_field(t("Đến ngày"), self.date_to, on_submit=self._apply)
        self.f_unit = dropdown(t("Đơn vị"), units, self.unit_id, 300, self._apply)
        self.f_unhandled = ft.Checkbox(label=t("Chỉ hiện vi phạm chưa xử lý"), value=self.unhandled_only,
                                       on_change=self._apply)
        self.year = ft.TextField(label=t("Năm"), width=110, value=str(fmt.now_local().year))
        self.year_notice = ft.Column(spacing=4)
        self.summary = ft.Text("", size=16, weight=ft.FontWeight.W_600)
        self.list = ft.Column(spacing=10)
        self._fill()
        filters = ft.Row([self.f_from, self.f_to, self.f_unit,
                          ft.FilledTonalButton(t("Lọc"), icon=ft.Icons.FILTER_ALT, on_click=self._apply),
                          self.f_unhandled], spacing=10, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        year_end = ft.Row([self.year, ft.OutlinedButton(t("Danh sách phục vụ đánh giá cuối năm (XLSX)"), icon=ft.Icons.DOWNLOAD,
                                                        on_click=self._year_end, height=48)], spacing=10)
        return ft.Column([top_gap(), filters, year_end, self.year_notice,
                          ft.Semantics(identifier="outcomes-summary", container=True, content=self.summary),
                          self.list], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)

    def _fill(self) -> None:
        t = self.t
        unhandled = sum(1 for r in self.rows if r.handling == NONE)
        self.summary.value = t.plural("{n} vi phạm, {unhandled} chưa xử lý · {overdue} yêu cầu khắc phục quá hạn", "{n} vi phạm, {unhandled} chưa xử lý · {overdue} yêu cầu khắc phục quá hạn", len(self.rows), n=len(self.rows), unhandled=unhandled, overdue=self.overdue)
        self.cards = [OutcomeRow(self, i, r) for i, r in enumerate(self.rows, start=1)]
        self.list.controls = [c.control for c in self.cards] or [banner(t("Không có vi phạm nào trong các cuộc kiểm tra đã kết thúc của khoảng thời gian này."), "info")]

    async def _apply(self, e=None) -> None:
        ok_from, self_from = read_date(self.t, self.f_from)
        ok_to, self_to = read_date(self.t, self.f_to)
        if not (ok_from and ok_to):
            self.update()
            return
        self.date_from, self.date_to = self_from, self_to
        self.unit_id = self.f_unit.value or None
        self.unhandled_only = bool(self.f_unhandled.value)
        if await self._fetch():
            self._fill()
        self.update()

    async def change(self, visit_id: str, kind: str, subject: str, handling: str, when, document: str) -> None:
        row = await self.app.call(outcomes.record_outcome, self.app.ctx, visit_id, kind, subject, handling,
                                  decided_on=when if handling != NONE else None, document=document)
        if not row.ok:
            self.update()
            return
        if await self._fetch():
            self._fill()
        self.app.toast(self.t("Đã lưu"))

    async def _year_end(self, e=None) -> None:
        t = self.t
        text = (self.year.value or "").strip()
        if not (text.isdigit() and 2000 <= int(text) <= 2100):
            self.year.error = t("Năm không hợp lệ")
            self.update()
            return
        self.year.error = None
        year = int(text)
        data, error = await attempt(self.app, outcomes.year_end_xlsx, self.app.ctx, year)
        name = f"danh-sach-danh-gia-cuoi-nam-{year}.xlsx"
        if error is None and self.app.page.web:
            await self.picker.save_file(file_name=name, src_bytes=data)
            message, kind = t("Đã tải về {name}", name=name), "ok"
        elif error is None:
            path, error = await attempt(self.app, reports.save_export, self.app.ctx, name, data, work="write")
            message, kind = (error, "error") if error else (t("Đã lưu: {path}", path=str(path)), "ok")
        else:
            message, kind = error, "error"
        self.year_notice.controls = [banner(message, kind, identifier="year-end-result")]
        self.update()
