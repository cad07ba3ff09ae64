"""The app shell of one Flet session: routing, navigation, language, and calling services.

Routes
    ``/``                              visits home
    ``/visits/new``                    visit set-up
    ``/visits/<id>/<section>``         a visit: checklist, roll-call, findings, photos,
                                       signatures, close, info
    ``/settings``, ``/review``         settings; the office review (another screen plugs in here)

Navigation is a ``NavigationRail`` beside the body when the window is at least 700 px wide and a
bottom ``NavigationBar`` otherwise; a resize swaps them and keeps the screen (and what is typed in
it). Inside a visit the destinations are the visit's sections; elsewhere they are visits, review,
settings.

Every service call goes through :meth:`Shell.call` (:mod:`inspection_app.ui.calls`): it runs on the
writer thread shared by all sessions (the event loop stays free, and writes reach SQLite in the
order they were tapped), or on the long-work thread with a progress line on screen, and returns a
typed result; a failure's message (in the current language) is shown as a notice.

What a session hands from screen to screen is in :attr:`Shell.state` (:mod:`inspection_app.ui.state`).
One refresh rule for every screen: change the screen's state, render, one update
(:meth:`inspection_app.ui.views.base.Screen.render`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import flet as ft

from inspection_app.locale import N_

from . import calls
from .calls import Result, Work
from .i18n import I18n
from .state import SessionState
from .theme import locales, theme

T = TypeVar("T")

log = logging.getLogger(__name__)

WIDE_MIN = 700  # px: rail at or above, bottom bar below
USER_KEY = "inspection_app.user"  # the tablet's own storage: who records on it, across reloads


@dataclass(frozen=True)
class Dest:
    key: str  # route segment
    icon: ft.IconData
    selected_icon: ft.IconData
    label_key: str


GLOBAL_NAV = [
    Dest("visits", ft.Icons.ASSIGNMENT_OUTLINED, ft.Icons.ASSIGNMENT, N_("Cuộc kiểm tra")),
    Dest("review", ft.Icons.INSIGHTS_OUTLINED, ft.Icons.INSIGHTS, N_("Tổng hợp")),
    Dest("settings", ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS, N_("Cài đặt")),
]
VISIT_NAV = [
    Dest("checklist", ft.Icons.CHECKLIST_OUTLINED, ft.Icons.CHECKLIST, N_("Nội dung")),
    Dest("roll-call", ft.Icons.GROUPS_OUTLINED, ft.Icons.GROUPS, N_("Điểm danh")),
    Dest("dossiers", ft.Icons.FOLDER_COPY_OUTLINED, ft.Icons.FOLDER_COPY, N_("Hồ sơ TTHC")),
    Dest("findings", ft.Icons.REPORT_OUTLINED, ft.Icons.REPORT, N_("Phát hiện")),
    Dest("photos", ft.Icons.PHOTO_LIBRARY_OUTLINED, ft.Icons.PHOTO_LIBRARY, N_("Ảnh")),
    Dest("signatures", ft.Icons.DRAW_OUTLINED, ft.Icons.DRAW, N_("Chữ ký")),
    Dest("conclusions", ft.Icons.GAVEL_OUTLINED, ft.Icons.GAVEL, N_("Đánh giá, kiến nghị")),
    Dest("close", ft.Icons.LOCK_OUTLINE, ft.Icons.LOCK, N_("Kết thúc")),
    Dest("minutes", ft.Icons.DESCRIPTION_OUTLINED, ft.Icons.DESCRIPTION, N_("Biên bản")),
]
GLOBAL_ROUTES = {"visits": "/", "review": "/review", "settings": "/settings"}
SETUP_DEST = Dest("setup", ft.Icons.EDIT_NOTE_OUTLINED, ft.Icons.EDIT_NOTE, N_("Thiết lập"))
# The guided visit (services.visits.STEPS) with the screens that sit beside a step.
STEP_ORDER = ["setup", "checklist", "roll-call", "dossiers", "findings", "photos", "conclusions", "signatures",
              "close", "minutes"]
STEP_ICONS = {"done": ft.Icons.CHECK_CIRCLE, "partial": ft.Icons.TIMELAPSE, "todo": ft.Icons.RADIO_BUTTON_UNCHECKED}


class Shell:
    """One session's app: the page, the shared services context, the current screen."""

    _camera_permission: Any  # set by widgets.camera: a reference keeps the permission service registered

    def __init__(self, page: ft.Page, ctx, screens: Callable[[Shell, str], Any]):
        """``screens(shell, route)`` makes the Screen for a route (``ui.views.registry.screen_for``,
        given by the caller so that this module imports no screen: the screens import it)."""
        self.page = page
        self.screens = screens
        self.ctx = dataclasses.replace(ctx, actor=ctx.actor)  # this session's own actor, shared database
        self.t = I18n(ctx.settings.language)
        self.screen = None  # the Screen on display
        self.state = SessionState()  # hand-over between screens (e.g. "finding for this item")
        self._route_lock = asyncio.Lock()
        self._long_jobs = 0
        self._progress: ft.Control | None = None
        self.steps: dict = {}  # the visit's steps on display: key -> services.visits.Step

    # --- start and routing -------------------------------------------------------------------------
    def start(self):
        """Set the page up and show its route; returns the future of that first screen."""
        page = self.page
        page.title = self.t("Kiểm tra công vụ")
        page.theme = theme()
        page.locale_configuration = locales(self.lang)
        page.theme_mode = ft.ThemeMode.LIGHT
        page.padding = 0
        page.on_route_change = self._on_route_change
        page.on_resize = self._on_resize
        page.on_view_pop = self._on_view_pop
        page.on_disconnect = self._flush  # the tab closed or the tablet slept: save what was typed
        page.on_close = self._flush
        self._prefs = ft.SharedPreferences()  # kept referenced: an unreferenced service is dropped
        self._remembering: Any = None
        return page.run_task(self._first_show, page.route or "/")

    async def _first_show(self, route: str) -> None:
        """The first screen, then the browser storage's round trip (it must not hold the first screen)."""
        try:
            await self.show(route)
        finally:
            self._remembering = self.page.run_task(self._remember_user)

    async def _remember_user(self) -> None:
        """The tablet remembers who records on it (its browser storage): a reload asks no one again."""
        try:
            name = await asyncio.wait_for(self._prefs.get(USER_KEY), 10)
        except Exception:  # no answer from the client (closed, or a test without one): ask on screen
            return
        if isinstance(name, str) and name and not self.state.user:
            self.set_user(name, remember=False)
            if self.screen is not None and getattr(self.screen, "team", None):
                self.screen.render()

    @property
    def lang(self) -> str:
        return self.t.lang

    @property
    def wide(self) -> bool:
        return (self.page.width or 1280) >= WIDE_MIN

    def go(self, route: str) -> None:
        """Navigate (from sync code); the route change then builds the screen."""
        if route == self.page.route:
            self.page.run_task(self.show, route)
        else:
            self.page.navigate(route)

    async def _on_route_change(self, e=None) -> None:
        await self.show(self.page.route)

    def _on_view_pop(self, e=None) -> None:
        self.go("/")

    async def _flush(self, e=None) -> None:
        if self.screen is not None:
            try:
                await self.screen.leave()
            except Exception:
                log.exception("saving what was typed on %s", type(self.screen).__name__)

    def resolve(self, route: str):
        """The Screen for a route (a new instance), or the home screen for an unknown one."""
        return self.screens(self, route)

    async def show(self, route: str) -> None:
        async with self._route_lock:
            old = self.screen
            if old is not None:
                try:
                    await old.leave()  # flush anything typed but not yet saved
                except Exception:
                    log.exception("leaving %s", type(old).__name__)
            try:
                screen = self.resolve(route)
                await screen.load()
                await self._load_steps(screen)
                view = self.frame(screen)
            except Exception:  # a broken screen must not leave a blank tablet: say so, offer the way home
                log.exception("showing %s", route)
                screen, view = None, self._error_view()
            self.screen = screen
            self.page.title = f"{screen.title() if screen else self.t('Kiểm tra công vụ')} · {self.t('Kiểm tra công vụ')}"
            self.page.views.clear()
            self.page.views.append(view)
            self.page.update()

    async def _load_steps(self, screen) -> None:
        self.steps = {}
        if screen.visit_id and getattr(screen, "visit", None) is not None:
            from ..services import visits as visit_service  # not before: the home screen needs no ORM

            got = await self.call(visit_service.visit_steps, self.ctx, screen.visit_id, notify=False)
            self.steps = {st.key: st for st in got.value_or([])}

    def step_label(self, key: str) -> str:
        """A step's name with its count ("Nội dung · 12/40")."""
        dest = next(d for d in [SETUP_DEST, *VISIT_NAV] if d.key == key)
        st = self.steps.get(key)
        label = self.t(dest.label_key)
        if st is not None and st.total:
            label += f" · {st.done}/{st.total}"
        elif st is not None and st.done:
            label += f" · {st.done}"
        return label

    def _error_view(self) -> ft.View:
        return ft.View(route=self.page.route, appbar=ft.AppBar(title=ft.Text(self.t("Kiểm tra công vụ"))), controls=[
            ft.Container(ft.Column([
                ft.Text(self.t("Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu trước đó vẫn còn nguyên."), size=18, color=ft.Colors.RED_900),
                ft.FilledButton(self.t("Cuộc kiểm tra"), icon=ft.Icons.HOME, on_click=lambda e: self.go("/")),
            ], spacing=16), padding=24)])

    async def refresh(self) -> None:
        """Rebuild the current screen (after a language change, say)."""
        if self.screen is not None:
            await self.show(self.page.route)

    def render(self, screen) -> None:
        """Show ``screen`` again in its frame (its body rebuilt from its state) with one update."""
        if screen is not self.screen or not self.page.views:
            return
        self.page.views[-1] = self.frame(screen)
        self.page.update()

    def _on_resize(self, e=None) -> None:
        if self.screen is None or not self.page.views:
            return
        was_wide = getattr(self, "_framed_wide", None)
        if was_wide is not None and was_wide == self.wide:
            return  # same side of the breakpoint: Flutter re-lays out by itself
        self.page.views[-1] = self.frame(self.screen)
        self.page.update()

    # --- frame: app bar + rail or bottom bar around the screen's body ------------------------------
    def frame(self, screen) -> ft.View:
        self._framed_wide = self.wide
        dests, selected = self._destinations(screen)
        body = screen.body()
        leading = None
        if screen.back_route is not None:
            leading = ft.IconButton(ft.Icons.ARROW_BACK, tooltip=self.t("Quay lại"),
                                    on_click=lambda e, r=screen.back_route: self.go(r))
        appbar = ft.AppBar(
            leading=leading,
            automatically_imply_leading=False,
            title=ft.Text(screen.title(), size=20, weight=ft.FontWeight.W_600,
                          max_lines=1, overflow=ft.TextOverflow.ELLIPSIS),
            bgcolor=ft.Colors.INDIGO_50,
            actions=[*screen.actions(),
                     ft.TextButton(self.t("English"), icon=ft.Icons.TRANSLATE, on_click=self._toggle_language)
                     if self.wide else ft.IconButton(ft.Icons.TRANSLATE, tooltip=self.t("English"),
                                                     on_click=self._toggle_language),
                     ft.Container(width=8)],
        )
        self._progress = ft.ProgressBar(visible=self._long_jobs > 0, bar_height=4,
                                        semantics_label=self.t("Đang xử lý…"))
        content = ft.Column([self._progress,
                             ft.Container(body, expand=True, padding=ft.Padding.symmetric(horizontal=16, vertical=8))],
                            expand=True, spacing=0)
        if self.wide:
            rail = ft.NavigationRail(
                selected_index=selected, label_type=ft.NavigationRailLabelType.ALL,
                min_width=88, group_alignment=-1.0,
                destinations=[ft.NavigationRailDestination(icon=d.icon, selected_icon=d.selected_icon,
                                                           label=self.t(d.label_key)) for d in dests],
                on_change=lambda e: self._nav_to(screen, dests, e.control.selected_index))
            main = ft.Row([rail, ft.VerticalDivider(width=1), content], expand=True, spacing=0,
                          vertical_alignment=ft.CrossAxisAlignment.STRETCH)
            below = [self._step_row(screen, STEP_ORDER)] if screen.visit_id else []
            return ft.View(route=self.page.route, appbar=appbar, padding=0, spacing=0, controls=[main, *below])
        if screen.visit_id:
            return self._compact_visit_view(screen, appbar, content)
        bar = ft.NavigationBar(
            selected_index=selected if selected is not None else 0,
            label_behavior=ft.NavigationBarLabelBehavior.ALWAYS_SHOW,
            destinations=[ft.NavigationBarDestination(icon=d.icon, selected_icon=d.selected_icon,
                                                      label=self.t(d.label_key)) for d in dests],
            on_change=lambda e: self._nav_to(screen, dests, e.control.selected_index))
        return ft.View(route=self.page.route, appbar=appbar, navigation_bar=bar, padding=0,
                       spacing=0, controls=[content])

    def _compact_visit_view(self, screen, appbar: ft.AppBar, content: ft.Control) -> ft.View:
        """Below 700 px inside a visit: ten destinations do not fit a bottom bar. The steps are in a
        drawer (the menu button, each with its state and count), and a bottom row goes to the
        previous and the next step."""
        dests = [SETUP_DEST, *VISIT_NAV]
        order = {k: i for i, k in enumerate(STEP_ORDER)}
        dests.sort(key=lambda d: order.get(d.key, 99))
        keys = [d.key for d in dests]
        selected = keys.index(screen.nav_key) if screen.nav_key in keys else None

        def pick(e) -> None:
            self.go(f"/visits/{screen.visit_id}/{keys[e.control.selected_index]}")

        drawer = ft.NavigationDrawer(
            selected_index=selected if selected is not None else -1, on_change=pick,
            controls=[ft.Container(ft.Text(self.t("Các bước kiểm tra"), size=18, weight=ft.FontWeight.W_600),
                                   padding=ft.Padding.only(left=28, top=16, bottom=8)),
                      *[ft.NavigationDrawerDestination(
                          label=self.step_label(d.key),
                          icon=STEP_ICONS[self.steps[d.key].state] if d.key in self.steps else d.icon,
                          selected_icon=d.selected_icon) for d in dests]])
        view = ft.View(route=self.page.route, appbar=appbar, padding=0, spacing=0, drawer=drawer,
                       controls=[content, self._step_row(screen, keys)])

        async def open_steps(e=None) -> None:
            await view.show_drawer()

        appbar.leading = ft.IconButton(ft.Icons.MENU, tooltip=self.t("Các bước kiểm tra"), on_click=open_steps)
        appbar.actions = [ft.IconButton(ft.Icons.HOME_OUTLINED, tooltip=self.t("Cuộc kiểm tra"),
                                        on_click=lambda e: self.go("/")), *(appbar.actions or [])]
        return view

    def _step_row(self, screen, keys: list[str]) -> ft.Control:
        """"Previous" and "next" step, each naming where it goes."""
        here = keys.index(screen.nav_key) if screen.nav_key in keys else -1
        prev_key = keys[here - 1] if here > 0 else None
        next_key = keys[here + 1] if 0 <= here < len(keys) - 1 else None
        go = self.go
        buttons: list[ft.Control] = []
        if prev_key:
            buttons.append(ft.OutlinedButton(
                self.step_label(prev_key), icon=ft.Icons.CHEVRON_LEFT, height=48,
                tooltip=self.t("Bước trước"),
                on_click=lambda e: go(f"/visits/{screen.visit_id}/{prev_key}")))
        buttons.append(ft.Container(expand=True))
        if next_key:
            buttons.append(ft.FilledButton(
                self.t("Tiếp: {step}", step=self.step_label(next_key)), icon=ft.Icons.CHEVRON_RIGHT,
                height=48, on_click=lambda e: go(f"/visits/{screen.visit_id}/{next_key}")))
        return ft.Semantics(identifier="step-row", container=True, content=ft.Container(
            ft.Row(buttons, spacing=8), padding=ft.Padding.symmetric(horizontal=12, vertical=6),
            bgcolor=ft.Colors.INDIGO_50))

    def _destinations(self, screen) -> tuple[list[Dest], int | None]:
        dests = VISIT_NAV if screen.visit_id else GLOBAL_NAV
        keys = [d.key for d in dests]
        return dests, keys.index(screen.nav_key) if screen.nav_key in keys else None

    def _nav_to(self, screen, dests: list[Dest], index: int) -> None:
        key = dests[index].key
        if screen.visit_id:
            self.go(f"/visits/{screen.visit_id}/{key}")
        else:
            self.go(GLOBAL_ROUTES[key])

    def set_user(self, name: str, remember: bool = True) -> None:
        """Who records on this tablet from now on: every answer, finding and photo carries the name."""
        self.state.user = name
        self.ctx.actor = name
        prefs = getattr(self, "_prefs", None)
        if remember and prefs is not None:
            self._remembered = self.page.run_task(self._store_user, name)

    async def _store_user(self, name: str) -> None:
        try:
            await asyncio.wait_for(self._prefs.set(USER_KEY, name), 10)
        except Exception:  # the tablet's storage is a convenience: the session keeps the name anyway
            log.info("the tablet did not keep who records on it")

    async def _toggle_language(self, e=None) -> None:
        from ..services import settings as settings_service

        new = "en" if self.lang == "vi" else "vi"
        current = await self.call(settings_service.get_settings, self.ctx)
        if not current.ok:
            return
        result = await self.call(settings_service.save_settings, self.ctx,
                                 current.value.model_copy(update={"language": new}))
        if not result.ok:
            return
        await self.set_language(new)

    async def set_language(self, lang: str) -> None:
        self.t = I18n(lang)
        self.page.locale_configuration = locales(lang)
        await self.refresh()

    # --- services and feedback ---------------------------------------------------------------------
    async def call(self, fn: Callable[..., T], *args: Any, work: Work = "write", notify: bool = True,
                   **kwargs: Any) -> Result[T]:
        """Run a service function through :func:`calls.call`; a failure is shown as a notice.

        ``work="long"`` (PDF, signing, imports, photos) runs on the long-work thread while a
        progress line shows under the app bar. ``notify=False`` leaves showing a failure to the
        screen (an import's report stays on screen instead of a passing notice).
        """
        if work == "long":
            self._show_progress(+1)
        try:
            result = await calls.call(fn, *args, lang=self.lang, work=work,
                                      unexpected=self.t("Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu trước đó vẫn còn nguyên."), **kwargs)
        finally:
            if work == "long":
                self._show_progress(-1)
        if not result.ok and notify:
            self.toast(result.message, error=True)
        return result

    def _show_progress(self, step: int) -> None:
        """The progress line under the app bar, shown while long work runs."""
        self._long_jobs = max(0, self._long_jobs + step)
        bar = self._progress
        if bar is None:
            return
        bar.visible = self._long_jobs > 0
        called = ft.context.was_update_called()
        try:
            bar.update()
        except RuntimeError:  # not on the page (between screens): the next frame shows it
            pass
        if not called:  # the progress line is a side channel: the handler's own auto-update still runs
            ft.context.reset_update_called()

    def toast(self, text: str, error: bool = False) -> None:
        """A short message at the bottom. Calls page.update(): handlers need no other update."""
        self.page.show_dialog(ft.SnackBar(
            ft.Text(text, size=16, color=ft.Colors.WHITE),
            bgcolor=ft.Colors.RED_800 if error else ft.Colors.GREEN_800,
            duration=ft.Duration(milliseconds=6000 if error else 2500),
            # Flutter's own close icon is named "Close" whatever the language: an action named in ours
            action=ft.SnackBarAction(self.t("Đóng"), text_color=ft.Colors.WHITE) if error else None))
        self.page.update()

    def confirm(self, title: str, on_yes: Callable[[], Any], yes_key: str = N_("Đồng ý")) -> None:
        """A yes/no dialog; ``on_yes`` may be async."""

        async def yes(e):
            self.page.pop_dialog()
            result = on_yes()
            if asyncio.iscoroutine(result):
                await result
            self.page.update()

        def no(e):
            self.page.pop_dialog()
            self.page.update()

        self.page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(title, size=18),
            actions=[ft.TextButton(self.t("Hủy"), on_click=no),
                     ft.FilledButton(self.t(yes_key), on_click=yes)]))
        self.page.update()
