"""Text helpers shared by every layer: NFC normalisation and forgiving comparison keys."""

from __future__ import annotations

import re
import unicodedata


def nfc(value: str | None) -> str | None:
    """Normalise to NFC (reportlab does no shaping; NFD draws misplaced marks)."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """A key for forgiving matching: no diacritics, lower case, single spaces.

    "Ngày  Tiếp Nhận" and "ngay tiep nhan" fold to the same key. đ/Đ have no decomposition,
    so they are mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[\s_\-./]+", " ", stripped).strip().lower()
