"""A look into an SQLite database at the head revision with the standard library's ``sqlite3`` alone.

Start-up (issue #17): the home screen's list of visits is read before SQLAlchemy and the tables are
loaded, so the first screen is drawn while the browser still loads Flutter, and the ORM opens after it.
Only a database this build made or upgraded is read this way (its ``alembic_version`` is the head of
the revision files); anything else answers None and the caller opens the database as usual.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .revisions import head_from_files

#: The columns of :func:`recent_visits`' rows.
VISIT_COLUMNS = ("id", "unit_name", "kind", "status", "arrival_at", "created_at", "decision_number")

Row = tuple[str, str, str, str, datetime | None, datetime, str]


def sqlite_file(database_url: str) -> Path | None:
    """The file of an ``sqlite:///`` URL; None for any other database."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or "?" in database_url:
        return None
    name = database_url[len(prefix):]
    return Path(name) if name and name != ":memory:" else None


def _utc(value: str | None) -> datetime | None:
    """A value of a ``UTCDateTime`` column as SQLite keeps it (naive UTC text), made aware."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def recent_visits(db_file: Path, limit: int = 100) -> list[Row] | None:
    """The newest visits (by creation), each with its unit's name: the rows of ``services.visits.list_visits``.

    ``[]`` for a file that does not exist yet (a new data directory: it is created when the database opens);
    None when the file is not a database at the head revision, or cannot be read.
    """
    if not db_file.exists():
        return []
    head = head_from_files()
    if head is None:
        return None
    try:
        conn = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            if [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")] != [head]:
                return None
            rows = conn.execute(
                "SELECT v.id, u.name, v.kind, v.status, v.arrival_at, v.created_at, v.decision_number "
                "FROM visit AS v JOIN unit AS u ON u.id = v.unit_id ORDER BY v.created_at DESC LIMIT ?",
                (limit,)).fetchall()
        finally:
            conn.close()
        return [(vid, name, kind, status, _utc(arrival), _utc(created) or datetime.min.replace(tzinfo=UTC), number)
                for vid, name, kind, status, arrival, created, number in rows]
    except (sqlite3.Error, ValueError):
        return None
