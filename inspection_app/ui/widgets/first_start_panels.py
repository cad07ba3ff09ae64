"""What the screens add for first start and for a tablet build (the shell is ``ui/first_start.py``)."""

from __future__ import annotations

import flet as ft

TRY_DEMO_ID = "try-demo"


def home_extras(app, has_visits: bool) -> list[ft.Control]:
    """The offer to try the demo, for a home screen with no visits in the real data."""
    if has_visits or not hasattr(app, "enter_demo") or app.in_demo:  # the shell that can open the demo
        return []
    t = app.t
    return [ft.Semantics(identifier=TRY_DEMO_ID, container=True, content=ft.Card(ft.Container(ft.Column([
        ft.Text(t("fs.try_demo_help"), size=16),
        ft.OutlinedButton(t("fs.try_demo"), icon=ft.Icons.SCIENCE_OUTLINED, height=56,
                          on_click=app.enter_demo),
    ], spacing=12), padding=16)))]


def device_note(app) -> list[ft.Control]:
    """For the settings screen: what this installation leaves to the office (nothing on a desktop)."""
    from ...services.capabilities import left_to_the_office

    missing = left_to_the_office()
    if not missing:
        return []
    t = app.t
    return [ft.Container(ft.Column([
        ft.Text(t("fs.device_title"), size=18, weight=ft.FontWeight.W_600),
        ft.Text(t("fs.device_help"), size=15),
        *[ft.Text(f"• {t('fs.feature.' + key)}", size=15) for key in missing],
    ], spacing=4), padding=12, border_radius=8, bgcolor=ft.Colors.BLUE_GREY_50)]
