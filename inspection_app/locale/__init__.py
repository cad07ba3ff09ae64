"""Text for people, read from gettext catalogs (``<lang>/LC_MESSAGES/messages.po``/``.mo`` beside this file).

The Vietnamese text is the message id (the source language); ``en/LC_MESSAGES/messages.po`` holds the
English translation and ``vi/LC_MESSAGES/messages.po`` may correct a Vietnamese text without touching code.
The ``.po`` files are compiled to ``.mo`` by ``make catalogs`` (Babel's ``pybabel compile``) and by the
package build (``setup.py``); in a source tree a ``.po`` newer than its ``.mo`` is compiled again on first
use, so a translator who edits a ``.po`` sees the change on the next start.

This module is a leaf: it imports nothing of ours, so every layer may import it. Lower layers only *mark*
text (:func:`N_`, :func:`N_p`, or the message id of a :class:`~inspection_app.domain.errors.UserError`); the
layer that shows it translates with :func:`gettext` / :func:`ngettext` / :func:`translate`.

A message with a context (the same Vietnamese words translated two ways, e.g. "Chuyến kiểm tra" as a
navigation label "Visits" and as a page title "Inspection visits") is written ``N_p("nav.visits", "…")``,
which is the gettext ``msgctxt`` form ``"nav.visits\\x04…"``: it travels as one string and is looked up
as ``pgettext`` would.
"""

from __future__ import annotations

import gettext as _gettext
import logging
import re
import string
import threading
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

__all__ = ["LANGS", "DOMAIN", "N_", "N_p", "both", "catalog", "gettext", "ngettext", "translate", "fill", "source_text",
           "plural_en"]

LANGS = ("vi", "en")
DOMAIN = "messages"
CTX_SEP = "\x04"  # gettext's separator between msgctxt and msgid in a compiled catalog

log = logging.getLogger(__name__)
_lock = threading.Lock()
_catalogs: dict[str, _gettext.NullTranslations] = {}


def N_(msgid: str) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark ``msgid`` for extraction without translating it (translated later, where it is shown)."""
    return msgid


def N_p(context: str, msgid: str) -> str:  # noqa: N802
    """Mark ``msgid`` with a gettext context; returns the ``context\\x04msgid`` form that :func:`gettext` reads."""
    return f"{context}{CTX_SEP}{msgid}"


def source_text(msgid: str) -> str:
    """The Vietnamese source text of a message id (without its context)."""
    return msgid.split(CTX_SEP, 1)[1] if CTX_SEP in msgid else msgid


def locale_dir() -> Path:
    return Path(str(resources.files(__name__)))


def _compile_if_stale(po: Path, mo: Path) -> None:
    """Compile ``po`` into ``mo`` when the ``.po`` is newer (a source tree where a translator edited it)."""
    if not po.is_file() or (mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime):
        return
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:  # an installed wheel ships compiled catalogs and no Babel
        return
    try:
        with po.open("rb") as f:
            cat = read_po(f)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as f:
            write_mo(f, cat, use_fuzzy=False)
        tmp.replace(mo)
    except OSError as exc:  # a read-only install: keep the shipped .mo
        log.warning("could not compile %s: %s", po, exc)


def catalog(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``lang`` (``NullTranslations`` when there is none: the message id is shown)."""
    with _lock:
        cat = _catalogs.get(lang)
        if cat is None:
            base = locale_dir() / lang / "LC_MESSAGES"
            mo = base / f"{DOMAIN}.mo"
            _compile_if_stale(base / f"{DOMAIN}.po", mo)
            cat = _gettext.NullTranslations()
            if mo.is_file():
                with mo.open("rb") as f:
                    cat = _gettext.GNUTranslations(f)
            _catalogs[lang] = cat
        return cat


def reload() -> None:
    """Forget the loaded catalogs (tests, or after a translator's edit in a running dev session)."""
    with _lock:
        _catalogs.clear()


def gettext(msgid: str, lang: str) -> str:
    """``msgid`` (Vietnamese, optionally ``context\\x04text``) in ``lang``; the source text if untranslated."""
    if not msgid:
        return msgid
    out = catalog(lang if lang in LANGS else "vi").gettext(msgid)
    return source_text(out)


def ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    """The plural form for ``n`` (Vietnamese has one form; English two), per the catalog's Plural-Forms."""
    return source_text(catalog(lang if lang in LANGS else "vi").ngettext(singular, plural, n))


def _has_plural(msgid: str, lang: str) -> bool:
    return (msgid, 0) in getattr(catalog(lang if lang in LANGS else "vi"), "_catalog", {})


_PLURAL_EN = re.compile(r"\b(\d+)((?:\s[\w-]+){1,3}?)\(s\)")


def plural_en(text: str) -> str:
    """English plurals after the numbers are in: "1 photo(s)" → "1 photo", "3 photo(s)" → "3 photos".

    For an English text with a second count that ``ngettext``'s one ``n`` does not choose ("{n} dossier(s),
    {bad} unreadable row(s)"): the "(s)" after each number follows that number.
    """
    text = _PLURAL_EN.sub(lambda m: m.group(1) + m.group(2) + ("" if m.group(1) == "1" else "s"), text)
    return text.replace("(s)", "s")


class _Keep(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, params: Mapping[str, object]) -> str:
    """``text.format(**params)``, leaving an unknown ``{name}`` (or a stray brace) as written."""
    if not params or "{" not in text:
        return text
    try:
        return string.Formatter().vformat(text, (), _Keep(params))
    except (ValueError, IndexError, KeyError, AttributeError, TypeError):
        return text


def translate(msgid: str, lang: str, params: Mapping[str, object] | None = None) -> str:
    """Translate ``msgid`` into ``lang`` and fill its ``{placeholders}`` from ``params``.

    A parameter with a ``text(lang)`` method (a :class:`Message`, a translatable phrase such as "ảnh")
    is translated too.
    """
    shown: dict[str, object] = {}
    for k, v in (params or {}).items():
        text = getattr(v, "text", None)
        shown[k] = text(lang) if callable(text) else v
    out = gettext(msgid, lang)
    if out == source_text(msgid) and _has_plural(msgid, lang):  # a counted message read without ngettext
        n = shown.get("n")
        out = ngettext(msgid, msgid, n if isinstance(n, int) else 2, lang)
    out = fill(out, shown)
    if "" in shown.values():  # an empty value ("The photo file {name} is empty" without a name): one space
        out = re.sub(r"(?<=\S)  +(?=\S)", " ", out)
    return plural_en(out) if lang != "vi" and "(s)" in out else out


def both(msgid: str, /, **params: object) -> tuple[str, str]:
    """``(Vietnamese, English)`` of ``msgid`` from the catalogs, its ``{placeholders}`` filled from ``params``.

    For code that keeps text in the two languages side by side (a ``(vi, en)`` label table, an error built
    with both texts): ``("Đánh giá", "Assessment")`` is written ``both("Đánh giá")`` and the English lives in
    ``en/LC_MESSAGES/messages.po``. ``msgid`` may carry a context (``both(N_p("ctx", "…"))``). A parameter
    with a ``text(lang)`` method (a :class:`~inspection_app.domain.errors.Phrase`: data in two languages)
    gives each language its own value. Without parameters the texts are returned as the catalog has them
    (no ``str.format``, so a literal brace stays one); unlike :func:`translate`, no English plural is chosen.
    """
    out = []
    for lang in LANGS:
        text = gettext(msgid, lang)
        if params:
            shown = {}
            for k, v in params.items():
                pick = getattr(v, "text", None)
                shown[k] = pick(lang) if callable(pick) else v
            text = fill(text, shown)
        out.append(text)
    return out[0], out[1]


class Message:
    """A message id and its parameters, translated only where it is shown (``text(lang)``)."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params

    def text(self, lang: str) -> str:
        return translate(self.msgid, lang, self.params)

    def __str__(self) -> str:
        return self.text("vi")

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"
