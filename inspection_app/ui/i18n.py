"""The screens' translator: every label is a gettext message id (its Vietnamese text).

Views call ``t("Lưu")`` (or ``t("muộn {n} phút", n=22)``); the text is looked up
in ``inspection_app/locale/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo``), and the Vietnamese id is
shown when a translation is missing. Plurals go through ``t.plural(singular, plural, n, **fmt)`` (ngettext).
The same Vietnamese words with two English translations carry a context: ``t(N_p("nav.visits", "…"))``.
A unit test checks that every message the code marks has an English translation. Names of people, units and
checklist texts are data and are shown as stored (``t.pick``/``t.text``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from inspection_app import locale
from inspection_app.locale import LANGS, N_, N_p, plural_en, source_text

__all__ = ["LANGS", "I18n", "label", "N_", "N_p", "LABELS", "plural_en"]


def label(msgid: str, lang: str = "vi", **fmt: object) -> str:
    """``msgid`` translated into ``lang`` with its ``{placeholders}`` filled."""
    return locale.translate(msgid, lang, fmt)


class I18n:
    def __init__(self, lang: str = "vi"):
        self.lang = lang if lang in LANGS else "vi"

    def __call__(self, msgid: str, **fmt: object) -> str:
        return label(msgid, self.lang, **fmt)

    def plural(self, singular: str, plural: str, count: int, /, **fmt: object) -> str:
        """The form of the message ``singular``/``plural`` for ``count`` (gettext ``ngettext``: one form in
        Vietnamese, two in English); ``{n}`` (``count`` unless given) and the other ``{placeholders}`` are filled."""
        text = locale.fill(locale.ngettext(singular, plural, count, self.lang), {"n": count, **fmt})
        return locale.plural_en(text) if self.lang != "vi" and "(s)" in text else text

    def pick(self, vi: str, en: str | None) -> str:
        """Choose between the two versions of a data text (checklist titles, error messages)."""
        return vi if self.lang == "vi" or not en else en

    def text(self, obj: object) -> str:
        """A bilingual data text: an object with ``.vi``/``.en``, a dict, or a plain string."""
        if obj is None:
            return ""
        if isinstance(obj, str):
            return obj
        if isinstance(obj, dict):
            return self.pick(obj.get("vi", ""), obj.get("en"))
        vi = getattr(obj, "vi", None)
        if vi is not None:
            return self.pick(vi, getattr(obj, "en", None))
        return str(obj)


class _Labels(Mapping[str, tuple[str, str]]):
    """Read-only view of the English catalog: message id → (Vietnamese, English), for tests and tools."""

    def _data(self) -> dict[str, tuple[str, str]]:
        cat = locale.catalog("en")
        out: dict[str, tuple[str, str]] = {}
        for msgid, en in getattr(cat, "_catalog", {}).items():
            if isinstance(msgid, str) and msgid:
                out[msgid] = (source_text(msgid), en)
            elif isinstance(msgid, tuple) and msgid[0] and msgid[1] == 1:  # a counted message: its plural form
                out[msgid[0]] = (source_text(msgid[0]), en)
        return out

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


LABELS: Mapping[str, tuple[str, str]] = _Labels()
