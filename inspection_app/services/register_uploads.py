"""Start-up step: no copies of uploaded registers in the data directory (issue 15).

Kept apart from the register import so that running it at every start imports nothing heavy. It is a
data step, not a schema step, so it is not an Alembic revision; ``AppContext.open`` calls it after the
schema upgrade.
"""

from __future__ import annotations

from pathlib import Path


def remove_kept_uploads(data_dir: str | Path) -> int:
    """Remove the register files earlier versions kept under ``uploads/registers/`` (issue 15).

    The register screen used to keep a byte-for-byte copy of every uploaded register, citizens' ID
    numbers and phones included. Nothing reads them: a re-draw uses the stored frame or the unit's own
    file. Run at start; returns the number of files removed. Idempotent; errors on one file are skipped
    (it is tried again at the next start).
    """
    folder = Path(data_dir) / "uploads" / "registers"
    if not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
                removed += 1
        except OSError:
            continue
    try:
        folder.rmdir()
    except OSError:
        pass
    return removed
