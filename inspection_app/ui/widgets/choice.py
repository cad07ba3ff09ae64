"""One choice among a few, as full-width rows that wrap their label (issue 13, "touch and reading").

A segmented button cuts a long label ("Máy chấm công vân tay / thẻ" showed "Máy chấm"); here each
choice is a row at least 48 px high whose label wraps onto as many lines as it needs. Tapping the
chosen row again clears the choice. ``selected`` reads and sets the choice like a segmented button's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import flet as ft


class ChoiceList:
    def __init__(self, options: list[tuple[str, str]], selected: str | None = None, disabled: bool = False,
                 on_change: Callable | None = None):
        self.options = options  # (value, label)
        self.value = selected
        self.disabled = disabled
        self.on_change = on_change
        self.control = ft.Column(spacing=4, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._paint()

    @property
    def selected(self) -> list[str]:
        return [self.value] if self.value else []

    @selected.setter
    def selected(self, values: list[str]) -> None:
        self.value = values[0] if values else None
        self._paint()

    def _paint(self) -> None:
        rows: list[ft.Control] = []
        for value, label in self.options:
            chosen = value == self.value
            row = ft.Container(
                ft.Row([ft.Icon(ft.Icons.RADIO_BUTTON_CHECKED if chosen else ft.Icons.RADIO_BUTTON_UNCHECKED,
                                color=ft.Colors.INDIGO_700 if chosen else ft.Colors.GREY_600),
                        ft.Text(label, size=16, expand=True, weight=ft.FontWeight.W_600 if chosen else None)],
                       spacing=10, vertical_alignment=ft.CrossAxisAlignment.CENTER),
                padding=ft.Padding.symmetric(horizontal=12, vertical=12), border_radius=8,
                bgcolor=ft.Colors.INDIGO_100 if chosen else None,
                border=ft.Border.all(1, ft.Colors.INDIGO_300 if chosen else ft.Colors.GREY_300),
                on_click=None if self.disabled else (lambda e, v=value: self._tap(v)))
            rows.append(ft.Semantics(button=True, selected=chosen, container=True, content=row))
        self.control.controls = rows

    async def _tap(self, value: str) -> None:
        self.value = None if value == self.value else value
        self._paint()
        if self.on_change is not None:
            result = self.on_change(None)
            if asyncio.iscoroutine(result):
                await result
