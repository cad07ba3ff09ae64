"""Package data: the shipped checklists, the fonts and the offline web ``index.html``.

They travel inside the package (``inspection_app/checklists``, ``inspection_app/assets``) and are
found through :mod:`importlib.resources`, never through ``__file__`` paths, so a source checkout, an
installed wheel and a Flet tablet build (whose site-packages may be a zip archive) all find them.

Callers that need a real directory on disk (reportlab opens font files by name; Flet serves
``assets_dir`` from disk) use :func:`resource_dir`: from a plain install that is the package's own
folder; from a zipped install the folder is copied once into a per-version cache directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

PACKAGE = "inspection_app"
CHECKLISTS = "checklists"
ASSETS = "assets"

_dirs: dict[str, Path] = {}


def resource(name: str) -> Traversable:
    """The packaged folder or file ``name`` (e.g. ``"checklists"``, ``"assets/fonts"``)."""
    node = resources.files(PACKAGE)
    for part in name.split("/"):
        node = node / part
    return node


def _copy_tree(src: Traversable, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for child in src.iterdir():
        if child.is_dir():
            _copy_tree(child, dst / child.name)
        else:
            (dst / child.name).write_bytes(child.read_bytes())


def resource_dir(name: str) -> Path:
    """A directory on disk holding the packaged folder ``name``.

    Raises ``FileNotFoundError`` when the package was installed without its data (a broken build).
    """
    if name in _dirs:
        return _dirs[name]
    node = resource(name)
    if isinstance(node, Path):
        if not node.is_dir():
            raise FileNotFoundError(f"package data folder missing: {node}")
        _dirs[name] = node
        return node
    if not node.is_dir():
        raise FileNotFoundError(f"package data folder missing: {PACKAGE}/{name}")
    from . import __version__

    cache = Path(os.environ.get("FLET_APP_STORAGE_TEMP") or tempfile.gettempdir())
    target = cache / f"inspection-app-{__version__}" / name
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent))  # same file system: the rename is atomic
        _copy_tree(node, staging / "tree")
        try:
            os.replace(staging / "tree", target)
        except OSError:  # another process won the race: use its copy
            if not target.is_dir():
                raise
        shutil.rmtree(staging, ignore_errors=True)
    _dirs[name] = target
    return target
