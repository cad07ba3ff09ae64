"""Files at rest: the data directory is 0700 and everything in it 0600 (issue #10 point 8).

The database (and SQLite's -wal/-shm, which copy the database file's mode), minutes PDFs, photos,
bundles and keys are personal data and signing material of public servants; nobody else on the
machine reads them. ``restrict_new_files`` sets the process umask to 077 so every file and folder
the app creates is private from the start; ``harden`` fixes a data directory made by an older
version (files left 0644), walking it once, when its own mode is not yet 0700.

POSIX only: on Windows ``chmod`` only toggles read-only and the umask does not apply; there the
per-user profile folder the data directory lives in is what keeps others out.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_new_files() -> None:
    """Every file and folder this process creates from now on: owner only."""
    if os.name == "posix":
        os.umask(0o077)


def harden(data_dir: Path) -> int:
    """Make ``data_dir`` 0700 and everything under it 0700 (folders) / 0600 (files).

    Walks the tree only when the directory itself is not 0700 yet (an older data directory); a
    hardened one costs one ``stat``. Symbolic links are neither followed nor changed. Returns the
    number of entries whose mode changed.
    """
    if os.name != "posix":
        return 0
    data_dir = Path(data_dir)
    try:
        mode = stat.S_IMODE(data_dir.stat().st_mode)
    except OSError:
        return 0
    if mode == DIR_MODE:
        return 0
    changed = 0
    for root, dirs, files in os.walk(data_dir, followlinks=False):
        for name, wanted in [(d, DIR_MODE) for d in dirs] + [(f, FILE_MODE) for f in files]:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    continue
                if stat.S_IMODE(st.st_mode) != wanted:
                    os.chmod(path, wanted)
                    changed += 1
            except OSError:
                continue
    data_dir.chmod(DIR_MODE)
    return changed + 1


__all__ = ["DIR_MODE", "FILE_MODE", "harden", "restrict_new_files"]
