"""The one call path from a screen to a service.

``await call(fn, *args, lang=..., **kwargs)`` runs a service function off the event loop and
returns a typed :data:`Result`: :class:`Ok` with the function's value, or :class:`Failure` with the
message to show, already in the session's language. Nothing is raised to the screen and nothing
returns a sentinel.

Where the work runs (``work=``):

``"write"`` (the default)
    One writer thread for the whole process. Every read and write a screen makes goes here, so
    SQLite sees the actions in the order they were tapped, whatever session tapped them.
``"long"``
    One long-work thread (PDF export, signing, imports, photo processing): slow work never holds
    up the answers being saved behind it, and long jobs run one after another. The shell shows a
    progress line while one runs (:meth:`inspection_app.ui.shell.Shell.call`).

A :class:`~inspection_app.domain.errors.UserError` becomes a :class:`Failure` carrying its message
in the current language; any other exception is logged and becomes a failure with the
"unexpected error" message, so a bug never takes the session down.

This module imports nothing from the views or the shell: screens and widgets use it through
``Shell.call`` (which also shows the failure) without an import circle.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, Union

from ..domain.errors import UserError

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Literal["write", "long"]

# One writer thread for the whole process: SQLite sees the actions in the order they were made.
WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inspection-db")
# One thread for long work (PDF, signing, imports, photos): it never blocks the writer's queue.
WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inspection-long")

UNEXPECTED = {"vi": "Đã có lỗi không mong muốn. Dữ liệu đã lưu vẫn an toàn; xin thử lại.",
              "en": "Something went wrong. What was saved is safe; please try again."}


@dataclass(frozen=True)
class Ok(Generic[T]):
    """The service returned ``value``."""

    value: T
    ok: Literal[True] = True
    message: None = None

    def value_or(self, default: Any) -> T:
        return self.value


@dataclass(frozen=True)
class Failure:
    """The service refused (``error`` is the :class:`UserError`) or broke (``error`` is None);
    ``message`` is what to tell the user, in the language the call was made in."""

    message: str
    error: UserError | None = None
    ok: Literal[False] = False

    def value_or(self, default: T) -> T:
        return default


Result = Union[Ok[T], Failure]  # noqa: UP007


async def call(fn: Callable[..., T], *args: Any, lang: str = "vi", work: Work = "write",
               unexpected: str | None = None, **kwargs: Any) -> Result[T]:
    """Run ``fn(*args, **kwargs)`` on the writer thread (or the long-work thread) and wrap the outcome.

    ``lang`` ("vi"/"en") chooses the failure's message; ``unexpected`` overrides the message for
    an error that is not a :class:`UserError`.
    """
    loop = asyncio.get_running_loop()
    executor = WORKER if work == "long" else WRITER
    try:
        return Ok(await loop.run_in_executor(executor, functools.partial(fn, *args, **kwargs)))
    except UserError as err:
        return Failure(err.message(lang), err)
    except Exception:  # a bug must not lose the session: log it, tell the user, keep going
        log.exception("service call %s failed", getattr(fn, "__qualname__", fn))
        return Failure(unexpected or UNEXPECTED.get(lang, UNEXPECTED["en"]))
