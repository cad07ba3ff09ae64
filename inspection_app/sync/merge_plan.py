"""Planning a merge: which rows of a bundle to insert, update or delete, and which differences are
conflicts (the rules are in :mod:`inspection_app.sync.merge`). Nothing is written here."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path, PurePosixPath
from typing import Any, cast

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from inspection_app.locale import both

from ..store import audit
from ..store import models as m
from .bundle_format import file_sha256
from .bundle_open import OpenedBundle
from .merge_guard import Guards
from .merge_types import Conflict, _Event
from .records import (
    AUDIT_TABLE,
    BOOKKEEPING,
    PATH_COLUMNS,
    QUIET,
    dump_value,
    natural_keys,
    ordered_tables,
    pk_column,
    rejected,
    values_equal,
)
from .replay import AUDITED

_IN_CHUNK = 500
IMPORT_LOCK = 0x1A5B_0D1E  # pg_advisory_xact_lock key of bundle imports


def _chunks(values, size: int = _IN_CHUNK):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def json_text(value: Any) -> str:
    """A value as canonical JSON text (how conflicts store it)."""
    return json.dumps(audit._plain(value), sort_keys=True, ensure_ascii=False)


class Planner(Guards):
    """The planning half of :class:`~inspection_app.sync.merge.Merger`: reads both sides, decides.

    The state below is set by ``Merger.__init__``; declared here for the type checker."""

    s: Session
    b: OpenedBundle
    data_dir: Path
    device_id: str
    actor: str
    rows: dict[str, list[dict]]
    id_map: dict[str, dict[str, str]]
    path_map: dict[str, str]
    inserts: dict[str, list[dict]]
    updates: list[tuple[Any, str, dict, str | None]]
    deletes: list[tuple[Any, str, str | None]]
    conflicts: list[Conflict]
    used_paths: dict[str, set[str | None]]
    frozen: set[str]
    remaps: list[tuple[str, dict, str, Any]]
    corrections: list[dict]
    per_visit: dict[str, Counter]
    placed: list[Path]

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
                raise rejected(*both("Sự kiện nhật ký {event_id} khác với bản đã có ở đây.", event_id=ev.event_id))
            twin = chain_heads.get((ev.visit_id, ev.device_id, ev.chain_index))
            if twin is not None and twin.event_id != ev.event_id:
                raise rejected(
                    *both("Nhật ký của lượt kiểm tra {visit_id} từ thiết bị {device_id} khác với nhật ký đã có ở đây từ sự kiện số {chain_index} (thiết bị được khôi phục hoặc sao chép?).", visit_id=ev.visit_id, device_id=ev.device_id, chain_index=ev.chain_index),
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

    def _plan_files(self) -> None:
        """Each file goes where the bundle module derived from its checked SHA-256; the records'
        path columns are rewritten to those places (a bundle never names a path)."""
        self.to_place: dict[str, Path] = {}  # final relative path -> staged file
        staged_by_use = {use: cast(Path, self.b.files[sha].staged)  # every file is staged before the plan
                         for sha in self.b.files for use in self.b.files[sha].uses}
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
        tbl = m.SyncConflict.__table__  # type: ignore[attr-defined]  # SQLModel does not declare __table__
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
