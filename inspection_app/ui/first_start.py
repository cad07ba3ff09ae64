"""First start and the demo: the "Dùng thử với dữ liệu mẫu" offer and the "DỮ LIỆU MẪU" banner.

- :class:`AppShell` is the session's shell (``ui/shell.py``) plus the demo: while a session shows
  the demo (``services.demo_space``: its own data directory), every screen carries the banner,
  with a button back to the real data. It also makes Android's back gesture go back one screen
  (to the screen's ``back_route``): in the built app a placeholder view of that route sits under
  the current one, so the system back pops it (``page.on_view_pop``) instead of closing the app.
- ``ui/widgets/first_start_panels.py`` holds what the screens add (the offer to try the demo on an
  empty home screen, the settings screen's note on what the office does): screens import widgets,
  never this shell module, so the ui has no import circle.
- :func:`show_start_failure` is the one screen shown when the data directory cannot be opened.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, TypeGuard

import flet as ft

from ..domain.errors import UserError
from .calls import Ok
from .i18n import I18n
from .shell import Shell

DEMO_BANNER_ID = "demo-banner"


def screen_for(shell: Shell, route: str):  # noqa: ANN201  (a views.base.Screen)
    """The Screen for a route, from the screens' registry (loaded with the first session, not with the
    server; imported here rather than in ``ui/shell.py``, which the screens import)."""
    from .views import registry

    return registry.screen_for(shell, route)


class AppShell(Shell):
    """The shell of one session, able to switch between the real data and the demo's."""

    def __init__(self, page: ft.Page, ctx):
        super().__init__(page, ctx, screen_for)
        self.real_ctx = self.ctx  # the session's own copy (its actor), made by Shell

    @property
    def in_demo(self) -> bool:
        return self.ctx is not self.real_ctx

    def frame(self, screen) -> ft.View:
        view = super().frame(screen)
        if self.in_demo:
            view.controls.insert(0, demo_banner(self))
        return view

    def resolve(self, route: str):
        """Until the screens' registry is loaded, the home route needs only the home screen's module
        (start-up: the first screen does not wait for every screen's imports)."""
        if (route or "/").split("?", 1)[0] == "/" and "inspection_app.ui.views.registry" not in sys.modules:
            from .views.home import HomeScreen

            return HomeScreen(self)
        return super().resolve(route)

    async def show(self, route: str) -> None:
        await super().show(route)
        from .signals import first_screen_shown

        first_screen_shown.set()
        self._stack_back()

    def _stack_back(self) -> None:
        """Native app only (web mode has the browser's history): one view under the current screen."""
        screen = self.screen
        if self.page.web or screen is None or screen.back_route is None or len(self.page.views) != 1:
            return
        self.page.views.insert(0, ft.View(route=screen.back_route, controls=[]))
        self.page.update()

    def _on_view_pop(self, e=None) -> None:
        """The system back (Android gesture or button): one screen back, home from a top screen."""
        screen = self.screen
        self.go(screen.back_route if screen is not None and screen.back_route else "/")

    async def enter_demo(self, e=None) -> None:
        """Open the demo (made on first use, a few seconds) and show its home screen."""
        from ..services import demo_space

        self.page.show_dialog(ft.SnackBar(ft.Row([ft.ProgressRing(width=20, height=20, stroke_width=3),
                                                  ft.Text(self.t("Đang chuẩn bị dữ liệu mẫu…"), size=16)], spacing=12),
                                          duration=ft.Duration(seconds=60)))
        self.page.update()
        demo_ctx = await self.call(demo_space.demo_context, self.real_ctx, work="long")
        self.page.pop_dialog()
        if not _ok(demo_ctx):
            self.page.update()
            return
        self.ctx = dataclasses.replace(demo_ctx.value, actor=self.real_ctx.actor)  # the demo, as this session's user
        await self.show("/")
        if self.page.route != "/":
            self.go("/")

    async def leave_demo(self, e=None) -> None:
        self.ctx = self.real_ctx
        await self.show("/")
        if self.page.route != "/":
            self.go("/")


def _ok(result: Any) -> TypeGuard[Ok[Any]]:
    return bool(getattr(result, "ok", False)) and result.value is not None


def demo_banner(shell: AppShell) -> ft.Control:
    t = shell.t
    return ft.Semantics(identifier=DEMO_BANNER_ID, container=True, content=ft.Container(
        ft.Row([
            ft.Icon(ft.Icons.SCIENCE_OUTLINED, color=ft.Colors.BROWN_900),
            ft.Text(t("DỮ LIỆU MẪU"), size=18, weight=ft.FontWeight.W_800, color=ft.Colors.BROWN_900),
            ft.Text(t("Chỉ để dùng thử: không phải hồ sơ thật, không xuất gói dữ liệu."), size=15, color=ft.Colors.BROWN_900, expand=True),
            ft.OutlinedButton(t("Về dữ liệu thật"), icon=ft.Icons.LOGOUT, on_click=shell.leave_demo),
        ], spacing=12, wrap=False, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        bgcolor=ft.Colors.AMBER_200, padding=ft.Padding.symmetric(horizontal=16, vertical=6)))


def show_start_failure(page: ft.Page, exc: BaseException) -> None:
    """The app could not open its data: say so in both languages, with the reason."""
    t = I18n("vi")
    detail = exc.message("vi") + "\n" + exc.message("en") if isinstance(exc, UserError) else repr(exc)
    page.title = t("Kiểm tra công vụ")
    page.views.clear()
    page.views.append(ft.View(route="/", controls=[ft.Container(ft.Column([
        ft.Text(t("Không mở được thư mục dữ liệu, nên ứng dụng chưa thể bắt đầu."), size=20, color=ft.Colors.RED_900),
        ft.Text(I18n("en")("Không mở được thư mục dữ liệu, nên ứng dụng chưa thể bắt đầu."), size=16, color=ft.Colors.RED_900),
        ft.Text(detail, size=14, selectable=True),
    ], spacing=12), padding=24)]))
    page.update()
