"""The checks of an opened bundle's contents: the signature over the manifest, the manifest's versions
and records, the listed files against the records, and every audit chain with its signed head.
:func:`.bundle_open.open_bundle` runs them before anything is written."""

from __future__ import annotations

import base64
import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from sqlmodel import SQLModel

from inspection_app.locale import both

from ..store import models as m
from ..store.audit import GENESIS, event_hash
from ..store.migrations import SCHEMA_VERSION
from . import device_key
from .bundle_format import (
    _CHUNK,
    _SAFE_ID,
    _SHA,
    FORMAT,
    FORMAT_VERSION,
    MAX_FILE,
    MAX_SIGNATURE,
    MAX_TOTAL,
    SIGNATURE,
    _damaged,
    _mib,
    destination,
)
from .records import AUDIT_SKIP, AUDIT_TABLE, PATH_COLUMNS, load_row, ordered_tables, rejected
from .replay import check_records_match_events


@dataclass
class FileEntry:
    sha256: str
    size: int
    uses: list[tuple[str, str, str]]  # (table, record id, column)
    staged: Path | None = None  # a verified copy inside the staging directory


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    parts, size = [], 0
    try:
        with zf.open(info) as src:
            while block := src.read(min(_CHUNK, limit + 1 - size)):
                size += len(block)
                if size > limit:
                    raise rejected(*both("Mục {filename!r} lớn hơn kích thước khai báo.", filename=info.filename), entry=info.filename)
                parts.append(block)
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError):
        raise _damaged(*both("{filename} bị hỏng", filename=info.filename)) from None
    return b"".join(parts)


def _use_text(entry: FileEntry) -> str:
    table, row_id, _col = entry.uses[0]
    return f"{table} {row_id}"


def _check_signature(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: Any,
                     raw_manifest: bytes) -> dict[str, Any]:
    device = manifest.get("device") if isinstance(manifest, dict) else None
    if not isinstance(device, dict) or not isinstance(device.get("public_key"), str) \
            or SIGNATURE not in members:
        raise rejected(
            *both("Gói dữ liệu không có chữ ký của thiết bị (do phiên bản cũ của ứng dụng tạo ra, hoặc đã bị sửa). Hãy cập nhật ứng dụng trên máy tính bảng rồi xuất lại."))
    sig_text = _read_bounded(zf, members[SIGNATURE], MAX_SIGNATURE)
    try:
        signature = base64.b64decode(sig_text, validate=True)
    except ValueError:
        signature = b""
    if not device_key.verify(device["public_key"], signature, raw_manifest):
        raise rejected(
            *both("Chữ ký của gói dữ liệu không đúng: nội dung đã bị thay đổi sau khi thiết bị ký."))
    if device.get("id") != manifest.get("device_id"):
        raise _damaged(*both("mã thiết bị không thống nhất"))
    return {"id": str(device.get("id") or ""), "name": str(device.get("name") or ""),
            "public_key": device["public_key"], "fingerprint": device_key.fingerprint(device["public_key"])}


def _check_manifest(manifest: Any) -> tuple[dict[str, list[dict]], list[dict], dict[str, FileEntry]]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(*both("không phải gói dữ liệu của ứng dụng"))
    fmt = manifest.get("format_version")
    schema = manifest.get("schema_version")
    if not isinstance(fmt, int) or not isinstance(schema, int):
        raise _damaged(*both("thiếu số phiên bản"))
    if fmt > FORMAT_VERSION or schema > SCHEMA_VERSION:
        raise rejected(
            *both("Gói dữ liệu được tạo bởi phiên bản mới hơn của ứng dụng (định dạng {fmt}, lược đồ {schema}; ứng dụng này: {format_version}, {schema_version}). Hãy cập nhật ứng dụng rồi nhập lại.", fmt=fmt, schema=schema, format_version=FORMAT_VERSION, schema_version=SCHEMA_VERSION),
            format_version=fmt, schema_version=schema)
    if fmt < FORMAT_VERSION:
        raise rejected(*both("Gói dữ liệu do phiên bản cũ của ứng dụng tạo ra. Hãy cập nhật ứng dụng trên máy tính bảng rồi xuất lại."), format_version=fmt)
    for key in ("bundle_id", "visit_ids", "records", "audit_events", "files", "chain_heads"):
        if key not in manifest:
            raise _damaged(*both("manifest thiếu mục {key}", key=key))
    visit_ids = manifest["visit_ids"]
    if not isinstance(visit_ids, list) or not all(isinstance(v, str) and _SAFE_ID.match(v) for v in visit_ids):
        raise _damaged(*both("danh sách lượt kiểm tra không hợp lệ"))
    raw_records = manifest["records"]
    if not isinstance(raw_records, dict):
        raise _damaged(*both("mục records không hợp lệ"))
    tables = {t.name: t for t in ordered_tables()}
    unknown = set(raw_records) - set(tables)
    if unknown:
        raise rejected(*both("Gói dữ liệu có bảng lạ: {unknown}.", unknown=', '.join(sorted(unknown))))
    records: dict[str, list[dict]] = {}
    for name, table in tables.items():
        rows = raw_records.get(name, [])
        if not isinstance(rows, list):
            raise _damaged(*both("bảng {name} không hợp lệ", name=name))
        records[name] = [load_row(table, r) for r in rows]
        pk = list(table.primary_key.columns)[0].name
        ids = [r[pk] for r in records[name]]
        if len(ids) != len(set(ids)):
            raise _damaged(*both("bảng {name} có mã trùng", name=name))
    wanted = set(visit_ids)
    if {v["id"] for v in records["visit"]} != wanted:
        raise _damaged(*both("danh sách lượt kiểm tra không khớp với bản ghi"))
    owned: tuple[type[SQLModel], ...] = (*m.VISIT_OWNED, m.VisitSeal)
    for mdl in owned:
        for row in records[str(mdl.__tablename__)]:
            if row.get("visit_id") is not None and row["visit_id"] not in wanted:
                raise _damaged(*both("bản ghi {__tablename__} thuộc lượt kiểm tra ngoài gói", __tablename__=mdl.__tablename__))
    raw_events = manifest["audit_events"]
    if not isinstance(raw_events, list):
        raise _damaged(*both("nhật ký không hợp lệ"))
    events = [load_row(AUDIT_TABLE, e, skip=AUDIT_SKIP) for e in raw_events]
    _verify_chains(events, wanted, manifest["chain_heads"])
    check_records_match_events(records, events)
    for snap in records.get("checklistsnapshot", []):  # a checklist's text is what its hash and key say
        digest = hashlib.sha256(snap["source_text"].encode("utf-8")).hexdigest()
        if digest != snap["sha256"] or snap["key"] != f"{snap['checklist_id']}@{snap['version']}":
            raise rejected(*both("Nội dung danh mục kiểm tra {snap} trong gói không khớp với mã băm của nó.", snap=snap['key']))
    files: dict[str, FileEntry] = {}
    raw_files = manifest["files"]
    if not isinstance(raw_files, list):
        raise _damaged(*both("danh sách tệp không hợp lệ"))
    total = 0
    for entry in raw_files:
        if not isinstance(entry, dict):
            raise _damaged(*both("danh sách tệp không hợp lệ"))
        sha, size, uses = entry.get("sha256"), entry.get("size"), entry.get("uses")
        if not isinstance(sha, str) or not _SHA.match(sha) or isinstance(size, bool) or not isinstance(size, int) \
                or not 0 <= size <= MAX_FILE or not isinstance(uses, list) or not uses:
            if isinstance(size, int) and size > MAX_FILE:
                raise rejected(*both("Một tệp trong gói quá lớn ({size}; tối đa {max_file}).", size=_mib(size), max_file=_mib(MAX_FILE)))
            raise _damaged(*both("thông tin tệp không hợp lệ"))
        if sha in files:
            raise _damaged(*both("danh sách tệp lặp lại một tệp"))
        parsed = []
        for use in uses:
            if not (isinstance(use, list) and len(use) == 3 and all(isinstance(x, str) for x in use)
                    and use[0] in PATH_COLUMNS and use[2] in PATH_COLUMNS[use[0]]):
                raise _damaged(*both("thông tin tệp không hợp lệ"))
            parsed.append((use[0], use[1], use[2]))
        total += size
        files[sha] = FileEntry(sha, size, parsed)
    if total > MAX_TOTAL:
        raise rejected(*both("Gói dữ liệu quá lớn ({total}; tối đa {max_total}).", total=_mib(total), max_total=_mib(MAX_TOTAL)))
    return records, events, files


def _check_files(records: dict[str, list[dict]], files: dict[str, FileEntry]) -> dict[tuple[str, str, str], str]:
    """Every file a record names is in the bundle once; photo and minutes files hash to their
    record's SHA-256; returns where each goes (:func:`destination`)."""
    by_use: dict[tuple[str, str, str], str] = {}
    for file_sha, entry in files.items():
        for use in entry.uses:
            if use in by_use:
                raise _damaged(*both("một tệp được khai báo hai lần"))
            by_use[use] = file_sha
    destinations: dict[tuple[str, str, str], str] = {}
    for table, columns in PATH_COLUMNS.items():
        for row in records.get(table, []):
            for col in columns:
                use = (table, row["id"], col)
                if not row.get(col):
                    if use in by_use:
                        raise _damaged(*both("tệp gắn với cột trống"))
                    continue
                sha = by_use.pop(use, None)
                if sha is None:
                    raise rejected(*both("Gói dữ liệu thiếu tệp của {table} {row}.", table=table, row=row['id']), record=row["id"])
                own = (table == "photo" and (col == "original_path" or row.get(col) == row.get("original_path"))) \
                    or table == "minutesdocument"
                if own and sha != row.get("sha256"):
                    raise rejected(
                        *both("Tệp của {table} {row} không khớp với mã băm SHA-256 ghi trong bản ghi: tệp hoặc bản ghi đã bị thay đổi.", table=table, row=row['id']), record=row["id"])
                destinations[use] = destination(table, row, col)
    if by_use:
        table, row_id, _col = next(iter(by_use))
        raise _damaged(*both("tệp gắn với bản ghi không có trong gói ({table} {row_id})", table=table, row_id=row_id))
    return destinations


def _verify_chains(events: list[dict], visit_ids: set[str], heads: Any) -> None:
    """Every (visit, device) chain in the bundle must be complete from its start and intact, and its
    last event must be the head the manifest (which the device signed) names."""
    chains: dict[tuple[str, str], list[dict]] = {}
    seen: set[str] = set()
    for ev in events:
        if ev["visit_id"] not in visit_ids:
            raise _damaged(*both("nhật ký có sự kiện ngoài gói"))
        if ev["event_id"] in seen:
            raise _damaged(*both("nhật ký có sự kiện trùng"))
        seen.add(ev["event_id"])
        chains.setdefault((ev["visit_id"], ev["device_id"]), []).append(ev)
    for (visit_id, device), chain in chains.items():
        chain.sort(key=lambda e: e["chain_index"])
        prev = GENESIS
        for index, ev in enumerate(chain):
            probe = cast(m.AuditEvent, SimpleNamespace(**ev))  # event_hash only reads attributes; no ORM object
            if ev["chain_index"] != index or ev["prev_hash"] != prev or event_hash(probe) != ev["hash"]:
                raise rejected(
                    *both("Nhật ký thay đổi của lượt kiểm tra {visit_id} (thiết bị {value}) bị đứt hoặc bị sửa tại sự kiện số {ev}.", visit_id=visit_id, value=device or '?', ev=ev['chain_index']), visit_id=visit_id, device_id=device)
            prev = ev["hash"]
    declared = {}
    if not isinstance(heads, list):
        raise _damaged(*both("danh sách đầu chuỗi nhật ký không hợp lệ"))
    for h in heads:
        if not isinstance(h, dict):
            raise _damaged(*both("danh sách đầu chuỗi nhật ký không hợp lệ"))
        declared[(h.get("visit_id"), h.get("device_id"))] = (h.get("chain_index"), h.get("hash"))
    actual = {key: (c[-1]["chain_index"], c[-1]["hash"]) for key, c in chains.items()}
    if declared != actual:
        raise rejected(*both("Đầu các chuỗi nhật ký không khớp với danh sách thiết bị đã ký."))
