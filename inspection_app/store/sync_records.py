"""The office's record of visit bundles: each import that changed something, and each conflict it met."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from .base import Timestamped, _added_later, _id, _json, _when


class SyncImport(SQLModel, table=True):
    """A visit bundle imported here that changed something; an unchanged re-import leaves no row."""

    id: str = _id()
    bundle_id: str = Field(index=True)  # from the bundle's manifest
    bundle_sha256: str = ""  # of the file as received (encrypted or not)
    file_name: str = ""
    source_device_id: str = ""
    exported_by: str = ""
    exported_at: datetime | None = _when()
    imported_by: str = ""
    imported_at: datetime = _when(default_now=True)
    visit_ids: list[Any] = _json(list)
    summary: dict[Any, Any] = _json(dict)  # {"inserted": {table: n}, "updated": {…}, "deleted": {…}, "files": n}


class SyncConflict(Timestamped, table=True):
    """Something two devices changed differently, and what the merge of a bundle kept.

    Values are stored as JSON text so that any value (text, number, list, null) round-trips and
    equality is a plain string comparison on every database.
    """

    id: str = _id()
    import_id: str = Field(foreign_key="syncimport.id", index=True)
    visit_id: str | None = Field(default=None, index=True)
    entity: str  # table name
    entity_id: str
    field: str = ""  # empty when the whole record is concerned (a deletion, signed minutes)
    kind: str = "field"  # field / signed_minutes / deleted
    kept: str = "local"  # local / incoming: the value the merge kept
    basis: str = ""  # audit (the changes' times) / updated_at (no history) / signed
    local_value: str = "null"
    incoming_value: str = "null"
    local_at: datetime | None = _when()
    incoming_at: datetime | None = _when()
    local_device: str = ""
    incoming_device: str = ""
    local_by: str = _added_later("")  # who made the local change (the audit event's actor), when known
    incoming_by: str = _added_later("")  # who made the incoming change
    resolved_at: datetime | None = _when()
    resolved_by: str = ""
    resolution: str = ""  # kept_local / took_incoming, set by a reviewer
