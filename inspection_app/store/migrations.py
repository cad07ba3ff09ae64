"""Schema versions and in-place upgrades.

The schema version lives in the ``appmeta`` table. On start, :func:`upgrade` brings an older
database up to :data:`SCHEMA_VERSION` in one transaction, after copying an SQLite file aside, so an
upgrade that fails leaves the old file as it was. A database from a *newer* app is refused rather
than touched.

Each step is explicit about data changes. New tables and new columns are added by
:func:`_add_missing`: a new column must be nullable or have a default, which is what an additive
change to the models gives; anything else (renames, type changes, value changes) needs a step here.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import Boolean, Connection, Integer, String, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.types import JSON
from sqlmodel import SQLModel

from ..domain.errors import UserError
from . import models  # noqa: F401  (registers the tables)

SCHEMA_VERSION = 2


def _step_1_to_2(conn: Connection) -> None:
    # v1 had a single "absent" status; v2 distinguishes excused and unexcused absence. An absence
    # recorded with a reason was excused.
    conn.execute(text("UPDATE rollcallentry SET status = 'absent_excused' "
                      "WHERE status = 'absent' AND reason <> ''"))
    conn.execute(text("UPDATE rollcallentry SET status = 'absent_unexcused' WHERE status = 'absent'"))


STEPS: dict[int, Callable[[Connection], None]] = {1: _step_1_to_2}


def _default_sql(column) -> str | None:
    default = column.default.arg if column.default is not None else None
    if callable(default):
        name = getattr(default, "__name__", "")
        if name == "utcnow":
            return "CURRENT_TIMESTAMP"
        try:
            default = default(None) if name == "<lambda>" else default()
        except TypeError:
            return None
    if default is None:
        return None
    if isinstance(column.type, JSON) or isinstance(default, (list, dict)):
        return "'" + json.dumps(default).replace("'", "''") + "'"
    if isinstance(column.type, Boolean) or isinstance(default, bool):
        return "TRUE" if default else "FALSE"
    if isinstance(column.type, Integer) or isinstance(default, (int, float)):
        return str(default)
    if isinstance(column.type, String) or isinstance(default, str):
        return "'" + str(default).replace("'", "''") + "'"
    return None


def _add_missing(conn: Connection) -> list[str]:
    """Create missing tables, columns and indexes; return what was added."""
    added: list[str] = []
    insp = inspect(conn)
    existing = set(insp.get_table_names())
    SQLModel.metadata.create_all(conn)
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in existing:
            added.append(table.name)
            continue
        have = {c["name"] for c in insp.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            ddl_type = column.type.compile(dialect=conn.dialect)
            default = _default_sql(column)
            if not column.nullable and default is None:
                raise RuntimeError(f"column {table.name}.{column.name} is NOT NULL without a default: "
                                   "write an explicit migration step")
            sql = f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {ddl_type}'
            if default is not None:
                sql += f" DEFAULT {default}"
            if not column.nullable:
                sql += " NOT NULL"
            conn.execute(text(sql))
            added.append(f"{table.name}.{column.name}")
        have_indexes = {i["name"] for i in insp.get_indexes(table.name)}
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            if index.name and index.name not in have_indexes:
                index.create(conn)
                added.append(f"index {index.name}")
    return added


def current_version(conn: Connection) -> int | None:
    tables = set(inspect(conn).get_table_names())
    if not tables:
        return None
    if "appmeta" not in tables:
        return 1  # the first release kept no version
    row = conn.execute(text("SELECT value FROM appmeta WHERE key = 'schema_version'")).first()
    return int(row[0]) if row else 1


def _set_version(conn: Connection, version: int) -> None:
    conn.execute(text("DELETE FROM appmeta WHERE key = 'schema_version'"))
    conn.execute(text("INSERT INTO appmeta (key, value) VALUES ('schema_version', :v)"), {"v": str(version)})


def _backup(engine: Engine, version: int) -> Path | None:
    db = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not db or db == ":memory:":
        return None
    src = Path(db)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    dst = src.with_name(f"{src.name}.v{version}-{stamp}.bak")
    with engine.connect() as conn:  # checkpoint the WAL so the copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(src, dst)
    return dst


def upgrade(engine: Engine) -> dict:
    """Create or upgrade the schema. Returns what happened (for logs and tests)."""
    with engine.connect() as conn:
        version = current_version(conn)
    if version is not None and version > SCHEMA_VERSION:
        raise UserError(
            f"Cơ sở dữ liệu được tạo bởi phiên bản mới hơn của ứng dụng (lược đồ {version}); "
            f"hãy cập nhật ứng dụng. Dữ liệu không bị thay đổi.",
            f"The database was made by a newer version of the app (schema {version}); "
            f"update the app. Nothing was changed.",
            version=version,
        )
    if version is None:
        with engine.begin() as conn:
            SQLModel.metadata.create_all(conn)
            _set_version(conn, SCHEMA_VERSION)
        return {"created": True, "from": None, "to": SCHEMA_VERSION, "added": [], "backup": None}
    backup = _backup(engine, version) if version < SCHEMA_VERSION else None
    with engine.begin() as conn:
        added = _add_missing(conn)
        for v in range(version, SCHEMA_VERSION):
            STEPS[v](conn)
        _set_version(conn, SCHEMA_VERSION)
    return {"created": False, "from": version, "to": SCHEMA_VERSION, "added": added,
            "backup": str(backup) if backup else None}
