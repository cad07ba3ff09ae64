"""The head revision, read from the revision files without importing Alembic or SQLAlchemy.

Start-up (issue #17): a database already at the head needs no Alembic, and the first screen can read a
database at the head before the tables are loaded (``store/peek.py``).
"""

from __future__ import annotations

import ast
import re
from importlib import resources

_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def head_from_files() -> str | None:
    """The head revision read from the revision files' ``revision`` and ``down_revision`` lines, without
    importing Alembic (start-up: a database already at the head needs no Alembic). None when the files
    do not say it plainly (then Alembic is asked)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for script in (resources.files(__package__) / "alembic" / "versions").iterdir():
            if not script.name.endswith(".py"):
                continue
            found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
            if "revision" not in found:
                continue
            revisions.add(ast.literal_eval(found["revision"]))
            parent = ast.literal_eval(found.get("down_revision", "None"))
            parents.update([parent] if isinstance(parent, str) else (parent or ()))
    except (OSError, ValueError, SyntaxError, TypeError):
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
