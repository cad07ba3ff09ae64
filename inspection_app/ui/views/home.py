"""Visits home: visits in progress and recent ones; start a new visit."""

from __future__ import annotations

import flet as ft

from inspection_app.locale import N_p
from inspection_app.ui.enum_labels import enum_label

from ...services import home_list
from .. import fmt
from .base import Screen, bottom_space, heading, muted

STATUS_COLORS = {
    "draft": (ft.Colors.GREY_200, ft.Colors.GREY_900),
    "on_site": (ft.Colors.AMBER_100, ft.Colors.BROWN_900),
    "closed": (ft.Colors.GREEN_100, ft.Colors.GREEN_900),
    "signed": (ft.Colors.BLUE_100, ft.Colors.BLUE_900),
    "filed": (ft.Colors.BLUE_GREY_100, ft.Colors.BLUE_GREY_900),
}
IN_PROGRESS = ("draft", "on_site")


def status_chip(t, status: str) -> ft.Control:
    bg, fg = STATUS_COLORS.get(status, STATUS_COLORS["draft"])
    return ft.Container(ft.Text(t(enum_label("status", status)), size=14, color=fg, weight=ft.FontWeight.W_600),
                        bgcolor=bg, border_radius=16, padding=ft.Padding.symmetric(horizontal=12, vertical=4))


class HomeScreen(Screen):
    nav_key = "visits"
    title_key = N_p("home.title", "Cuộc kiểm tra")
    back_route = None

    async def load(self) -> None:
        # While the app starts, the list is read without opening the database (services.home_list): the
        # first screen does not wait for SQLAlchemy and the tables. Afterwards, through the service.
        peeked = (await self.app.call(home_list.recent_visits, self.app.ctx, notify=False)).value_or(None)
        if peeked is not None:
            self.visits = peeked
            return
        from ...services import visits

        result = await self.app.call(visits.list_visits, self.app.ctx)
        self.visits = result.value if result.ok else []

    def build(self) -> ft.Control:
        t = self.t
        new = ft.FilledButton(t("Tạo cuộc kiểm tra mới"), icon=ft.Icons.ADD, height=56,
                              on_click=lambda e: self.app.go("/visits/new"))
        parts: list[ft.Control] = [ft.Row([new])]
        current = [v for v in self.visits if v.status in IN_PROGRESS]
        recent = [v for v in self.visits if v.status not in IN_PROGRESS]
        if not self.visits:
            parts.append(muted(t("Chưa có cuộc kiểm tra nào. Bấm \"Tạo cuộc kiểm tra mới\" để bắt đầu."), 16))
        from ..widgets.first_start_panels import home_extras, identity_card  # first start
        parts = identity_card(self) + parts  # the department's identity, until it is set
        parts += home_extras(self.app, bool(self.visits))
        if current:
            parts += [heading(t("Đang thực hiện")), *[self._tile(v) for v in current]]
        if recent:
            parts += [heading(t("Gần đây")), *[self._tile(v) for v in recent[:30]]]
        parts.append(bottom_space())
        # A list that builds its rows as they scroll into view: the first screen draws the rows it shows,
        # not every visit of a busy tablet (start-up, issue #17).
        return ft.ListView(parts, spacing=12, expand=True)

    def _tile(self, v) -> ft.Control:
        t = self.t
        when = fmt.show_datetime(v.arrival_at or v.created_at)
        details = " · ".join(x for x in (when, t(enum_label("kind", v.kind)), v.decision_number) if x)
        return ft.Card(ft.ListTile(
            title=ft.Text(v.unit_name, size=18, weight=ft.FontWeight.W_600),
            subtitle=ft.Text(details, size=15),
            trailing=status_chip(t, v.status),
            min_height=64,
            on_click=lambda e, vid=v.id: self.app.go(f"/visits/{vid}/checklist")))
