"""Errors a person can read.

Every layer raises :class:`UserError` (or a subclass) for anything caused by input or by the
environment (a malformed file, a full disk, a locked visit). The message exists in Vietnamese and
English so the UI and the CLI can show it in the user's language without knowing where it came
from. Programming errors stay ordinary exceptions.
"""

from __future__ import annotations


class UserError(Exception):
    """An error caused by input or environment, with a message in Vietnamese and English."""

    def __init__(self, vi: str, en: str, **details: object) -> None:
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.details = details

    def message(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en

    def __str__(self) -> str:  # the CLI prints both, Vietnamese first
        return f"{self.vi} / {self.en}" if self.vi != self.en else self.vi


class NotFound(UserError):
    """A record that the caller named does not exist."""


class ValidationFailed(UserError):
    """Input that does not satisfy the rules (a checklist file, a register, a form)."""


class Locked(UserError):
    """A change to something that is signed or locked."""


class StorageError(UserError):
    """The disk refused a write (full, read-only, gone)."""


def storage_error(exc: OSError, what_vi: str, what_en: str) -> StorageError:
    """Translate an OSError from a write into a message a person understands."""
    import errno

    if exc.errno == errno.ENOSPC:
        return StorageError(
            f"Bộ nhớ thiết bị đã đầy, không thể lưu {what_vi}. Dữ liệu đã ghi trước đó vẫn còn nguyên.",
            f"The device storage is full; could not save {what_en}. Everything recorded before is intact.",
            errno=exc.errno,
        )
    return StorageError(
        f"Không thể lưu {what_vi}: {exc.strerror or exc}. Dữ liệu đã ghi trước đó vẫn còn nguyên.",
        f"Could not save {what_en}: {exc.strerror or exc}. Everything recorded before is intact.",
        errno=exc.errno,
    )
