"""Controls that carry their name to screen readers (issue 13, "every control named").

An ``IconButton``'s tooltip names it, except inside an ``ft.Semantics(container=True)`` card: there
Flutter merges the tooltip into the card's label and the button itself is read as a nameless
"button". :func:`icon_button` gives the button a semantics node of its own, named in the current
language, that a screen reader taps like the button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft


def icon_button(icon: Any, name: str, on_click: Callable | None = None, disabled: bool = False,
                data: Any = None) -> ft.Control:
    """A 48 px icon button named ``name`` (its tooltip and its accessible name)."""
    button = ft.IconButton(icon, tooltip=name, on_click=on_click, disabled=disabled, data=data)
    return ft.Semantics(label=name, button=True, exclude_semantics=True, on_tap=None if disabled else on_click,
                        content=button)
