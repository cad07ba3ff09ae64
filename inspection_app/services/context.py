"""The services' context: configuration, the database, and who is acting.

Every service function takes an :class:`AppContext` first. The UI keeps one per app process; the
CLI opens one per command; tests open one on a temporary data directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from ..config import Config, Settings
from ..store import at_rest, make_engine, session_scope, upgrade


@dataclass
class AppContext:
    config: Config
    engine: Engine
    actor: str = ""
    upgrade_report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, actor: str | None = None) -> AppContext:
        """Load settings, open the database and upgrade its schema if it is older.

        Files are private at rest: the data directory 0700, every file 0600 (``store.at_rest``).
        """
        at_rest.restrict_new_files()
        config = Config.load(data_dir)
        at_rest.harden(config.data_dir)
        engine = make_engine(config.database_url)
        report = upgrade(engine)
        from ..sync.bundle_format import sweep_staging  # what a killed import or export left behind (#10)

        sweep_staging(config.data_dir)
        from .register_uploads import remove_kept_uploads

        remove_kept_uploads(config.data_dir)  # a data step at start: no copies of uploaded registers
        return cls(config=config, engine=engine,
                   actor=actor if actor is not None else config.settings.inspector_name,
                   upgrade_report=report)

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
        with session_scope(self.engine, actor=self.actor, device_id=self.settings.device_id, raw=raw) as s:
            yield s

    def path(self, relative: str) -> Path:
        """Absolute path of a file stored relative to the data directory."""
        return self.data_dir / relative

    def close(self) -> None:
        self.engine.dispose()
