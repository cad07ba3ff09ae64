"""Persistence: SQLModel tables, engine and sessions, migrations, the audit log."""

from .db import make_engine, session_scope
from .migrations import SCHEMA_VERSION, upgrade

__all__ = ["make_engine", "session_scope", "upgrade", "SCHEMA_VERSION"]
