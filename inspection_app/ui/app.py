"""The Flet entry point: ``run_app`` starts the app, ``build_main`` makes the per-session ``main``.

One :class:`~inspection_app.services.context.AppContext` serves every browser tab or window of the
process; each Flet session gets its own shell (routing, language, navigation) on top of it.

Start-up is kept at Flet's own floor: ``ft.run`` is called at once, while the data directory is
opened (settings, database upgrade, interrupted photo writes) and the screens are imported on a
background thread; by the time a browser or window has loaded Flutter and connects, both are ready,
and the first session only waits for them if they are not. Nothing here loads demo data: a new user
is offered the demo on the first screen, in its own data directory (``ui/first_start.py``).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import secrets
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Callable

import flet as ft

log = logging.getLogger(__name__)


def assets_dir() -> Path:
    """The packaged ``assets/`` folder (fonts, the offline ``index.html``), as a real directory."""
    from ..resources import ASSETS, resource_dir

    return resource_dir(ASSETS)


class Startup:
    """The process-wide context, opened on a background thread while Flet starts.

    ``ctx()`` waits for it (a session that connects very early waits here, off the event loop);
    an error opening the data directory is raised to every session that asks.
    """

    def __init__(self, data_dir: str | os.PathLike | None, ctx=None):
        self.data_dir = data_dir
        self._future: Future = Future()
        if ctx is not None:
            self._future.set_result(ctx)

    def begin(self) -> "Startup":
        if not self._future.done():
            threading.Thread(target=self._open, name="inspection-startup", daemon=True).start()
        return self

    def _open(self) -> None:
        try:
            from ..services import photos
            from ..services.context import AppContext

            ctx = AppContext.open(self.data_dir)
            photos.clean_interrupted_writes(ctx)
            self._future.set_result(ctx)
        except BaseException as exc:  # noqa: BLE001 - handed to the sessions, which show it
            self._future.set_exception(exc)
            return
        try:  # warm the screens so the first one needs no import (views pull in pdf, media…)
            from .views import registry  # noqa: F401
        except Exception:  # a broken screen module is reported when it is shown
            log.exception("importing the screens")

    async def ctx(self):
        return await asyncio.wrap_future(self._future)


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
        AppShell(page, ctx).start()

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

    ``data_dir`` is resolved as in :func:`inspection_app.config.resolve_data_dir`; a ready ``ctx``
    may be passed instead. Web mode never reaches the internet: Flutter's engine files are served
    locally (``no_cdn=True``) and the packaged ``assets/index.html`` stops the one CDN script the
    web client would add.
    """
    from ..config import resolve_data_dir

    os.environ.setdefault("FLET_SECRET_KEY", secrets.token_urlsafe(32))  # needed for uploads
    root = Path(ctx.data_dir) if ctx is not None else resolve_data_dir(data_dir)
    upload_dir = root / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    common = dict(assets_dir=str(assets_dir()), upload_dir=str(upload_dir))
    main = build_main(Startup(root, ctx).begin())
    if not web and desktop_available():
        try:
            ft.run(main, view=ft.AppView.FLET_APP, **common)
            return
        except Exception as exc:  # e.g. the desktop client cannot be fetched offline
            log.warning("desktop client did not start (%s); falling back to web mode", exc)
    ft.run(main, view=ft.AppView.WEB_BROWSER, host=host, port=port, no_cdn=True, **common)
