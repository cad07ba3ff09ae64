"""The office's visits table (``/review``): filters, search, pages; export chosen visits as a bundle."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from inspection_app.locale import N_, N_p
from inspection_app.ui.enum_labels import enum_label

from ...services import bundles, checklists, devices, review
from .. import fmt
from .base import banner, muted
from .home import status_chip
from .review_common import ReviewScreen, cell, date_field, dropdown, header_row, read_date, top_gap

PAGE_SIZE = 20
# column widths (px); the unit column takes what is left
W_CHECK, W_DATE, W_STATUS, W_MINUTES, W_NUM, W_REMEDY = 56, 110, 150, 130, 96, 150


def kind_label(t, kind: str) -> str:
    """A finding kind's label; a kind the app does not know is shown as stored."""
    from inspection_app.ui.enum_labels import enum_label, has_label

    for family in ("of.vk", "of.fk"):  # ViolationKind codes, then the first version's
        if has_label(family, kind):
            return t(enum_label(family, kind))
    return kind


class ReviewVisitsScreen(ReviewScreen):
    tab = "visits"
    filters: review.VisitFilters
    page_no: int

    def __init__(self, app, **params: str):
        super().__init__(app, **params)
        # the filters and page survive a visit to a record and back (the session's hand-over store)
        self.filters, self.page_no = app.state.review_visits or (review.VisitFilters(), 0)
        self.selected: set[str] = set()
        self.result: Any = None
        self.options: Any = None
        self.checklist_titles: dict[str, str] = {}

    async def load(self) -> None:
        ctx = self.app.ctx
        options = await self.app.call(review.filter_options, ctx)
        self.options = options.value if options.ok else None
        catalogue = await self.app.call(checklists.available_checklists, ctx)
        if catalogue.ok:
            self.checklist_titles = {c.id: self.t.text(c.title) for c in catalogue.value}
        await self._fetch()

    async def _fetch(self) -> bool:
        got = await self.app.call(review.visits_page, self.app.ctx, self.filters, self.page_no, PAGE_SIZE)
        if not got.ok:
            return False
        result = got.value
        if result.page and not result.rows:  # fewer visits than before (filters elsewhere): first page
            self.page_no = 0
            return await self._fetch()
        self.result = result
        self.app.state.review_visits = (self.filters, self.page_no)
        return True

    # --- layout ------------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        t, f = self.t, self.filters
        opts = self.options
        units = [("", t("Tất cả đơn vị"))] + [(uid, name) for uid, name in (opts.units if opts else [])]
        statuses = [("", t("Tất cả trạng thái"))] + [(s, t(enum_label("status", s))) for s in (opts.statuses if opts else [])]
        lists = [("", t("Tất cả nội dung"))] + [(c, self.checklist_titles.get(c, c))
                                                  for c in (opts.checklists if opts else [])]
        kinds = [("", t("Tất cả các loại"))] + [(k, kind_label(t, k)) for k in (opts.violation_kinds if opts else [])]
        self.f_unit = dropdown(t("Đơn vị"), units, f.unit_id, 300, self._apply)
        self.f_status = dropdown(t("Trạng thái"), statuses, f.status, 220, self._apply)
        self.f_checklist = dropdown(t("Nội dung kiểm tra"), lists, f.checklist_id, 300, self._apply)
        self.f_kind = dropdown(t(N_p("of.f.kind", "Loại vi phạm")), kinds, f.violation_kind, 220, self._apply)
        self.f_from = date_field(t("Từ ngày"), f.date_from, on_submit=self._apply)
        self.f_to = date_field(t("Đến ngày"), f.date_to, on_submit=self._apply)
        self.f_search = ft.TextField(label=t("Tìm theo đơn vị, số quyết định, số biên bản"), value=f.search, width=460, prefix_icon=ft.Icons.SEARCH,
                                     on_submit=self._apply)
        filters = ft.Column([
            ft.Row([self.f_unit, self.f_status, self.f_checklist, self.f_kind], spacing=10, wrap=True),
            ft.Row([self.f_from, self.f_to, self.f_search,
                    ft.FilledButton(t("Lọc"), icon=ft.Icons.FILTER_ALT, on_click=self._apply),
                    ft.TextButton(t("Bỏ lọc"), icon=ft.Icons.FILTER_ALT_OFF,
                                  on_click=self._clear)], spacing=10, wrap=True,
                   vertical_alignment=ft.CrossAxisAlignment.START),
        ], spacing=10)
        self.count = ft.Text("", size=16, weight=ft.FontWeight.W_600)
        self.export_button = ft.OutlinedButton(t.plural("Xuất gói dữ liệu ({n})", "Xuất gói dữ liệu ({n})", 0, n=0), icon=ft.Icons.OUTBOX,
                                               on_click=self._ask_export, disabled=True)
        self.select_page = ft.TextButton(t("Chọn cả trang"), icon=ft.Icons.DONE_ALL,
                                         on_click=self._select_page)
        self.notice = ft.Column(spacing=4)
        self.rows = ft.Column(spacing=0)
        self.pager = ft.Row(spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        self._fill()
        toolbar = ft.Row([self.count, ft.Container(expand=True), self.select_page, self.export_button],
                         vertical_alignment=ft.CrossAxisAlignment.CENTER)
        table = ft.Column([self._header(), self.rows], spacing=0)
        return ft.Column([top_gap(), filters, toolbar, self.notice, table, self.pager], spacing=10,
                         scroll=ft.ScrollMode.AUTO, expand=True)

    def _header(self) -> ft.Control:
        t = self.t
        right = ft.Alignment.CENTER_RIGHT
        return header_row([
            cell("", W_CHECK), cell(t("Ngày"), W_DATE, bold=True),
            cell(t("Đơn vị"), expand=1, bold=True), cell(t("Trạng thái"), W_STATUS, bold=True),
            cell(t(N_p("of.col.minutes", "Số biên bản")), W_MINUTES, bold=True),
            cell(t("Phát hiện"), W_NUM, bold=True, align=right),
            cell(t("Vi phạm"), W_NUM, bold=True, align=right),
            cell(t("Khắc phục"), W_REMEDY, bold=True), cell(t("Xung đột"), W_NUM, bold=True,
                                                                   align=right)])

    def _fill(self) -> None:
        t = self.t
        page = self.result
        rows = page.rows if page else []
        self.count.value = t.plural("{n} lượt kiểm tra", "{n} lượt kiểm tra", page.total if page else 0, n=page.total if page else 0)
        self.rows.controls = [self._row(i, r) for i, r in enumerate(rows, start=1)] or [
            ft.Container(muted(t("Không có lượt kiểm tra nào phù hợp."), 16), padding=16)]
        self.pager.controls = []
        if page and page.pages > 1:
            self.pager.controls = [
                ft.IconButton(ft.Icons.CHEVRON_LEFT, tooltip=t("Trang trước"), disabled=page.page == 0,
                              on_click=self._prev),
                ft.Text(t("Trang {page}/{pages}", page=page.page + 1, pages=page.pages), size=16),
                ft.IconButton(ft.Icons.CHEVRON_RIGHT, tooltip=t("Trang sau"), disabled=page.page + 1 >= page.pages,
                              on_click=self._next),
            ]
        self._show_selection()

    def _row(self, n: int, r: review.VisitRow) -> ft.Control:
        t = self.t
        right = ft.Alignment.CENTER_RIGHT
        sub = " · ".join(x for x in (t(enum_label("kind", r.kind)), r.decision_number) if x)
        unit = ft.Column([ft.Text(r.unit_name, size=16, weight=ft.FontWeight.W_600, max_lines=1,
                                  overflow=ft.TextOverflow.ELLIPSIS),
                          ft.Text(sub, size=13, color=ft.Colors.GREY_700, max_lines=1)], spacing=0)
        remedies: ft.Control = ft.Text("–" if not r.open_remedies else t.plural("{n} chưa xong", "{n} chưa xong", r.open_remedies, n=r.open_remedies), size=15)
        if r.overdue_remedies:
            remedies = ft.Row([
                ft.Text(t.plural("{n} chưa xong", "{n} chưa xong", r.open_remedies, n=r.open_remedies), size=15),
                ft.Container(ft.Text(t.plural("{n} quá hạn", "{n} quá hạn", r.overdue_remedies, n=r.overdue_remedies), size=13, color=ft.Colors.WHITE,
                                     weight=ft.FontWeight.W_600),
                             bgcolor=ft.Colors.RED_700, border_radius=12,
                             padding=ft.Padding.symmetric(horizontal=8, vertical=2))], spacing=6)
        box = ft.Checkbox(value=r.id in self.selected, semantics_label=t("Chọn lượt kiểm tra tại {unit}", unit=r.unit_name),
                          on_change=lambda e, vid=r.id: self._toggle(vid, e.control.value))
        conflicts = ft.Text(str(r.open_conflicts) if r.open_conflicts else "–", size=15,
                            color=ft.Colors.RED_800 if r.open_conflicts else None,
                            weight=ft.FontWeight.W_600 if r.open_conflicts else None)
        row = ft.Container(
            ft.Row([
                cell(box, W_CHECK, align=ft.Alignment.CENTER),
                cell(fmt.show_date(r.visit_date) if r.visit_date else "–", W_DATE),
                cell(unit, expand=1),
                cell(status_chip(t, r.status), W_STATUS),
                cell(r.minutes_number or "–", W_MINUTES),
                cell(str(r.findings), W_NUM, align=right),
                cell(str(r.violations) if r.violations else "–", W_NUM, align=right,
                     color=ft.Colors.RED_800 if r.violations else None, bold=bool(r.violations)),
                cell(remedies, W_REMEDY),
                cell(conflicts, W_NUM, align=right),
            ], spacing=0),
            height=64, ink=True, on_click=lambda e, vid=r.id: self.app.go(f"/review/visits/{vid}"),
            bgcolor=ft.Colors.WHITE if n % 2 else ft.Colors.GREY_50,
            border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200)))
        return ft.Semantics(identifier=f"visit-row-{n}", container=True, content=row)

    # --- filters and pages -------------------------------------------------------------------------
    async def _apply(self, e=None) -> None:
        ok_from, date_from = read_date(self.t, self.f_from)
        ok_to, date_to = read_date(self.t, self.f_to)
        if not (ok_from and ok_to):
            self.update()
            return
        self.filters = review.VisitFilters(
            unit_id=self.f_unit.value or None, date_from=date_from, date_to=date_to,
            status=self.f_status.value or None, checklist_id=self.f_checklist.value or None,
            violation_kind=self.f_kind.value or None, search=(self.f_search.value or "").strip())
        self.page_no = 0
        if await self._fetch():
            self._fill()
        self.update()

    async def _clear(self, e=None) -> None:
        for d in (self.f_unit, self.f_status, self.f_checklist, self.f_kind):
            d.value = ""
        for field in (self.f_from, self.f_to, self.f_search):
            field.value = ""
            field.error = None
        await self._apply()

    async def _prev(self, e=None) -> None:
        await self._go_page(-1)

    async def _next(self, e=None) -> None:
        await self._go_page(1)

    async def _go_page(self, step: int) -> None:
        self.page_no = max(0, self.page_no + step)
        if await self._fetch():
            self._fill()
        self.update()

    # --- selection and export ----------------------------------------------------------------------
    def _toggle(self, visit_id: str, on: bool) -> None:
        (self.selected.add if on else self.selected.discard)(visit_id)
        self._show_selection()

    def _select_page(self, e=None) -> None:
        ids = [r.id for r in (self.result.rows if self.result else [])]
        if ids and all(i in self.selected for i in ids):
            self.selected.difference_update(ids)
        else:
            self.selected.update(ids)
        self._fill()

    def _show_selection(self) -> None:
        self.export_button.content = self.t.plural("Xuất gói dữ liệu ({n})", "Xuất gói dữ liệu ({n})", len(self.selected), n=len(self.selected))
        self.export_button.disabled = not self.selected

    def _ask_export(self, e=None) -> None:
        t = self.t
        passphrase = ft.TextField(label=t("Mật khẩu của gói (nếu có)"), password=True, can_reveal_password=True,
                                  width=420)

        async def go(e):
            self.app.page.pop_dialog()
            await self._export(passphrase.value or None)

        def cancel(e):
            self.app.page.pop_dialog()
            self.update()

        self.app.page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(t.plural("Xuất {n} lượt kiểm tra thành gói dữ liệu", "Xuất {n} lượt kiểm tra thành gói dữ liệu", len(self.selected), n=len(self.selected)), size=18),
            content=ft.Column([muted(t("Gói được lưu vào thư mục exports trong thư mục dữ liệu. Nếu đặt mật khẩu, người nhập gói phải nhập đúng mật khẩu này."), 15), passphrase,
                               muted(t("Gói sẽ được ký bằng khóa của máy này. Mã nhận dạng (để văn phòng ghi danh): {fp}", fp=devices.own_device(self.app.ctx).fingerprint), 14)],
                              tight=True, spacing=12, width=460),
            actions=[ft.TextButton(t("Hủy"), on_click=cancel),
                     ft.FilledButton(t("Xuất gói"), icon=ft.Icons.OUTBOX, on_click=go)]))
        self.update()

    async def _export(self, passphrase: str | None) -> None:
        ids = sorted(self.selected)
        got = await self.app.call(bundles.export_to_data_dir, self.app.ctx, ids, passphrase, work="long", notify=False)
        result: Any
        result, error = got.value_or(None), got.message
        if error:
            self.notice.controls = [banner(error, "error", identifier="export-result")]
        else:
            kind = N_("Đã xuất {n} lượt kiểm tra (có mật khẩu) vào tệp: {path}") if result.encrypted else N_("Đã xuất {n} lượt kiểm tra vào tệp: {path}")
            self.notice.controls = [banner(self.t(kind, n=len(result.visit_ids), path=str(result.path)), "ok",
                                           identifier="export-result")]
            if self.app.page.web:  # in the browser the bundle arrives as a download, like the minutes (#12)
                self.update()
                self._download = getattr(self, "_download", None) or ft.FilePicker()  # keep a reference
                data = await asyncio.to_thread(result.path.read_bytes)
                await self._download.save_file(file_name=result.path.name, src_bytes=data)
        self.update()
