"""Text helpers shared by every layer: NFC normalisation, forgiving comparison keys, roman numerals."""

from __future__ import annotations

import re
import unicodedata
from typing import overload


@overload
def nfc(value: str) -> str: ...
@overload
def nfc(value: None) -> None: ...
@overload
def nfc(value: str | None) -> str | None: ...
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


# Tone marks: grave, acute, tilde, hook above, dot below (combining, as NFD writes them).
_TONE = "\u0300\u0301\u0303\u0309\u0323"
# "oà", "oé", "uý" at the end of a syllable: the tone moved onto the first vowel ("òa", "óe", "úy").
# Not after q ("quý" keeps its mark: the u belongs to "qu"), not before a final consonant ("hoàng").
_OLD_STYLE = re.compile(rf"(?<![qQ])([oO])([aAeE])([{_TONE}])(?![^\W\d_])|(?<![qQ])([uU])([yY])([{_TONE}])(?![^\W\d_])")


def unify_tone_marks(value: str) -> str:
    """One tone-mark style for the open syllables oa, oe, uy, in NFC: "Hoà" → "Hòa", "khoẻ" → "khỏe",
    "Thuỷ" → "Thủy" (the style of the glossary and of docs/glossary.md).

    Vietnamese is written in two styles that differ only there; without this one name typed in the two
    styles is two different strings (and a folded comparison would merge "Hương" with "Hường").
    """
    decomposed = unicodedata.normalize("NFD", value)
    if not _OLD_STYLE.search(decomposed):
        return unicodedata.normalize("NFC", value)

    def move(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1) + m.group(3) + m.group(2)
        return m.group(4) + m.group(6) + m.group(5)

    return unicodedata.normalize("NFC", _OLD_STYLE.sub(move, decomposed))


def roman(n: int) -> str:
    """Roman numerals for section and annex headings (I, II, … XII)."""
    if n <= 0:
        raise ValueError("roman numerals start at 1")
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)
