"""Reading and saving the settings shown on the settings screen."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from ..config import Settings
from ..domain.errors import ValidationFailed
from .context import AppContext


def get_settings(ctx: AppContext) -> Settings:
    return ctx.settings.model_copy(deep=True)


def save_settings(ctx: AppContext, settings: Settings | dict[str, Any]) -> Settings:
    """Validate and store new settings; the old ones stay if the new ones are invalid."""
    try:
        data = settings.model_dump() if isinstance(settings, Settings) else settings
        new = Settings.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed("Cài đặt không hợp lệ: {exc}", exc=exc) from exc
    old = ctx.config.settings
    ctx.config.settings = new
    try:
        ctx.config.save()
    except Exception:
        ctx.config.settings = old
        raise
    if new.inspector_name != old.inspector_name:
        ctx.actor = new.inspector_name
    return new


def format_days(days: list[date]) -> str:
    """Days as the settings screen shows them: dd/mm/yyyy, comma-separated, in order."""
    return ", ".join(d.strftime("%d/%m/%Y") for d in sorted(days))


def parse_days(text: str) -> list[date]:
    """Read a comma- or line-separated list of dd/mm/yyyy days (the settings screen's calendar fields)."""
    days: set[date] = set()
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            day, month, year = (int(x) for x in part.split("/"))
            days.add(date(year, month, day))
        except ValueError:
            raise ValidationFailed("Ngày không hợp lệ: '{part}'. Nhập dạng dd/mm/yyyy, cách nhau bằng dấu phẩy.", part=part) from None
    return sorted(days)


def set_identity(ctx: AppContext, province: str, province_kind: str = "tỉnh", organisation: str = "",
                 parent_agency: str = "") -> Settings:
    """Record the inspecting department's identity, asked at first start (issue #11, point 9).

    ``province`` is a proper noun kept as typed ("Tây Ninh", "Hà Nội"); ``province_kind`` is "tỉnh" or
    "thành phố" (the six centrally-run cities); ``organisation`` and ``parent_agency`` may stay empty,
    then they are composed from the province ("Sở Nội vụ tỉnh Tây Ninh", "UBND TỈNH TÂY NINH").
    Raises ValidationFailed when the province is empty or the kind is neither.
    """
    province = " ".join((province or "").split())
    if not province:
        raise ValidationFailed("Nhập tên tỉnh, thành phố (ví dụ: Tây Ninh).")
    kind = (province_kind or "").strip().lower()
    if kind not in ("tỉnh", "thành phố"):
        raise ValidationFailed("Chọn cấp: tỉnh hoặc thành phố trực thuộc trung ương.")
    data = ctx.settings.model_dump()
    data["department"].update(province=province, province_kind=kind, organisation=organisation.strip(),
                              parent_agency=parent_agency.strip())
    return save_settings(ctx, data)
