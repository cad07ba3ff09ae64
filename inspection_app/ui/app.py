"""The Flet entry point: ``run_app`` starts the app, ``build_main`` makes the per-session ``main``.

One :class:`~inspection_app.services.context.AppContext` serves every browser tab or window of the
process; each Flet session gets its own shell (routing, language, navigation) on top of it.

Start-up is kept at Flet's own floor (issue #17): ``ft.run`` is called at once, and a background
thread loads the settings and what the first screen needs; in web mode that thread first waits for the
server to listen, so the two do not compete for the CPU while the server starts. The home screen's list
is read with ``sqlite3`` alone (``services.home_list``), so the database (SQLAlchemy, the tables, the
schema check) opens only once the first screen is shown, while the person looks at it; a database that
cannot be read that way (PostgreSQL, a schema to upgrade, a damaged file) opens before, as it always
did, and an error reaches the sessions' start screen. A service call made sooner opens it itself. The
thread runs at the lowest CPU priority (the browser loading Flutter on the same cores comes first), and
the garbage collector is paused until the first screen is shown. Nothing here loads demo data: a new
user is offered the demo on the first screen, in its own data directory (``ui/first_start.py``).
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import logging
import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import flet as ft

from . import door

log = logging.getLogger(__name__)

from .signals import first_screen_shown  # noqa: E402  (set by the first session's first screen)


def assets_dir() -> Path:
    """The packaged ``assets/`` folder (fonts, the offline ``index.html``), as a real directory."""
    from ..resources import ASSETS, resource_dir

    return resource_dir(ASSETS)


#: Seconds between the first screen's messages and loading the other screens (the client draws meanwhile).
AFTER_FIRST_SCREEN_S = 2.0
#: Seconds between the first screen's messages and opening the database (the client draws meanwhile).
AFTER_FIRST_SCREEN_DB_S = 0.2
#: Seconds the background work waits for a first screen (no browser may ever connect).
FIRST_SCREEN_WAIT_S = 15.0
#: The start-up thread's nice value on Linux (0 normal, 19 lowest): the browser loading Flutter comes first.
STARTUP_NICE = 19
#: The interpreter's thread switch interval while the context opens beside the server (default 5 ms).
STARTUP_SWITCH_S = 0.0005


def _yield_cpu() -> None:
    """Lower this thread's CPU priority (Linux: a thread is a task with its own nice value, setpriority(2)).

    On a two-core tablet or PC the browser loading Flutter and this thread's imports compete for the cores:
    the browser gets them first and the imports take what it leaves (``bench_startup.py`` measured the first
    usable screen 5-10 % sooner than at normal priority, before the database moved after the first
    screen). Elsewhere (and if refused) nothing changes.
    """
    if sys.platform.startswith("linux") and hasattr(os, "setpriority") and STARTUP_NICE:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), STARTUP_NICE)
        except OSError:
            pass


class Startup:
    """The process-wide context, opened on a background thread while Flet starts.

    ``ctx()`` waits for it (a session that connects very early waits here, off the event loop);
    an error opening the data directory is raised to every session that asks.
    """

    def __init__(self, data_dir: str | os.PathLike | None, ctx=None):
        self.data_dir = data_dir
        self._future: Future = Future()
        self._started = False
        self.thread: threading.Thread | None = None  # the start-up thread, once begun
        if ctx is not None:
            self._future.set_result(ctx)

    def begin(self, after_listening: tuple[str, int] | None = None) -> Startup:
        """Open on a background thread; with ``(host, port)``, once the server listens there.

        Until the first screen is on display (or ``FIRST_SCREEN_WAIT_S`` passed) the cyclic garbage collector
        is off: start-up only allocates (modules, the models, the server), and each collection would walk
        every object allocated so far. Then what start-up made is frozen (``gc.freeze``: later collections
        skip it) and the collector is on again.
        """
        if not self._future.done() and not self._started:
            self._started = True
            gc.disable()
            self.thread = threading.Thread(target=self._open, args=(after_listening,), name="inspection-startup",
                                           daemon=True)
            self.thread.start()
        return self

    @staticmethod
    def _wait_listening(host: str, port: int, limit_s: float = 5.0) -> None:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((host, port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)

    def _open(self, after_listening: tuple[str, int] | None = None) -> None:
        try:
            self._open_then_load(after_listening)
        finally:
            gc.freeze()
            gc.enable()

    def _open_then_load(self, after_listening: tuple[str, int] | None) -> None:
        _yield_cpu()
        if after_listening is not None:
            self._wait_listening(*after_listening)
        switch = sys.getswitchinterval()
        # While this thread imports and opens, the event loop serves Flutter's files (megabytes, in
        # chunks handed between threads): a short switch interval lets each chunk through at once
        # instead of after this thread's 5 ms slice.
        sys.setswitchinterval(STARTUP_SWITCH_S)
        try:
            from ..services import home_list
            from ..services.context import AppContext

            # The database opens after the first screen (SQLAlchemy and the tables are most of start-up's
            # CPU): the home screen's list is read without it. When it cannot be (another database than
            # SQLite, a schema to upgrade, a damaged file), it opens now, and an error reaches the sessions.
            ctx = AppContext.open(self.data_dir, defer=True)
            if home_list.recent_visits(ctx) is None:
                ctx.db.engine  # noqa: B018
            _warm_first_screen(ctx)

            self._future.set_result(ctx)
        except BaseException as exc:  # noqa: BLE001 - handed to the sessions, which show it
            self._future.set_exception(exc)
            return
        finally:
            sys.setswitchinterval(switch)
        # The rest once the first screen is on display and the client has drawn it: the sweep of photo
        # files a crash left half-written (only files over an hour old), and the other screens (pdf,
        # media, registers…). Importing them holds the interpreter for a while: started at once, it
        # would delay the messages that draw the first screen (a screen asked for sooner imports its
        # own module, as before).
        first_screen_shown.wait(timeout=FIRST_SCREEN_WAIT_S)
        time.sleep(AFTER_FIRST_SCREEN_DB_S)
        try:
            ctx.db.engine  # noqa: B018  (a service call asked for sooner opens it itself, and waits)
        except Exception:  # each screen that needs the database says what is wrong
            log.exception("opening the database after the first screen")
        time.sleep(AFTER_FIRST_SCREEN_S)
        try:
            from ..services import photos

            photos.clean_interrupted_writes(ctx)
            from .views import registry  # noqa: F401
        except Exception:  # a broken screen module is reported when it is shown
            log.exception("after the first screen")

    async def ctx(self):
        return await asyncio.wrap_future(self._future)


#: Flet 1.0 imports a control's module on first use: the ones the frame and the home screen use.
FIRST_SCREEN_CONTROLS = ("View", "AppBar", "NavigationRail", "NavigationRailDestination", "NavigationBar",
                         "NavigationBarDestination", "VerticalDivider", "Card", "ListTile", "FilledButton",
                         "OutlinedButton", "TextButton", "IconButton", "Semantics", "Container", "Column", "Row",
                         "Text", "Icon", "SnackBar", "AlertDialog", "ProgressRing")


def _warm_first_screen(ctx) -> None:
    """Everything the first screen needs, done before a session asks: its modules, Flet's control
    modules and theme (the home list is read when the screen loads: ``services.home_list``)."""
    from . import first_start  # noqa: F401  (the session's shell)
    from .shell import theme
    from .views import home  # noqa: F401  (the first screen)

    theme()
    for name in FIRST_SCREEN_CONTROLS:
        getattr(ft, name)


def build_main(ctx_or_startup) -> Callable[[ft.Page], object]:
    """The ``main(page)`` Flet calls for every new session."""
    startup = ctx_or_startup if isinstance(ctx_or_startup, Startup) else Startup(None, ctx_or_startup)

    async def main(page: ft.Page) -> None:
        from .first_start import AppShell, show_start_failure

        try:
            ctx = await startup.ctx()
        except Exception as exc:
            show_start_failure(page, exc)
            return
        AppShell(page, door.session_context(ctx)).start()  # acting as the signed-in web user, if any

    return main


def desktop_available() -> bool:
    """A desktop window is only tried when the desktop client is installed and a display exists."""
    if importlib.util.find_spec("flet_desktop") is None:
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run_app(data_dir: str | os.PathLike | None = None, *, web: bool = False, host: str = "127.0.0.1",
            port: int = 8550, ctx=None) -> None:
    """Run the app: a desktop window if possible and not ``web``, else the offline web server.

    ``data_dir`` is resolved as in :func:`inspection_app.paths.resolve_data_dir`; a ready ``ctx``
    may be passed instead. Web mode never reaches the internet: Flutter's engine files are served
    locally (``no_cdn=True``) and the packaged ``assets/index.html`` stops the one CDN script the
    web client would add.
    """
    from ..paths import resolve_data_dir

    os.environ.setdefault("FLET_SECRET_KEY", secrets.token_urlsafe(32))  # needed for uploads
    root = Path(ctx.data_dir) if ctx is not None else resolve_data_dir(data_dir)
    upload_dir = root / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    common: dict[str, Any] = dict(assets_dir=str(assets_dir()), upload_dir=str(upload_dir))
    startup = Startup(root, ctx)
    main = build_main(startup)
    if os.environ.get("FLET_PLATFORM"):  # inside a Flet build: the embedded client connects by itself
        startup.begin()
        ft.run(main, **common)
        return
    if not web and desktop_available():
        startup.begin()
        try:
            ft.run(main, view=ft.AppView.FLET_APP, **common)
            return
        except Exception as exc:  # e.g. the desktop client cannot be fetched offline
            log.warning("desktop client did not start (%s); falling back to web mode", exc)
    port = int(os.environ.get("FLET_SERVER_PORT") or port)  # Flet lets the environment override it
    startup.begin(after_listening=(host if host not in ("", "0.0.0.0", "*") else "127.0.0.1", port))
    door.serve(main, root, host=host, port=port, **common)  # Origin check, no CORS *, login off loopback
