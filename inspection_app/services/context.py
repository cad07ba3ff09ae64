"""The services' context: configuration, the database, and who is acting.

Every service function takes an :class:`AppContext` first. The UI keeps one per app process; the
CLI opens one per command; tests open one on a temporary data directory.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config, Settings
from ..store import at_rest

if TYPE_CHECKING:  # SQLAlchemy and the tables load when the database opens (start-up: issue #17)
    from sqlalchemy.engine import Engine
    from sqlmodel import Session


class Database:
    """The database behind a context and every copy of it (``dataclasses.replace``): opened once, by
    :meth:`AppContext.open` or, for a context opened with ``defer=True``, on first use from any thread.

    Opening makes the engine, creates or upgrades the schema (``store.migrations.upgrade``) and removes
    what a killed import or export left behind. An error (a database from a newer app, a full disk) is
    raised to the caller and the next use tries again.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.report: dict[str, Any] = {}
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def opened(self) -> bool:
        return self._engine is not None

    @property
    def engine(self) -> Engine:
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._open()
                engine = self._engine
        assert engine is not None
        return engine

    def _open(self) -> None:
        from ..store import make_engine, upgrade

        engine = make_engine(self.config.database_url)
        try:
            report = upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        from ..sync.bundle_format import sweep_staging  # what a killed import or export left behind (#10)

        sweep_staging(self.config.data_dir)
        from .register_uploads import remove_kept_uploads

        remove_kept_uploads(self.config.data_dir)  # a data step at start: no copies of uploaded registers
        self.report = report
        self._engine = engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


@dataclass
class AppContext:
    config: Config
    db: Database
    actor: str = ""

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, actor: str | None = None, *,
             defer: bool = False) -> AppContext:
        """Load settings, open the database and upgrade its schema if it is older.

        With ``defer=True`` the database opens on first use instead (the app's start-up: its first screen
        is drawn before SQLAlchemy and the tables are loaded). Files are private at rest: the data
        directory 0700, every file 0600 (``store.at_rest``).
        """
        at_rest.restrict_new_files()
        config = Config.load(data_dir)
        at_rest.harden(config.data_dir)
        db = Database(config)
        if not defer:
            db.engine  # noqa: B018  (opens it)
        return cls(config=config, db=db, actor=actor if actor is not None else config.settings.inspector_name)

    @property
    def engine(self) -> Engine:
        return self.db.engine

    @property
    def upgrade_report(self) -> dict[str, Any]:
        """What opening did to the schema (``store.migrations.upgrade``); opens the database if need be."""
        self.db.engine  # noqa: B018
        return self.db.report

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    @property
    def settings(self) -> Settings:
        return self.config.settings

    @property
    def lang(self) -> str:
        return self.config.settings.language

    @contextmanager
    def session(self, raw: bool = False) -> Iterator[Session]:
        """One transaction; every change in it is audited under this context's actor and device."""
        from ..store.db import session_scope

        with session_scope(self.engine, actor=self.actor, device_id=self.settings.device_id, raw=raw) as s:
            yield s

    def path(self, relative: str) -> Path:
        """Absolute path of a file stored relative to the data directory."""
        return self.data_dir / relative

    def close(self) -> None:
        self.db.close()
