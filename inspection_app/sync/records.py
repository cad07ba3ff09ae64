"""Which tables travel in a visit bundle, and how their rows become JSON and back.

Rows are carried column by column, driven by the table's column types, so a new column added to a
model travels without any change here. Values are plain JSON: aware datetimes as ISO 8601 in UTC,
dates as ISO dates, JSON columns as they are. Reading a bundle validates every value against its
column type, so a malformed manifest is refused before anything is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Table
from sqlmodel import SQLModel

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from ..domain.errors import UserError
from ..store import models as m
from ..store.types import UTCDateTime


class BundleRejected(UserError):
    """The bundle cannot be imported; nothing was written."""


def rejected(vi: str, en: str, **details: object) -> BundleRejected:
    return BundleRejected("{what} Chưa có dữ liệu nào được ghi.", what=Phrase(vi, en), **details)


# Tables a bundle carries, besides the audit events. The order is resolved from the foreign keys
# at import time (parents first); this set only says what travels.
def bundle_models() -> list[type[SQLModel]]:
    models: list[type[SQLModel]] = [m.Unit, m.StaffMember, m.Inspector, m.Visit, *m.VISIT_OWNED, m.Dossier]
    snapshot = getattr(m, "ChecklistSnapshot", None)  # exact checklist texts, when the store has them
    if snapshot is not None:
        models.append(snapshot)
    models.append(m.VisitSeal)  # the digest of each visit's content at signing (issue #10)
    return models


def ordered_tables() -> list[Table]:
    """Bundle tables, parents before children (insert order)."""
    wanted = {mdl.__tablename__ for mdl in bundle_models()}
    return [t for t in SQLModel.metadata.sorted_tables if t.name in wanted]


def model_for(table_name: str) -> type[SQLModel]:
    for mdl in bundle_models():
        if mdl.__tablename__ == table_name:
            return mdl
    raise KeyError(table_name)


AUDIT_TABLE = m.AuditEvent.__table__  # type: ignore[attr-defined]
AUDIT_SKIP = {"seq"}  # local autoincrement; events are identified by event_id

# Columns holding a file path relative to the data directory; the files travel with the records.
PATH_COLUMNS: dict[str, tuple[str, ...]] = {
    "photo": ("original_path", "report_path", "thumb_path"),
    "minutesdocument": ("file_path",),
}

# Columns never compared or merged field by field.
BOOKKEEPING = {"created_at", "updated_at", "stored_at", "sealed_at"}  # stored_at: when a snapshot (same text,
# same hash under its key) was stored on each device; sealed_at likewise for a visit's digest

# Who/when columns that accompany a change of the record's substance: merged like any field, but
# not listed as conflicts of their own (the conflict on the value itself says it all).
QUIET = {"answered_at", "answered_by", "recorded_at", "recorded_by", "checked_at", "checked_by",
         "ingested_at", "drawn_by", "imported_by"}


def pk_column(table: Table) -> str:
    cols = list(table.primary_key.columns)
    if len(cols) != 1:
        raise ValueError(f"table {table.name} has no single-column primary key")
    return cols[0].name


def natural_keys(table: Table) -> list[tuple[str, ...]]:
    """Unique column sets other than the primary key: two tablets may create the same answer,
    roll-call entry or photo under different ids, and these keys find them."""
    pk = {c.name for c in table.primary_key.columns}
    keys: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        cols = tuple(c.name for c in getattr(constraint, "columns", []))
        if cols and set(cols) != pk and type(constraint).__name__ == "UniqueConstraint":
            keys.append(cols)
    for col in table.columns:
        if col.unique and not col.primary_key:
            keys.append((col.name,))
    return keys


# --- values ---------------------------------------------------------------------------------------


def dump_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool, list, dict)):
        return value.value  # an Enum
    return value


def dump_row(table: Table, row: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    """A row (ORM object or mapping) as a JSON-ready dict."""
    skip = set(skip)
    get = row.__getitem__ if isinstance(row, dict) else (lambda k: getattr(row, k))
    return {c.name: dump_value(get(c.name)) for c in table.columns if c.name not in skip}


def _nfc_deep(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_deep(v) for k, v in value.items()}
    return value


class _BadValue(ValueError):
    pass


def load_value(col, raw: Any) -> Any:
    if raw is None:
        if not col.nullable and not col.primary_key and not isinstance(col.type, JSON):
            raise _BadValue("missing")
        return None
    kind = col.type
    if isinstance(kind, UTCDateTime):
        if not isinstance(raw, str):
            raise _BadValue("not a time")
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise _BadValue("time without a UTC offset")
        return value.astimezone(UTC)
    if isinstance(kind, Date):
        if not isinstance(raw, str):
            raise _BadValue("not a date")
        return date.fromisoformat(raw)
    if isinstance(kind, Boolean):
        if not isinstance(raw, bool):
            raise _BadValue("not true/false")
        return raw
    if isinstance(kind, Integer):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise _BadValue("not an integer")
        return raw
    if isinstance(kind, Float):
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise _BadValue("not a number")
        return float(raw)
    if isinstance(kind, JSON):
        return _nfc_deep(raw)
    if isinstance(kind, String):
        if not isinstance(raw, str):
            raise _BadValue("not text")
        if kind.length is not None and len(raw) > kind.length:
            raise _BadValue("too long")
        return unicodedata.normalize("NFC", raw)
    return raw


def load_row(table: Table, raw: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Validate one row of the manifest against its table; missing columns take their defaults."""
    if not isinstance(raw, dict):
        raise rejected(*both("Bản ghi của bảng {name} không hợp lệ.", name=table.name))
    skip = set(skip)
    unknown = set(raw) - {c.name for c in table.columns} - skip
    if unknown:
        # A newer app would have said so through the schema version; unknown columns mean damage.
        raise rejected(*both("Bảng {name} có cột lạ: {unknown}.", name=table.name, unknown=', '.join(sorted(unknown))))
    out: dict[str, Any] = {}
    for col in table.columns:
        if col.name in skip:
            continue
        if col.name not in raw:
            default = col.default.arg if col.default is not None else None  # type: ignore[attr-defined]
            if callable(default):
                try:
                    default = default()
                except TypeError:
                    default = default(None)
            if default is None and not col.nullable and not col.primary_key:
                raise rejected(*both("Bảng {name} thiếu cột {name2}.", name=table.name, name2=col.name))
            out[col.name] = default
            continue
        try:
            out[col.name] = load_value(col, raw[col.name])
        except (_BadValue, ValueError, TypeError) as exc:
            raise rejected(*both("Giá trị không hợp lệ ở {name}.{name2}: {exc}.", name=table.name, name2=col.name, exc=exc)) from None
    pk = pk_column(table) if table is not AUDIT_TABLE else "event_id"
    if not isinstance(out.get(pk), str) or not out[pk]:
        raise rejected(*both("Bản ghi của bảng {name} thiếu mã.", name=table.name))
    return out


def safe_relative_path(path: Any) -> str:
    """A stored file path, checked so that a bundle cannot write outside the data directory."""
    if not isinstance(path, str) or not path or "\\" in path or "\x00" in path:
        raise _BadValue("bad path")
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("", ".", "..") for part in path.split("/")) or ":" in pure.parts[0]:
        raise _BadValue("bad path")
    return str(pure)


def check_path(path: Any) -> str:
    try:
        return safe_relative_path(path)
    except _BadValue:
        raise rejected(*both("Đường dẫn tệp không hợp lệ trong gói dữ liệu: {path!r}.", path=path)) from None


def values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b
