"""Reading and saving the settings shown on the settings screen."""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError

from ..config import Settings
from ..domain.errors import ValidationFailed
from .context import AppContext


def get_settings(ctx: AppContext) -> Settings:
    return ctx.settings.model_copy(deep=True)


def save_settings(ctx: AppContext, settings: Settings | dict) -> Settings:
    """Validate and store new settings; the old ones stay if the new ones are invalid."""
    try:
        data = settings.model_dump() if isinstance(settings, Settings) else settings
        new = Settings.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(f"Cài đặt không hợp lệ: {exc}", f"Invalid settings: {exc}") from exc
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
            raise ValidationFailed(f"Ngày không hợp lệ: '{part}'. Nhập dạng dd/mm/yyyy, cách nhau bằng dấu phẩy.",
                                   f"Not a valid day: '{part}'. Enter dd/mm/yyyy, separated by commas.") from None
    return sorted(days)
