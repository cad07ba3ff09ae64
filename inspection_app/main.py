"""The packaged app's entry point: the UI alone, with no command line and no demo data.

A Flet build (``flet build apk|aab|windows``, see ``docs/platforms.md``) runs ``flet_app/main.py``,
which calls :func:`run`. The data directory is ``$FLET_APP_STORAGE_DATA`` on a device (set by the
Flet runtime: app-private, kept across updates) and the user data directory otherwise
(``paths.resolve_data_dir``). The built app shows its own window, so there is no host or port;
``python -m inspection_app.main`` does the same from an installed wheel (web mode when no desktop
client can start; ``INSPECTION_APP_WEB=1`` asks for web mode).
"""

from __future__ import annotations

import os


def run() -> None:
    from .ui.app import run_app

    run_app(None, web=os.environ.get("INSPECTION_APP_WEB") == "1")


if __name__ == "__main__":
    run()
