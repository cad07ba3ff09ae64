"""Schema versions and in-place upgrades, through Alembic.

Schema changes are Alembic revisions in ``store/alembic/versions`` (shipped inside the package; located with
``importlib.resources``). The first revision, ``0001``, is the baseline: the schema as it was at
``SCHEMA_VERSION`` 2, before Alembic. On start, :func:`upgrade`:

- creates a new database by upgrading it to the head revision;
- brings a schema-1 database (the first release, no ``appmeta`` table) to version 2 with the explicit step
  below plus the v2 tables and columns, then stamps the baseline and upgrades to head;
- stamps a version-2 database made before Alembic with the baseline, then upgrades to head;
- refuses a database from a newer app (a higher ``appmeta`` version, or an Alembic revision this app does not
  know) and leaves it untouched.

Before changing an existing SQLite database it is copied aside with SQLite's online backup API
(``sqlite3.Connection.backup``), which copies the WAL's committed pages too, so the copy is whole. All the
steps run in one transaction: an upgrade that fails leaves the database as it was.

After a change to the models, write its revision with ``alembic … revision --autogenerate`` (the exact steps
are in docs/architecture.md, "Schema: Alembic"); ``tests/integration/test_migrations.py`` fails while the models
and the head differ. On every start, tables, columns and indexes the models have and the database lacks are
still added (the old additive net), after the revisions have run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.types import JSON
from sqlmodel import SQLModel

from ..domain.errors import UserError
from . import models  # noqa: F401  (registers the tables)
from .revisions import head_from_files

if TYPE_CHECKING:  # Alembic is imported when a database is created or behind the head (start-up: issue #17)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCHEMA_VERSION = 2  # the last schema before Alembic; later changes are Alembic revisions
#: The last revision that only adds tables, columns and indexes (see ``upgrade``). Raise it only with
#: revisions of that kind; a revision that changes or drops anything comes after it.
ADDITIVE_UNTIL = "0002"
BASELINE = "0001"  # the Alembic revision that is schema version 2


def _step_1_to_2(conn: Connection) -> None:
    # v1 had a single "absent" status; v2 distinguishes excused and unexcused absence. An absence
    # recorded with a reason was excused.
    conn.execute(text("UPDATE rollcallentry SET status = 'absent_excused' "
                      "WHERE status = 'absent' AND reason <> ''"))
    conn.execute(text("UPDATE rollcallentry SET status = 'absent_unexcused' WHERE status = 'absent'"))


STEPS: dict[int, Callable[[Connection], None]] = {1: _step_1_to_2}


def _default_sql(column: Column[Any]) -> str | None:
    default = getattr(column.default, "arg", None) if column.default is not None else None
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


def _add_missing(conn: Connection, baseline: dict[str, set[str]] | None) -> list[str]:
    """Bring a schema-1 database to schema 2: create the baseline's missing tables, columns and indexes.

    Only what the baseline revision has (``baseline``: table → columns) is added; later changes come from
    their Alembic revisions. With ``baseline`` None, everything the models have is added. Returns what was added.
    """
    added: list[str] = []
    insp = inspect(conn)
    existing = set(insp.get_table_names())
    if baseline is None:
        baseline = {t.name: {c.name for c in t.columns} for t in SQLModel.metadata.sorted_tables}
    frozen = MetaData()  # the new tables as the baseline has them (no column a later revision adds)
    for table in SQLModel.metadata.sorted_tables:
        if table.name in baseline and table.name not in existing:
            cols = [c._copy() for c in table.columns if c.name in baseline[table.name]]
            uniques = [UniqueConstraint(*[c.name for c in u.columns]) for u in table.constraints
                       if isinstance(u, UniqueConstraint) and all(c.name in baseline[table.name] for c in u.columns)]
            copy = Table(table.name, frozen, *cols, *uniques)
            for index in table.indexes:  # single-column indexes come with their columns (index=True)
                if len(index.columns) > 1 and all(c.name in baseline[table.name] for c in index.columns):
                    Index(index.name, *[copy.c[c.name] for c in index.columns], unique=index.unique)
    frozen.create_all(conn)
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in baseline:
            continue
        if table.name not in existing:
            added.append(table.name)
            continue
        have = {c["name"] for c in insp.get_columns(table.name)}
        for column in table.columns:
            if column.name in have or column.name not in baseline[table.name]:
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


def _backup(engine: Engine, version: int | str) -> Path | None:
    """Copy an SQLite file aside with the online backup API (WAL pages included); None for other databases."""
    db = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not db or db == ":memory:":
        return None
    src = Path(db)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dst = src.with_name(f"{src.name}.v{version}-{stamp}.bak")
    source = sqlite3.connect(src)
    try:
        target = sqlite3.connect(dst)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return dst


def _alembic_config(conn: Connection) -> Config:
    """The packaged alembic.ini, bound to ``conn`` (so Alembic runs inside our transaction)."""
    from alembic.config import Config

    with resources.as_file(resources.files(__package__) / "alembic") as where:
        cfg = Config(str(where / "alembic.ini"))
        cfg.set_main_option("script_location", str(where))
    cfg.attributes["connection"] = conn
    return cfg


def _scripts(conn: Connection) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(conn))


def _revision(conn: Connection) -> str | None:
    if "alembic_version" in inspect(conn).get_table_names():
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        if len(rows) <= 1:
            return rows[0] if rows else None
    from alembic.runtime.migration import MigrationContext  # several heads: Alembic says what that means

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, *, replay: bool = False) -> dict[str, Any]:
    """Create or upgrade the schema. Returns what happened (for logs and tests).

    A new SQLite database is made from the models and stamped with the head revision, the way Alembic's
    cookbook builds "an up-to-date database from scratch" (``create_all``, then ``stamp head``), without
    importing Alembic (start-up: issue #17); ``tests/integration/test_migrations.py`` proves that schema is
    the one replaying every revision makes. ``replay=True`` (and any other database) runs the revisions.

    Raises :class:`UserError` for a database written by a newer version of the app (nothing is changed).
    """
    with engine.connect() as conn:
        version = current_version(conn)
        revision = _revision(conn) if version is not None else None
        head: str | None
        files_head = head_from_files()
        from_models = version is None and files_head is not None and not replay and engine.dialect.name == "sqlite"
        if version == SCHEMA_VERSION and revision is not None and revision == files_head:
            head, known = revision, True  # the usual start: nothing to run, no Alembic to import
        elif from_models:
            head, known = files_head, True  # a new database: made from the models below
        else:
            scripts = _scripts(conn)
            head = scripts.get_current_head()
            known = revision is None or _known(scripts, revision)
    if (version is not None and version > SCHEMA_VERSION) or not known:
        shown = revision if not known else version
        raise UserError(
            "Cơ sở dữ liệu được tạo bởi phiên bản mới hơn của ứng dụng (lược đồ {shown}); hãy cập nhật ứng dụng. Dữ liệu không bị thay đổi.", shown=shown)
    if version is None:
        with engine.begin() as conn:
            _transactional_ddl(conn)
            if from_models and files_head is not None:
                _create_at_head(conn, files_head)
            else:
                from alembic import command

                command.upgrade(_alembic_config(conn), "head")
            _set_version(conn, SCHEMA_VERSION)
        return {"created": True, "from": None, "to": SCHEMA_VERSION, "revision": head, "added": [], "backup": None}
    behind = version < SCHEMA_VERSION or revision != head
    backup = _backup(engine, version if revision is None else revision) if behind else None
    added: list[str] = []
    with engine.begin() as conn:
        _transactional_ddl(conn)
        if version < SCHEMA_VERSION:
            added = _add_missing(conn, None)  # the tables and columns the data steps write to
            for v in range(version, SCHEMA_VERSION):
                STEPS[v](conn)
            _set_version(conn, SCHEMA_VERSION)
        if revision is None or revision != head:
            from alembic import command

            cfg = _alembic_config(conn)
            if revision is None:
                # A database from before Alembic: every revision up to ADDITIVE_UNTIL only adds tables,
                # columns and indexes, so the additive pass brings it there; it is stamped at that revision
                # and any later revision runs normally.
                added += _add_missing(conn, None)
                command.stamp(cfg, ADDITIVE_UNTIL)
            if (revision or ADDITIVE_UNTIL) != head:
                command.upgrade(cfg, "head")
        # Safety net: a table, column or index the models have and the database lacks (a database an older
        # build damaged, or a model change whose revision was forgotten: test_migrations catches that).
        added += _add_missing(conn, None)
    return {"created": False, "from": version, "to": SCHEMA_VERSION, "revision": head, "from_revision": revision,
            "added": added, "backup": str(backup) if backup else None}


def _create_at_head(conn: Connection, head: str) -> None:
    """Every model table and index, and Alembic's version table holding ``head``, as
    ``alembic stamp head`` writes it (table ``alembic_version``, primary key ``alembic_version_pkc``)."""
    SQLModel.metadata.create_all(conn, checkfirst=False)  # an empty database: nothing to look up first
    version = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
    version.create(conn)
    conn.execute(version.insert().values(version_num=head))


def _transactional_ddl(conn: Connection) -> None:
    """On SQLite, open the transaction now: Python's sqlite3 begins one only before INSERT, UPDATE or
    DELETE, so each CREATE or ALTER would otherwise commit (and sync) on its own. The steps then commit
    or roll back together, and a new database is made with one sync instead of dozens."""
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite" and dbapi is not None and not dbapi.in_transaction:
        conn.exec_driver_sql("BEGIN")


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for an unknown revision
        return False
