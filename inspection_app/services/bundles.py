"""Visit bundles: export visits to a file, import a file, and review what the merges decided.

Tablets never talk to a server; visits travel as bundle files (``sync.bundle``), signed with the
exporting device's key. Importing is all-or-nothing: the whole bundle is verified first (signature
of an enrolled device, sizes and entries, hashes, files, audit chains and their heads, records
against their audit log, passphrase, versions), then merged in one transaction (``sync.merge``);
the importer decides where every file goes, and a visit signed here changes in nothing. Importing
the same bundle twice changes nothing. Conflicts (a field two tablets changed differently, an
attempt on a signed visit) are listed for a reviewer, who can keep the merge's choice or take the
other value; ``services.conflict_words`` puts them in the reviewer's words, ``services.devices``
enrols devices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlmodel import Session, col

from ..domain.errors import Locked, NotFound, UserError
from ..fsutil import write_atomically
from ..store import models as m
from ..store.types import utcnow
from ..sync import bundle as sync_bundle
from ..sync import device_key
from ..sync.merge import Merger, MergeResult, unreferenced
from ..sync.records import load_value, model_for
from .context import AppContext

if TYPE_CHECKING:
    from .devices import DeviceNotEnrolled


def _app_version() -> str:
    try:
        from importlib.metadata import version

        return version("inspection-app")
    except Exception:  # noqa: BLE001 - running from a checkout without metadata
        return ""


# --- what crosses the boundary ---------------------------------------------------------------------


ExportResult = sync_bundle.ExportSummary  # what an export wrote: the sync layer's summary, as it is


@dataclass(frozen=True)
class BundleInfo:
    """What a bundle holds, read and verified without importing it."""

    bundle_id: str
    file_name: str
    sha256: str
    encrypted: bool
    source_device_id: str
    exported_by: str
    exported_at: datetime | None
    schema_version: int
    visit_ids: list[str]
    records: dict[str, int]
    files: int
    already_imported: bool  # an import of this very bundle changed this database before


@dataclass(frozen=True)
class ConflictRow:
    id: str
    import_id: str
    visit_id: str | None
    entity: str  # table name: visit, answer, finding, minutesdocument …
    entity_id: str
    field: str  # empty for a whole record (a deletion, a signed minutes document)
    kind: str  # field / signed_minutes / deleted
    kept: str  # local / incoming: what the merge kept
    basis: str  # audit / updated_at / signed
    local_value: Any
    incoming_value: Any
    local_at: datetime | None
    incoming_at: datetime | None
    local_device: str
    incoming_device: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str
    resolution: str  # "", kept_local, took_incoming, kept_merge
    local_by: str = ""  # who made each change (from the audit events), when known
    incoming_by: str = ""


@dataclass(frozen=True)
class ImportReport:
    unchanged: bool  # True: the database already held everything in the bundle; nothing written
    import_id: str | None
    bundle_id: str
    file_name: str
    source_device_id: str
    exported_by: str
    exported_at: datetime | None
    visit_ids: list[str]  # every visit in the bundle
    changed_visit_ids: list[str]
    inserted: dict[str, int] = field(default_factory=dict)  # table -> rows
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    events_added: int = 0
    files_added: int = 0
    conflicts: list[ConflictRow] = field(default_factory=list)
    source_device_name: str = ""  # the name the office enrolled the device under


@dataclass(frozen=True)
class ImportRow:
    id: str
    bundle_id: str
    file_name: str
    source_device_id: str
    exported_by: str
    exported_at: datetime | None
    imported_by: str
    imported_at: datetime
    visit_ids: list[str]
    summary: dict[str, Any]
    open_conflicts: int


# --- use cases ------------------------------------------------------------------------------------


def export_bundle(ctx: AppContext, out: str | Path, visit_ids: list[str] | None = None,
                  passphrase: str | None = None) -> ExportResult:
    """Write the visits (all when ``visit_ids`` is None or empty) to one bundle file."""
    from .demo_space import refuse_if_demo

    refuse_if_demo(ctx)  # the demo's records never leave the demo
    from . import devices

    key = device_key.load_or_create(ctx.data_dir)
    with ctx.session() as s:
        summary = sync_bundle.write_bundle(s, ctx.data_dir, Path(out), visit_ids or None,
                                           device_id=ctx.settings.device_id, actor=ctx.actor,
                                           app_version=_app_version(), passphrase=passphrase or None,
                                           signing_key=key, device_name=devices.device_name(ctx))
    return summary


def inspect_bundle(ctx: AppContext, path: str | Path, passphrase: str | None = None) -> BundleInfo:
    """Open and verify a bundle (raises the same errors as an import) without writing anything."""
    from . import devices

    with sync_bundle.open_bundle(Path(path), passphrase, work_root=ctx.data_dir,
                                 authorise=devices.authorise(ctx)) as b:
        with ctx.session() as s:
            seen = s.execute(select(col(m.SyncImport.id)).where(col(m.SyncImport.bundle_id) == b.bundle_id)
                             .limit(1)).first() is not None
        return BundleInfo(
            bundle_id=b.bundle_id, file_name=b.file_name, sha256=b.sha256, encrypted=b.encrypted,
            source_device_id=b.device_id, exported_by=str(b.manifest.get("exported_by") or ""),
            exported_at=b.exported_at, schema_version=b.manifest["schema_version"], visit_ids=b.visit_ids,
            records={t: len(r) for t, r in b.records.items() if r} | {"auditevent": len(b.events)},
            files=len(b.files), already_imported=seen)


def import_bundle(ctx: AppContext, path: str | Path, passphrase: str | None = None) -> ImportReport:
    """Verify the bundle completely, then merge it in one transaction.

    Raises :class:`UserError` (nothing written) for a bad passphrase, a damaged or truncated file, a
    file whose hash does not match, a missing file, a broken audit chain or a newer schema.
    """
    from . import devices

    with sync_bundle.open_bundle(Path(path), passphrase, staging_root=ctx.data_dir,
                                 authorise=devices.authorise(ctx)) as b:
        placed: list[Path] = []
        try:
            with ctx.session(raw=True) as s:
                merger = Merger(s, b, ctx.data_dir, device_id=ctx.settings.device_id, actor=ctx.actor)
                placed = merger.placed
                merger.plan()
                result = merger.apply() if merger.changed else MergeResult(unchanged=True)
                conflicts: list[ConflictRow] = []
                if result.import_id:
                    _register_minutes_numbers(s, result.import_id, b.visit_ids, b.device_id)
                    rows = s.execute(select(m.SyncConflict).where(col(m.SyncConflict.import_id) == result.import_id)
                                     .order_by(m.SyncConflict.visit_id, m.SyncConflict.entity,
                                               m.SyncConflict.field)).scalars()
                    conflicts = [_conflict_row(c) for c in rows]
        except BaseException:
            if placed:  # the merge or its commit failed after files were put in place
                with ctx.session() as s:
                    for p in unreferenced(s, ctx.data_dir, placed):
                        p.unlink(missing_ok=True)
            raise
        return ImportReport(
            unchanged=result.unchanged, import_id=result.import_id, bundle_id=b.bundle_id, file_name=b.file_name,
            source_device_id=b.device_id, exported_by=str(b.manifest.get("exported_by") or ""),
            exported_at=b.exported_at, visit_ids=b.visit_ids, changed_visit_ids=result.visit_ids,
            inserted=result.inserted, updated=result.updated, deleted=result.deleted,
            events_added=result.events_added, files_added=result.files_added, conflicts=conflicts,
            source_device_name=b.device_name)


def _register_minutes_numbers(s: Session, import_id: str, visit_ids: list[str], device_id: str) -> None:
    """Enter the minutes numbers the bundle's visits carry in the office's register (issue #11).

    Decree 30/2020/NĐ-CP, Phụ lục I, II.3.a: a number is the yearly sequence registered at the văn
    thư, so two visits never share one. A number already held by another visit is not entered
    again: the visit keeps the number it was signed with, and the reviewer sees a conflict naming
    both (kind ``duplicate_number``) to settle with a correction. A blank number (no block
    reserved on the tablet) is left for the văn thư.
    """
    from ..domain.localtime import LOCAL_TZ as local
    from . import numbering

    for visit_id in visit_ids:
        visit = s.get(m.Visit, visit_id)
        if visit is None or not visit.minutes_number:
            continue
        number = numbering.parse_number(visit.minutes_number)
        code = visit.minutes_number.split("/", 1)[1].strip() if "/" in visit.minutes_number else ""
        when = visit.arrival_at or visit.created_at
        if number is None or not code or when is None:
            continue
        year = when.astimezone(local).year
        if numbering.number_taken(s, code, year, number, visit_id):
            holder_id = s.execute(select(col(m.IssuedNumber.visit_id)).where(
                col(m.IssuedNumber.code) == code, col(m.IssuedNumber.year) == year,
                col(m.IssuedNumber.number) == number)).scalar()
            other = s.get(m.Visit, holder_id) if holder_id else None
            unit = s.get(m.Unit, other.unit_id) if other is not None else None
            other_when = (other.arrival_at or other.created_at) if other is not None else None
            holder = (f"{visit.minutes_number} · {unit.name if unit else ''}"
                      + (f", {other_when.astimezone(local):%d/%m/%Y}" if other_when else ""))
            s.add(m.SyncConflict(import_id=import_id, visit_id=visit_id, entity="visit", entity_id=visit_id,
                                 field="minutes_number", kind="duplicate_number", kept="local",
                                 basis="register", local_value=json.dumps(holder),
                                 incoming_value=json.dumps(visit.minutes_number, ensure_ascii=False),
                                 incoming_device=device_id))
            continue
        numbering.register_number(s, code, year, number, visit_id, device_id)
    s.flush()


EXPORTS_DIR = "exports"  # under the data directory: bundles made on this machine
IMPORTS_DIR = "imports"  # under the data directory: bundles received as bytes (a browser upload)


def export_to_data_dir(ctx: AppContext, visit_ids: list[str] | None = None, passphrase: str | None = None,
                       now: datetime | None = None) -> ExportResult:
    """Export into ``<data_dir>/exports/`` under a dated name (the desktop's "Export bundle")."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    count = len(set(visit_ids)) if visit_ids else 0
    name = f"goi-kiem-tra-{stamp}" + (f"-{count}-luot" if count else "") + ".iab"
    return export_bundle(ctx, ctx.data_dir / EXPORTS_DIR / name, visit_ids, passphrase)


def import_bundle_data(ctx: AppContext, data: bytes, file_name: str,
                       passphrase: str | None = None) -> ImportReport:
    """Import a bundle received as bytes: kept first as ``<data_dir>/imports/<hash>/<name>``, so
    the office holds the very file it merged and the import records its original name."""
    import hashlib

    if len(data) > sync_bundle.MAX_TOTAL:
        raise UserError("Tệp gói dữ liệu quá lớn.")
    name = Path(file_name or "bundle.iab").name.strip().lstrip(".") or "bundle.iab"
    target = ctx.data_dir / IMPORTS_DIR / hashlib.sha256(data).hexdigest()[:16] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.stat().st_size != len(data):
        write_atomically(target, data)
    return import_bundle(ctx, target, passphrase)


def try_import(ctx: AppContext, path: str | Path | None = None, data: bytes | None = None, file_name: str = "",
               passphrase: str | None = None) -> ImportReport | DeviceNotEnrolled:
    """Import a bundle (a file, or bytes from a browser); a bundle from a device that is not
    enrolled comes back as its :class:`~.devices.DeviceNotEnrolled` refusal (holding the device's
    key and fingerprint, for the enrolment form) instead of being raised."""
    from .devices import DeviceNotEnrolled

    try:
        if data is not None:
            return import_bundle_data(ctx, data, file_name, passphrase)
        return import_bundle(ctx, Path(cast("str | Path", path)), passphrase)
    except DeviceNotEnrolled as refusal:
        return refusal


def sweep_staging(ctx: AppContext) -> int:
    """Remove what interrupted imports and exports left in the staging folder (run at start)."""
    return sync_bundle.sweep_staging(ctx.data_dir)


def list_imports(ctx: AppContext, limit: int = 100) -> list[ImportRow]:
    """The most recent imports first."""
    with ctx.session() as s:
        imports = s.execute(select(m.SyncImport).order_by(col(m.SyncImport.imported_at).desc()).limit(limit)).scalars().all()
        open_counts: dict[str, int] = {}
        if imports:
            for c in s.execute(select(col(m.SyncConflict.import_id)).where(
                    col(m.SyncConflict.import_id).in_([i.id for i in imports]), col(m.SyncConflict.resolution) == "")).scalars():
                open_counts[c] = open_counts.get(c, 0) + 1
        return [ImportRow(id=i.id, bundle_id=i.bundle_id, file_name=i.file_name, source_device_id=i.source_device_id,
                          exported_by=i.exported_by, exported_at=i.exported_at, imported_by=i.imported_by,
                          imported_at=i.imported_at, visit_ids=list(i.visit_ids), summary=dict(i.summary),
                          open_conflicts=open_counts.get(i.id, 0)) for i in imports]


def list_conflicts(ctx: AppContext, visit_id: str | None = None, unresolved_only: bool = True) -> list[ConflictRow]:
    with ctx.session() as s:
        query = select(m.SyncConflict).order_by(col(m.SyncConflict.created_at), col(m.SyncConflict.entity),
                                                m.SyncConflict.field)
        if visit_id:
            query = query.where(col(m.SyncConflict.visit_id) == visit_id)
        if unresolved_only:
            query = query.where(col(m.SyncConflict.resolution) == "")
        return [_conflict_row(c) for c in s.execute(query).scalars()]


def resolve_conflict(ctx: AppContext, conflict_id: str, use: str = "merge") -> ConflictRow:
    """Close a conflict: ``use`` is "merge" (keep what the merge kept), "local" or "incoming".

    Taking the other value is an ordinary, audited change made by this reviewer. Signed minutes and
    deletions can only be closed as the merge left them.
    """
    if use not in ("merge", "local", "incoming"):
        raise ValueError(use)
    with ctx.session() as s:
        c = s.get(m.SyncConflict, conflict_id)
        if c is None:
            raise NotFound("Không tìm thấy xung đột ({conflict_id}).", conflict_id=conflict_id)
        if c.resolution:
            return _conflict_row(c)
        target = c.kept if use == "merge" else use
        if target != c.kept:
            if c.kind != "field" or not c.field:
                raise Locked(
                    "Cuộc kiểm tra đã ký, biên bản đã ký và bản ghi đã xóa không thể thay đổi khi giải quyết xung đột; nội dung đã ký chỉ được sửa bằng bản đính chính.")
            model = model_for(c.entity)
            record = s.get(model, c.entity_id)
            if record is None:
                raise NotFound("Bản ghi của xung đột không còn nữa.")
            column = model.__table__.c[c.field]  # type: ignore[attr-defined]
            raw = json.loads(c.local_value if target == "local" else c.incoming_value)
            setattr(record, c.field, load_value(column, raw))
        c.resolution = {"local": "kept_local", "incoming": "took_incoming"}[target] if use != "merge" else "kept_merge"
        c.resolved_at = utcnow()
        c.resolved_by = ctx.actor
        s.flush()
        return _conflict_row(c)


def _conflict_row(c: m.SyncConflict) -> ConflictRow:
    return ConflictRow(
        id=c.id, import_id=c.import_id, visit_id=c.visit_id, entity=c.entity, entity_id=c.entity_id, field=c.field,
        kind=c.kind, kept=c.kept, basis=c.basis, local_value=json.loads(c.local_value),
        incoming_value=json.loads(c.incoming_value), local_at=c.local_at, incoming_at=c.incoming_at,
        local_device=c.local_device, incoming_device=c.incoming_device, created_at=c.created_at,
        resolved_at=c.resolved_at, resolved_by=c.resolved_by, resolution=c.resolution,
        local_by=c.local_by or "", incoming_by=c.incoming_by or "")


__all__ = ["ExportResult", "BundleInfo", "ImportReport", "ImportRow", "ConflictRow", "export_bundle",
           "inspect_bundle", "import_bundle", "export_to_data_dir", "import_bundle_data", "list_imports",
           "list_conflicts", "resolve_conflict", "try_import", "sweep_staging", "UserError"]
