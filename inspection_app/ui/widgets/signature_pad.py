"""A signature pad: a canvas that records finger or stylus strokes as vectors.

The strokes stay in pad coordinates (``[[x, y], …]`` per stroke) together with the pad's size, so
the minutes can draw them at any scale; nothing is rasterised here. A saved signature is drawn back
onto the pad when the screen opens again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import flet as ft
import flet.canvas as cv

Stroke = list[tuple[float, float]]


def _paint() -> ft.Paint:
    return ft.Paint(stroke_width=3, style=ft.PaintingStyle.STROKE, color=ft.Colors.BLACK,
                    stroke_cap=ft.StrokeCap.ROUND, stroke_join=ft.StrokeJoin.ROUND)


class SignaturePad:
    def __init__(self, identifier: str, label: str, width: float = 520, height: float = 200,
                 strokes: list | None = None, disabled: bool = False,
                 on_change: Callable[[], None] | None = None):
        self.width, self.height = width, height
        self.strokes: list[Stroke] = []
        self.disabled = disabled
        self.on_change = on_change
        self.canvas = cv.Canvas(width=width, height=height, shapes=[])
        detector = ft.GestureDetector(content=self.canvas, on_pan_start=self._start, on_pan_update=self._move,
                                      on_pan_end=self._end, drag_interval=10)
        self.control = ft.Semantics(
            identifier=identifier, label=label, container=True,
            content=ft.Container(detector, width=width, height=height, bgcolor=ft.Colors.WHITE,
                                 border=ft.Border.all(2, ft.Colors.INDIGO_200), border_radius=8))
        if strokes:
            self.load(strokes, width, height)

    @property
    def empty(self) -> bool:
        return sum(len(s) for s in self.strokes) < 2

    @property
    def point_count(self) -> int:
        return sum(len(s) for s in self.strokes)

    def load(self, strokes: list, pad_width: float, pad_height: float) -> None:
        """Draw stored strokes (scaled from the pad they were drawn on)."""
        sx = self.width / pad_width if pad_width else 1.0
        sy = self.height / pad_height if pad_height else 1.0
        self.clear()
        for stroke in strokes:
            pts = [(float(x) * sx, float(y) * sy) for x, y in stroke]
            if not pts:
                continue
            self.strokes.append(pts)
            self.canvas.shapes.append(cv.Path(
                elements=[cv.Path.MoveTo(*pts[0]), *[cv.Path.LineTo(*p) for p in pts[1:]]], paint=_paint()))

    def clear(self) -> None:
        self.strokes.clear()
        self.canvas.shapes.clear()

    def _start(self, e: ft.DragStartEvent) -> None:
        if self.disabled:
            return
        p = (round(e.local_position.x, 1), round(e.local_position.y, 1))
        self.strokes.append([p])
        self.canvas.shapes.append(cv.Path(elements=[cv.Path.MoveTo(*p)], paint=_paint()))
        self.canvas.update()

    def _move(self, e: ft.DragUpdateEvent) -> None:
        if self.disabled or not self.strokes:
            return
        p = (round(e.local_position.x, 1), round(e.local_position.y, 1))
        self.strokes[-1].append(p)
        cast(cv.Path, self.canvas.shapes[-1]).elements.append(cv.Path.LineTo(*p))
        self.canvas.update()  # only the canvas changes: skip the page-wide auto-update

    def _end(self, e=None) -> None:
        if self.on_change and not self.disabled:
            self.on_change()
