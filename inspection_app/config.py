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
import uuid
from datetime import date, time
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from inspection_app.locale import N_, both

from .domain.errors import UserError, storage_error
from .domain.text import nfc
from .fsutil import atomic_write
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


PROVINCE_KINDS = ("tỉnh", "thành phố")  # six of the 34 provincial units are centrally-run cities


class Department(BaseModel):
    """The inspecting department, as printed at the top of every minutes.

    Names are data asked at first start, never a default printed silently (issue #11): the province
    and its kind ("tỉnh", or "thành phố" for the six centrally-run cities since the 2025
    reorganisation), the organisation's full name and its parent agency. Proper nouns are kept as
    typed; only the header lines are upper-cased (Nghị định 30/2020/NĐ-CP, Phụ lục I, II.2).
    """

    province: str = ""  # "Tây Ninh", "Hà Nội": a proper noun, never re-cased
    province_kind: str = "tỉnh"
    organisation: str = ""  # full name; empty: "Sở Nội vụ {kind} {province}"
    parent_agency: str = ""  # cơ quan chủ quản; empty: "UBND {KIND} {PROVINCE}"
    name: str = "SỞ NỘI VỤ"  # the issuing body's header line
    team_name: str = "ĐOÀN KIỂM TRA CÔNG VỤ"
    code: str = "SNV"  # used in document numbers: 12/BB-SNV, 125/QĐ-SNV
    place: str = ""  # the place in the date line; empty: the province
    director_title: str = "Giám đốc Sở Nội vụ"
    # the minutes (issue #11, point 4): "- Lưu: VT, <drafting unit's abbreviation>" in "Nơi nhận",
    # and how many copies the office has them made in
    drafting_unit: str = ""  # e.g. "CCVC" (Phòng Công chức, viên chức)
    minutes_copies: int = Field(default=2, ge=1, le=20)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, v):
        return " ".join(nfc(v).split()) if isinstance(v, str) else v

    @field_validator("province_kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v.lower() not in PROVINCE_KINDS:
            raise ValueError("province_kind: 'tỉnh' hoặc/or 'thành phố'")
        return v.lower()

    def missing(self) -> list[tuple[str, str]]:
        """The identity fields still to fill in, as (Vietnamese, English) labels."""
        return [] if self.province else [both("Tỉnh, thành phố")]

    def province_name(self) -> str:
        """"tỉnh Tây Ninh", "thành phố Hà Nội"."""
        return f"{self.province_kind} {self.province}".strip() if self.province else ""

    def organisation_name(self) -> str:
        """"Sở Nội vụ tỉnh Tây Ninh": as typed, or composed from the province."""
        if self.organisation:
            return self.organisation
        return f"Sở Nội vụ {self.province_name()}".strip()

    def parent_agency_line(self) -> str:
        """The parent agency's header line, upper case: "UBND TỈNH TÂY NINH"."""
        if self.parent_agency:
            return self.parent_agency.upper()
        return f"UBND {self.province_name()}".upper() if self.province else ""

    def place_name(self) -> str:
        """The place of the date line ("Tây Ninh, ngày …")."""
        return self.place or self.province

    def team_title(self) -> str:
        """The team's name in running text ("Đoàn kiểm tra công vụ"), proper nouns as typed.

        ``team_name`` is kept upper case for the header; lower-casing it would also lower the
        province and the organisation ("… tỉnh tây ninh"), so those are put back as typed.
        """
        text = self.team_name.strip()
        if not text:
            return "Đoàn kiểm tra công vụ"
        out = text[:1].upper() + text[1:].lower()
        for proper in (self.organisation_name(), self.province_name(), self.province, "Sở Nội vụ",
                       "Ủy ban nhân dân", "UBND"):
            if proper:
                out = _restore_case(out, proper)
        return out


def _restore_case(text: str, proper: str) -> str:
    """Replace every case-insensitive occurrence of ``proper`` in ``text`` with ``proper`` itself."""
    import re

    return re.sub(re.escape(proper.lower()), lambda _m: proper, text, flags=re.IGNORECASE)


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
    def load(cls, data_dir: str | os.PathLike | None = None) -> Config:
        root = resolve_data_dir(data_dir)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, N_("thư mục dữ liệu")) from exc
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
                "Tệp cài đặt {path2} bị lỗi và chưa được đọc: {exc}", path2=path, exc=exc,
                path=str(path),
            ) from exc
        return cls(root, settings)

    def save(self) -> None:
        """Write settings atomically (``fsutil.atomic_write``: temporary file, fsync, rename)."""
        data = self.settings.model_dump(mode="json")
        text = ("# inspection-app settings: edit here or in the app's settings screen.\n"
                + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        atomic_write(self.settings_path, text.encode("utf-8"), *both("cài đặt"))

    # Convenience for the domain layer, which takes plain values.
    def working_calendar_args(self) -> dict:
        return {"extra_days_off": set(self.settings.extra_days_off),
                "makeup_workdays": set(self.settings.makeup_workdays)}
