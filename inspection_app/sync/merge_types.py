"""The records a merge produces and reads: conflicts, the result of an import, audit events.

Kept apart from the planner and the guards so that both can name them without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Conflict:
    """What two devices changed differently, and which value the merge kept."""

    visit_id: str | None
    entity: str
    entity_id: str
    field: str
    kind: str  # field / signed_minutes / deleted
    kept: str  # local / incoming
    basis: str  # audit / updated_at / signed
    local_value: Any
    incoming_value: Any
    local_at: datetime | None
    incoming_at: datetime | None
    local_device: str
    incoming_device: str
    local_by: str = ""
    incoming_by: str = ""


@dataclass
class MergeResult:
    unchanged: bool
    import_id: str | None = None
    visit_ids: list[str] = field(default_factory=list)  # visits this import changed
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    events_added: int = 0
    files_added: int = 0
    conflicts: list[Conflict] = field(default_factory=list)  # newly recorded by this import


@dataclass
class _Event:
    event_id: str
    visit_id: str
    device_id: str
    chain_index: int
    actor: str
    entity: str
    entity_id: str
    action: str
    changes: dict
    at: datetime
    hash: str
