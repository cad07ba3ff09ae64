"""Settings: where data lives, which database, the department's identity, office hours, holidays.

Settings are a readable YAML file, ``settings.yaml``, in the data directory, written with defaults
on first start and edited later from the app's settings screen. The data directory comes from
``--data-dir``, then ``INSPECTION_APP_DATA_DIR``, then ``FLET_APP_STORAGE_DATA`` (set by a Flet
build on the tablet or desktop: app-private, kept across updates), then the platform's user data
directory. The database URL comes from ``DATABASE_URL``, then the file, then an SQLite file in the
data directory.

The demo ("Dùng thử với dữ liệu mẫu") lives in its own data directory, ``<data dir>/demo``, marked
by a ``DEMO`` file: its records never mix with the real ones and never leave in a bundle.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import date, time
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from .domain.errors import UserError, storage_error
from .domain.text import nfc
from .paths import (  # noqa: F401  (re-exported: where the data directory is decided)
    DEMO_MARKER,
    DEMO_SUBDIR,
    ENV_DATA_DIR,
    ENV_FLET_STORAGE,
    default_data_dir,
    demo_data_dir,
    is_demo_dir,
    resolve_data_dir,
)

SETTINGS_FILE = "settings.yaml"
ENV_DATABASE_URL = "DATABASE_URL"


class Department(BaseModel):
    """The inspecting department, as printed at the top of every minutes."""

    parent_agency: str = "UBND TỈNH TÂY NINH"  # cơ quan chủ quản
    name: str = "SỞ NỘI VỤ"
    team_name: str = "ĐOÀN KIỂM TRA CÔNG VỤ"
    code: str = "SNV"  # used in document numbers: 12/BB-SNV, 125/QĐ-SNV
    place: str = "Tây Ninh"  # the place in the date line
    director_title: str = "Giám đốc Sở Nội vụ"

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, v):
        return nfc(v) if isinstance(v, str) else v


class OfficeHours(BaseModel):
    """Working hours for a season (months inclusive, 1–12)."""

    name: str
    months: list[int]
    morning_start: time
    morning_end: time
    afternoon_start: time
    afternoon_end: time

    @field_validator("morning_start", "morning_end", "afternoon_start", "afternoon_end", mode="before")
    @classmethod
    def _yaml_sexagesimal(cls, v):
        # YAML 1.1 reads an unquoted 7:30 as the base-60 integer 450: take it as minutes.
        if isinstance(v, int) and not isinstance(v, bool):
            return time(v // 60, v % 60)
        return v


def _default_hours() -> list[OfficeHours]:
    return [
        OfficeHours(name="Mùa hè", months=[4, 5, 6, 7, 8, 9, 10], morning_start=time(7, 0),
                    morning_end=time(11, 30), afternoon_start=time(13, 30), afternoon_end=time(17, 0)),
        OfficeHours(name="Mùa đông", months=[11, 12, 1, 2, 3], morning_start=time(7, 30),
                    morning_end=time(11, 30), afternoon_start=time(13, 30), afternoon_end=time(17, 30)),
    ]


class Settings(BaseModel):
    department: Department = Field(default_factory=Department)
    office_hours: list[OfficeHours] = Field(default_factory=_default_hours)
    extra_days_off: list[date] = Field(default_factory=list)  # e.g. Tết days added by decision
    makeup_workdays: list[date] = Field(default_factory=list)  # Saturdays worked to make up
    language: str = "vi"
    database_url: str = ""  # empty: SQLite file in the data directory
    device_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    inspector_name: str = ""  # who is using this tablet; recorded with every change

    @field_validator("language")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in ("vi", "en"):
            raise ValueError("language must be 'vi' or 'en'")
        return v

    def hours_for(self, day: date) -> OfficeHours:
        for season in self.office_hours:
            if day.month in season.months:
                return season
        return self.office_hours[0]


class Config:
    """The data directory and the settings stored in it."""

    def __init__(self, data_dir: Path, settings: Settings):
        self.data_dir = data_dir
        self.settings = settings

    @property
    def settings_path(self) -> Path:
        return self.data_dir / SETTINGS_FILE

    @property
    def is_demo(self) -> bool:
        """True for the demo's own data directory (marked by a ``DEMO`` file)."""
        return is_demo_dir(self.data_dir)

    @property
    def database_url(self) -> str:
        if self.is_demo:  # the demo is always its own SQLite file, never the office database
            return f"sqlite:///{self.data_dir / 'inspection.db'}"
        env = os.environ.get(ENV_DATABASE_URL)
        if env:
            return env
        if self.settings.database_url:
            return self.settings.database_url
        return f"sqlite:///{self.data_dir / 'inspection.db'}"

    @classmethod
    def load(cls, data_dir: str | os.PathLike | None = None) -> "Config":
        root = resolve_data_dir(data_dir)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, "thư mục dữ liệu", "the data directory") from exc
        path = root / SETTINGS_FILE
        if not path.exists():
            config = cls(root, Settings())
            config.save()
            return config
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            settings = Settings.model_validate(raw)
        except (yaml.YAMLError, ValidationError, UnicodeDecodeError) as exc:
            raise UserError(
                f"Tệp cài đặt {path} bị lỗi và chưa được đọc: {exc}",
                f"The settings file {path} is malformed and was not read: {exc}",
                path=str(path),
            ) from exc
        return cls(root, settings)

    def save(self) -> None:
        """Write settings atomically (temporary file, then rename)."""
        data = self.settings.model_dump(mode="json")
        text = ("# inspection-app settings: edit here or in the app's settings screen.\n"
                + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        try:
            fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=".settings-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.settings_path)
        except OSError as exc:
            raise storage_error(exc, "cài đặt", "the settings") from exc

    # Convenience for the domain layer, which takes plain values.
    def working_calendar_args(self) -> dict:
        return {"extra_days_off": set(self.settings.extra_days_off),
                "makeup_workdays": set(self.settings.makeup_workdays)}
