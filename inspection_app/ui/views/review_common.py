"""What the office review screens share: their tab strip, table cells, periods, chips.

The review screens (``/review``, ``/review/dashboard``, ``/review/remedies``, ``/review/bundles``
and ``/review/visits/<id>``) are used at a desk, 1280 px wide or more: they lay records out as
rows of fixed-width cells rather than cards, and keep every target at least 48 px high.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

from .. import fmt
from .base import Screen

# (key, route, label key, icon)
TABS = [
    ("visits", "/review", N_("Lượt kiểm tra"), ft.Icons.TABLE_ROWS_OUTLINED),
    ("dashboard", "/review/dashboard", N_("Số liệu tổng hợp"), ft.Icons.BAR_CHART),
    ("remedies", "/review/remedies", N_("Theo dõi khắc phục"), ft.Icons.TASK_ALT),
    ("outcomes", "/review/outcomes", N_("Xử lý vi phạm"), ft.Icons.GAVEL),
    ("bundles", "/review/bundles", N_("Gói dữ liệu"), ft.Icons.MOVE_TO_INBOX_OUTLINED),
]
PERIODS = ("all", "this_month", "last_month", "this_quarter", "this_year")
TARGET = 48  # px: smallest touch target, desk or not

REMEDY_COLORS = {
    "open": (ft.Colors.AMBER_100, ft.Colors.BROWN_900),
    "reported": (ft.Colors.BLUE_100, ft.Colors.BLUE_900),
    "done": (ft.Colors.GREEN_100, ft.Colors.GREEN_900),
    "overdue": (ft.Colors.RED_700, ft.Colors.WHITE),
}


def period_range(key: str, today: date) -> tuple[date | None, date | None]:
    """The local dates (both inclusive) of a named period; ``all`` has no bounds."""
    if key == "this_month":
        start = today.replace(day=1)
        return start, _month_end(start)
    if key == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if key == "this_quarter":
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end_month = _month_end(date(start.year, start.month + 2, 1))
        return start, end_month
    if key == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    return None, None


def _month_end(first: date) -> date:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


class ReviewScreen(Screen):
    """A top-level review screen: the review tab strip above the screen's own body."""

    nav_key = "review"
    title_key = N_("Tổng hợp kết quả kiểm tra")
    back_route: str | None = None
    tab = "visits"

    def body(self) -> ft.Control:
        if self._body is None:
            self._body = ft.Column([tab_strip(self), self.build()], spacing=4, expand=True)
        return self._body

    def update(self) -> None:
        """Send the changes (handlers that also toast must not rely on the auto-update)."""
        self.app.page.update()


def tab_strip(screen: Screen, active: str | None = None) -> ft.Control:
    t = screen.t
    active = active or getattr(screen, "tab", "")
    buttons: list[ft.Control] = []
    for key, route, label_key, icon in TABS:
        if key == active:
            buttons.append(ft.FilledTonalButton(t(label_key), icon=icon))
        else:
            buttons.append(ft.TextButton(t(label_key), icon=icon,
                                         on_click=lambda e, r=route: screen.app.go(r)))
    return ft.Row(buttons, spacing=4, wrap=True)


# --- cells and chips ---------------------------------------------------------------------------------


def top_gap() -> ft.Control:
    """First thing in a scrolling column that starts with fields: their floating labels are drawn
    above the fields' boxes and would be clipped by the scroll view."""
    return ft.Container(height=6)


def cell(content: ft.Control | str, width: float | None = None, expand: int | None = None,
         align: ft.Alignment | None = None, bold: bool = False, color: str | None = None,
         size: int = 15) -> ft.Control:
    """A table cell: fixed width, or a share of what is left (``expand``)."""
    if isinstance(content, str):
        content = ft.Text(content, size=size, weight=ft.FontWeight.W_600 if bold else None, color=color,
                          max_lines=2, overflow=ft.TextOverflow.ELLIPSIS)
    return ft.Container(content, width=width, expand=expand, alignment=align or ft.Alignment.CENTER_LEFT,
                        padding=ft.Padding.symmetric(horizontal=6))


def header_row(cells: list[ft.Control]) -> ft.Control:
    return ft.Container(ft.Row(cells, spacing=0), bgcolor=ft.Colors.INDIGO_50, height=TARGET,
                        border_radius=ft.BorderRadius.only(top_left=8, top_right=8))


def chip(text: str, bg: str, fg: str) -> ft.Control:
    return ft.Container(ft.Text(text, size=13, color=fg, weight=ft.FontWeight.W_600),
                        bgcolor=bg, border_radius=14, padding=ft.Padding.symmetric(horizontal=10, vertical=4))


def remedy_chip(t, status: str, overdue: bool = False, days: int = 0) -> ft.Control:
    if overdue:
        bg, fg = REMEDY_COLORS["overdue"]
        return chip(t.plural("Quá hạn {n} ngày", "Quá hạn {n} ngày", days, n=days), bg, fg)
    bg, fg = REMEDY_COLORS.get(status, REMEDY_COLORS["open"])
    return chip(t(enum_label("of.rm.status", status)), bg, fg)


def section(title: str, controls: list[ft.Control], identifier: str | None = None) -> ft.Control:
    """A titled block of the read-only record."""
    box = ft.Container(
        ft.Column([ft.Text(title, size=18, weight=ft.FontWeight.W_600, color=ft.Colors.INDIGO_900), *controls],
                  spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
        padding=14, border=ft.Border.all(1, ft.Colors.GREY_300), border_radius=10, bgcolor=ft.Colors.WHITE)
    return ft.Semantics(identifier=identifier, container=True, content=box) if identifier else box


def field_line(label: str, value: str | None, selectable: bool = False) -> ft.Control | None:
    """"Label: value" for a record; nothing when there is no value. ``selectable`` for what is
    copied elsewhere (a hash, a path): selectable text is read out as a field, not as text."""
    if value in (None, ""):
        return None
    return ft.Row([ft.Text(f"{label}:", size=15, color=ft.Colors.GREY_700, width=210),
                   ft.Text(str(value), size=15, expand=True, selectable=selectable)],
                  vertical_alignment=ft.CrossAxisAlignment.START)


def lines(*items: ft.Control | None) -> list[ft.Control]:
    return [i for i in items if i is not None]


def show_date(d) -> str:
    return fmt.show_date(d) if d else "–"


def date_field(label: str, value: date | None, width: float = 170, on_submit=None) -> ft.TextField:
    return ft.TextField(label=label, value=fmt.show_date(value) if value else "", width=width,
                        hint_text="dd/mm/yyyy", dense=False, on_submit=on_submit)


def read_date(t, field: ft.TextField) -> tuple[bool, date | None]:
    """(ok, date) from a dd/mm/yyyy field; an empty field is ok and means no bound."""
    text = (field.value or "").strip()
    if not text:
        field.error = None
        return True, None
    parsed = fmt.parse_date(text)
    field.error = None if parsed else t("Ngày không hợp lệ (dd/mm/yyyy)")
    return parsed is not None, parsed


def dropdown(label: str, options: list[tuple[str, str]], value: str | None, width: float,
             on_select: Callable | None = None) -> ft.Dropdown:
    """A dropdown whose first option ("") means "all"."""
    return ft.Dropdown(label=label, value=value or "", width=width, on_select=on_select,
                       options=[ft.DropdownOption(key=k, text=v) for k, v in options])


async def attempt(app, fn: Callable[..., Any], *args: Any, work: str = "long", **kwargs: Any) -> tuple[Any, str | None]:
    """:meth:`Shell.call` for the office's slow actions, whose failure stays on screen.

    The call takes the one path (``ui/calls.py``: imports and reports on the long-work thread by
    default, ``work="write"`` for a write); it returns ``(value, None)``, or ``(None, message)`` in
    the current language instead of a passing notice, so the office can read an import's or a
    report's refusal calmly.
    """
    got = await app.call(fn, *args, work=work, notify=False, **kwargs)
    return (got.value, None) if got.ok else (None, got.message)
