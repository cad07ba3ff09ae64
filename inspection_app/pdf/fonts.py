"""The fonts of the minutes: Liberation Serif 2, shipped in the package's ``assets/fonts`` with its licence.

Decree 30/2020 asks for Times New Roman; Liberation Serif 2 has the same advance widths and,
unlike 1.x, every precomposed Vietnamese letter. Fonts are read from the package data
(``inspection_app/assets/fonts``, through ``importlib.resources``) and never from the system, so every tablet draws the same document.
reportlab does no shaping: text must be NFC before it reaches a font (see ``domain.text.nfc``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

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
    return {name: base / file for name, file in _FILES.items()}


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
                "Thiếu tệp phông chữ để in biên bản: " + ", ".join(missing)
                + ". Hãy cài lại ứng dụng (thư mục assets/fonts).",
                "Font files for the minutes are missing: " + ", ".join(missing)
                + ". Reinstall the app (folder assets/fonts).",
            )
        for name, path in files.items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                      boldItalic=BOLD_ITALIC)
        _registered = True
    return FAMILY


def text_width(text: str, font: str, size: float) -> float:
    register_fonts()
    return pdfmetrics.stringWidth(text, font, size)
