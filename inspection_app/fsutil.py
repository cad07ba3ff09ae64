"""The one way the app writes a file: complete or not at all (issue #16 point 2).

:func:`atomic_write` writes to a temporary file in the same directory, flushes it to the disk (fsync),
renames it over the final name (``os.replace``: atomic on POSIX and Windows) and syncs the directory, so a
crash or a full disk leaves either the whole new file or the old one, never half of one. A refused write
becomes a :class:`~inspection_app.domain.errors.StorageError` that names what was being saved.

A leaf at the store's level: it imports only ``domain.errors``, so every layer above may use it (settings,
photos, PDFs, keys, exports, bundles).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .domain.errors import Phrase, storage_error
from .locale import N_

TMP_PREFIX = ".tmp-"
_CHUNK = 1 << 20


def atomic_write(path: Path | str, data: bytes, what_vi: str | None = None, what_en: str | None = None, *,
                 mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either complete or untouched.

    ``what_vi``/``what_en`` name the thing saved in the error message (default: the catalog's "tệp"); ``mode`` (e.g. ``0o600`` for a
    key) is set on the file before it gets its name. Raises StorageError when the disk refuses.
    """
    try:
        write_atomically(Path(path), data, mode=mode)
    except OSError as exc:
        what = Phrase(what_vi, what_en or what_vi) if what_vi else N_("tệp")
        raise storage_error(exc, what) from exc


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """:func:`atomic_write` without the translation of errors (raises OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX, suffix=path.suffix)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        view = memoryview(data)
        offset = 0
        while offset < len(view):
            offset += os.write(fd, view[offset:offset + _CHUNK])
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def replace_durably(source: Path | str, target: Path | str) -> None:
    """Rename a file already written and synced (a staged download, a ``.part`` file) over ``target``, and
    make the rename durable; for files too large to hold in memory for :func:`atomic_write`."""
    os.replace(source, target)
    fsync_dir(Path(target).parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX); Windows cannot open a directory, and needs not."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
