"""Vietnamese alphabetical order, for lists people read (rosters).

Raw code points put "Địa chính" after "Văn phòng" and "Ánh" after "Yến". The Vietnamese alphabet is
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y: letters with a breve, circumflex, horn
or stroke are letters of their own, after the plain one; tone marks only break ties, in the order
no mark, grave, hook, tilde, acute, dot below (the order of dictionaries and of the CLDR ``vi``
tailoring at the secondary level). Case breaks the last ties. No library is needed for this: PyICU
is not on the tablets.
"""

from __future__ import annotations

import unicodedata

from .text import unify_tone_marks

_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {ch: i for i, ch in enumerate(_LETTERS)}
_TONES = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def _split(ch: str) -> tuple[str, str]:
    """A lower-case letter as (base letter with its letter mark, tone mark)."""
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0] + "".join(m for m in decomposed[1:] if m in _LETTER_MARKS)
    tone = "".join(m for m in decomposed[1:] if m in _TONES)
    return unicodedata.normalize("NFC", base), tone


SortKey = tuple[tuple[tuple[int, object], ...], tuple[int, ...], str]


def sort_key(text: str) -> SortKey:
    """A key that orders Vietnamese text alphabetically (see the module docstring)."""
    text = " ".join(unify_tone_marks(text).split())
    primary: list[tuple[int, object]] = []
    tones: list[int] = []
    for ch in text.lower():
        base, tone = _split(ch)
        if base in _RANK:
            primary.append((1, _RANK[base]))
        elif ch.isspace():
            primary.append((0, 0))  # "Lê An" before "Lê Anh"
        else:
            primary.append((2, base))  # digits and other signs after letters, in code-point order
        tones.append(_TONES.get(tone, 0))
    return tuple(primary), tuple(tones), text


def name_sort_key(full_name: str) -> tuple[SortKey, SortKey]:
    """Vietnamese lists of people are ordered by the given name (the last word), then the whole name."""
    words = full_name.split()
    return sort_key(words[-1] if words else ""), sort_key(full_name)
