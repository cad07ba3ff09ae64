"""Errors a person can read.

Every layer raises :class:`UserError` (or a subclass) for anything caused by input or by the
environment (a malformed file, a full disk, a locked visit). An error carries a *code* and its
*parameters*: the code is the message id in the gettext catalogs, which is the Vietnamese source text
with ``{placeholders}`` (``UserError("Không tìm thấy bảng kiểm {id}.", id=checklist_id)``). The layer that
shows the error translates it (:meth:`UserError.message`, or ``.vi``/``.en``), so the lower layers never
build English and Vietnamese strings side by side. ``inspection_app.locale`` is a leaf module (catalog
reading, standard library only), so importing it keeps ``domain`` free of our other layers.

Programming errors stay ordinary exceptions.
"""

from __future__ import annotations

import string

from ..locale import N_, Message, translate


class UserError(Exception):
    """An error caused by input or environment: a catalog message id and its parameters.

    ``UserError(msgid, **params)``: ``msgid`` is the Vietnamese source text (the code), ``params`` fill its
    ``{placeholders}`` (:attr:`params`); the parameters the message does not show (an errno, a reason code, a
    field name) are :attr:`details`, for code that reads them. The older two-language form
    ``UserError(vi, en, **params)`` still works for a message not yet in the catalog: ``en`` is then used
    as written.
    """

    def __init__(self, msgid: str, en: str | None = None, /, **params: object) -> None:
        self.code = msgid
        self.params: dict[str, object] = params
        # what code reads (a field, a limit, a reason): the parameters the message does not show
        shown = _placeholders(msgid) if en is None else set()
        self.details: dict[str, object] = {k: v for k, v in params.items() if k not in shown}
        self._en = en
        super().__init__(msgid)

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang`` ("vi" or "en"), parameters filled in."""
        if self._en is not None and lang != "vi":
            return self._en
        if self._en is not None:
            return self.code
        return translate(self.code, lang, self.params)

    @property
    def vi(self) -> str:
        return self.message("vi")

    @property
    def en(self) -> str:
        return self.message("en")

    def __str__(self) -> str:  # the CLI prints both, Vietnamese first
        vi, en = self.vi, self.en
        return f"{vi} / {en}" if vi != en else vi


def _placeholders(msgid: str) -> set[str]:
    """The ``{names}`` of a message id."""
    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(msgid) if name}
    except ValueError:
        return set()


class NotFound(UserError):
    """A record that the caller named does not exist."""


class ValidationFailed(UserError):
    """Input that does not satisfy the rules (a checklist file, a register, a form)."""


class Locked(UserError):
    """A change to something that is signed or locked."""


class StorageError(UserError):
    """The disk refused a write (full, read-only, gone)."""


class Phrase:
    """A message parameter that is data in two languages (a checklist text, a list of gaps), not a catalog text."""

    def __init__(self, vi: str, en: str) -> None:
        self.vi, self.en = vi, en

    def text(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en

    def __str__(self) -> str:
        return self.vi


def storage_error(exc: OSError, what: str | Phrase, what_en: str | None = None) -> StorageError:
    """Translate an OSError from a write into a message a person understands.

    ``what`` is the catalog message id of the thing being saved (``N_("ảnh")``), or a :class:`Phrase` (a
    caller's own words for it, in two languages); the older form passes the Vietnamese and English phrases
    (``what, what_en``).
    """
    import errno

    thing: object = what if isinstance(what, Phrase) else Message(what) if what_en is None else Phrase(what, what_en)
    if exc.errno == errno.ENOSPC:
        return StorageError(
            N_("Bộ nhớ thiết bị đã đầy, không thể lưu {what}. Dữ liệu đã ghi trước đó vẫn còn nguyên."),
            what=thing, errno=exc.errno,
        )
    return StorageError(
        N_("Không thể lưu {what}: {reason}. Dữ liệu đã ghi trước đó vẫn còn nguyên."),
        what=thing, reason=exc.strerror or str(exc), errno=exc.errno,
    )
