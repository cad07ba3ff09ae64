"""A throwaway PostgreSQL server for the tests and the benchmarks.

The store and sync tests run against SQLite *and* a real PostgreSQL, because an office shares one
PostgreSQL database between several reviewers (docs/office-postgresql.md). Nothing is assumed about
the machine beyond the Debian ``postgresql`` package (``make sysdeps`` installs it): the server is
initialised in a temporary directory, listens on 127.0.0.1 on a free port with ``trust``
authentication, and is removed when stopped. ``initdb`` refuses to run as root, so when we are root
the server runs as the ``postgres`` OS user, which the Debian package creates.

Used by ``tests/integration/conftest.py`` and ``benchmarks/bench_office.py``; it imports nothing of
the app.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PgUnavailable(RuntimeError):
    """No PostgreSQL binaries on this machine, or the server would not start."""


def find_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: ``PG_BINDIR``, Debian's layout, or PATH."""
    env = os.environ.get("PG_BINDIR")
    if env and (Path(env) / "initdb").exists():
        return Path(env)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One initialised and running cluster. ``fast`` turns off fsync (tests; not the benchmark)."""

    def __init__(self, fast: bool = True) -> None:
        self.fast = fast
        self.bindir = find_bindir()
        self.tmp: Path | None = None
        self.port: int | None = None
        self._as_postgres = os.geteuid() == 0
        self._running = False

    # -- process helpers --------------------------------------------------------------------------

    def _cmd(self, *args: str) -> list[str]:
        if self._as_postgres:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def _run(self, *args: str, timeout: float = 120) -> None:
        proc = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise PgUnavailable(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> PgServer:
        if self.bindir is None:
            raise PgUnavailable("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin); "
                                "run `make sysdeps` or `apt-get install postgresql`")
        if self._as_postgres:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PgUnavailable("running as root but there is no 'postgres' OS user") from exc
        self.tmp = Path(tempfile.mkdtemp(prefix="inspection-pg-"))
        if self._as_postgres:
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
        data = self.tmp / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-sync")
        options = ["-c listen_addresses=127.0.0.1", f"-k {self.tmp}", "-c max_connections=60"]
        if self.fast:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        last: Exception | None = None
        for _attempt in range(3):  # the free port may be taken between probing and binding
            self.port = _free_port()
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.tmp / "server.log"),
                          "-w", "-t", "60", "-o", " ".join([f"-p {self.port}", *options]), "start")
                self._running = True
                break
            except PgUnavailable as exc:
                last = exc
                time.sleep(0.2)
        if not self._running:
            log = (self.tmp / "server.log")
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            self._cleanup()
            raise PgUnavailable(f"PostgreSQL did not start: {last}\n{detail}")
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        if self._running and self.tmp is not None:
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.tmp / "data"), "-m", "immediate",
                          "-w", "stop", timeout=60)
            except (PgUnavailable, subprocess.TimeoutExpired):
                pass
            self._running = False
        self._cleanup()

    def _cleanup(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- databases --------------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for one database of this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str) -> str:
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
