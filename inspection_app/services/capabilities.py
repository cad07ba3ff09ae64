"""What this installation can do, from the optional packages it has (docs/platforms.md).

A tablet build carries the base install only: Flet's mobile package index has no wheel of
pillow-heif or psycopg, so HEIC photos and the office's shared PostgreSQL database are left to the
office desktop. Screens ask here and say so, instead of failing later.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    key: str  # also the label key suffix: ``fs.feature.<key>``
    available: bool


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def features() -> list[Feature]:
    """Optional features and whether this installation has them (cheap: no module is imported)."""
    return [
        Feature("heic", _has("pillow_heif")),  # extra [heic]
        Feature("office_db", _has("psycopg")),  # extra [office]
        Feature("pades", _has("pyhanko")),  # base install; a tablet build may resolve an older pyHanko
    ]


def left_to_the_office() -> list[str]:
    """Keys of the features this installation lacks (their work is done at the office desktop)."""
    return [f.key for f in features() if not f.available]
