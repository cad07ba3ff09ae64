"""What every screen has: a title, where "back" goes, its navigation slot, a body, actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

if TYPE_CHECKING:
    from ..i18n import I18n
    from ..shell import Shell


class Screen:
    """One screen of the app. ``load`` fetches data (through services), ``body`` builds controls.

    A screen is built anew on every visit to its route; ``leave`` runs before the next screen
    loads, so a screen with pending input (text typed but not yet saved) saves it there.
    """

    nav_key: str = ""  # which navigation destination is highlighted
    title_key: str = N_("Kiểm tra công vụ")
    back_route: str | None = "/"  # None: no back arrow (top-level screens)
    t: I18n
    visit_id: str | None = None  # set on visit screens: the navigation shows the visit's sections

    def __init__(self, app: Shell, **params: str):
        self.app = app
        self.t = app.t
        self.params = params
        self._body: ft.Control | None = None

    async def load(self) -> None:
        """Fetch what the screen shows; errors are shown by ``app.call``."""

    def build(self) -> ft.Control:
        raise NotImplementedError

    def body(self) -> ft.Control:
        if self._body is None:  # built once: a rail/bar swap on resize keeps what is typed
            self._body = self.build()
        return self._body

    def title(self) -> str:
        return self.t(self.title_key)

    def actions(self) -> list[ft.Control]:
        return []

    async def leave(self) -> None:
        """Save anything still pending before the screen goes away."""

    def render(self) -> None:
        """The one refresh rule: change the screen's state, then render (the body is built again
        from that state, in its frame) and send one update. Data from the services is not read
        again; to read it again, go to the route (``app.go``)."""
        self._body = None
        self.app.render(self)


def bottom_space() -> ft.Control:
    """Room at the end of a scrolling screen, so its last row can scroll clear of a snack bar."""
    return ft.Container(height=96)


def seg_label(text: str) -> ft.Control:
    """A segment's label that wraps onto two lines when a narrow screen squeezes the segments."""
    return ft.Text(text, max_lines=2, text_align=ft.TextAlign.CENTER)


def heading(text: str, size: int = 20) -> ft.Text:
    return ft.Text(text, size=size, weight=ft.FontWeight.W_600)


def muted(text: str, size: int = 14) -> ft.Text:
    return ft.Text(text, size=size, color=ft.Colors.GREY_700)


def banner(text: str, kind: str = "info", identifier: str | None = None) -> ft.Control:
    colors = {"info": (ft.Colors.BLUE_50, ft.Colors.BLUE_900, ft.Icons.INFO_OUTLINE),
              "warn": (ft.Colors.AMBER_50, ft.Colors.BROWN_900, ft.Icons.WARNING_AMBER),
              "error": (ft.Colors.RED_50, ft.Colors.RED_900, ft.Icons.ERROR_OUTLINE),
              "ok": (ft.Colors.GREEN_50, ft.Colors.GREEN_900, ft.Icons.CHECK_CIRCLE_OUTLINE)}[kind]
    box = ft.Container(
        ft.Row([ft.Icon(colors[2], color=colors[1]),
                ft.Text(text, color=colors[1], size=16, expand=True)]),
        bgcolor=colors[0], padding=12, border_radius=8)
    return ft.Semantics(identifier=identifier, container=True, content=box) if identifier else box


class VisitScreen(Screen):
    """A section of one visit: loads the visit and its unit; read-only once the visit is locked."""

    visit_id: str


    def __init__(self, app: Shell, visit_id: str, **params: str):
        super().__init__(app, **params)
        self.visit_id = visit_id
        self.visit: Any = None  # the Visit, once loaded (the body is built only then)
        self.unit: Any = None  # its Unit
        self.team: list = []  # the visit's team: who may be recording on this tablet

    @property
    def locked(self) -> bool:
        return bool(self.visit is not None and self.visit.locked)

    async def load(self) -> None:
        from ...services import units, visits

        got = await self.app.call(visits.get_visit, self.app.ctx, self.visit_id)
        if not got.ok:
            return
        visit = got.value
        self.visit = visit
        unit = await self.app.call(units.get_unit, self.app.ctx, visit.unit_id)
        self.unit = unit.value if unit.ok else None
        team = await self.app.call(visits.participants, self.app.ctx, self.visit_id, "team")
        self.team = team.value_or([])
        await self.load_visit()

    async def load_visit(self) -> None:
        """Fetch the section's own data (the visit is loaded)."""

    def title(self) -> str:
        if self.unit is None:
            return self.t(self.title_key)
        return f"{self.t(self.title_key)} · {self.unit.name}"

    def body(self) -> ft.Control:
        if self._body is None:
            if self.visit is None:
                self._body = banner(self.t("Không tìm thấy cuộc kiểm tra."), "error")
            else:
                inner = self.build()
                if self.locked:
                    inner = ft.Column([banner(self.t("Cuộc kiểm tra đã khóa: chỉ xem, không sửa được."), "warn", identifier="locked-banner"),
                                       inner], expand=True)
                elif self.needs_user:
                    inner = ft.Column([self._who_banner(), inner], expand=True)
                self._body = inner
        return self._body

    # --- who is recording on this tablet -----------------------------------------------------------
    @property
    def needs_user(self) -> bool:
        """The tablet's user is not (yet) one of this visit's team: ask before anything is recorded."""
        names = {p.full_name for p in self.team}
        return bool(names) and self.app.state.user not in names

    def _who_buttons(self, after=None) -> list[ft.Control]:
        def choose(name: str):
            def handler(e=None):
                self.app.set_user(name)
                if after is not None:
                    after()
                self.render()
            return handler

        role = {p.full_name: self.t(enum_label("role", p.role)) for p in self.team}
        return [ft.OutlinedButton(f"{p.full_name} · {role[p.full_name]}", icon=ft.Icons.PERSON, height=48,
                                  on_click=choose(p.full_name)) for p in self.team]

    def _who_banner(self) -> ft.Control:
        return ft.Semantics(identifier="who-banner", container=True, content=ft.Container(ft.Row([
            ft.Text(self.t("Ai đang ghi trên máy này?"), size=16, weight=ft.FontWeight.W_600, color=ft.Colors.INDIGO_900),
            *self._who_buttons()], wrap=True, spacing=8, run_spacing=4,
            vertical_alignment=ft.CrossAxisAlignment.CENTER),
            bgcolor=ft.Colors.INDIGO_50, padding=ft.Padding.symmetric(horizontal=12, vertical=4), border_radius=8))

    def _switch_user(self, e=None) -> None:
        page = self.app.page
        page.show_dialog(ft.AlertDialog(
            title=ft.Text(self.t("Ai đang ghi trên máy này?"), size=18),
            content=ft.Column(self._who_buttons(after=page.pop_dialog), tight=True, spacing=8),
            actions=[ft.TextButton(self.t("Hủy"), on_click=lambda e: page.pop_dialog())]))
        page.update()

    def actions(self) -> list[ft.Control]:
        user = self.app.state.user
        who = ft.TextButton(user if user and not self.needs_user else self.t("Chọn người ghi"), icon=ft.Icons.PERSON,
                            tooltip=self.t("Đổi người ghi trên máy này"), on_click=self._switch_user)
        return [who,
                ft.IconButton(ft.Icons.INFO_OUTLINE, tooltip=self.t("Thông tin cuộc kiểm tra"),
                              on_click=lambda e: self.app.go(f"/visits/{self.visit_id}/info"))]
