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

import hashlib
import json
import os
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from inspection_app.domain.errors import Phrase
from inspection_app.locale import N_, both

from ..domain.errors import UserError, storage_error
from . import crypto
from .bundle_checks import FileEntry, _check_files, _check_manifest, _check_signature, _read_bounded, _use_text
from .bundle_format import (
    _ALLOWED_COMPRESSION,
    _CHUNK,
    _SHA,
    FILES_PREFIX,
    MANIFEST,
    MAX_ENTRIES,
    MAX_FILE,
    MAX_MANIFEST,
    MAX_SIGNATURE,
    MAX_TOTAL,
    SIGNATURE,
    _damaged,
    _mib,
    _new_work_dir,
)
from .records import rejected


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

    def __enter__(self) -> OpenedBundle:
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
        raise UserError("Không đọc được tệp {path}: {value}.", path=path, value=exc.strerror or exc) from exc
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
        raise storage_error(exc, N_("tệp tạm khi nhập gói dữ liệu")) from exc
    except BaseException:
        for p in cleanup:
            shutil.rmtree(p, ignore_errors=True)
        raise


def _check_directory(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's directory, refused unless it holds plain files within the limits, once each."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise rejected(*both("Gói dữ liệu có quá nhiều mục ({n}; tối đa {max_entries}).", n=len(infos), max_entries=MAX_ENTRIES))
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if name in members:
            raise rejected(*both("Gói dữ liệu có hai mục cùng tên {name!r}.", name=name), entry=name)
        members[name] = info
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if info.is_dir() or (kind and kind != stat.S_IFREG):
            what_vi, what_en = (both("liên kết tượng trưng") if stat.S_ISLNK(mode)
                                else both("thư mục hoặc tệp đặc biệt"))
            raise rejected(*both("Mục {name!r} của gói dữ liệu là {what}: chỉ nhận tệp thường.", name=name, what=Phrase(what_vi, what_en)), entry=name)
        if info.flag_bits & 0x1:
            raise rejected(*both("Mục {name!r} được mã hóa kiểu zip: không nhận.", name=name), entry=name)
        if info.compress_type not in _ALLOWED_COMPRESSION:
            raise rejected(*both("Mục {name!r} dùng kiểu nén không được hỗ trợ.", name=name), entry=name)
        if name == MANIFEST:
            limit = MAX_MANIFEST
        elif name == SIGNATURE:
            limit = MAX_SIGNATURE
        elif name.startswith(FILES_PREFIX) and _SHA.match(name[len(FILES_PREFIX):]):
            limit = MAX_FILE
        else:
            raise rejected(*both("Gói dữ liệu có mục không được phép: {name!r}.", name=name), entry=name)
        if info.file_size > limit:
            raise rejected(*both("Mục {name!r} quá lớn ({file_size}; tối đa {limit}).", name=name, file_size=_mib(info.file_size), limit=_mib(limit)),
                           entry=name)
        total += info.file_size
    if total > MAX_TOTAL:
        raise rejected(*both("Gói dữ liệu quá lớn khi giải nén ({total}; tối đa {max_total}).", total=_mib(total), max_total=_mib(MAX_TOTAL)))
    return members


def _verify_zip(zip_path: Path, staging: Path | None, authorise: Authorise | None) -> OpenedBundle:
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _damaged(*both("không phải tệp zip hoặc tệp bị cắt cụt")) from None
    with zf:
        members = _check_directory(zf)
        if MANIFEST not in members:
            raise _damaged(*both("thiếu manifest.json"))
        raw_manifest = _read_bounded(zf, members[MANIFEST], min(members[MANIFEST].file_size, MAX_MANIFEST))
        try:
            manifest = json.loads(raw_manifest.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _damaged(*both("manifest.json không đọc được")) from None
        device = _check_signature(zf, members, manifest, raw_manifest)
        device_name = authorise(device) if authorise else ""
        records, events, files = _check_manifest(manifest)
        destinations = _check_files(records, files)
        listed = {FILES_PREFIX + sha for sha in files}
        extra = sorted(set(members) - listed - {MANIFEST, SIGNATURE})
        if extra:
            raise rejected(*both("Gói dữ liệu có mục ngoài danh sách của manifest: {extra!r}.", extra=extra[0]), entry=extra[0])
        for sha, entry in files.items():
            info = members.get(FILES_PREFIX + sha)
            if info is None:
                raise rejected(*both("Gói dữ liệu thiếu tệp {sha}… (của {entry}).", sha=sha[:16], entry=_use_text(entry)), sha256=sha)
            if info.file_size != entry.size:
                raise rejected(*both("Tệp của {entry} có kích thước sai (có thể đã bị sửa).", entry=_use_text(entry)),
                               sha256=sha)
            target = staging / sha if staging is not None else None
            entry.staged = target
            _stream_checked(zf, info, entry, target)
    bundle = OpenedBundle(manifest=manifest, records=records, events=events, files=files, sha256="",
                          file_name="", encrypted=False, destinations=destinations)
    bundle.device_name = device_name
    return bundle


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
                        raise rejected(*both("Tệp của {entry} lớn hơn kích thước khai báo.", entry=_use_text(entry)),
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
        raise _damaged(*both("không đọc được tệp của {entry}", entry=_use_text(entry))) from None
    if digest.hexdigest() != entry.sha256 or size != entry.size:
        raise rejected(*both("Mã băm SHA-256 của tệp của {entry} không khớp: tệp đã bị thay đổi.", entry=_use_text(entry)),
                       sha256=entry.sha256)


__all__ = ["FileEntry", "OpenedBundle", "Authorise", "open_bundle"]
