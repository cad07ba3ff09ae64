"""What the signers of the minutes are shown, as one SHA-256 (``content_digest``), and the NFC copy
of the content the layout draws (``normalized``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
from typing import Any

from .minutes import MinutesContent
from .text import nfc


def content_digest(content: MinutesContent) -> str:
    """SHA-256 (hex) of what the signers are shown: every printed fact except the number (given by
    the văn thư later), the version and the drawn signatures themselves. A refusal is part of it,
    since it changes section V and the closing. Photos count by their original's hash and caption."""

    def plain(value: Any) -> Any:
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return value

    data = plain(normalized(content))
    for key in ("number", "version", "visit_id"):
        data.pop(key, None)
    data["signatures"] = sorted(
        [[m["role"], m["name"], m["refusal_reason"]] for m in data["signatures"] if m["refused"]])
    data["photos"] = [[p["ref"], p["caption"], p["sha256"], p["item_ref"], p["taken_at"]]
                      for p in data["photos"]]
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def normalized(content: MinutesContent) -> MinutesContent:
    """A copy with every string in NFC; the layout calls this so NFD input never reaches a font."""
    out: MinutesContent = _nfc_deep(content)
    return out


def _nfc_deep(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, tuple):
        return tuple(_nfc_deep(v) for v in value)
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _nfc_deep(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value
