"""Fixtures for the integration tests: app contexts on SQLite and on a real PostgreSQL.

A module marked ``pytestmark = pytest.mark.both_databases`` runs each of its database tests on
SQLite and on PostgreSQL (``db_backend``; ``sqlite_only`` opts a test out). The shared ``ctx``
fixture follows it (``data_dir`` is overridden here), and ``ctx_factory(name)`` opens further
contexts, each on its own data directory and database (a new database on the session's throwaway
PostgreSQL server, see ``tests/pgserver.py``). Without PostgreSQL on the machine the PostgreSQL
half is skipped, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for pgserver

from pgserver import PgServer, PgUnavailable  # noqa: E402

from inspection_app.config import Config  # noqa: E402
from inspection_app.services.context import AppContext  # noqa: E402


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = PgServer(fast=True).start()
    except PgUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and could not be started: {exc}")
        pytest.skip(f"PostgreSQL is not available here: {exc}")
    yield server
    server.stop()


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "both_databases: run the module's tests on SQLite and on PostgreSQL")
    config.addinivalue_line("markers", "sqlite_only: a test of SQLite itself, in a both_databases module")


def pytest_generate_tests(metafunc) -> None:
    """Modules marked ``both_databases`` run every test that touches a database twice."""
    if "db_backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("both_databases") is None:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    metafunc.parametrize("db_backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)


@pytest.fixture
def db_backend(request) -> str:
    """The database of this test: "sqlite" unless the module is marked ``both_databases``."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def data_dir(tmp_path, monkeypatch, db_backend, request):
    """As the shared fixture (``tests/conftest.py``), on the parametrised database."""
    d = tmp_path / "data"
    monkeypatch.setenv("INSPECTION_APP_DATA_DIR", str(d))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    if db_backend == "postgresql":
        server = request.getfixturevalue("pg_server")
        name = f"t_{uuid.uuid4().hex[:16]}"
        monkeypatch.setenv("DATABASE_URL", server.create_database(name))
        request.addfinalizer(lambda: server.drop_database(name))
    return d


@pytest.fixture
def ctx_factory(db_backend, tmp_path, request, monkeypatch):
    """``ctx_factory(name, backend=None, actor=..., device_id=...)`` -> AppContext."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    opened: list[AppContext] = []
    databases: list[str] = []

    def factory(name: str = "office", *, backend: str | None = None, actor: str = "Người kiểm tra",
                device_id: str | None = None) -> AppContext:
        backend = backend or db_backend
        data_dir = tmp_path / name
        config = Config.load(data_dir)
        config.settings.inspector_name = actor
        config.settings.device_id = device_id or f"device-{name}"
        config.settings.department.province = "Tây Ninh"  # the identity asked at first start
        if backend == "postgresql":
            server = request.getfixturevalue("pg_server")
            db = f"t_{uuid.uuid4().hex[:16]}"
            config.settings.database_url = server.create_database(db)
            databases.append(db)
        config.save()
        ctx = AppContext.open(data_dir, actor=actor)
        opened.append(ctx)
        return ctx

    yield factory
    for ctx in opened:
        ctx.close()
    if databases:
        server = request.getfixturevalue("pg_server")
        for db in databases:
            server.drop_database(db)
