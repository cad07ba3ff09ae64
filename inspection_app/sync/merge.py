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
import os
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspection_app.locale import both

from ..fsutil import replace_durably
from ..store import audit
from ..store import models as m
from ..store.types import new_id, utcnow
from .bundle_open import OpenedBundle
from .merge_plan import Planner, _chunks, json_text
from .merge_types import Conflict, MergeResult
from .records import AUDIT_TABLE, PATH_COLUMNS, ordered_tables, pk_column, rejected


class Merger(Planner):
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

    # -- the whole ------------------------------------------------------------------------------

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
                *both("Dữ liệu trong gói mâu thuẫn với cơ sở dữ liệu (có thể đang có người khác nhập cùng lúc; hãy thử lại): {orig}.", orig=exc.orig)) from exc
        import_id = new_id()
        counts: dict[str, Any] = {
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
            tally = self.per_visit[visit]
            changes: dict[str, list[Any]] = {"bundle_id": [None, self.b.bundle_id],
                                             "source_device": [None, self.b.device_id],
                                             "file_name": [None, self.b.file_name]}
            for k in ("inserted", "updated", "deleted", "events", "conflicts"):
                if tally[k]:
                    changes[k] = [None, tally[k]]
            events.append(m.AuditEvent(visit_id=visit, device_id=self.device_id, actor=self.actor, at=now,
                                       entity="syncimport", entity_id=import_id, action="import",
                                       changes=changes))
        for fix in self.corrections:
            events.append(m.AuditEvent(visit_id=fix["visit_id"], device_id=self.device_id, actor=self.actor, at=now,
                                       entity=fix["entity"], entity_id=fix["entity_id"], action="update",
                                       changes=fix["changes"]))
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
        replace_durably(part, target)
    finally:
        part.unlink(missing_ok=True)


def place_file(staged: Path, target: Path) -> None:
    """Move a verified file into place; across disks (a shared folder) copy it, then rename."""
    try:
        replace_durably(staged, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        part = target.with_name(f".{target.name}.{new_id()[:8]}.part")
        try:
            with open(staged, "rb") as src, open(part, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fsync(dst.fileno())
            replace_durably(part, target)
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
