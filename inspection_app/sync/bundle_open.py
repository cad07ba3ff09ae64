"""Opening a visit bundle: decrypt, then verify everything before anything is written (issue #10).

Nothing in a bundle can exhaust the machine: entries other than the manifest, its signature and the
listed files, repeated names, links and special files, compression other than deflate, and sizes over
the limits of :mod:`.bundle_format` are refused from the zip's directory, and every size is enforced
again while streaming with a 1 MiB buffer. The signature is checked against the device's key (the
caller says whether the device is enrolled), then versions, every record against its column types,
every audit chain and its signed head, that every audited record equals the state its audit events
produce (:mod:`.replay`), every file's size and SHA-256, and that photo and minutes files hash to their
record's SHA-256. Files are staged in the staging folder; the caller places them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO, Callable

from ..domain.errors import UserError, storage_error
from ..store import models as m
from ..store.audit import GENESIS, event_hash
from ..store.migrations import SCHEMA_VERSION
from . import crypto, device_key
from .bundle_format import (_ALLOWED_COMPRESSION, _CHUNK, _SAFE_ID, _SHA, FILES_PREFIX, FORMAT, FORMAT_VERSION,
                            MANIFEST, MAX_ENTRIES, MAX_FILE, MAX_MANIFEST, MAX_SIGNATURE, MAX_TOTAL, SIGNATURE,
                            _damaged, _mib, _new_work_dir, destination)
from .records import AUDIT_SKIP, AUDIT_TABLE, PATH_COLUMNS, load_row, ordered_tables, rejected
from .replay import check_records_match_events

@dataclass
class FileEntry:
    sha256: str
    size: int
    uses: list[tuple[str, str, str]]  # (table, record id, column)
    staged: Path | None = None  # a verified copy inside the staging directory


@dataclass
class OpenedBundle:
    """A bundle whose every part has been verified. Close it to remove the staging directory."""

    manifest: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]  # table -> rows as Python values, insert order
    events: list[dict[str, Any]]
    files: dict[str, FileEntry]  # sha256 -> entry
    sha256: str
    file_name: str
    encrypted: bool
    destinations: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (table, id, column) -> path
    staging: Path | None = None
    device_name: str = ""  # the name this office gave the device at enrolment
    _cleanup: list[Path] = field(default_factory=list)

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle_id"]

    @property
    def device_id(self) -> str:
        return self.manifest.get("device_id", "")

    @property
    def public_key(self) -> str:
        return str((self.manifest.get("device") or {}).get("public_key") or "")

    @property
    def visit_ids(self) -> list[str]:
        return list(self.manifest["visit_ids"])

    @property
    def chain_heads(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("chain_heads") or [])

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


# The caller's judgement of the signing device: given the manifest's device block, return the name
# this office knows it by, or raise BundleRejected (unknown device, revoked key).
Authorise = Callable[[dict[str, Any]], str]


def open_bundle(path: Path, passphrase: str | None = None, staging_root: Path | None = None,
                work_root: Path | None = None, authorise: Authorise | None = None) -> OpenedBundle:
    """Decrypt (if needed) and verify a bundle; with ``staging_root``, also stage its files there.

    ``staging_root`` / ``work_root`` is the data directory: temporary files go to a new folder in
    its staging folder (same disk, same protection as the data), else in the system's temporary
    directory; closing the bundle removes it, and so does every failure. ``authorise`` judges the
    signing device (see :data:`Authorise`); the signature is checked in any case.

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
        work = _new_work_dir(Path(root) if root else None)
        cleanup.append(work)
        encrypted = crypto.is_encrypted(head)
        with open(path, "rb") as raw:
            reader = _HashingReader(raw)
            if encrypted:
                zip_path = work / "bundle.zip"
                fd = os.open(zip_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as dst:
                    crypto.decrypt_stream(reader, dst, passphrase, max_plain=MAX_TOTAL + MAX_MANIFEST + (64 << 20))
                while reader.read(_CHUNK):
                    pass
            else:
                zip_path = path
                while reader.read(_CHUNK):
                    pass
            sha = reader.digest.hexdigest()
        bundle = _verify_zip(zip_path, work if staging_root else None, authorise)
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


def _check_directory(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's directory, refused unless it holds plain files within the limits, once each."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise rejected(f"Gói dữ liệu có quá nhiều mục ({len(infos)}; tối đa {MAX_ENTRIES}).",
                       f"The bundle has too many entries ({len(infos)}; at most {MAX_ENTRIES}).")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if name in members:
            raise rejected(f"Gói dữ liệu có hai mục cùng tên {name!r}.",
                           f"The bundle has two entries named {name!r}.", entry=name)
        members[name] = info
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if info.is_dir() or (kind and kind != stat.S_IFREG):
            what_vi, what_en = (("liên kết tượng trưng", "a symbolic link") if stat.S_ISLNK(mode)
                                else ("thư mục hoặc tệp đặc biệt", "a directory or special file"))
            raise rejected(f"Mục {name!r} của gói dữ liệu là {what_vi}: chỉ nhận tệp thường.",
                           f"The bundle's entry {name!r} is {what_en}: only plain files are accepted.", entry=name)
        if info.flag_bits & 0x1:
            raise rejected(f"Mục {name!r} được mã hóa kiểu zip: không nhận.",
                           f"The entry {name!r} uses zip encryption: not accepted.", entry=name)
        if info.compress_type not in _ALLOWED_COMPRESSION:
            raise rejected(f"Mục {name!r} dùng kiểu nén không được hỗ trợ.",
                           f"The entry {name!r} uses an unsupported compression.", entry=name)
        if name == MANIFEST:
            limit = MAX_MANIFEST
        elif name == SIGNATURE:
            limit = MAX_SIGNATURE
        elif name.startswith(FILES_PREFIX) and _SHA.match(name[len(FILES_PREFIX):]):
            limit = MAX_FILE
        else:
            raise rejected(f"Gói dữ liệu có mục không được phép: {name!r}.",
                           f"The bundle has an entry that is not allowed: {name!r}.", entry=name)
        if info.file_size > limit:
            raise rejected(f"Mục {name!r} quá lớn ({_mib(info.file_size)}; tối đa {_mib(limit)}).",
                           f"The entry {name!r} is too large ({_mib(info.file_size)}; at most {_mib(limit)}).",
                           entry=name)
        total += info.file_size
    if total > MAX_TOTAL:
        raise rejected(f"Gói dữ liệu quá lớn khi giải nén ({_mib(total)}; tối đa {_mib(MAX_TOTAL)}).",
                       f"The bundle is too large uncompressed ({_mib(total)}; at most {_mib(MAX_TOTAL)}).")
    return members


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    parts, size = [], 0
    try:
        with zf.open(info) as src:
            while block := src.read(min(_CHUNK, limit + 1 - size)):
                size += len(block)
                if size > limit:
                    raise rejected(f"Mục {info.filename!r} lớn hơn kích thước khai báo.",
                                   f"The entry {info.filename!r} is larger than declared.", entry=info.filename)
                parts.append(block)
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError):
        raise _damaged(f"{info.filename} bị hỏng", f"{info.filename} is damaged") from None
    return b"".join(parts)


def _verify_zip(zip_path: Path, staging: Path | None, authorise: Authorise | None) -> OpenedBundle:
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _damaged("không phải tệp zip hoặc tệp bị cắt cụt", "not a zip file, or truncated") from None
    with zf:
        members = _check_directory(zf)
        if MANIFEST not in members:
            raise _damaged("thiếu manifest.json", "manifest.json is missing")
        raw_manifest = _read_bounded(zf, members[MANIFEST], min(members[MANIFEST].file_size, MAX_MANIFEST))
        try:
            manifest = json.loads(raw_manifest.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _damaged("manifest.json không đọc được", "manifest.json is unreadable") from None
        device = _check_signature(zf, members, manifest, raw_manifest)
        device_name = authorise(device) if authorise else ""
        records, events, files = _check_manifest(manifest)
        destinations = _check_files(records, files)
        listed = {FILES_PREFIX + sha for sha in files}
        extra = sorted(set(members) - listed - {MANIFEST, SIGNATURE})
        if extra:
            raise rejected(f"Gói dữ liệu có mục ngoài danh sách của manifest: {extra[0]!r}.",
                           f"The bundle has an entry outside the manifest's list: {extra[0]!r}.", entry=extra[0])
        for sha, entry in files.items():
            info = members.get(FILES_PREFIX + sha)
            if info is None:
                raise rejected(f"Gói dữ liệu thiếu tệp {sha[:16]}… (của {_use_text(entry)}).",
                               f"The bundle lacks the file {sha[:16]}… (of {_use_text(entry)}).", sha256=sha)
            if info.file_size != entry.size:
                raise rejected(f"Tệp của {_use_text(entry)} có kích thước sai (có thể đã bị sửa).",
                               f"The file of {_use_text(entry)} has the wrong size (it may have been altered).",
                               sha256=sha)
            target = staging / sha if staging is not None else None
            entry.staged = target
            _stream_checked(zf, info, entry, target)
    bundle = OpenedBundle(manifest=manifest, records=records, events=events, files=files, sha256="",
                          file_name="", encrypted=False, destinations=destinations)
    bundle.device_name = device_name
    return bundle


def _use_text(entry: FileEntry) -> str:
    table, row_id, _col = entry.uses[0]
    return f"{table} {row_id}"


def _stream_checked(zf: zipfile.ZipFile, info: zipfile.ZipInfo, entry: FileEntry, target: Path | None) -> None:
    """Copy one entry to ``target`` (or nowhere) through a 1 MiB buffer, counting and hashing."""
    digest, size = hashlib.sha256(), 0
    try:
        with zf.open(info) as src:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600) if target else None
            try:
                while block := src.read(_CHUNK):
                    size += len(block)
                    if size > entry.size or size > MAX_FILE:
                        raise rejected(f"Tệp của {_use_text(entry)} lớn hơn kích thước khai báo.",
                                       f"The file of {_use_text(entry)} is larger than declared.",
                                       sha256=entry.sha256)
                    digest.update(block)
                    if fd is not None:
                        view = memoryview(block)
                        while view:
                            view = view[os.write(fd, view):]
            finally:
                if fd is not None:
                    os.close(fd)
    except (zipfile.BadZipFile, EOFError, zlib.error):
        raise _damaged(f"không đọc được tệp của {_use_text(entry)}",
                       f"cannot read the file of {_use_text(entry)}") from None
    if digest.hexdigest() != entry.sha256 or size != entry.size:
        raise rejected(f"Mã băm SHA-256 của tệp của {_use_text(entry)} không khớp: tệp đã bị thay đổi.",
                       f"The SHA-256 of the file of {_use_text(entry)} does not match: the file was altered.",
                       sha256=entry.sha256)


def _check_signature(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: Any,
                     raw_manifest: bytes) -> dict[str, Any]:
    device = manifest.get("device") if isinstance(manifest, dict) else None
    if not isinstance(device, dict) or not isinstance(device.get("public_key"), str) \
            or SIGNATURE not in members:
        raise rejected(
            "Gói dữ liệu không có chữ ký của thiết bị (do phiên bản cũ của ứng dụng tạo ra, hoặc đã bị sửa). "
            "Hãy cập nhật ứng dụng trên máy tính bảng rồi xuất lại.",
            "The bundle carries no device signature (made by an old version of the app, or altered). "
            "Update the app on the tablet and export again.")
    sig_text = _read_bounded(zf, members[SIGNATURE], MAX_SIGNATURE)
    try:
        signature = base64.b64decode(sig_text, validate=True)
    except ValueError:
        signature = b""
    if not device_key.verify(device["public_key"], signature, raw_manifest):
        raise rejected(
            "Chữ ký của gói dữ liệu không đúng: nội dung đã bị thay đổi sau khi thiết bị ký.",
            "The bundle's signature is not valid: its content was changed after the device signed it.")
    if device.get("id") != manifest.get("device_id"):
        raise _damaged("mã thiết bị không thống nhất", "inconsistent device id")
    return {"id": str(device.get("id") or ""), "name": str(device.get("name") or ""),
            "public_key": device["public_key"], "fingerprint": device_key.fingerprint(device["public_key"])}


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
    if fmt < FORMAT_VERSION:
        raise rejected("Gói dữ liệu do phiên bản cũ của ứng dụng tạo ra. Hãy cập nhật ứng dụng trên máy tính bảng "
                       "rồi xuất lại.",
                       "The bundle was made by an old version of the app. Update the app on the tablet and "
                       "export again.", format_version=fmt)
    for key in ("bundle_id", "visit_ids", "records", "audit_events", "files", "chain_heads"):
        if key not in manifest:
            raise _damaged(f"manifest thiếu mục {key}", f"the manifest lacks {key}")
    visit_ids = manifest["visit_ids"]
    if not isinstance(visit_ids, list) or not all(isinstance(v, str) and _SAFE_ID.match(v) for v in visit_ids):
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
    for mdl in (*m.VISIT_OWNED, m.VisitSeal):
        for row in records[mdl.__tablename__]:
            if row.get("visit_id") is not None and row["visit_id"] not in wanted:
                raise _damaged(f"bản ghi {mdl.__tablename__} thuộc lượt kiểm tra ngoài gói",
                               f"a {mdl.__tablename__} record belongs to a visit outside the bundle")
    raw_events = manifest["audit_events"]
    if not isinstance(raw_events, list):
        raise _damaged("nhật ký không hợp lệ", "invalid audit log")
    events = [load_row(AUDIT_TABLE, e, skip=AUDIT_SKIP) for e in raw_events]
    _verify_chains(events, wanted, manifest["chain_heads"])
    check_records_match_events(records, events)
    for snap in records.get("checklistsnapshot", []):  # a checklist's text is what its hash and key say
        digest = hashlib.sha256(snap["source_text"].encode("utf-8")).hexdigest()
        if digest != snap["sha256"] or snap["key"] != f"{snap['checklist_id']}@{snap['version']}":
            raise rejected(f"Nội dung danh mục kiểm tra {snap['key']} trong gói không khớp với mã băm của nó.",
                           f"The checklist text {snap['key']} in the bundle does not match its hash.")
    files: dict[str, FileEntry] = {}
    raw_files = manifest["files"]
    if not isinstance(raw_files, list):
        raise _damaged("danh sách tệp không hợp lệ", "invalid file list")
    total = 0
    for entry in raw_files:
        if not isinstance(entry, dict):
            raise _damaged("danh sách tệp không hợp lệ", "invalid file list")
        sha, size, uses = entry.get("sha256"), entry.get("size"), entry.get("uses")
        if not isinstance(sha, str) or not _SHA.match(sha) or isinstance(size, bool) or not isinstance(size, int) \
                or not 0 <= size <= MAX_FILE or not isinstance(uses, list) or not uses:
            if isinstance(size, int) and size > MAX_FILE:
                raise rejected(f"Một tệp trong gói quá lớn ({_mib(size)}; tối đa {_mib(MAX_FILE)}).",
                               f"A file in the bundle is too large ({_mib(size)}; at most {_mib(MAX_FILE)}).")
            raise _damaged("thông tin tệp không hợp lệ", "invalid file entry")
        if sha in files:
            raise _damaged("danh sách tệp lặp lại một tệp", "the file list repeats a file")
        parsed = []
        for use in uses:
            if not (isinstance(use, list) and len(use) == 3 and all(isinstance(x, str) for x in use)
                    and use[0] in PATH_COLUMNS and use[2] in PATH_COLUMNS[use[0]]):
                raise _damaged("thông tin tệp không hợp lệ", "invalid file entry")
            parsed.append((use[0], use[1], use[2]))
        total += size
        files[sha] = FileEntry(sha, size, parsed)
    if total > MAX_TOTAL:
        raise rejected(f"Gói dữ liệu quá lớn ({_mib(total)}; tối đa {_mib(MAX_TOTAL)}).",
                       f"The bundle is too large ({_mib(total)}; at most {_mib(MAX_TOTAL)}).")
    return records, events, files


def _check_files(records: dict[str, list[dict]], files: dict[str, FileEntry]) -> dict[tuple[str, str, str], str]:
    """Every file a record names is in the bundle once; photo and minutes files hash to their
    record's SHA-256; returns where each goes (:func:`destination`)."""
    by_use: dict[tuple[str, str, str], str] = {}
    for sha, entry in files.items():
        for use in entry.uses:
            if use in by_use:
                raise _damaged("một tệp được khai báo hai lần", "a file is declared twice")
            by_use[use] = sha
    destinations: dict[tuple[str, str, str], str] = {}
    for table, columns in PATH_COLUMNS.items():
        for row in records.get(table, []):
            for col in columns:
                use = (table, row["id"], col)
                if not row.get(col):
                    if use in by_use:
                        raise _damaged("tệp gắn với cột trống", "a file is attached to an empty column")
                    continue
                sha = by_use.pop(use, None)
                if sha is None:
                    raise rejected(f"Gói dữ liệu thiếu tệp của {table} {row['id']}.",
                                   f"The bundle lacks the file of {table} {row['id']}.", record=row["id"])
                own = (table == "photo" and (col == "original_path" or row.get(col) == row.get("original_path"))) \
                    or table == "minutesdocument"
                if own and sha != row.get("sha256"):
                    raise rejected(
                        f"Tệp của {table} {row['id']} không khớp với mã băm SHA-256 ghi trong bản ghi: "
                        "tệp hoặc bản ghi đã bị thay đổi.",
                        f"The file of {table} {row['id']} does not hash to the SHA-256 in its record: the file "
                        "or the record was altered.", record=row["id"])
                destinations[use] = destination(table, row, col)
    if by_use:
        table, row_id, _col = next(iter(by_use))
        raise _damaged(f"tệp gắn với bản ghi không có trong gói ({table} {row_id})",
                       f"a file is attached to a record not in the bundle ({table} {row_id})")
    return destinations


def _verify_chains(events: list[dict], visit_ids: set[str], heads: Any) -> None:
    """Every (visit, device) chain in the bundle must be complete from its start and intact, and its
    last event must be the head the manifest (which the device signed) names."""
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
    declared = {}
    if not isinstance(heads, list):
        raise _damaged("danh sách đầu chuỗi nhật ký không hợp lệ", "invalid chain heads")
    for h in heads:
        if not isinstance(h, dict):
            raise _damaged("danh sách đầu chuỗi nhật ký không hợp lệ", "invalid chain heads")
        declared[(h.get("visit_id"), h.get("device_id"))] = (h.get("chain_index"), h.get("hash"))
    actual = {key: (c[-1]["chain_index"], c[-1]["hash"]) for key, c in chains.items()}
    if declared != actual:
        raise rejected("Đầu các chuỗi nhật ký không khớp với danh sách thiết bị đã ký.",
                       "The heads of the audit chains do not match the list the device signed.")


__all__ = ["FileEntry", "OpenedBundle", "Authorise", "open_bundle"]
