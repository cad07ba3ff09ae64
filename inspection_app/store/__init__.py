"""Persistence: SQLModel tables, engine and sessions, migrations, the audit log.

The package itself imports nothing heavy (PEP 562 ``__getattr__``): a light module of it (``at_rest``,
``peek``, ``revisions``) is imported without SQLAlchemy and the tables, so the app's first screen can be
drawn before they are loaded (start-up, issue #17).
"""

from __future__ import annotations

from typing import Any

__all__ = ["make_engine", "session_scope", "upgrade", "SCHEMA_VERSION"]


def __getattr__(name: str) -> Any:
    if name in ("make_engine", "session_scope"):
        from . import db

        return getattr(db, name)
    if name in ("upgrade", "SCHEMA_VERSION"):
        from . import migrations

        return getattr(migrations, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
