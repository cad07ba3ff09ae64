"""The Flet entry point: ``run_app`` starts the app, ``build_main`` makes the per-session ``main``.

One :class:`~inspection_app.services.context.AppContext` serves every browser tab or window of the
process; each Flet session gets its own :class:`~inspection_app.ui.shell.Shell` (routing, language,
navigation) on top of it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Callable

import flet as ft

import inspection_app

from . import door
from .shell import Shell

log = logging.getLogger(__name__)


def assets_dir() -> Path:
    """The repository's ``assets/`` folder (fonts, the offline ``index.html``)."""
    return Path(inspection_app.__file__).resolve().parents[1] / "assets"


def build_main(ctx) -> Callable[[ft.Page], None]:
    """The ``main(page)`` Flet calls for every new session."""

    def main(page: ft.Page) -> None:
        Shell(page, door.session_context(ctx)).start()  # acting as the signed-in web user, if any

    return main


def desktop_available() -> bool:
    """A desktop window is only tried when the desktop client is installed and a display exists."""
    if importlib.util.find_spec("flet_desktop") is None:
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run_app(ctx, *, web: bool = False, host: str = "127.0.0.1", port: int = 8550) -> None:
    """Run the app: a desktop window if possible and not ``web``, else the offline web server.

    Web mode never reaches the internet: Flutter's engine files are served locally
    (``no_cdn=True``) and ``assets/index.html`` stops the one CDN script the web client would add.
    """
    os.environ.setdefault("FLET_SECRET_KEY", secrets.token_urlsafe(32))  # needed for uploads
    upload_dir = Path(ctx.data_dir) / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    common = dict(assets_dir=str(assets_dir()), upload_dir=str(upload_dir))
    main = build_main(ctx)
    if not web and desktop_available():
        try:
            ft.run(main, view=ft.AppView.FLET_APP, **common)
            return
        except Exception as exc:  # e.g. the desktop client cannot be fetched offline
            log.warning("desktop client did not start (%s); falling back to web mode", exc)
    door.serve(main, ctx.data_dir, host=host, port=port, **common)  # Origin check, no CORS *, login off loopback
