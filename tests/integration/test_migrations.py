import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from inspection_app.domain.errors import UserError
from inspection_app.services.context import AppContext
from inspection_app.store.migrations import SCHEMA_VERSION
from inspection_app.store.models import Finding, RollCallEntry, Unit, Visit

V1 = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v1.sql"


def make_v1_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1.read_text(encoding="utf-8"))
    now = "2025-11-03 01:00:00.000000"
    conn.execute("INSERT INTO unit (id, name, kind, parent_agency, address, head_name, created_at, updated_at) "
                 "VALUES ('u1', 'UBND xã Cũ', '', '', '', '', ?, ?)", (now, now))
    conn.execute("INSERT INTO staffmember (id, unit_id, full_name, position, department, employment_type, active, "
                 "created_at, updated_at) VALUES ('p1', 'u1', 'Nguyễn Văn Cũ', '', '', '', 1, ?, ?)", (now, now))
    conn.execute("INSERT INTO staffmember (id, unit_id, full_name, position, department, employment_type, active, "
                 "created_at, updated_at) VALUES ('p2', 'u1', 'Trần Thị Cũ', '', '', '', 1, ?, ?)", (now, now))
    conn.execute("INSERT INTO visit (id, unit_id, kind, status, decision_number, plan_reference, place, checklists, "
                 "assessment, unit_opinion, minutes_number, created_by, created_at, updated_at) VALUES "
                 "('v1', 'u1', 'planned', 'on_site', '12/QĐ-SNV', '', '', '[]', 'Đánh giá cũ', '', '', '', ?, ?)",
                 (now, now))
    conn.execute("INSERT INTO finding (id, visit_id, description, severity, place, recorded_by, recorded_at, "
                 "created_at, updated_at) VALUES ('f1', 'v1', 'Hút thuốc trong phòng', 'high', '', '', ?, ?, ?)",
                 (now, now, now))
    for rid, pid, reason in (("r1", "p1", "Nghỉ ốm"), ("r2", "p2", "")):
        conn.execute("INSERT INTO rollcallentry (id, visit_id, staff_id, status, reason, evidence, note, recorded_by, "
                     "created_at, updated_at) VALUES (?, 'v1', ?, 'absent', ?, '', '', '', ?, ?)",
                     (rid, pid, reason, now, now))
    conn.commit()
    conn.close()


def test_old_schema_upgrades_in_place_with_nothing_lost(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    make_v1_database(data / "inspection.db")
    ctx = AppContext.open(data)
    report = ctx.upgrade_report
    assert report["from"] == 1 and report["to"] == SCHEMA_VERSION
    assert "finding.kind" in report["added"] and "checklistsnapshot" in report["added"]
    assert Path(report["backup"]).exists()
    with ctx.session() as s:
        assert s.get(Unit, "u1").name == "UBND xã Cũ"
        visit = s.get(Visit, "v1")
        assert visit.assessment == "Đánh giá cũ" and visit.device_id == ""
        finding = s.get(Finding, "f1")
        assert finding.description == "Hút thuốc trong phòng" and finding.kind == "" and not finding.explanation_requested
        statuses = {e.staff_id: e.status for e in s.exec(select(RollCallEntry))}
    assert statuses == {"p1": "absent_excused", "p2": "absent_unexcused"}
    # the upgraded database works like a new one
    from inspection_app.services import findings
    findings.add_finding(ctx, "v1", "Phát hiện mới", kind="tobacco")
    ctx.close()
    again = AppContext.open(data)  # a second start does nothing
    assert again.upgrade_report["from"] == SCHEMA_VERSION and again.upgrade_report["added"] == []
    again.close()


def test_database_from_a_newer_app_is_refused_untouched(tmp_path):
    data = tmp_path / "data"
    ctx = AppContext.open(data)
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE appmeta SET value = '99' WHERE key = 'schema_version'")
    ctx.close()
    before = (data / "inspection.db").read_bytes()
    with pytest.raises(UserError) as exc:
        AppContext.open(data)
    assert "mới hơn" in exc.value.vi and "newer" in exc.value.en
    assert (data / "inspection.db").read_bytes() == before


def test_the_models_match_the_migrations_head(tmp_path):
    """A model change without its Alembic revision fails here. Write the revision with
    ``alembic -c inspection_app/store/alembic/alembic.ini revision --autogenerate -m "…"``."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    from inspection_app.store.migrations import upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'head.db'}")
    upgrade(engine, replay=True)  # every revision run, not the models' shortcut for a new database
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == [], "the models differ from the migrations' head: write an Alembic revision"


def _sqlite_schema(path: Path) -> dict:
    """Every table's columns (type, not null, default, primary key by name), indexes (name, unique, columns
    with their order) and the stored version rows of an SQLite file."""
    conn = sqlite3.connect(path)
    try:
        schema: dict = {}
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            # by name: a revision appends the columns it adds, the models may list them elsewhere
            columns = {r[1]: tuple(r[2:]) for r in conn.execute(f'PRAGMA table_info("{table}")')}
            indexes = {}
            for _, name, unique, origin, _partial in conn.execute(f'PRAGMA index_list("{table}")'):
                cols = [(r[2], r[3]) for r in conn.execute(f'PRAGMA index_xinfo("{name}")') if r[5]]
                key = name if origin == "c" else (origin, tuple(cols))  # automatic indexes are named by position
                indexes[key] = (unique, cols)
            schema[table] = (columns, indexes)
        schema["rows"] = (conn.execute("SELECT version_num FROM alembic_version").fetchall(),
                          conn.execute("SELECT key, value FROM appmeta ORDER BY key").fetchall())
        return schema
    finally:
        conn.close()


def test_a_new_database_made_from_the_models_is_the_one_the_revisions_make(tmp_path):
    """A new SQLite database is made from the models and stamped (start-up: no Alembic to import); it must be
    the very schema that replaying every revision makes, down to column types, defaults and index order
    (only the order of the columns may differ: a revision appends the columns it adds)."""
    import subprocess
    import sys

    from sqlalchemy import create_engine

    from inspection_app.store.migrations import head_from_files, upgrade

    fast, replayed = tmp_path / "fast.db", tmp_path / "replayed.db"
    made_by = subprocess.run(  # in a process of its own, to see which modules making it imported
        [sys.executable, "-c", "import sys; from sqlalchemy import create_engine; "
         "from inspection_app.store.migrations import upgrade; "
         "r = upgrade(create_engine('sqlite:///' + sys.argv[1])); print(r['created'], r['revision'], "
         "'alembic' in sys.modules)", str(fast)], capture_output=True, text=True, check=True)
    assert made_by.stdout.split() == ["True", head_from_files(), "False"]
    upgrade(create_engine(f"sqlite:///{replayed}"), replay=True)
    made, expected = _sqlite_schema(fast), _sqlite_schema(replayed)
    assert set(made) == set(expected)
    for table in expected:
        assert made[table] == expected[table], table
    # and the next start finds it at the head: nothing to run, nothing added
    again = upgrade(create_engine(f"sqlite:///{fast}"))
    assert again["from_revision"] == head_from_files() and again["added"] == [] and again["backup"] is None


def test_a_v2_database_made_before_alembic_is_stamped_and_a_wal_database_is_backed_up_whole(tmp_path):
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    from inspection_app.store.migrations import upgrade

    path = tmp_path / "v2.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # a schema-2 database as the app made it before Alembic
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        SQLModel.metadata.create_all(conn)
        conn.exec_driver_sql("INSERT INTO appmeta (key, value) VALUES ('schema_version', '2')")
        conn.exec_driver_sql("INSERT INTO unit (id, name, kind, parent_agency, address, head_name, code, created_at, "
                             "updated_at) VALUES ('u1', 'UBND xã Mới', '', '', '', '', '', '2026-01-01', '2026-01-01')")
    keep = sqlite3.connect(path)  # an open reader keeps the WAL from being folded into the file
    keep.execute("SELECT 1 FROM unit").fetchall()
    report = upgrade(engine)
    keep.close()
    assert report["from"] == 2 and report["from_revision"] is None and report["revision"]
    backup = sqlite3.connect(report["backup"])
    assert backup.execute("SELECT name FROM unit").fetchall() == [("UBND xã Mới",)]
    backup.close()
    again = upgrade(engine)
    assert again["backup"] is None and again["from"] == 2
    engine.dispose()
