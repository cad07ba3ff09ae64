"""The app's look: large, high-contrast, touch-friendly (read at arm's length, tapped with a thumb)."""

from __future__ import annotations

import flet as ft


def theme() -> ft.Theme:
    """Large, high-contrast, touch-friendly: read at arm's length, tapped with a thumb."""
    big = ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=16),
                         text_style=ft.TextStyle(size=16, weight=ft.FontWeight.W_500))
    instant = ft.PageTransitionTheme.NONE  # a tap shows the next screen at once, no animation
    return ft.Theme(
        color_scheme_seed=ft.Colors.INDIGO,
        page_transitions=ft.PageTransitionsTheme(android=instant, ios=instant, linux=instant, macos=instant,
                                                 windows=instant),
        visual_density=ft.VisualDensity.STANDARD,
        button_theme=ft.ButtonTheme(style=big),
        filled_button_theme=ft.FilledButtonTheme(style=big),
        outlined_button_theme=ft.OutlinedButtonTheme(style=big),
        text_button_theme=ft.TextButtonTheme(style=big),
        icon_button_theme=ft.IconButtonTheme(style=ft.ButtonStyle(padding=12)),  # 24 px icon: 48 px target
        segmented_button_theme=ft.SegmentedButtonTheme(style=ft.ButtonStyle(
            padding=ft.Padding.symmetric(horizontal=12, vertical=16),
            text_style=ft.TextStyle(size=16, weight=ft.FontWeight.W_500))),
        text_theme=ft.TextTheme(body_medium=ft.TextStyle(size=16), body_large=ft.TextStyle(size=17),
                                title_medium=ft.TextStyle(size=18, weight=ft.FontWeight.W_600)),
    )


def locales(lang: str) -> ft.LocaleConfiguration:
    """Flutter's own texts (a field's "characters remaining" counter, date pickers, tooltips of its
    built-in buttons) in the app's language: Vietnamese first, English when switched."""
    vi, en = ft.Locale("vi", "VN"), ft.Locale("en", "US")
    return ft.LocaleConfiguration(supported_locales=[vi, en], current_locale=vi if lang == "vi" else en)
