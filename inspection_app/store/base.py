"""Column helpers every table module shares: a UUID primary key, UTC timestamps, JSON columns, and
``Timestamped`` (``created_at``/``updated_at``). ``store.models`` and the topic modules (``store/office.py``
…) import them from here, so no table module needs another for them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, new_id, utcnow


def _id() -> Any:
    return Field(default_factory=new_id, primary_key=True, max_length=36)


def _when(nullable: bool = True, default_now: bool = False) -> Any:
    if default_now:
        return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def _added_later(default: str | int, **kw: Any) -> Any:
    """A NOT NULL column a revision added to an existing table, with the server default its ``ALTER`` needed,
    kept in the model too: a new database made from the models is then the one the revisions make."""
    return Field(default=default, sa_column_kwargs={"server_default": str(default)}, **kw)


def _json(default_factory: Callable[[], Any] = dict) -> Any:
    return Field(default_factory=default_factory, sa_type=JSON, nullable=False)


class Timestamped(SQLModel):
    created_at: datetime = _when(default_now=True)
    updated_at: datetime = _when(default_now=True)
