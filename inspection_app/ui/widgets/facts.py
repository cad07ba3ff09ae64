"""Small pieces shown on the dossier screens (and any screen showing hashes, seeds and counts)."""

from __future__ import annotations

from datetime import datetime

import flet as ft


def local_day(value: datetime | None) -> str:
    """Register dates come back as local wall-clock times (naive): shown as they are."""
    return value.strftime("%d/%m/%Y") if value is not None else ""


def hex_text(value: str, size: int = 15) -> ft.Text:
    return ft.Text(value, size=size, weight=ft.FontWeight.W_500, color=ft.Colors.INDIGO_900)


def fact(name: str, value: str) -> ft.Control:
    """A label and a hash or seed on one line (wrapping under it on a narrow screen)."""
    return ft.Row([ft.Text(name, size=14, color=ft.Colors.GREY_700, width=300), hex_text(value, 14)],
                  wrap=True, spacing=8, run_spacing=0)


def chip(text: str, color: str, icon: ft.IconData | None = None, text_color: str | None = None) -> ft.Control:
    parts: list[ft.Control] = [ft.Text(text, size=14, weight=ft.FontWeight.W_600, color=text_color)]
    if icon:
        parts.insert(0, ft.Icon(icon, size=16, color=text_color))
    return ft.Container(ft.Row(parts, spacing=4, tight=True), bgcolor=color, border_radius=12,
                        padding=ft.Padding.symmetric(horizontal=10, vertical=3))


def panel(controls: list[ft.Control], color: str = ft.Colors.WHITE, identifier: str | None = None) -> ft.Control:
    box = ft.Container(ft.Column(controls, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                       padding=14, border_radius=10, bgcolor=color, border=ft.Border.all(1, ft.Colors.GREY_300))
    return ft.Semantics(identifier=identifier, container=True, content=box) if identifier else box
