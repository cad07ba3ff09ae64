"""Drawn signatures on a PDF canvas: the pad's vector strokes fitted into a box."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.pdfgen import canvas


def draw_strokes(c: canvas.Canvas, strokes: Sequence[Sequence[Sequence[float]]], pad_width: float,
                 pad_height: float, x: float, y: float, width: float, height: float, *, color,
                 margin: float = 0.0, max_enlarge: float = 3.0) -> None:
    """Draw ``strokes`` ([[x, y], …] per stroke, pad units, y down) fitted into the box at (x, y).

    The aspect ratio is kept and the drawing centred; it is never enlarged beyond ``max_enlarge`` times
    the pad's own scale, so a dot stays a dot. A one-point stroke is drawn as a dot. Units: points.
    """
    points = [p for s in strokes for p in s]
    if not points:
        return
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    span_x, span_y = max(max_x - min_x, 1e-6), max(max_y - min_y, 1e-6)
    pad_scale = min(width / pad_width, height / pad_height)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y, pad_scale * max_enlarge)
    off_x = x + (width - span_x * scale) / 2
    off_y = y + (height - span_y * scale) / 2
    c.saveState()
    c.setStrokeColor(color)
    c.setFillColor(color)
    c.setLineWidth(1.1)
    c.setLineCap(1)
    c.setLineJoin(1)
    path = c.beginPath()
    for stroke in strokes:
        if not stroke:
            continue
        pts = [(off_x + (px - min_x) * scale, off_y + (max_y - py) * scale) for px, py in stroke]
        if len(pts) == 1:  # a dot
            path.circle(pts[0][0], pts[0][1], 0.6)
            continue
        path.moveTo(*pts[0])
        for px, py in pts[1:]:
            path.lineTo(px, py)
    c.drawPath(path, stroke=1, fill=0)
    c.restoreState()
