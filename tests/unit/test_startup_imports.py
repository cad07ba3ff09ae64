"""Start-up stays light (issue #17 point 1): what the first screen does not need is not imported.

No time is asserted here: the figures are in ``benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("INSPECTION_APP_DATA_DIR", "DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_head_read_from_the_revision_files_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from inspection_app.store.migrations import head_from_files

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "inspection_app" / "store" / "alembic"))
    assert head_from_files() == ScriptDirectory.from_config(cfg).get_current_head()


def test_opening_a_database_at_the_head_imports_no_alembic_and_one_behind_is_upgraded(tmp_path):
    code = """
import json, sys
from inspection_app.services.context import AppContext
ctx = AppContext.open(sys.argv[1])
print(json.dumps({"alembic": "alembic" in sys.modules, "report": ctx.upgrade_report}))
"""
    first = _run(code, str(tmp_path))
    assert first["report"]["created"] is True
    again = _run(code, str(tmp_path))
    assert again["alembic"] is False and again["report"]["from_revision"] == again["report"]["revision"]
    import sqlite3

    db = sqlite3.connect(tmp_path / "inspection.db")
    with db:  # as if written by the build before the last revisions (they are idempotent)
        db.execute("UPDATE alembic_version SET version_num = '0002'")
    db.close()
    behind = _run(code, str(tmp_path))
    assert behind["alembic"] is True and behind["report"]["from_revision"] == "0002"
    assert behind["report"]["revision"] == again["report"]["revision"]


def test_the_command_line_and_the_app_module_import_no_database_pdf_or_signing_code():
    code = """
import json, sys
from inspection_app.cli import main, build_parser
import inspection_app.ui.app
build_parser([])
heavy = ["sqlalchemy", "sqlmodel", "alembic", "reportlab", "pyhanko", "openpyxl", "PIL", "uvicorn",
         "inspection_app.services.web_access"]
print(json.dumps([m for m in heavy if m in sys.modules]))
"""
    assert _run(code) == []


def test_a_failing_upgrade_leaves_an_sqlite_database_as_it_was(tmp_path, monkeypatch):
    """The upgrade's steps, DDL included, run in one transaction on SQLite too (Python's sqlite3 opens
    none before CREATE or ALTER by itself)."""
    import sqlite3

    from sqlalchemy import inspect

    from inspection_app.store import make_engine, migrations

    sys.path.insert(0, str(ROOT / "tests" / "integration"))
    from test_migrations import make_v1_database

    db = tmp_path / "inspection.db"
    make_v1_database(db)
    before = sorted(r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master"))

    def broken(conn):  # the v1 → v2 data step fails after the additive pass created tables and columns
        raise RuntimeError("step failed")

    monkeypatch.setitem(migrations.STEPS, 1, broken)
    engine = make_engine(f"sqlite:///{db}")
    try:
        try:
            migrations.upgrade(engine)
        except RuntimeError:
            pass
        else:
            raise AssertionError("the upgrade should have failed")
        with engine.connect() as conn:
            assert "kind" not in {c["name"] for c in inspect(conn).get_columns("finding")}
    finally:
        engine.dispose()
    assert sorted(r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")) == before


def test_the_first_screen_is_ready_before_sqlalchemy_and_the_tables_are_imported(tmp_path):
    """The app's start-up thread (``ui/app.Startup``) opens the context with ``defer=True`` and reads the
    home list with the standard library: none of that imports SQLAlchemy, SQLModel or the tables. The
    database opens on first use."""
    code = """
import json, sys
import flet
from inspection_app.services.context import AppContext
from inspection_app.services import home_list
import inspection_app.ui.first_start, inspection_app.ui.views.home
ctx = AppContext.open(sys.argv[1], defer=True)
rows = home_list.recent_visits(ctx)
before = [m for m in ("sqlalchemy", "sqlmodel", "inspection_app.store.models") if m in sys.modules]
with ctx.session() as s:  # first use: the database opens (and is created here)
    pass
print(json.dumps({"rows": rows, "before": before, "after": "sqlalchemy" in sys.modules,
                  "created": ctx.upgrade_report["created"], "peek_after_open": home_list.recent_visits(ctx)}))
"""
    out = _run(code, str(tmp_path))
    assert out == {"rows": [], "before": [], "after": True, "created": True, "peek_after_open": None}


def test_drawing_the_home_screen_imports_no_sqlalchemy(tmp_path):
    """The first session's shell and home screen, on a real Flet session with a fake connection, drawn from a
    context whose database is not open: no SQLAlchemy, no tables, and the database still closed."""
    code = """
import asyncio, json, sys
import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import Message, MessageAction, RegisterClientResponseBody, configure_encode_object_for_msgpack
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub
from inspection_app.services.context import AppContext
from inspection_app.ui.first_start import AppShell

class Conn(Connection):
    def __init__(self):
        super().__init__()
        self.pubsubhub = PubSubHub()
    def send_message(self, message):
        msgpack.packb([message.action, message.body], default=configure_encode_object_for_msgpack(BaseControl))

async def main():
    conn = Conn()
    conn.loop = asyncio.get_running_loop()
    session = Session(conn)
    _context_page.set(session.page)
    session.apply_page_patch({"route": "/", "width": 1280, "height": 800, "web": True})
    conn.send_message(Message(MessageAction.REGISTER_CLIENT, RegisterClientResponseBody(
        session_id=session.id, page_patch=session.get_page_patch(), error=None)))
    ctx = AppContext.open(sys.argv[1], defer=True)
    shell = AppShell(session.page, ctx)
    await asyncio.wrap_future(shell.start())
    return type(shell.screen).__name__, ctx.db.opened

name, opened = asyncio.run(main())
print(json.dumps({"screen": name, "opened": opened,
                  "heavy": [m for m in ("sqlalchemy", "sqlmodel", "inspection_app.store.models") if m in sys.modules]}))
"""
    assert _run(code, str(tmp_path)) == {"screen": "HomeScreen", "opened": False, "heavy": []}
