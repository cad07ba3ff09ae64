"""Photo files, content-addressed under the data directory.

Layout (paths relative to the data directory, with ``/`` on every platform, as the database keeps
them)::

    photos/ab/cdef….jpg          the original, byte for byte; ab + cdef… is its SHA-256
    photos/ab/cdef….report.jpg   the upright report copy (absent when the original serves as one)
    photos/ab/cdef….thumb.jpg    the thumbnail

The name *is* the content's hash, so the same photo taken into two visits, or twice into one, is one
file; and a file can always be checked against its name.

Every file is written to a temporary file in the same directory, flushed to the disk (fsync), then
renamed over its final name (``os.replace``, atomic on POSIX and Windows), and the directory is
synced. A crash or a full disk therefore leaves either the complete file or no file, never half
of one. When a write fails, the files this call created are removed again and the error becomes a
:class:`~inspection_app.domain.errors.StorageError` with a message for the user; files stored
before are not touched.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from inspection_app.locale import N_

from ..domain.errors import ValidationFailed, storage_error
from ..fsutil import TMP_PREFIX, write_atomically  # the one atomic write (inspection_app/fsutil.py)
from .ingest import IngestedPhoto

PHOTOS_DIR = "photos"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    original_path: str  # relative to the data directory, "/"-separated
    report_path: str  # equals original_path when the original serves as the report copy
    thumb_path: str
    byte_size: int  # of the original
    already_stored: bool  # the same original was already on disk before this call


def photo_paths(sha256: str, ext: str, report_is_original: bool = False) -> tuple[str, str, str]:
    """Relative paths of the original, the report copy and the thumbnail of a photo."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a lower-case SHA-256: {sha256!r}")
    stem = f"{PHOTOS_DIR}/{sha256[:2]}/{sha256[2:]}"
    original = stem + ext
    return original, original if report_is_original else stem + ".report.jpg", stem + ".thumb.jpg"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class PhotoStore:
    """The photo files of one data directory."""

    def __init__(self, data_dir: str | os.PathLike) -> None:
        self.data_dir = Path(data_dir)

    def absolute(self, relative: str) -> Path:
        """The file for a stored relative path; refuses paths that leave the photos folder.

        Paths come from the database, which may hold rows imported from another tablet's bundle.
        """
        rel = PurePosixPath(relative)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts or rel.parts[0] != PHOTOS_DIR \
                or "\\" in relative:
            raise ValidationFailed("Đường dẫn ảnh không hợp lệ: {relative}", relative=relative, path=relative)
        return self.data_dir.joinpath(*rel.parts)

    def put(self, photo: IngestedPhoto) -> StoredPhoto:
        """Store an ingested photo's files; files already present with the same content are kept."""
        original, report, thumb = photo_paths(photo.sha256, photo.ext, photo.report_is_original)
        created: list[Path] = []
        try:
            orig_abs = self.absolute(original)
            already = self._intact(orig_abs, photo.sha256, len(photo.original))
            if not already:
                existed = orig_abs.exists()  # damaged or foreign: replaced by the verified bytes
                write_atomically(orig_abs, photo.original)
                if not existed:
                    created.append(orig_abs)
            targets = [(self.absolute(thumb), photo.thumbnail.data)]
            if not photo.report_is_original:
                targets.insert(0, (self.absolute(report), photo.report.data))
            for path, data in targets:
                # Derived copies are made from the original; one already there is kept as it is, so
                # a report copy another visit's minutes used does not change under it.
                if _nonempty(path):
                    continue
                write_atomically(path, data)
                created.append(path)
        except OSError as exc:
            for path in created:
                try:
                    path.unlink()
                except OSError:
                    pass
            raise storage_error(exc, N_("ảnh")) from exc
        return StoredPhoto(photo.sha256, original, report, thumb, len(photo.original), already)

    def read(self, relative: str) -> bytes:
        return self.absolute(relative).read_bytes()

    def verify(self, relative: str, sha256: str) -> bool:
        """True when the stored original still hashes to ``sha256``."""
        path = self.absolute(relative)
        try:
            return file_sha256(path) == sha256
        except OSError:
            return False

    def remove(self, relatives: Iterable[str]) -> None:
        """Delete stored files (missing ones are fine) and their folder once it is empty.

        Only for files no record refers to any more: the caller checks that.
        """
        folders = set()
        for relative in dict.fromkeys(relatives):
            path = self.absolute(relative)
            folders.add(path.parent)
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise storage_error(exc, N_("thay đổi ảnh")) from exc
        for folder in folders:
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty, or already gone

    def sweep_temporary(self, older_than_s: float = 3600.0) -> int:
        """Remove temporary files a crash left behind; returns how many were removed."""
        root = self.data_dir / PHOTOS_DIR
        if not root.is_dir():
            return 0
        cutoff = time.time() - older_than_s
        removed = 0
        for path in root.glob(f"*/{TMP_PREFIX}*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                pass
        return removed

    @staticmethod
    def _intact(path: Path, sha256: str, size: int) -> bool:
        try:
            return path.stat().st_size == size and file_sha256(path) == sha256
        except OSError:
            return False


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False
