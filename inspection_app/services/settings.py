"""Reading and saving the settings shown on the settings screen."""

from __future__ import annotations

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
