"""Text that saves itself: shortly after typing stops, on leaving the field, and on Enter.

There is no save button to forget. A screen calls :meth:`AutoSave.flush` for each of its fields
when it is left, so text typed just before tapping another section is saved too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import flet as ft

SaveFn = Callable[[str], Awaitable[bool]]  # returns True when the value was stored


class AutoSave:
    def __init__(self, field: ft.TextField, save: SaveFn, delay: float = 0.8):
        self.field = field
        self.save = save
        self.delay = delay
        self.saved_value = field.value or ""
        self._task: asyncio.Task | None = None
        self._sleeping = False
        self._lock = asyncio.Lock()
        field.on_change = self._changed
        field.on_blur = self._now
        field.on_submit = self._now

    @property
    def dirty(self) -> bool:
        return (self.field.value or "") != self.saved_value

    async def _changed(self, e=None) -> None:
        ft.context.disable_auto_update()  # nothing on screen changed yet: skip the page diff
        if self._task is not None and self._sleeping:
            self._task.cancel()  # only the wait is cancelled, never a save under way
        self._task = asyncio.create_task(self._later())

    async def _later(self) -> None:
        self._sleeping = True
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            return
        finally:
            self._sleeping = False
        await self.flush()

    async def _now(self, e=None) -> None:
        ft.context.disable_auto_update()
        await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            if not self.dirty:
                return
            value = self.field.value or ""
            if await self.save(value):
                self.saved_value = value
