"""Merging a verified bundle into the database: by UUID, field by field, last writer wins.

Several tablets of one team work on the same visit; each brings its copy. Records are united by
their ids (or, for a record two tablets created under different ids, by its natural key: the same
checklist item of the same visit, the same person on the roll call …). Where the two copies of a
field differ, the audit events decide. Each change of a record is an event with the changed fields,
its time and its device, and events are imported verbatim, so both sides' histories are known:

- if the incoming side knows no change of that field that is not already here, the local value is
  newer: it stays, silently;
- if the local side knows no change that the bundle lacks, the incoming value is newer: it is
  taken, silently;
- otherwise both devices changed the field independently: the later change wins, and the conflict
  is recorded (:class:`~inspection_app.store.models.SyncConflict`) with both values, times and
  devices for a reviewer.

Records without history (units, rosters and other tables that are not audited, or rows written
verbatim) fall back on ``updated_at``, and a difference is always listed. Signed minutes are never
altered: a change the merge would make to a signed document is listed instead, and files already
in the data directory are never overwritten (a different file under the same path is stored next
to it). Deletions travel as audit events; a deletion is applied unless this side changed the record
after it, or something here still refers to it.

Everything happens in the caller's single transaction. The merge writes rows verbatim (the session
must be ``raw``, so the flush hook adds no audit events) and then appends, per visit it changed,
one audit event of its own (entity ``syncimport``, action ``import``) to this device's chain, so
the visit's history says when which bundle changed it. An import that would change nothing writes
nothing at all: importing a bundle twice leaves the database as it was.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..store import audit
from ..store import models as m
from ..store.types import new_id, utcnow
from .bundle_format import file_sha256
from .bundle_open import OpenedBundle
from .merge_guard import Guards
from .replay import AUDITED
from .records import (AUDIT_TABLE, BOOKKEEPING, PATH_COLUMNS, QUIET, dump_value, natural_keys, ordered_tables,
                      pk_column, rejected, values_equal)

_IN_CHUNK = 500
IMPORT_LOCK = 0x1A5B_0D1E  # pg_advisory_xact_lock key of bundle imports


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


def _chunks(values, size: int = _IN_CHUNK):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def json_text(value: Any) -> str:
    """A value as canonical JSON text (how conflicts store it)."""
    return json.dumps(audit._plain(value), sort_keys=True, ensure_ascii=False)


class Merger(Guards):
    def __init__(self, session: Session, bundle: OpenedBundle, data_dir: Path, *, device_id: str,
                 actor: str) -> None:
        self.s = session
        self.b = bundle
        self.data_dir = Path(data_dir)
        self.device_id = device_id
        self.actor = actor
        self.rows = {name: [dict(r) for r in rows] for name, rows in bundle.records.items()}
        self.id_map: dict[str, dict[str, str]] = defaultdict(dict)
        self.path_map: dict[str, str] = {}
        self.inserts: dict[str, list[dict]] = defaultdict(list)
        self.updates: list[tuple[Any, str, dict, str | None]] = []  # table, pk, values, visit
        self.deletes: list[tuple[Any, str, str | None]] = []  # table, pk, visit
        self.conflicts: list[Conflict] = []
        self.used_paths: dict[str, set[str | None]] = defaultdict(set)  # path -> visits using it
        self.frozen: set[str] = set()
        self.remaps: list[tuple[str, dict, str, Any]] = []  # table, incoming row, column, value before mapping
        self.corrections: list[dict] = []  # audit events that record the mapping of a reference  # visits whose minutes are signed here: a bundle changes nothing of them
        self.per_visit: dict[str, Counter] = defaultdict(Counter)
        self.placed: list[Path] = []

    # -- events ---------------------------------------------------------------------------------

    def _load_events(self) -> None:
        self.inc_events = [_Event(**{k: ev[k] for k in _Event.__dataclass_fields__}) for ev in self.b.events]
        self.inc_ids = {e.event_id: e for e in self.inc_events}
        cols = [AUDIT_TABLE.c[k] for k in _Event.__dataclass_fields__]
        self.local_events: list[_Event] = []
        for part in _chunks(self.b.visit_ids):
            for row in self.s.execute(select(*cols).where(AUDIT_TABLE.c.visit_id.in_(part))).mappings():
                self.local_events.append(_Event(**row))
        self.local_ids = {e.event_id: e for e in self.local_events}
        chain_heads = {(e.visit_id, e.device_id, e.chain_index): e for e in self.local_events}
        for ev in self.inc_events:
            known = self.local_ids.get(ev.event_id)
            if known is not None and known.hash != ev.hash:
                raise rejected(f"Sự kiện nhật ký {ev.event_id} khác với bản đã có ở đây.",
                               f"The audit event {ev.event_id} differs from the copy already here.")
            twin = chain_heads.get((ev.visit_id, ev.device_id, ev.chain_index))
            if twin is not None and twin.event_id != ev.event_id:
                raise rejected(
                    f"Nhật ký của lượt kiểm tra {ev.visit_id} từ thiết bị {ev.device_id} khác với nhật ký đã "
                    f"có ở đây từ sự kiện số {ev.chain_index} (thiết bị được khôi phục hoặc sao chép?).",
                    f"The audit log of visit {ev.visit_id} from device {ev.device_id} differs from the one "
                    f"already here from event {ev.chain_index} on (a restored or cloned device?).",
                    visit_id=ev.visit_id, device_id=ev.device_id)
        self.local_by_entity: dict[tuple[str, str], list[_Event]] = defaultdict(list)
        for e in self.local_events:
            self.local_by_entity[(e.entity, e.entity_id)].append(e)
        self.inc_by_entity: dict[tuple[str, str], list[_Event]] = defaultdict(list)
        for e in self.inc_events:
            self.inc_by_entity[(e.entity, e.entity_id)].append(e)
        # A record two devices created under different ids is one record here: its ids are aliases,
        # found through the natural key in their insert events, so each side's history counts.
        keys = {t.name: natural_keys(t) for t in ordered_tables()}
        self.aliases: dict[tuple, set[str]] = defaultdict(set)
        for e in (*self.local_events, *self.inc_events):
            if e.action != "insert" or not keys.get(e.entity):
                continue
            for key in keys[e.entity]:
                values = tuple((e.changes.get(c) or [None, None])[1] for c in key)
                if None not in values:
                    self.aliases[(e.entity, key, values)].add(e.entity_id)
        self.keys = keys

    def _touching(self, index, entity: str, ids, fld: str) -> list[_Event]:
        return [e for i in ids for e in index.get((entity, i), ())
                if e.action in ("insert", "update") and fld in (e.changes or {})]

    def _decide(self, name: str, ids: set[str], fld: str, loc: dict, inc: dict):
        """(take incoming?, conflict?, basis, local at, local device, incoming at, incoming device)."""
        local = self._touching(self.local_by_entity, name, ids, fld)
        incoming = self._touching(self.inc_by_entity, name, ids, fld)
        if not local and not incoming:
            lu, iu = loc.get("updated_at"), inc.get("updated_at")
            take = lu is not None and iu is not None and iu > lu
            self._who = ("", "")
            return take, True, "updated_at", lu, "", iu, self.b.device_id
        local_ids = {e.event_id for e in local}
        incoming_ids = {e.event_id for e in incoming}
        local_only = [e for e in local if e.event_id not in incoming_ids]
        incoming_only = [e for e in incoming if e.event_id not in local_ids]
        self._who = ("", max(incoming_only, key=lambda e: e.at).actor if incoming_only else "")
        if not incoming_only:
            return False, False, "audit", None, "", None, ""
        if not local_only:
            return True, False, "audit", None, "", None, ""
        la = max(local_only, key=lambda e: e.at)
        ia = max(incoming_only, key=lambda e: e.at)
        self._who = (la.actor, ia.actor)
        return ia.at > la.at, True, "audit", la.at, la.device_id, ia.at, ia.device_id

    # -- files ----------------------------------------------------------------------------------

    def _plan_files(self) -> None:
        """Each file goes where the bundle module derived from its checked SHA-256; the records'
        path columns are rewritten to those places (a bundle never names a path)."""
        self.to_place: dict[str, Path] = {}  # final relative path -> staged file
        staged_by_use = {use: self.b.files[sha].staged for sha in self.b.files for use in self.b.files[sha].uses}
        sha_by_use = {use: sha for sha in self.b.files for use in self.b.files[sha].uses}
        final: dict[tuple[str, str, str], str] = {}
        for use, rel in self.b.destinations.items():
            sha = sha_by_use[use]
            target = self.data_dir / rel
            if not target.exists() and not target.is_symlink():
                self.to_place[rel] = staged_by_use[use]
                final[use] = rel
                continue
            if target.is_file() and not target.is_symlink() and target.stat().st_size == self.b.files[sha].size \
                    and file_sha256(target) == sha:
                final[use] = rel
                continue
            # Something else is stored under this path (a damaged copy): never overwrite it, keep both.
            pure = PurePosixPath(rel)
            alt = str(pure.with_name(f"{pure.stem}.{sha[:16]}{pure.suffix}"))
            final[use] = alt
            alt_target = self.data_dir / alt
            if alt_target.is_file() and not alt_target.is_symlink() and file_sha256(alt_target) == sha:
                continue
            self.to_place[alt] = staged_by_use[use]
        for name, cols in PATH_COLUMNS.items():
            for row in self.rows.get(name, []):
                for col in cols:
                    if row.get(col):
                        row[col] = final[(name, row["id"], col)]

    # -- records --------------------------------------------------------------------------------

    def _fetch(self, table, column: str, values) -> list[dict]:
        out: list[dict] = []
        for part in _chunks(sorted({v for v in values if v is not None})):
            out.extend(dict(r) for r in self.s.execute(select(table).where(table.c[column].in_(part))).mappings())
        return out

    @staticmethod
    def _visit_of(name: str, row: dict) -> str | None:
        return row["id"] if name == "visit" else row.get("visit_id")

    def _use_paths(self, name: str, row: dict) -> None:
        for col in PATH_COLUMNS.get(name, ()):
            if row.get(col):
                self.used_paths[row[col]].add(self._visit_of(name, row))

    def _conflict(self, name: str, row: dict, entity_id: str, fld: str, kind: str, kept: str, basis: str,
                  local_value, incoming_value, la=None, ld="", ia=None, idev="", lby="", iby="") -> None:
        self.conflicts.append(Conflict(
            visit_id=self._visit_of(name, row), entity=name, entity_id=entity_id, field=fld, kind=kind,
            kept=kept, basis=basis, local_value=local_value, incoming_value=incoming_value,
            local_at=la, incoming_at=ia, local_device=ld, incoming_device=idev or self.b.device_id,
            local_by=lby, incoming_by=iby))

    def _plan_table(self, table) -> None:
        name = table.name
        pk = pk_column(table)
        rows = self.rows.get(name, [])
        if not rows:
            return
        for fk in table.foreign_keys:
            mapping = self.id_map.get(fk.column.table.name)
            if mapping:
                for row in rows:
                    if row.get(fk.parent.name) in mapping:
                        old = row[fk.parent.name]
                        row[fk.parent.name] = mapping[old]
                        if name in AUDITED:
                            self.remaps.append((name, row, fk.parent.name, old))
        local = {r[pk]: r for r in self._fetch(table, pk, (r[pk] for r in rows))}
        missing = [r for r in rows if r[pk] not in local]
        key_index: dict[tuple[str, ...], dict[tuple, dict]] = {}
        if missing:
            for key in dict.fromkeys(natural_keys(table)):
                candidates = self._fetch(table, key[0], (r.get(key[0]) for r in missing))
                key_index[key] = {tuple(c[k] for k in key): c for c in candidates}
        matched = self._match_same_thing(name, table, missing)
        for row in rows:
            loc = local.get(row[pk])
            if loc is None and row[pk] in matched:
                loc = matched[row[pk]]
                self.id_map[name][row[pk]] = loc[pk]
            if loc is None:
                for key, index in key_index.items():
                    probe = tuple(row.get(k) for k in key)
                    if None not in probe and probe in index:
                        loc = index[probe]
                        self.id_map[name][row[pk]] = loc[pk]
                        break
            if loc is None:
                self._plan_insert(table, name, pk, row)
            else:
                self._plan_merge(table, name, pk, loc, row)

    def _plan_insert(self, table, name: str, pk: str, row: dict) -> None:
        deletions = [e for e in self.local_by_entity.get((name, row[pk]), ()) if e.action == "delete"]
        if deletions:  # deleted here: not resurrected, unless the tablet changed it afterwards
            gone = max(deletions, key=lambda e: e.at)
            later = [e for e in self.inc_by_entity.get((name, row[pk]), ())
                     if e.event_id not in self.local_ids and e.at > gone.at]
            if later:
                last = max(later, key=lambda e: e.at)
                self._conflict(name, row, row[pk], "", "deleted", "local", "audit", None,
                               {k: dump_value(v) for k, v in row.items()}, gone.at, gone.device_id,
                               last.at, last.device_id)
            return
        self.inserts[name].append(row)
        self._use_paths(name, row)
        visit = self._visit_of(name, row)
        if visit:
            self.per_visit[visit]["inserted"] += 1

    def _plan_merge(self, table, name: str, pk: str, loc: dict, inc: dict) -> None:
        fields = [c.name for c in table.columns if c.name not in BOOKKEEPING and c.name != pk]
        diffs = [f for f in fields if not values_equal(loc.get(f), inc.get(f))]
        take: dict[str, Any] = {}
        signed = name == "minutesdocument" and bool(loc.get("signed"))
        ids = {loc[pk], inc[pk]}
        for key in self.keys.get(name, ()):
            for row in (loc, inc):
                ids |= self.aliases.get((name, key, tuple(row.get(c) for c in key)), set())
        for fld in diffs:
            take_it, conflict, basis, la, ld, ia, idev = self._decide(name, ids, fld, loc, inc)
            lby, iby = self._who
            if signed and (take_it or conflict):
                self._conflict(name, loc, loc[pk], fld, "signed_minutes", "local", "signed", loc.get(fld),
                               inc.get(fld), la or loc.get("signed_at"), ld, ia or inc.get("updated_at"), idev,
                               lby, iby)
                continue
            if take_it:
                take[fld] = inc.get(fld)
            if conflict and fld not in QUIET:
                self._conflict(name, loc, loc[pk], fld, "field", "incoming" if take_it else "local", basis,
                               loc.get(fld), inc.get(fld), la, ld, ia, idev, lby, iby)
        final = {**loc, **take}
        self._use_paths(name, final)
        if take:
            if "updated_at" in table.c and loc.get("updated_at") and inc.get("updated_at"):
                take["updated_at"] = max(loc["updated_at"], inc["updated_at"])
            visit = self._visit_of(name, final)
            self.updates.append((table, loc[pk], take, visit))
            if visit:
                self.per_visit[visit]["updated"] += 1

    def _plan_deletes(self) -> None:
        tables = {t.name: t for t in ordered_tables() if t.name != "visit"}
        incoming_ids = {name: {r[pk_column(tables[name])] for r in self.rows.get(name, [])} for name in tables}
        targets: dict[tuple[str, str], _Event] = {}
        for ev in self.inc_events:
            if ev.action == "delete" and ev.event_id not in self.local_ids and ev.entity in tables:
                if ev.entity_id not in incoming_ids[ev.entity]:
                    targets[(ev.entity, ev.entity_id)] = ev
        if not targets:
            return
        planned = set(targets)
        order = [t.name for t in ordered_tables()]
        for (name, entity_id), ev in sorted(targets.items(), key=lambda kv: -order.index(kv[0][0])):
            table = tables[name]
            found = self._fetch(table, pk_column(table), [entity_id])
            if not found:
                continue
            loc = found[0]
            later = [e for e in self.local_by_entity.get((name, entity_id), ())
                     if e.event_id not in self.inc_ids and e.at > ev.at]
            if name == "minutesdocument" and loc.get("signed"):
                self._conflict(name, loc, entity_id, "", "signed_minutes", "local", "signed",
                               {k: dump_value(v) for k, v in loc.items()}, None, loc.get("signed_at"), "",
                               ev.at, ev.device_id)
                planned.discard((name, entity_id))
                continue
            if later or self._referenced(table, entity_id, planned):
                last = max(later, key=lambda e: e.at) if later else None
                self._conflict(name, loc, entity_id, "", "deleted", "local", "audit",
                               {k: dump_value(v) for k, v in loc.items()}, None,
                               last.at if last else loc.get("updated_at"), last.device_id if last else "",
                               ev.at, ev.device_id)
                planned.discard((name, entity_id))
                continue
            visit = self._visit_of(name, loc)
            self.deletes.append((table, entity_id, visit))
            if visit:
                self.per_visit[visit]["deleted"] += 1

    def _referenced(self, table, entity_id: str, planned: set) -> bool:
        for other in ordered_tables():
            for fk in other.foreign_keys:
                if fk.column.table is not table:
                    continue
                opk = pk_column(other)
                refs = self.s.execute(select(other.c[opk]).where(fk.parent == entity_id)).scalars().all()
                if any((other.name, r) not in planned for r in refs):
                    return True
        return False

    # -- the whole ------------------------------------------------------------------------------

    def plan(self) -> None:
        if self.s.get_bind().dialect.name == "postgresql":
            # Reviewers sharing one database import one bundle at a time: the plan stays true until
            # the commit. (SQLite serialises writers by itself.)
            self.s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
        self._load_events()
        self._check_chain_heads()
        self._plan_files()
        self.frozen = self._signed_here()
        for table in ordered_tables():
            self._plan_table(table)
        self._plan_deletes()
        self.new_events = sorted((e for e in self.b.events if e["event_id"] not in self.local_ids),
                                 key=lambda e: (e["visit_id"], e["device_id"], e["chain_index"]))
        for ev in self.new_events:
            self.per_visit[ev["visit_id"]]["events"] += 1
        self._freeze()
        self._plan_corrections()
        self.files_needed = {rel: staged for rel, staged in self.to_place.items()
                             if any(v is None or v not in self.frozen for v in self.used_paths.get(rel, ()))}
        self._dedupe_conflicts()
        for c in self.conflicts:
            if c.visit_id:
                self.per_visit[c.visit_id]["conflicts"] += 1

    def _dedupe_conflicts(self) -> None:
        if not self.conflicts:
            return
        tbl = m.SyncConflict.__table__
        known: set[tuple] = set()
        for part in _chunks({c.entity_id for c in self.conflicts}):
            for r in self.s.execute(select(tbl.c.entity, tbl.c.entity_id, tbl.c.field, tbl.c.local_value,
                                           tbl.c.incoming_value).where(tbl.c.entity_id.in_(part))):
                known.add(tuple(r))
        fresh, seen = [], set()
        for c in self.conflicts:
            key = (c.entity, c.entity_id, c.field, json_text(c.local_value), json_text(c.incoming_value))
            if key not in known and key not in seen:
                seen.add(key)
                fresh.append(c)
        self.conflicts = fresh

    @property
    def changed(self) -> bool:
        return bool(any(self.inserts.values()) or self.updates or self.deletes or self.new_events
                    or self.conflicts or self.files_needed or self._heads_changed() or self.corrections)

    def apply(self) -> MergeResult:
        """Write the plan; the caller commits, and on failure removes the files in ``placed`` that
        no record refers to (:func:`unreferenced`)."""
        return self._apply()

    def _place_files(self) -> None:
        made: set[Path] = set()
        moved: dict[Path, Path] = {}
        for rel, staged in sorted(self.files_needed.items()):
            target = self.data_dir / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if target.exists() or target.is_symlink():  # appeared meanwhile: never overwrite
                continue
            if staged in moved:  # the same content under a second name (a photo's report copy)
                place_copy(moved[staged], target)
            else:
                place_file(staged, target)
                moved[staged] = target
            self.placed.append(target)

    def _apply(self) -> MergeResult:
        self._place_files()
        s = self.s
        try:
            for table in ordered_tables():
                rows = self.inserts.get(table.name)
                if rows:
                    s.execute(insert(table), rows)
            for table, key, values, _visit in self.updates:
                s.execute(update(table).where(table.c[pk_column(table)] == key).values(**values))
            for table, key, _visit in self.deletes:
                s.execute(delete(table).where(table.c[pk_column(table)] == key))
            if self.new_events:
                s.execute(insert(AUDIT_TABLE), self.new_events)
            self._store_chain_heads()
            s.flush()
        except IntegrityError as exc:
            raise rejected(
                "Dữ liệu trong gói mâu thuẫn với cơ sở dữ liệu (có thể đang có người khác nhập cùng lúc; "
                f"hãy thử lại): {exc.orig}.",
                "The bundle's records conflict with the database (someone may be importing at the same "
                f"time; try again): {exc.orig}.") from exc
        import_id = new_id()
        counts = {
            "inserted": {t: len(r) for t, r in self.inserts.items() if r},
            "updated": dict(Counter(t.name for t, *_ in self.updates)),
            "deleted": dict(Counter(t.name for t, *_ in self.deletes)),
            "events": len(self.new_events),
            "files": len(self.files_needed),
            "conflicts": len(self.conflicts),
        }
        changed_visits = sorted({v for v, c in self.per_visit.items() if sum(c.values())}
                                | {c["visit_id"] for c in self.corrections if c["visit_id"]})
        s.add(m.SyncImport(id=import_id, bundle_id=self.b.bundle_id, bundle_sha256=self.b.sha256,
                           file_name=self.b.file_name, source_device_id=self.b.device_id,
                           exported_by=str(self.b.manifest.get("exported_by") or ""),
                           exported_at=self.b.exported_at, imported_by=self.actor, visit_ids=changed_visits,
                           summary=counts))
        s.flush()
        now = utcnow()
        for c in self.conflicts:
            s.add(m.SyncConflict(
                import_id=import_id, visit_id=c.visit_id, entity=c.entity, entity_id=c.entity_id, field=c.field,
                kind=c.kind, kept=c.kept, basis=c.basis, local_value=json_text(c.local_value),
                incoming_value=json_text(c.incoming_value), local_at=c.local_at, incoming_at=c.incoming_at,
                local_device=c.local_device, incoming_device=c.incoming_device, local_by=c.local_by,
                incoming_by=c.incoming_by, created_at=now, updated_at=now))
        events = []
        for visit in changed_visits:
            c = self.per_visit[visit]
            changes = {"bundle_id": [None, self.b.bundle_id], "source_device": [None, self.b.device_id],
                       "file_name": [None, self.b.file_name]}
            for k in ("inserted", "updated", "deleted", "events", "conflicts"):
                if c[k]:
                    changes[k] = [None, c[k]]
            events.append(m.AuditEvent(visit_id=visit, device_id=self.device_id, actor=self.actor, at=now,
                                       entity="syncimport", entity_id=import_id, action="import",
                                       changes=changes))
        for c in self.corrections:
            events.append(m.AuditEvent(visit_id=c["visit_id"], device_id=self.device_id, actor=self.actor, at=now,
                                       entity=c["entity"], entity_id=c["entity_id"], action="update",
                                       changes=c["changes"]))
        audit.chain(s, events)
        s.flush()
        return MergeResult(unchanged=False, import_id=import_id, visit_ids=changed_visits,
                           inserted=counts["inserted"], updated=counts["updated"], deleted=counts["deleted"],
                           events_added=len(self.new_events), files_added=len(self.files_needed),
                           conflicts=list(self.conflicts))


def place_copy(source: Path, target: Path) -> None:
    part = target.with_name(f".{target.name}.{new_id()[:8]}.part")
    try:
        with open(source, "rb") as src, open(part, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def place_file(staged: Path, target: Path) -> None:
    """Move a verified file into place; across disks (a shared folder) copy it, then rename."""
    try:
        os.replace(staged, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        part = target.with_name(f".{target.name}.{new_id()[:8]}.part")
        try:
            with open(staged, "rb") as src, open(part, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)


def unreferenced(session: Session, data_dir: Path, paths: list[Path]) -> list[Path]:
    """Of files placed by an import that then failed, those no record refers to (safe to remove:
    another reviewer's import may have committed rows that use the same content-addressed file)."""
    rels = {str(p.relative_to(data_dir)).replace(os.sep, "/"): p for p in paths}
    used: set[str] = set()
    for table, columns in PATH_COLUMNS.items():
        tbl = ordered_tables_by_name()[table]
        for col in columns:
            for part in _chunks(rels):
                used.update(session.execute(select(tbl.c[col]).where(tbl.c[col].in_(part))).scalars())
    return [p for rel, p in rels.items() if rel not in used]


def ordered_tables_by_name() -> dict:
    return {t.name: t for t in ordered_tables()}


def merge_bundle(session: Session, bundle: OpenedBundle, data_dir: Path, *, device_id: str,
                 actor: str) -> MergeResult:
    """Plan and apply the merge of a verified bundle inside the caller's (raw) transaction."""
    if not session.info.get("raw"):
        raise RuntimeError("merge_bundle needs a raw session: records are written verbatim")
    merger = Merger(session, bundle, data_dir, device_id=device_id, actor=actor)
    merger.plan()
    if not merger.changed:
        return MergeResult(unchanged=True)
    try:
        return merger.apply()
    except BaseException:
        for path in merger.placed:  # the caller's transaction rolls back; nothing refers to them
            path.unlink(missing_ok=True)
        raise


__all__ = ["Conflict", "MergeResult", "Merger", "merge_bundle", "json_text", "place_file", "unreferenced"]
