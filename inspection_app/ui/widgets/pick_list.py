"""Pick one entry from a long list with a thumb: a search box and a short list of radio buttons.

Radio buttons are large touch targets and read well to screen readers (and to the browser tests),
unlike a dropdown menu that opens over the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import flet as ft

from ...domain.text import fold

TARGET = 48  # px: a radio row is a touch target


class PickList:
    def __init__(self, options: list[tuple[str, str]], search_label: str, empty_text: str = "",
                 on_pick: Callable[[str | None], None] | None = None, shown: int = 8,
                 value: str | None = None, disabled: bool = False):
        self.options = options  # (value, label)
        self.shown = shown
        self.empty_text = empty_text
        self.on_pick = on_pick
        self.search = ft.TextField(label=search_label, prefix_icon=ft.Icons.SEARCH, read_only=disabled,
                                   on_change=lambda e: self.fill())
        self.group = ft.RadioGroup(content=ft.Column(spacing=0), value=value, on_change=self._changed)
        self.disabled = disabled
        self.control = ft.Column([self.search, self.group], spacing=4)
        self.fill()

    @property
    def value(self) -> str | None:
        return self.group.value or None

    def set_value(self, value: str | None) -> None:
        self.group.value = value
        self.fill()

    def fill(self) -> None:
        query = fold(self.search.value or "")
        hits = [(v, label) for v, label in self.options if query in fold(label)]
        shown = hits[: self.shown]
        if self.group.value and all(v != self.group.value for v, _ in shown):
            chosen = next(((v, label) for v, label in self.options if v == self.group.value), None)
            if chosen:
                shown = [chosen, *shown[: self.shown - 1]]  # keep the chosen one visible
        column = cast(ft.Column, self.group.content)  # made in __init__
        column.controls = [ft.Radio(value=v, label=label, disabled=self.disabled, height=TARGET,
                                    label_style=ft.TextStyle(size=16)) for v, label in shown]
        if not shown and self.empty_text:
            column.controls = [ft.Text(self.empty_text, size=15, color=ft.Colors.GREY_700)]

    def _changed(self, e=None) -> None:
        if self.on_pick:
            self.on_pick(self.value)
