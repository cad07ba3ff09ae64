"""Where the data lives: the data directory and the demo's own directory beside it.

Kept apart from ``config`` (settings, pydantic, YAML) so that starting the app can find its data
directory without importing them (``ui/app.py`` resolves it before ``ft.run``).

The data directory comes from ``--data-dir``, then ``INSPECTION_APP_DATA_DIR``, then
``FLET_APP_STORAGE_DATA`` (set by a Flet build on the tablet or desktop: app-private, kept across
updates), then the platform's user data directory. The demo lives in ``<data dir>/demo``, marked by
a ``DEMO`` file.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "INSPECTION_APP_DATA_DIR"
ENV_FLET_STORAGE = "FLET_APP_STORAGE_DATA"
DEMO_SUBDIR = "demo"
DEMO_MARKER = "DEMO"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("inspection-app", appauthor=False))


def resolve_data_dir(flag: str | os.PathLike | None = None) -> Path:
    """``--data-dir``, else ``$INSPECTION_APP_DATA_DIR``, else ``$FLET_APP_STORAGE_DATA``, else the user data dir."""
    raw = flag or os.environ.get(ENV_DATA_DIR) or os.environ.get(ENV_FLET_STORAGE)
    return Path(raw).expanduser().resolve() if raw else default_data_dir()


def demo_data_dir(real: Path) -> Path:
    """The demo's own data directory beside the real data (``<data dir>/demo``)."""
    return real / DEMO_SUBDIR


def is_demo_dir(path: Path) -> bool:
    return (path / DEMO_MARKER).is_file()
