"""The hash-chained audit log.

Every insert, update or delete of a visit or of a record that belongs to one appends an
:class:`AuditEvent` in the same transaction (hooked on flush in ``store.db``). Events form one chain
per (visit, device): each event's hash covers its content and the previous event's hash, so an
edited, removed or re-ordered event breaks the chain from that point on. Chains are per device so
that visits merged from several tablets keep every tablet's chain verbatim.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from .models import VISIT_OWNED, AuditEvent, Visit

GENESIS = "0" * 64
_SKIP_FIELDS = {"created_at", "updated_at"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def event_hash(ev: AuditEvent) -> str:
    at = ev.at if ev.at.tzinfo else ev.at.replace(tzinfo=UTC)
    payload = {
        "event_id": ev.event_id,
        "visit_id": ev.visit_id,
        "device_id": ev.device_id,
        "chain_index": ev.chain_index,
        "actor": ev.actor,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "entity": ev.entity,
        "entity_id": ev.entity_id,
        "action": ev.action,
        "changes": _plain(ev.changes),
        "prev_hash": ev.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = sa_inspect(obj)
    out: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIP_FIELDS:
            continue
        hist = state.attrs[key].history
        if action == "insert":
            value = getattr(obj, key)
            if value not in (None, "", [], {}):
                out[key] = [None, _plain(value)]
        elif action == "delete":
            out[key] = [_plain(getattr(obj, key)), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if _plain(old) != _plain(new):
                out[key] = [_plain(old), _plain(new)]
    return out


def _visit_id_of(obj: Any) -> str | None:
    if isinstance(obj, Visit):
        return obj.id
    return getattr(obj, "visit_id", None)


def collect_events(session: OrmSession) -> list[AuditEvent]:
    """Build (unchained) events for what the session is about to flush."""
    audited: tuple[type[Any], ...] = (Visit, *VISIT_OWNED)  # every one has an `id`
    actor = session.info.get("actor", "")
    device = session.info.get("device_id", "")
    events: list[AuditEvent] = []
    for action, objs in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in list(objs):
            if not isinstance(obj, audited):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            visit_id = _visit_id_of(obj)
            if not visit_id:
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            events.append(AuditEvent(visit_id=visit_id, device_id=device, actor=actor,
                                     entity=str(type(obj).__tablename__), entity_id=str(obj.id),
                                     action=action, changes=changes))
    return events


def chain(session: OrmSession, events: Iterable[AuditEvent]) -> None:
    """Link new events to the last event of their chain and add them to the session."""
    heads: dict[tuple[str, str], tuple[int, str]] = {}
    for ev in events:
        key = (ev.visit_id, ev.device_id)
        if key not in heads:
            with session.no_autoflush:
                last = session.execute(
                    select(AuditEvent).where(AuditEvent.visit_id == ev.visit_id,
                                             AuditEvent.device_id == ev.device_id)
                    .order_by(col(AuditEvent.chain_index).desc()).limit(1)
                ).scalars().first()
            heads[key] = (last.chain_index, last.hash) if last else (-1, GENESIS)
        index, prev = heads[key]
        ev.chain_index = index + 1
        ev.prev_hash = prev
        ev.hash = event_hash(ev)
        heads[key] = (ev.chain_index, ev.hash)
        session.add(ev)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    first_broken_event_id: str | None = None
    reason: str = ""


def verify_chain(session: Session, visit_id: str | None = None) -> ChainReport:
    """Check every chain (or one visit's) and name the first broken link."""
    query = select(AuditEvent).order_by(col(AuditEvent.visit_id), col(AuditEvent.device_id), col(AuditEvent.chain_index))
    if visit_id:
        query = query.where(AuditEvent.visit_id == visit_id)
    checked = 0
    expected: dict[tuple[str, str], tuple[int, str]] = {}
    for ev in session.exec(query):
        key = (ev.visit_id, ev.device_id)
        index, prev = expected.get(key, (-1, GENESIS))
        checked += 1
        reason = ""
        if ev.chain_index != index + 1:
            reason = f"missing event before index {ev.chain_index} (expected {index + 1})"
        elif ev.prev_hash != prev:
            reason = "previous-hash link does not match the event before it"
        elif event_hash(ev) != ev.hash:
            reason = "event content does not match its hash (edited)"
        if reason:
            return ChainReport(False, checked, ev.seq, ev.event_id, reason)
        expected[key] = (ev.chain_index, ev.hash)
    return ChainReport(True, checked)


def history(session: Session, visit_id: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.visit_id == visit_id)
                             .order_by(col(AuditEvent.seq))))
