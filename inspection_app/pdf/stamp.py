"""The visible digital signatures: the signer's drawn signature in blue, the seal in red.

Decree 30/2020/NĐ-CP, Phụ lục I, II.7.d and II.8:

- the image of the signer's signature is their handwritten signature, blue, on a transparent
  background, centred between the title and the name (here: the drawn pad strokes, as vector
  paths, so nothing is rasterised);
- the agency's digital signature shows the seal image, red, at the seal's real size (round seals of
  a Department are 36–40 mm, Decree 99/2016/NĐ-CP on seals), on a transparent background, covering
  about the left third of the signer's signature image;
- beside them: the signer (or organisation) and the signing time in ISO 8601 with the Vietnamese
  time zone (``2026-07-14T10:00:00+07:00``), in our body font (Liberation Serif).

Each appearance is a one-page PDF of exactly the widget's size, drawn by reportlab with our font
(pyHanko's default stamp garbles Vietnamese), placed by pyHanko as the field's appearance.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from ..domain.localtime import LOCAL_TZ
from . import fonts
from .strokes import draw_strokes

#: Vietnamese time (domain/localtime.py: the fixed offset +07:00, no tz database needed).
VN_TZ = LOCAL_TZ
#: Blue ink for the signature image (Decree 30, II.7.d "màu xanh").
SIGNATURE_BLUE = colors.Color(0.0, 0.18, 0.78)
#: The seal's red (Decree 30, II.8 "màu đỏ").
SEAL_RED = colors.Color(0.85, 0.05, 0.05)
#: The seal's diameter on paper (Decree 99/2016/NĐ-CP: 36–40 mm for a Department's round seal).
SEAL_SIZE = 38 * mm


@dataclass(frozen=True)
class DrawnSignature:
    """Pad strokes ([[x, y], …] per stroke, y downwards) inside a pad of the given size."""

    strokes: tuple[tuple[tuple[float, float], ...], ...]
    pad_width: float
    pad_height: float

    @classmethod
    def from_lists(cls, strokes: Sequence[Sequence[Sequence[float]]], pad_width: float,
                   pad_height: float) -> DrawnSignature | None:
        clean = tuple(tuple((float(p[0]), float(p[1])) for p in s) for s in strokes if s)
        if not clean or pad_width <= 0 or pad_height <= 0:
            return None
        return cls(clean, float(pad_width), float(pad_height))


def iso_time(moment: dt.datetime) -> str:
    """``2026-07-14T10:00:00+07:00``: ISO 8601 in Vietnamese time (Decree 30, II.7.d)."""
    return moment.astimezone(VN_TZ).isoformat(timespec="seconds")


def _fit_lines(c: canvas.Canvas, lines: Sequence[str], width: float, height: float,
               largest: float = 8.0) -> float:
    """The largest font size (≤ ``largest``, ≥ 4.5) at which every line fits the area unbroken."""
    size = largest
    while size > 4.5:
        widest = max((c.stringWidth(line, fonts.REGULAR, size) for line in lines), default=0)
        if widest <= width and size * 1.15 * len(lines) <= height:
            break
        size -= 0.25
    return size


def _draw_strokes(c: canvas.Canvas, drawn: DrawnSignature, x: float, y: float, width: float,
                  height: float) -> None:
    """The strokes fitted (aspect kept) and centred in the area, in blue, nothing behind them."""
    draw_strokes(c, drawn.strokes, drawn.pad_width, drawn.pad_height, x, y, width, height,
                 color=SIGNATURE_BLUE, max_enlarge=3.0)  # a dot stays small


def _text_block(c: canvas.Canvas, lines: Sequence[str], x: float, y: float, width: float,
                height: float, largest: float = 8.0) -> None:
    size = _fit_lines(c, lines, width, height, largest)
    leading = size * 1.15
    top = y + (height + leading * len(lines)) / 2 - size
    c.setFillColor(colors.black)
    c.setFont(fonts.REGULAR, size)
    for i, line in enumerate(lines):
        c.drawCentredString(x + width / 2, top - i * leading, line)


def _new_canvas(width: float, height: float) -> tuple[io.BytesIO, canvas.Canvas]:
    fonts.register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1,
                      initialFontName=fonts.REGULAR)
    return buf, c


def signer_lines(name: str, title: str, organisation: str, moment: dt.datetime) -> list[str]:
    """Signer, organisation and time, as printed beside the signature image."""
    who = " - ".join(p for p in (name, title) if p)
    return [p for p in (who, organisation, iso_time(moment)) if p]


def signer_appearance(drawn: DrawnSignature | None, lines: Sequence[str], width: float,
                      height: float) -> bytes:
    """The signer's visible signature: blue strokes centred above, signer/time lines below.

    Without a drawn signature (a CA certificate used outside a visit) the lines fill the box.
    The background stays transparent: nothing is painted but the strokes and the text.
    """
    buf, c = _new_canvas(width, height)
    text_h = height if drawn is None else height * 0.45
    if drawn is not None:
        _draw_strokes(c, drawn, 2, text_h, width - 4, height - text_h - 1)
    _text_block(c, lines, 1, 0, width - 2, text_h)
    c.showPage()
    c.save()
    return buf.getvalue()


#: The office's lines sit below the team leader's name, in a band of this height (points).
OFFICE_BAND = 30.0
#: Space left under the leader's box for the leader's printed name (points).
NAME_LINE = 18.0


def seal_appearance(seal_png: bytes | None, lines: Sequence[str], width: float,
                    height: float) -> bytes:
    """The office's visible countersignature in a box laid out by ``office_box``.

    The seal (red, ``SEAL_SIZE``) fills the box's top-left square, which lies over the left
    third of the team leader's signature; the office's lines (organisation, time) go in the band
    at the bottom right, below the leader's name. Nothing else is painted.
    """
    buf, c = _new_canvas(width, height)
    seal = min(SEAL_SIZE, height, width)
    if seal_png:
        c.drawImage(ImageReader(io.BytesIO(seal_png)), 0, height - seal, seal, seal,
                    mask="auto", preserveAspectRatio=True, anchor="c")
    tx = min(seal / 2 + 12, width / 2)
    _text_block(c, lines, tx, 0, width - tx, min(OFFICE_BAND, height), largest=8.0)
    c.showPage()
    c.save()
    return buf.getvalue()


def office_box(leader_box: tuple[float, float, float, float], page_width: float
               ) -> tuple[float, float, float, float]:
    """Where the office's countersignature goes, given the team leader's box (PDF points).

    The seal's square (``SEAL_SIZE``) is centred on the left third of the leader's box and on its
    middle height, as a seal is stamped over the left third of a paper signature (Decree 30,
    II.8); the box reaches down past the leader's name for the office's lines and right to the
    leader box's right edge.
    """
    x1, y1, x2, y2 = leader_box
    cx, cy = x1 + (x2 - x1) / 6, (y1 + y2) / 2
    half = SEAL_SIZE / 2
    left = max(cx - half, 2.0)
    right = min(max(x2, cx + half), page_width - 2.0)
    bottom = min(y1 - NAME_LINE - OFFICE_BAND, cy - half)
    return (round(left, 2), round(bottom, 2), round(right, 2), round(cy + half, 2))


def specimen_seal(organisation: str, size_px: int = 600) -> bytes:
    """A specimen seal marked "MẪU" (a PNG, red on transparent), for pilots and the demo.

    It is deliberately not a copy of any real seal: two rings, the organisation's name around, a
    star and the word MẪU across the middle.
    """
    from PIL import Image, ImageDraw, ImageFont

    font_path = fonts.font_files()[fonts.BOLD]
    img = Image.new("RGBA", (size_px, size_px), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    red = (217, 13, 13, 235)
    c = size_px / 2
    d.ellipse((6, 6, size_px - 6, size_px - 6), outline=red, width=12)
    d.ellipse((size_px * 0.2, size_px * 0.2, size_px * 0.8, size_px * 0.8), outline=red, width=6)
    text = (organisation or "CƠ QUAN").upper()
    f_ring = ImageFont.truetype(str(font_path), int(size_px * 0.075))
    radius = size_px * 0.39
    n = len(text)
    sweep = min(300.0, 12.0 * n)
    for i, ch in enumerate(text):
        ang = math.radians(-90 - sweep / 2 + sweep * (i + 0.5) / n)
        glyph = Image.new("RGBA", (int(size_px * 0.1), int(size_px * 0.1)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=f_ring,
                                   fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(ang) - 90, resample=Image.BICUBIC)  # type: ignore[attr-defined]
        px, py = c + radius * math.cos(ang), c + radius * math.sin(ang)
        img.alpha_composite(glyph, (int(px - glyph.width / 2), int(py - glyph.height / 2)))
    f_mid = ImageFont.truetype(str(font_path), int(size_px * 0.16))
    d.text((c, c), "MẪU", font=f_mid, fill=red, anchor="mm")
    star = [(c + size_px * 0.05 * math.cos(math.radians(-90 + k * 36))
             * (1 if k % 2 == 0 else 0.45),
             c - size_px * 0.17 + size_px * 0.05 * math.sin(math.radians(-90 + k * 36))
             * (1 if k % 2 == 0 else 0.45)) for k in range(10)]
    d.polygon(star, fill=red)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


__all__ = [
    "DrawnSignature", "SEAL_RED", "SEAL_SIZE", "SIGNATURE_BLUE", "VN_TZ", "iso_time",
    "office_box", "seal_appearance", "signer_appearance", "signer_lines", "specimen_seal",
]
