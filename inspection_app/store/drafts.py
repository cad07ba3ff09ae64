"""Drafts: what a person has typed but not yet saved as a record.

One row per (scope, key): ``scope`` names where the text belongs (``"setup:new"`` for a visit not
yet created, ``"visit:<id>"`` for a visit's screens, ``"settings"``), ``key`` the form within it
(``"setup"``, ``"finding:new"``, ``"finding:<id>"``, ``"remedy:new"``, ``"rollcall:<staff id>"``).
``fields`` holds the form's fields as typed ({field name: text}).

Drafts are not part of the record: they are not audited, not exported in bundles, and a locked
visit's drafts are simply not shown. A draft goes when its form is saved or explicitly cancelled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, utcnow


class Draft(SQLModel, table=True):
    scope: str = Field(primary_key=True, max_length=80)
    key: str = Field(primary_key=True, max_length=120)
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_by: str = ""
