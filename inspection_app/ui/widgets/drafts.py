"""A form whose typed text is kept as a draft in the database (``services.drafts``) while it is typed.

``DraftKeeper(app, scope, key, read)`` watches the form's controls: shortly after typing stops
(and on leaving a field, and when the screen is left) it stores ``read()`` — the form's fields as
``{name: text}`` — as the form's draft. The screen restores the draft when it builds the form
(:meth:`DraftKeeper.load`), and calls :meth:`DraftKeeper.discard` when the record is saved or the
person cancels explicitly. Nothing else removes a draft: navigation, a reload and a restart keep it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from ...services import drafts

if TYPE_CHECKING:
    from ..shell import Shell

log = logging.getLogger(__name__)

Fields = dict[str, Any]


async def _run(handler: Callable | None, e: Any) -> None:
    if handler is None:
        return
    try:
        result = handler(e)
    except TypeError:  # a handler that takes no event
        result = handler()
    if asyncio.iscoroutine(result):
        await result


class DraftKeeper:
    def __init__(self, app: Shell, scope: str, key: str, read: Callable[[], Fields], delay: float = 0.6):
        self.app = app
        self.scope, self.key = scope, key
        self.read = read
        self.delay = delay
        self.saved: Fields | None = None  # what the database holds
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()
        self.paused = False  # while the screen fills the form itself

    async def load(self) -> Fields | None:
        """The form's draft, or None (read before the form is built)."""
        got = await self.app.call(drafts.get_draft, self.app.ctx, self.scope, self.key, notify=False)
        self.saved = got.value_or(None)
        return self.saved

    def watch(self, *controls: ft.Control) -> None:
        """Keep a draft whenever one of these controls changes (their own handlers still run)."""
        for c in controls:
            for attr in ("on_change", "on_select"):
                if not hasattr(c, attr):
                    continue
                old = getattr(c, attr)
                if attr == "on_select" and old is None and isinstance(c, ft.TextField):
                    continue
                setattr(c, attr, self._wrap(old))
            if isinstance(c, ft.TextField):
                old_blur = c.on_blur
                c.on_blur = self._wrap_now(old_blur)

    def _wrap(self, old: Callable | None) -> Callable:
        async def handler(e=None):
            if old is None:
                ft.context.mark_update_called()  # nothing on screen changed: skip this handler's page diff
            else:
                await _run(old, e)
            self.changed()
        return handler

    def _wrap_now(self, old: Callable | None) -> Callable:
        async def handler(e=None):
            if old is None:
                ft.context.mark_update_called()
            else:
                await _run(old, e)
            await self.flush()
        return handler

    def changed(self) -> None:
        """Something in the form changed: keep the draft shortly (typing restarts the wait)."""
        if self.paused:
            return
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = asyncio.ensure_future(self._later())

    async def _later(self) -> None:
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            return
        await self.flush()

    async def flush(self) -> None:
        """Store the form as it is now, if it changed since it was last stored."""
        if self.paused:
            return
        async with self._lock:
            fields = self.read()
            if fields == self.saved:
                return
            got = await self.app.call(drafts.save_draft, self.app.ctx, self.scope, self.key, fields)
            if got.ok:
                self.saved = fields

    async def discard(self) -> None:
        """Forget the draft: its record was saved, or the person cancelled."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        async with self._lock:
            await self.app.call(drafts.discard_draft, self.app.ctx, self.scope, self.key)
            self.saved = self.read()  # the form as it stands is not a draft any more (until it changes)
