"""The home screen's list of visits, readable before the database is opened (start-up, issue #17).

Imports neither SQLAlchemy nor the tables: ``recent_visits`` reads a database at the head revision with
the standard library (``store/peek.py``) while the context's database is not open yet, and answers None
otherwise; the screen then asks ``services.visits.list_visits``, which returns the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..store.peek import recent_visits as _peek
from ..store.peek import sqlite_file

if TYPE_CHECKING:
    from .context import AppContext


@dataclass(frozen=True)
class VisitSummary:
    id: str
    unit_name: str
    kind: str
    status: str
    arrival_at: datetime | None
    created_at: datetime
    decision_number: str


def recent_visits(ctx: AppContext, limit: int = 100) -> list[VisitSummary] | None:
    """The newest ``limit`` visits as ``services.visits.list_visits`` gives them, read without opening the
    database; None once the database is open (ask ``list_visits``), or when it cannot be read this way
    (another database than SQLite, another revision, a damaged file)."""
    if ctx.db.opened:
        return None
    db_file = sqlite_file(ctx.config.database_url)
    rows = _peek(db_file, limit) if db_file is not None else None
    return None if rows is None else [VisitSummary(*row) for row in rows]
