"""Visit bundles: one file that carries visits from a tablet to the office.

Writing a bundle is here; its format, limits and file places are in :mod:`.bundle_format`, and
opening and verifying one is in :mod:`.bundle_open` (re-exported here). Opening a bundle verifies
everything before the caller decides anything, and nothing in it can exhaust the machine (issue
#10): see :func:`.bundle_open.open_bundle`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection_app.locale import N_

from ..domain.errors import UserError, storage_error
from ..fsutil import replace_durably
from ..store import models as m
from ..store.migrations import SCHEMA_VERSION
from . import crypto, device_key
from .bundle_format import (
    _CHUNK,
    FILES_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_FILE,
    MAX_MANIFEST,
    MAX_TOTAL,
    SIGNATURE,
    _new_work_dir,
    destination,
    file_sha256,
    staging_root,
    sweep_staging,
)
from .bundle_open import FileEntry, OpenedBundle, open_bundle
from .records import AUDIT_SKIP, AUDIT_TABLE, PATH_COLUMNS, BundleRejected, dump_row, ordered_tables

_IN_CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


def _chunks(values: Iterable[Any], size: int = _IN_CHUNK) -> Iterable[list[Any]]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    bundle_id: str
    visit_ids: list[str]
    records: int
    files: int
    byte_size: int
    sha256: str
    encrypted: bool


def _select_in(session: Session, model, column: str, values: Iterable[Any]) -> list[Any]:
    rows: list[Any] = []
    col = getattr(model, column)
    for part in _chunks(sorted({v for v in values if v is not None})):
        rows.extend(session.execute(select(model).where(col.in_(part))).scalars())
    return rows


def collect_records(session: Session, visit_ids: list[str]) -> dict[str, list[Any]]:
    """Every record the visits consist of or refer to, per table (ORM objects)."""
    out: dict[str, list[Any]] = {}
    visits = _select_in(session, m.Visit, "id", visit_ids)
    found = {v.id for v in visits}
    missing = [v for v in visit_ids if v not in found]
    if missing:
        raise UserError("Không tìm thấy lượt kiểm tra: {missing}.", missing=', '.join(missing), visit_ids=missing)
    out["visit"] = visits
    for model in m.VISIT_OWNED:
        if model is m.Register:
            continue
        out[str(model.__tablename__)] = _select_in(session, model, "visit_id", visit_ids)
    register_ids = {s.register_id for s in out["sample"]}
    registers = {r.id: r for r in _select_in(session, m.Register, "visit_id", visit_ids)}
    registers.update({r.id: r for r in _select_in(session, m.Register, "id", register_ids - set(registers))})
    out["register"] = list(registers.values())
    out["dossier"] = _select_in(session, m.Dossier, "register_id", registers)
    unit_ids = {v.unit_id for v in visits} | {r.unit_id for r in registers.values()}
    out["unit"] = _select_in(session, m.Unit, "id", unit_ids)
    staff_ids = {getattr(r, "staff_id", None) for t in ("participant", "finding", "photo", "rollcallentry")
                 for r in out[t]}
    staff = {s.id: s for s in _select_in(session, m.StaffMember, "unit_id", unit_ids)}
    staff.update({s.id: s for s in _select_in(session, m.StaffMember, "id", staff_ids - set(staff))})
    out["staffmember"] = list(staff.values())
    out["inspector"] = _select_in(session, m.Inspector, "id", {p.inspector_id for p in out["participant"]})
    out["visitseal"] = _select_in(session, m.VisitSeal, "visit_id", visit_ids)
    snapshot = getattr(m, "ChecklistSnapshot", None)
    if snapshot is not None:
        keys = {f"{a.checklist_id}@{a.checklist_version}" for a in out["answer"]}
        for v in visits:
            for c in v.checklists or []:
                if isinstance(c, dict) and c.get("id") and c.get("version"):
                    keys.add(f"{c['id']}@{c['version']}")
        out[snapshot.__tablename__] = _select_in(session, snapshot, "key", keys)
    return out



# --- export ---------------------------------------------------------------------------------------


def _file_uses(records: dict[str, list[Any]]) -> list[tuple[str, str, str, str]]:
    """(table, id, column, relative path) of every file a record names."""
    uses = []
    for table, columns in PATH_COLUMNS.items():
        for row in records.get(table, []):
            for col in columns:
                value = getattr(row, col)
                if value:
                    uses.append((table, row.id, col, value))
    return uses


def _chain_heads(events: list[Any]) -> list[dict[str, Any]]:
    heads: dict[tuple[str, str], Any] = {}
    for ev in events:
        key = (ev.visit_id, ev.device_id)
        if key not in heads or ev.chain_index > heads[key].chain_index:
            heads[key] = ev
    return [{"visit_id": v, "device_id": d, "chain_index": e.chain_index, "hash": e.hash}
            for (v, d), e in sorted(heads.items())]


def write_bundle(session: Session, data_dir: Path, out: Path, visit_ids: list[str] | None, *,
                 device_id: str, actor: str, app_version: str = "",
                 passphrase: str | None = None, signing_key=None, device_name: str = "") -> ExportSummary:
    """Write the visits (all when ``visit_ids`` is None) to ``out``, atomically, signed with
    ``signing_key`` (this device's Ed25519 key, :mod:`.device_key`)."""
    if visit_ids is None:
        visit_ids = list(session.execute(select(m.Visit.id).order_by(m.Visit.created_at)).scalars())  # type: ignore[call-overload]
    visit_ids = list(dict.fromkeys(visit_ids))
    if not visit_ids:
        raise UserError("Không có lượt kiểm tra nào để xuất.")
    if signing_key is None:
        signing_key = device_key.load_or_create(data_dir)
    records = collect_records(session, visit_ids)
    events = sorted(_select_in(session, m.AuditEvent, "visit_id", visit_ids),
                    key=lambda e: (e.visit_id, e.device_id, e.chain_index))
    uses = _file_uses(records)
    missing = sorted({p for *_, p in uses if not (data_dir / p).is_file()})
    if missing:
        raise UserError(
            "Không xuất được: thiếu tệp trong thư mục dữ liệu: {missing2}", missing2=", ".join(missing[:10]),
            missing=missing)

    bundle_id = str(uuid.uuid4())
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.{bundle_id[:8]}.part")
    # Sealed bundles often go straight to a USB stick: the plain zip is built in the staging folder
    # inside the data directory (where the same data already lies unencrypted), never next to the output.
    work = _new_work_dir(Path(data_dir)) if passphrase else None
    plain = work / "bundle.zip" if work else part
    count = sum(len(v) for v in records.values()) + len(events)
    try:
        by_sha: dict[str, dict[str, Any]] = {}
        with zipfile.ZipFile(plain, "w", allowZip64=True) as zf:
            digests: dict[str, tuple[str, int]] = {}
            for rel in sorted({p for *_, p in uses}):
                digest, size = hashlib.sha256(), 0
                with open(data_dir / rel, "rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        size += len(block)
                digests[rel] = (digest.hexdigest(), size)
            for table, row_id, col, rel in uses:
                sha, size = digests[rel]
                entry = by_sha.get(sha)
                if entry is None:
                    entry = by_sha[sha] = {"sha256": sha, "size": size, "uses": []}
                    with open(data_dir / rel, "rb") as src, \
                            zf.open(zipfile.ZipInfo(FILES_PREFIX + sha, date_time=(1980, 1, 1, 0, 0, 0)),
                                    "w", force_zip64=True) as dst:
                        shutil.copyfileobj(src, dst, _CHUNK)
                entry["uses"].append([table, row_id, col])
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_version": SCHEMA_VERSION,
                "app_version": app_version,
                "bundle_id": bundle_id,
                "device_id": device_id,
                "device": {"id": device_id, "name": device_name,
                           "public_key": device_key.public_b64(signing_key)},
                "exported_by": actor,
                "exported_at": _utc_text(datetime.now(UTC)),
                "visit_ids": visit_ids,
                "records": {t.name: [dump_row(t, r) for r in records.get(t.name, [])]
                            for t in ordered_tables()},
                "audit_events": [dump_row(AUDIT_TABLE, ev, skip=AUDIT_SKIP) for ev in events],
                "chain_heads": _chain_heads(events),
                "files": sorted(by_sha.values(), key=lambda f: f["sha256"]),
            }
            raw = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
            zf.writestr(zipfile.ZipInfo(MANIFEST, date_time=(1980, 1, 1, 0, 0, 0)), raw,
                        compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr(zipfile.ZipInfo(SIGNATURE, date_time=(1980, 1, 1, 0, 0, 0)),
                        base64.b64encode(device_key.sign(signing_key, raw)))
        if passphrase:
            with open(plain, "rb") as src, open(part, "wb") as dst:
                crypto.encrypt_stream(src, dst, passphrase)
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
            digest = hashlib.sha256()
            while block := fh.read(_CHUNK):
                digest.update(block)
        replace_durably(part, out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise storage_error(exc, N_("gói dữ liệu")) from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return ExportSummary(path=out, bundle_id=bundle_id, visit_ids=visit_ids, records=count,
                         files=len(by_sha), byte_size=out.stat().st_size,
                         sha256=digest.hexdigest(), encrypted=bool(passphrase))



__all__ = ["ExportSummary", "FileEntry", "OpenedBundle", "open_bundle", "write_bundle", "collect_records",
           "file_sha256", "destination", "sweep_staging", "staging_root", "FORMAT", "FORMAT_VERSION",
           "MAX_FILE", "MAX_MANIFEST", "MAX_TOTAL", "BundleRejected"]
