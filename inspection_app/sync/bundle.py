"""Visit bundles: one file that carries visits from a tablet to the office.

A bundle is a zip file::

    manifest.json          format and schema version, the exporting device, every record of the
                           visits (per table, audit events included) and every file's SHA-256/size
    files/<relative path>  the photos and minutes PDFs, under their path in the data directory

optionally wrapped in passphrase encryption (:mod:`.crypto`). Opening a bundle verifies everything
before the caller decides anything: versions, every record against its column types, every file's
size and SHA-256, that every file a record names is present, and every audit chain. Files are
copied to a staging directory inside the data directory while they are hashed, so placing them
later is a rename on the same disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from types import SimpleNamespace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import UserError, storage_error
from ..store import models as m
from ..store.audit import GENESIS, event_hash
from ..store.migrations import SCHEMA_VERSION
from . import crypto
from .records import (AUDIT_SKIP, AUDIT_TABLE, PATH_COLUMNS, BundleRejected, check_path, dump_row,
                      load_row, ordered_tables, rejected)

FORMAT = "inspection-app/visit-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
_CHUNK = 1 << 20
_IN_CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


def _chunks(values: Iterable[Any], size: int = _IN_CHUNK) -> Iterable[list[Any]]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _utc_text(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


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
        raise UserError(f"Không tìm thấy lượt kiểm tra: {', '.join(missing)}.",
                        f"Visit not found: {', '.join(missing)}.", visit_ids=missing)
    out["visit"] = visits
    for model in m.VISIT_OWNED:
        if model is m.Register:
            continue
        out[model.__tablename__] = _select_in(session, model, "visit_id", visit_ids)
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
    snapshot = getattr(m, "ChecklistSnapshot", None)
    if snapshot is not None:
        keys = {f"{a.checklist_id}@{a.checklist_version}" for a in out["answer"]}
        for v in visits:
            for c in v.checklists or []:
                if isinstance(c, dict) and c.get("id") and c.get("version"):
                    keys.add(f"{c['id']}@{c['version']}")
        out[snapshot.__tablename__] = _select_in(session, snapshot, "key", keys)
    return out


def _file_paths(records: dict[str, list[Any]]) -> list[str]:
    paths: set[str] = set()
    for table, columns in PATH_COLUMNS.items():
        for row in records.get(table, []):
            for col in columns:
                value = getattr(row, col)
                if value:
                    paths.add(value)
    return sorted(paths)


def write_bundle(session: Session, data_dir: Path, out: Path, visit_ids: list[str] | None, *,
                 device_id: str, actor: str, app_version: str = "",
                 passphrase: str | None = None) -> ExportSummary:
    """Write the visits (all when ``visit_ids`` is None) to ``out``, atomically."""
    if visit_ids is None:
        visit_ids = list(session.execute(select(m.Visit.id).order_by(m.Visit.created_at)).scalars())
    visit_ids = list(dict.fromkeys(visit_ids))
    if not visit_ids:
        raise UserError("Không có lượt kiểm tra nào để xuất.", "There are no visits to export.")
    records = collect_records(session, visit_ids)
    events = sorted(_select_in(session, m.AuditEvent, "visit_id", visit_ids),
                    key=lambda e: (e.visit_id, e.device_id, e.chain_index))
    paths = _file_paths(records)
    missing = [p for p in paths if not (data_dir / p).is_file()]
    if missing:
        raise UserError(
            "Không xuất được: thiếu tệp trong thư mục dữ liệu: " + ", ".join(missing[:10]),
            "Cannot export: files missing from the data directory: " + ", ".join(missing[:10]),
            missing=missing)

    bundle_id = str(uuid.uuid4())
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.{bundle_id[:8]}.part")
    # Sealed bundles often go straight to a USB stick: the plain zip is built inside the data
    # directory (where the same data already lies unencrypted), never next to the output.
    plain = Path(data_dir) / f".bundle-export-{bundle_id[:8]}.zip" if passphrase else part
    count = sum(len(v) for v in records.values()) + len(events)
    try:
        file_entries: list[dict[str, Any]] = []
        with zipfile.ZipFile(plain, "w", allowZip64=True) as zf:
            for rel in paths:
                digest, size = hashlib.sha256(), 0
                with open(data_dir / rel, "rb") as src, \
                        zf.open(zipfile.ZipInfo(FILES_PREFIX + rel, date_time=(1980, 1, 1, 0, 0, 0)),
                                "w", force_zip64=True) as dst:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        size += len(block)
                        dst.write(block)
                file_entries.append({"path": rel, "sha256": digest.hexdigest(), "size": size})
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_version": SCHEMA_VERSION,
                "app_version": app_version,
                "bundle_id": bundle_id,
                "device_id": device_id,
                "exported_by": actor,
                "exported_at": _utc_text(datetime.now(timezone.utc)),
                "visit_ids": visit_ids,
                "records": {t.name: [dump_row(t, r) for r in records.get(t.name, [])]
                            for t in ordered_tables()},
                "audit_events": [dump_row(AUDIT_TABLE, ev, skip=AUDIT_SKIP) for ev in events],
                "files": file_entries,
            }
            zf.writestr(zipfile.ZipInfo(MANIFEST, date_time=(1980, 1, 1, 0, 0, 0)),
                        json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                        compress_type=zipfile.ZIP_DEFLATED)
        if passphrase:
            with open(plain, "rb") as src, open(part, "wb") as dst:
                crypto.encrypt_stream(src, dst, passphrase)
            plain.unlink()
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
            digest = hashlib.sha256()
            while block := fh.read(_CHUNK):
                digest.update(block)
        os.replace(part, out)
    except OSError as exc:
        for p in (part, plain):
            p.unlink(missing_ok=True)
        raise storage_error(exc, "gói dữ liệu", "the bundle") from exc
    except BaseException:
        for p in (part, plain):
            p.unlink(missing_ok=True)
        raise
    return ExportSummary(path=out, bundle_id=bundle_id, visit_ids=visit_ids, records=count,
                         files=len(file_entries), byte_size=out.stat().st_size,
                         sha256=digest.hexdigest(), encrypted=bool(passphrase))


# --- reading and verifying -------------------------------------------------------------------------


@dataclass
class FileEntry:
    path: str
    sha256: str
    size: int
    staged: Path | None = None  # a verified copy inside the staging directory


@dataclass
class OpenedBundle:
    """A bundle whose every part has been verified. Close it to remove the staging directory."""

    manifest: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]  # table -> rows as Python values, insert order
    events: list[dict[str, Any]]
    files: dict[str, FileEntry]
    sha256: str
    file_name: str
    encrypted: bool
    staging: Path | None = None
    _cleanup: list[Path] = field(default_factory=list)

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle_id"]

    @property
    def device_id(self) -> str:
        return self.manifest.get("device_id", "")

    @property
    def visit_ids(self) -> list[str]:
        return list(self.manifest["visit_ids"])

    @property
    def exported_at(self) -> datetime | None:
        raw = self.manifest.get("exported_at")
        try:
            return datetime.fromisoformat(raw) if raw else None
        except ValueError:
            return None

    def close(self) -> None:
        for path in self._cleanup:
            shutil.rmtree(path, ignore_errors=True)
        self._cleanup.clear()

    def __enter__(self) -> "OpenedBundle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _HashingReader:
    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        return data


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _damaged(detail_vi: str, detail_en: str) -> BundleRejected:
    return rejected(f"Gói dữ liệu bị hỏng hoặc không đầy đủ ({detail_vi}).",
                    f"The bundle is damaged or incomplete ({detail_en}).")


def open_bundle(path: Path, passphrase: str | None = None, staging_root: Path | None = None,
                work_root: Path | None = None) -> OpenedBundle:
    """Decrypt (if needed) and verify a bundle; with ``staging_root``, also stage its files there.

    Temporary files (the decrypted zip, the staged files) go to a new hidden directory in
    ``staging_root`` or ``work_root`` (the data directory: same disk, same protection as the data),
    else in the system's temporary directory; closing the bundle removes it.

    Raises :class:`BundleRejected` (or :class:`crypto.BadPassphrase`) naming what is wrong.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(crypto.MAGIC))
    except OSError as exc:
        raise UserError(f"Không đọc được tệp {path}: {exc.strerror or exc}.",
                        f"Cannot read the file {path}: {exc.strerror or exc}.") from exc
    cleanup: list[Path] = []
    try:
        root = staging_root or work_root
        work = Path(tempfile.mkdtemp(prefix=".bundle-", dir=root)) if root else \
            Path(tempfile.mkdtemp(prefix="inspection-bundle-"))
        cleanup.append(work)
        encrypted = crypto.is_encrypted(head)
        with open(path, "rb") as raw:
            reader = _HashingReader(raw)
            if encrypted:
                zip_path = work / "bundle.zip"
                with open(zip_path, "wb") as dst:
                    crypto.decrypt_stream(reader, dst, passphrase)
                while reader.read(_CHUNK):
                    pass
            else:
                zip_path = path
                while reader.read(_CHUNK):
                    pass
            sha = reader.digest.hexdigest()
        bundle = _verify_zip(zip_path, work if staging_root else None)
        bundle.sha256, bundle.file_name, bundle.encrypted = sha, path.name, encrypted
        bundle.staging = work if staging_root else None
        bundle._cleanup = cleanup
        return bundle
    except OSError as exc:
        for p in cleanup:
            shutil.rmtree(p, ignore_errors=True)
        raise storage_error(exc, "tệp tạm khi nhập gói dữ liệu", "temporary files while importing") from exc
    except BaseException:
        for p in cleanup:
            shutil.rmtree(p, ignore_errors=True)
        raise


def _verify_zip(zip_path: Path, staging: Path | None) -> OpenedBundle:
    try:
        zf = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        raise _damaged("không phải tệp zip hoặc tệp bị cắt cụt", "not a zip file, or truncated") from None
    with zf:
        try:
            raw_manifest = zf.read(MANIFEST)
        except KeyError:
            raise _damaged("thiếu manifest.json", "manifest.json is missing") from None
        except (zipfile.BadZipFile, EOFError, OSError):
            raise _damaged("manifest.json bị hỏng", "manifest.json is damaged") from None
        try:
            manifest = json.loads(raw_manifest.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _damaged("manifest.json không đọc được", "manifest.json is unreadable") from None
        records, events, files = _check_manifest(manifest)
        members = {info.filename: info for info in zf.infolist()}
        made: set[Path] = set()
        for entry in files.values():
            info = members.get(FILES_PREFIX + entry.path)
            if info is None:
                raise rejected(f"Gói dữ liệu thiếu tệp {entry.path}.", f"The bundle lacks the file {entry.path}.",
                               path=entry.path)
            if info.file_size != entry.size:
                raise rejected(f"Tệp {entry.path} có kích thước sai (có thể đã bị sửa).",
                               f"The file {entry.path} has the wrong size (it may have been altered).",
                               path=entry.path)
            digest = hashlib.sha256()
            target = None
            if staging is not None:
                target = staging / "files" / entry.path
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
            try:
                with zf.open(info) as src, (open(target, "wb") if target else _NullWriter()) as dst:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        dst.write(block)
            except (zipfile.BadZipFile, EOFError, zlib.error):
                raise _damaged(f"không đọc được tệp {entry.path}", f"cannot read the file {entry.path}") from None
            if digest.hexdigest() != entry.sha256:
                raise rejected(f"Mã băm SHA-256 của tệp {entry.path} không khớp: tệp đã bị thay đổi.",
                               f"The SHA-256 of the file {entry.path} does not match: the file was altered.",
                               path=entry.path)
            entry.staged = target
    return OpenedBundle(manifest=manifest, records=records, events=events, files=files, sha256="",
                        file_name="", encrypted=False)


class _NullWriter:
    def write(self, _data: bytes) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def _check_manifest(manifest: Any) -> tuple[dict[str, list[dict]], list[dict], dict[str, FileEntry]]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged("không phải gói dữ liệu của ứng dụng", "not a bundle of this app")
    fmt = manifest.get("format_version")
    schema = manifest.get("schema_version")
    if not isinstance(fmt, int) or not isinstance(schema, int):
        raise _damaged("thiếu số phiên bản", "version numbers missing")
    if fmt > FORMAT_VERSION or schema > SCHEMA_VERSION:
        raise rejected(
            f"Gói dữ liệu được tạo bởi phiên bản mới hơn của ứng dụng (định dạng {fmt}, lược đồ {schema}; "
            f"ứng dụng này: {FORMAT_VERSION}, {SCHEMA_VERSION}). Hãy cập nhật ứng dụng rồi nhập lại.",
            f"The bundle was made by a newer version of the app (format {fmt}, schema {schema}; "
            f"this app: {FORMAT_VERSION}, {SCHEMA_VERSION}). Update the app and import again.",
            format_version=fmt, schema_version=schema)
    for key in ("bundle_id", "visit_ids", "records", "audit_events", "files"):
        if key not in manifest:
            raise _damaged(f"manifest thiếu mục {key}", f"the manifest lacks {key}")
    visit_ids = manifest["visit_ids"]
    if not isinstance(visit_ids, list) or not all(isinstance(v, str) and v for v in visit_ids):
        raise _damaged("danh sách lượt kiểm tra không hợp lệ", "invalid visit list")
    raw_records = manifest["records"]
    if not isinstance(raw_records, dict):
        raise _damaged("mục records không hợp lệ", "invalid records")
    tables = {t.name: t for t in ordered_tables()}
    unknown = set(raw_records) - set(tables)
    if unknown:
        raise rejected(f"Gói dữ liệu có bảng lạ: {', '.join(sorted(unknown))}.",
                       f"The bundle has unknown tables: {', '.join(sorted(unknown))}.")
    records: dict[str, list[dict]] = {}
    for name, table in tables.items():
        rows = raw_records.get(name, [])
        if not isinstance(rows, list):
            raise _damaged(f"bảng {name} không hợp lệ", f"table {name} is invalid")
        records[name] = [load_row(table, r) for r in rows]
        pk = list(table.primary_key.columns)[0].name
        ids = [r[pk] for r in records[name]]
        if len(ids) != len(set(ids)):
            raise _damaged(f"bảng {name} có mã trùng", f"table {name} repeats an id")
    wanted = set(visit_ids)
    if {v["id"] for v in records["visit"]} != wanted:
        raise _damaged("danh sách lượt kiểm tra không khớp với bản ghi", "the visit list does not match the records")
    for mdl in m.VISIT_OWNED:
        for row in records[mdl.__tablename__]:
            if row.get("visit_id") is not None and row["visit_id"] not in wanted:
                raise _damaged(f"bản ghi {mdl.__tablename__} thuộc lượt kiểm tra ngoài gói",
                               f"a {mdl.__tablename__} record belongs to a visit outside the bundle")
    raw_events = manifest["audit_events"]
    if not isinstance(raw_events, list):
        raise _damaged("nhật ký không hợp lệ", "invalid audit log")
    events = [load_row(AUDIT_TABLE, e, skip=AUDIT_SKIP) for e in raw_events]
    _verify_chains(events, wanted)
    files: dict[str, FileEntry] = {}
    raw_files = manifest["files"]
    if not isinstance(raw_files, list):
        raise _damaged("danh sách tệp không hợp lệ", "invalid file list")
    for entry in raw_files:
        if not isinstance(entry, dict):
            raise _damaged("danh sách tệp không hợp lệ", "invalid file list")
        rel = check_path(entry.get("path"))
        sha, size = entry.get("sha256"), entry.get("size")
        if not isinstance(sha, str) or len(sha) != 64 or not isinstance(size, int) or size < 0:
            raise _damaged(f"thông tin tệp {rel} không hợp lệ", f"invalid entry for the file {rel}")
        files[rel] = FileEntry(rel, sha.lower(), size)
    for table, columns in PATH_COLUMNS.items():
        for row in records.get(table, []):
            for col in columns:
                if row.get(col):
                    rel = check_path(row[col])
                    if rel not in files:
                        raise rejected(f"Gói dữ liệu thiếu tệp {rel} (được ghi trong {table}).",
                                       f"The bundle lacks the file {rel} (named by {table}).", path=rel)
    return records, events, files


def _verify_chains(events: list[dict], visit_ids: set[str]) -> None:
    """Every (visit, device) chain in the bundle must be complete from its start and intact."""
    chains: dict[tuple[str, str], list[dict]] = {}
    seen: set[str] = set()
    for ev in events:
        if ev["visit_id"] not in visit_ids:
            raise _damaged("nhật ký có sự kiện ngoài gói", "the audit log has events outside the bundle")
        if ev["event_id"] in seen:
            raise _damaged("nhật ký có sự kiện trùng", "the audit log repeats an event")
        seen.add(ev["event_id"])
        chains.setdefault((ev["visit_id"], ev["device_id"]), []).append(ev)
    for (visit_id, device), chain in chains.items():
        chain.sort(key=lambda e: e["chain_index"])
        prev = GENESIS
        for index, ev in enumerate(chain):
            probe = SimpleNamespace(**ev)  # event_hash only reads attributes; no ORM object needed
            if ev["chain_index"] != index or ev["prev_hash"] != prev or event_hash(probe) != ev["hash"]:
                raise rejected(
                    f"Nhật ký thay đổi của lượt kiểm tra {visit_id} (thiết bị {device or '?'}) bị đứt hoặc "
                    f"bị sửa tại sự kiện số {ev['chain_index']}.",
                    f"The audit log of visit {visit_id} (device {device or '?'}) is broken or was edited "
                    f"at event {ev['chain_index']}.", visit_id=visit_id, device_id=device)
            prev = ev["hash"]


__all__ = ["ExportSummary", "FileEntry", "OpenedBundle", "open_bundle", "write_bundle", "collect_records",
           "file_sha256", "FORMAT", "FORMAT_VERSION"]
