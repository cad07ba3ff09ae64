"""The demo in its own data directory ("Dùng thử với dữ liệu mẫu").

A new installation starts with no records at all. The first screen offers the demo; choosing it
opens a separate :class:`AppContext` on ``<data dir>/demo`` (marked by a ``DEMO`` file, always its
own SQLite file), loads the demo department there once, and leaves the real database untouched.
The demo's records can therefore never be mixed into real visits, reports or bundles; the screens
show a "DỮ LIỆU MẪU" banner while it is open, and bundle export refuses to run on it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..config import DEMO_MARKER, demo_data_dir, is_demo_dir
from ..domain.errors import UserError
from ..fsutil import write_atomically
from .context import AppContext

_lock = threading.Lock()
_open: dict[Path, AppContext] = {}

_MARKER_TEXT = ("Dữ liệu mẫu để dùng thử, không phải hồ sơ thật. Có thể xóa cả thư mục này.\n"
                "Sample data to try the app with, not real records. This whole folder may be deleted.\n")


def demo_context(real: AppContext) -> AppContext:
    """The demo's context beside ``real``, created and filled on first use; one per process.

    The demo keeps the language of the real settings. Takes a few seconds the first time (the
    demo's photos, roll call and minutes are made then); later calls return at once.
    Raises :class:`UserError` when ``real`` is itself the demo.
    """
    if real.config.is_demo:
        raise UserError("Đang ở dữ liệu mẫu.")
    root = demo_data_dir(real.data_dir)
    with _lock:
        ctx = _open.get(root)
        if ctx is not None:
            return ctx
        root.mkdir(parents=True, exist_ok=True)
        marker = root / DEMO_MARKER
        if not marker.is_file():
            write_atomically(marker, _MARKER_TEXT.encode("utf-8"))
        ctx = AppContext.open(root, actor=real.actor or "Người dùng thử")
        if ctx.settings.language != real.settings.language:
            ctx.config.settings = ctx.settings.model_copy(update={"language": real.settings.language})
            ctx.config.save()
        from . import demo

        demo.load_demo(ctx)  # does nothing when already loaded
        _open[root] = ctx
        return ctx


def refuse_if_demo(ctx: AppContext) -> None:
    """Raise :class:`UserError` for an operation that must never carry the demo's records out."""
    if ctx.config.is_demo or is_demo_dir(Path(ctx.data_dir)):
        raise UserError(
            "Đây là dữ liệu mẫu để dùng thử: không xuất gói dữ liệu từ dữ liệu mẫu.")


def has_records(ctx: AppContext) -> bool:
    """True once the database holds any unit or visit (the first screen then offers no demo)."""
    from sqlmodel import select

    from ..store.models import Unit, Visit

    with ctx.session() as s:
        return (s.exec(select(Unit.id).limit(1)).first() is not None
                or s.exec(select(Visit.id).limit(1)).first() is not None)
