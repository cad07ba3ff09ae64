"""The fonts of the minutes: Liberation Serif 2, shipped in the package's ``assets/fonts`` with its licence.

Decree 30/2020 asks for Times New Roman; Liberation Serif 2 has the same advance widths and,
unlike 1.x, every precomposed Vietnamese letter. Fonts are read from the package data
(``inspection_app/assets/fonts``, through ``importlib.resources``) and never from the system, so every tablet draws the same document.
reportlab does no shaping: text must be NFC before it reaches a font (see ``domain.text.nfc``).

Characters the body font lacks (✓, ★, →, Greek, Cyrillic …) are drawn from a fallback, DejaVu Sans
2.37 (Bitstream Vera licence, ``LICENSE-DejaVuSans.txt``), shipped beside it: :func:`markup` wraps
them in ``<font>`` tags for reportlab's paragraphs. A character neither font has (CJK such as 福, emoji
such as 🚭) is never drawn blank: :func:`missing_glyphs` names it, and the layout refuses the export
with a message naming the character and where it is (``pdf.layout.check_printable``).
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..domain.errors import UserError
from ..resources import resource, resource_dir

FONTS = "assets/fonts"

FAMILY = "MinutesSerif"
REGULAR = FAMILY
BOLD = f"{FAMILY}-Bold"
ITALIC = f"{FAMILY}-Italic"
BOLD_ITALIC = f"{FAMILY}-BoldItalic"

_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}

#: the fallback for symbols and scripts the body font lacks
FALLBACK = "MinutesSymbols"
_FALLBACK_FILE = "DejaVuSans.ttf"

_lock = threading.Lock()
_registered = False


def font_dir() -> Path:
    """The packaged ``assets/fonts`` folder; ``INSPECTION_APP_FONT_DIR`` overrides it."""
    override = os.environ.get("INSPECTION_APP_FONT_DIR")
    if override:
        return Path(override)
    try:
        return resource_dir(FONTS)
    except FileNotFoundError:
        return Path(str(resource(FONTS)))  # reported as missing files by register_fonts


def font_files() -> dict[str, Path]:
    base = font_dir()
    return {name: base / file for name, file in {**_FILES, FALLBACK: _FALLBACK_FILE}.items()}


def register_fonts() -> str:
    """Register the four styles with reportlab once per process; return the family name."""
    global _registered
    if _registered:
        return FAMILY
    with _lock:
        if _registered:
            return FAMILY
        files = font_files()
        missing = [str(p) for p in files.values() if not p.is_file()]
        if missing:
            raise UserError(
                "Thiếu tệp phông chữ để in biên bản: {missing}. Hãy cài lại ứng dụng (thư mục assets/fonts).", missing=", ".join(missing),
            )
        for name, path in files.items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                      boldItalic=BOLD_ITALIC)
        pdfmetrics.registerFontFamily(FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK,
                                      boldItalic=FALLBACK)
        _registered = True
    return FAMILY


@functools.lru_cache(maxsize=2)
def _coverage(name: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def _body_has(ch: str) -> bool:
    return ord(ch) in _coverage(REGULAR) or ch in "\n\t\r"


def body_can_draw(text: str) -> bool:
    """True when the body font has every character of ``text``."""
    if text.isascii():
        return True
    body = _coverage(REGULAR)
    return all(ord(ch) in body for ch in text)


def missing_glyphs(text: str) -> list[str]:
    """The distinct characters of ``text`` that neither the body font nor the fallback can draw, in
    order of first appearance (line breaks and tabs are not characters to draw)."""
    if text.isascii():
        return []
    body, fallback = _coverage(REGULAR), _coverage(FALLBACK)
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if code in body or code in fallback or ch in "\n\t\r" or ch in out:
            continue
        out.append(ch)
    return out


def markup(text: str) -> str:
    """Escape ``text`` for reportlab's paragraph markup, keep line breaks as ``<br/>``, and wrap the
    characters the body font lacks (but the fallback has) in ``<font name="MinutesSymbols">``."""
    if text.isascii():
        return escape(text).replace("\n", "<br/>")
    body = _coverage(REGULAR)
    parts: list[str] = []
    run: list[str] = []
    fallback_run = False
    for ch in text:
        needs = ord(ch) not in body and ch not in "\n\t\r"
        if needs != fallback_run and run:
            chunk = escape("".join(run))
            parts.append(f'<font name="{FALLBACK}">{chunk}</font>' if fallback_run else chunk)
            run = []
        fallback_run = needs
        run.append(ch)
    if run:
        chunk = escape("".join(run))
        parts.append(f'<font name="{FALLBACK}">{chunk}</font>' if fallback_run else chunk)
    return "".join(parts).replace("\n", "<br/>")


def text_width(text: str, font: str, size: float) -> float:
    register_fonts()
    return pdfmetrics.stringWidth(text, font, size)
