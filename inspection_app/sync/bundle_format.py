"""The visit bundle's format, its limits, where its files go, and its staging folder.

A bundle is a zip file::

    manifest.json          format and schema version, the exporting device (id, name, Ed25519
                           public key), every record of the visits (per table, audit events
                           included), the head of every audit chain, and every file's SHA-256, size
                           and the record columns that use it
    manifest.sig           the device's Ed25519 signature of manifest.json's bytes (RFC 8032)
    files/<sha256>         the photos and minutes PDFs, named by their content's SHA-256

optionally wrapped in passphrase encryption (:mod:`.crypto`). A bundle never names a place in the
data directory: the importer derives every destination itself from the SHA-256 it checked
(:func:`destination`), content-addressed under the photo and minutes stores.

Temporary files (the decrypted zip, the staged files) live in one staging folder,
``<data_dir>/.staging/``, each open bundle or export in its own sub-folder, removed on every exit
path; a folder left by a killed process is swept on the next start (:func:`sweep_staging`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from .records import BundleRejected, rejected

FORMAT = "inspection-app/visit-bundle"
FORMAT_VERSION = 2  # 2: signed manifest, content-addressed entries, no paths
SIGNATURE = "manifest.sig"
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
_CHUNK = 1 << 20
STAGING_DIR = ".staging"  # under the data directory: the one home of temporary bundle files
_OWNER = "owner"  # in each staging folder: host and process id of its maker

# Limits, read from the zip's directory and enforced again while streaming.
MAX_MANIFEST = 64 << 20  # bytes of manifest.json
MAX_SIGNATURE = 1024
MAX_FILE = 100 << 20  # one photo or minutes PDF (the photo importer's own limit)
MAX_TOTAL = 8 << 30  # everything uncompressed
MAX_ENTRIES = 100_000
_ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_SHA = re.compile(r"^[0-9a-f]{64}$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PHOTO_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic"}
_IN_CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


# --- staging ----------------------------------------------------------------------------------------


def staging_root(data_dir: Path) -> Path:
    root = Path(data_dir) / STAGING_DIR
    root.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(root, 0o700)
    except OSError:
        pass
    return root


def _owner_alive(folder: Path) -> bool:
    """Whether the process that made a staging folder still runs (same machine)."""
    try:
        host, pid = (folder / _OWNER).read_text("utf-8").split("\n")[:2]
        if host != socket.gethostname():
            return True  # a shared data directory: another machine's folder is left to that machine
        os.kill(int(pid), 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, ValueError):
        return time.time() - folder.lstat().st_mtime < 3600  # no owner file: give it an hour


def sweep_staging(data_dir: Path) -> int:
    """Remove what interrupted imports and exports left behind: staging folders whose process is
    gone (killed, or the power was cut), and the hidden ``.bundle-*`` files of earlier versions.
    Called when the app starts; returns how many entries were removed."""
    data_dir = Path(data_dir)
    removed = 0
    root = data_dir / STAGING_DIR
    candidates = [p for p in root.iterdir() if not p.is_dir() or not _owner_alive(p)] if root.is_dir() else []
    if data_dir.is_dir():
        candidates += [p for p in data_dir.iterdir() if p.name.startswith(".bundle-")]
    for p in candidates:
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
            removed += 1
        except OSError:
            continue
    return removed


def _new_work_dir(root: Path | None) -> Path:
    if root is None:
        return Path(tempfile.mkdtemp(prefix="inspection-bundle-"))
    work = Path(tempfile.mkdtemp(prefix="b-", dir=staging_root(root)))
    (work / _OWNER).write_text(f"{socket.gethostname()}\n{os.getpid()}\n", "utf-8")
    return work


# --- where files go ---------------------------------------------------------------------------------


def destination(table: str, row: dict[str, Any], column: str) -> str:
    """The path (relative to the data directory) where the importer puts the file that ``row``'s
    ``column`` names, derived from the record's checked SHA-256 alone, never from the bundle's path.

    Photos: ``photos/ab/cdef….<ext>`` (original), ``….report.jpg``, ``….thumb.jpg`` as
    :mod:`inspection_app.media.storage` lays them out; minutes: ``minutes/<visit>/<sha256>.pdf``.
    Raises :class:`BundleRejected` when the record cannot name a safe place.
    """
    sha = str(row.get("sha256") or "")
    if not _SHA.match(sha):
        raise rejected(*both("Bản ghi {table} {value} có mã băm SHA-256 không hợp lệ.", table=table, value=row.get('id')))
    if table == "photo":
        ext = PHOTO_EXT.get(str(row.get("mime") or ""))
        if ext is None:
            suffix = Path(str(row.get("original_path") or "")).suffix.lower()
            ext = suffix if suffix in PHOTO_EXT.values() else None
        if ext is None:
            raise rejected(*both("Ảnh {value} có định dạng không được hỗ trợ.", value=row.get('id')))
        stem = f"photos/{sha[:2]}/{sha[2:]}"
        if column == "original_path" or (column == "report_path" and row.get("report_path") == row.get("original_path")):
            return stem + ext
        return stem + (".report.jpg" if column == "report_path" else ".thumb.jpg")
    if table == "minutesdocument" and column == "file_path":
        visit = str(row.get("visit_id") or "")
        if not _SAFE_ID.match(visit):
            raise rejected(*both("Mã lượt kiểm tra không hợp lệ trong gói dữ liệu."))
        return f"minutes/{visit}/{sha}.pdf"
    raise rejected(*both("Gói dữ liệu ghi tệp cho cột không nhận tệp ({table}).", table=table))



def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _damaged(detail_vi: str, detail_en: str) -> BundleRejected:
    return rejected(*both("Gói dữ liệu bị hỏng hoặc không đầy đủ ({detail}).", detail=Phrase(detail_vi, detail_en)))


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"




__all__ = ["FORMAT", "FORMAT_VERSION", "MANIFEST", "SIGNATURE", "FILES_PREFIX", "STAGING_DIR", "MAX_MANIFEST",
           "MAX_SIGNATURE", "MAX_FILE", "MAX_TOTAL", "MAX_ENTRIES", "PHOTO_EXT", "destination", "staging_root",
           "sweep_staging", "file_sha256"]
