"""Engine, sessions and the flush hooks every write goes through.

SQLite runs in WAL mode with foreign keys on and ``synchronous=FULL``, so a committed answer
survives the app being killed or the tablet losing power. Each user action is one short
transaction. The same code runs on PostgreSQL (``postgresql+psycopg://…``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from . import audit
from .models import VISIT_OWNED, Timestamped
from .types import utcnow


def make_engine(url: str, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:  # pragma: no cover - exercised by every test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _normalise_text(obj: Any) -> None:
    for col in obj.__table__.columns:
        value = getattr(obj, col.key, None)
        if isinstance(value, str):
            norm = unicodedata.normalize("NFC", value)
            if norm != value:
                setattr(obj, col.key, norm)


@event.listens_for(OrmSession, "before_flush")
def _before_flush(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    if session.info.get("raw"):  # imports of already-audited records (bundles) write verbatim
        return
    now = utcnow()
    for obj in list(session.new) + list(session.dirty):
        if hasattr(obj, "__table__"):
            _normalise_text(obj)
        if isinstance(obj, Timestamped) and obj in session.dirty and session.is_modified(obj):
            obj.updated_at = now
    events = audit.collect_events(session)
    if events:
        audit.chain(session, events)


@contextmanager
def session_scope(engine: Engine, actor: str = "", device_id: str = "", raw: bool = False) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        session.info.update(actor=actor, device_id=device_id, raw=raw)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


__all__ = ["make_engine", "session_scope", "VISIT_OWNED"]
