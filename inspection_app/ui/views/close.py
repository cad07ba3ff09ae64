"""Close the visit: what is still missing (required notes and photos, unanswered items, signatures),
then lock it. A locked visit is read-only everywhere in the app."""

from __future__ import annotations

import flet as ft

from inspection_app.locale import N_

from ...services import visit_close
from .. import fmt
from .base import VisitScreen, banner

GO_TO = {"unanswered": "checklist", "note": "checklist", "photo": "checklist", "signature": "signatures",
         "team": "setup"}
SHOWN = 5  # lines shown per kind of missing thing; the rest is counted


class CloseScreen(VisitScreen):
    nav_key = "close"
    title_key = N_("Kết thúc và khóa cuộc kiểm tra")
    confirming = False  # the lock button was tapped once: ask to confirm on the screen itself

    async def load_visit(self) -> None:
        self.missing = []
        if not self.locked:
            result = await self.app.call(visit_close.missing_before_close, self.app.ctx, self.visit_id)
            self.missing = result.value if result.ok else []

    def build(self) -> ft.Control:
        self.content = ft.Column(spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)
        self._fill()
        return self.content

    def _fill(self) -> None:
        t = self.t
        parts: list[ft.Control] = []
        if self.locked:
            parts.append(banner(t("Đã khóa cuộc kiểm tra lúc {time}", time=fmt.show_datetime(self.visit.closed_at)), "ok",
                                identifier="close-status"))
            parts.append(ft.Row([ft.FilledButton(t("Biên bản: xuất PDF, ký số"), icon=ft.Icons.DESCRIPTION, height=52,
                                                 on_click=lambda e: self.app.go(f"/visits/{self.visit_id}/minutes"))]))
        else:
            if self.missing:
                parts.append(banner(t.plural("Còn thiếu {n} mục:", "Còn thiếu {n} mục:", len(self.missing), n=len(self.missing)), "warn", identifier="close-status"))
                parts.append(self._missing_list())
            else:
                parts.append(banner(t("Đã đủ thông tin, có thể khóa cuộc kiểm tra."), "ok", identifier="close-status"))
            if self.confirming:
                # Confirmed on the screen, not in a modal dialog: locking rebuilds the whole screen,
                # and a dialog closed in the same moment could stay on top of it.
                parts.append(ft.Semantics(identifier="lock-confirm", container=True, content=ft.Container(
                    ft.Column([ft.Text(t("Khóa cuộc kiểm tra? Sau khi khóa không sửa được nữa."), size=17, weight=ft.FontWeight.W_500),
                               ft.Row([ft.TextButton(t("Hủy"), on_click=self._cancel_lock, height=52),
                                       ft.FilledButton(t("Khóa cuộc kiểm tra"), icon=ft.Icons.LOCK, on_click=self._lock,
                                                       height=52)], wrap=True)], spacing=10),
                    bgcolor=ft.Colors.AMBER_50, border_radius=8, padding=16)))
            else:
                # locking is offered only when nothing is missing
                parts.append(ft.Row([
                    ft.OutlinedButton(t("Kiểm tra còn thiếu"), icon=ft.Icons.RULE, on_click=self._check, height=52),
                    ft.FilledButton(t("Khóa cuộc kiểm tra"), icon=ft.Icons.LOCK, on_click=self._ask_lock, height=52,
                                    disabled=bool(self.missing)),
                ], wrap=True))
        self.content.controls = parts

    def _missing_list(self) -> ft.Control:
        """What is missing, grouped by kind, one 48 px line each; a line jumps to where it is fixed.

        A long list stays compact: each group shows its first lines and how many more there are
        (the first of them one tap away).
        """
        t = self.t
        groups: dict[str, list] = {}
        for m in self.missing:
            groups.setdefault(m.kind, []).append(m)
        rows: list[ft.Control] = []
        for kind, items in groups.items():
            target = GO_TO.get(kind)
            for m in items[:SHOWN]:
                rows.append(self._jump_line(t.pick(m.vi, m.en), m, target))
            if len(items) > SHOWN:
                rows.append(self._jump_line(t.plural("… và {n} mục khác", "… và {n} mục khác", len(items) - SHOWN, n=len(items) - SHOWN), items[SHOWN], target, muted=True))
        return ft.Semantics(identifier="missing-list", container=False, content=ft.Column(rows, spacing=0))

    def _jump_line(self, text: str, m, target: str | None, muted: bool = False) -> ft.Control:
        return ft.Container(
            ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE if not muted else ft.Icons.MORE_HORIZ, size=20,
                            color=ft.Colors.RED_700),
                    ft.Text(text, size=15, expand=True, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS,
                            color=ft.Colors.GREY_700 if muted else None),
                    *([ft.Icon(ft.Icons.CHEVRON_RIGHT, size=20)] if target else [])], spacing=8),
            height=48, padding=ft.Padding.symmetric(horizontal=8), border_radius=6, ink=True,
            on_click=(lambda e, m=m, target=target: self._go(m, target)) if target else None)

    def _go(self, missing, target: str) -> None:
        if missing.checklist_id:
            self.app.state.checklist = missing.checklist_id
            self.app.state.checklist_item = missing.item_id
        self.app.go(f"/visits/{self.visit_id}/{target}")

    async def _check(self, e=None) -> None:
        result = await self.app.call(visit_close.missing_before_close, self.app.ctx, self.visit_id)
        if result.ok:
            self.missing = result.value
            self._fill()

    def _ask_lock(self, e=None) -> None:
        self.confirming = True
        self._fill()

    def _cancel_lock(self, e=None) -> None:
        self.confirming = False
        self._fill()

    async def _lock(self, e=None) -> None:
        self.confirming = False
        got = await self.app.call(visit_close.close_visit, self.app.ctx, self.visit_id)
        if not got.ok:
            await self._check()
            return
        await self.app.refresh()  # every control comes back read-only
