"""A sampled dossier's timeliness on the dossier screen (issue #13, "ask once").

The app computes it from the register (``services.dossier_checks``); the inspector only confirms
it, or changes it with a reason. The reason's form keeps its draft as it is typed
(``timeliness:<check id>``), so a half-typed reason survives navigation and restarts; it goes when
the change is saved or cancelled.
"""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

from ...services import dossier_checks, drafts
from ..widgets.drafts import DraftKeeper

CHOICES = ("early", "on_time", "late")
STATE_COLORS = {"unconfirmed": ft.Colors.AMBER_100, "confirmed": ft.Colors.GREEN_100,
                "overridden": ft.Colors.PURPLE_100, "unexplained": ft.Colors.RED_100}


def state_chip_text(t: Any, d: Any) -> str:
    """The short state shown beside a dossier: not confirmed, confirmed, changed to …, lacks a reason."""
    state = d.timeliness_state
    if state == "overridden":
        return t("Thời hạn đã sửa: {value}", value=t(enum_label("ds.tl", d.recorded_timeliness)))
    return t(enum_label("ds.tlc.chip_", state))


class TimelinessPanel:
    """The computed timeliness, its state, "Xác nhận", and "Sửa kết quả" with a choice and a reason."""

    def __init__(self, screen: Any, d: Any, draft: dict | None):  # screen: the DossiersScreen
        self.screen, self.app, self.t = screen, screen.app, screen.t
        self.d = d
        t, locked = self.t, screen.locked
        self.computed = ft.Text("", size=16)
        self.state = ft.Text("", size=16, weight=ft.FontWeight.W_600)
        self.confirm = ft.FilledButton(t("Xác nhận"), icon=ft.Icons.CHECK, height=48, on_click=self._confirm)
        self.change = ft.OutlinedButton(t("Sửa kết quả"), icon=ft.Icons.EDIT_OUTLINED, height=48,
                                        on_click=self._open_form)
        self.buttons = ft.Row([self.confirm, self.change], wrap=True, visible=not locked)
        self.choice = ft.SegmentedButton(
            selected=[d.recorded_timeliness or d.computed_timeliness or "on_time"], allow_empty_selection=False,
            show_selected_icon=False, segments=[ft.Segment(value=c, label=ft.Text(t(enum_label("ds.tl", c)))) for c in CHOICES])
        self.reason = ft.TextField(label=t("Lý do sửa"), value=d.timeliness_reason, multiline=True,
                                   min_lines=1, max_lines=4)  # no counter: Flutter's is in English; the service bounds it
        self.form = ft.Column([
            ft.Text(t("Kết quả khi kiểm tra"), size=15, color=ft.Colors.GREY_700), self.choice, self.reason,
            ft.Row([ft.FilledButton(t("Lưu kết quả đã sửa"), icon=ft.Icons.SAVE, height=48, on_click=self._save),
                    ft.TextButton(t("Hủy"), on_click=self._cancel)], wrap=True),
        ], spacing=8, visible=False)
        self.keeper = DraftKeeper(self.app, drafts.visit_scope(screen.visit_id), f"timeliness:{d.check_id}",
                                  self._fields)
        if draft and draft.get("open") and not locked:
            self.choice.selected = [draft.get("value") or self.choice.selected[0]]
            self.reason.value = draft.get("reason", "")
            self.form.visible = True
        self.keeper.saved = draft if draft else self._fields()  # an untouched form is not a draft
        self.keeper.watch(self.choice, self.reason)
        self.control = ft.Semantics(identifier="dossier-timeliness", container=True, content=ft.Container(
            ft.Column([self.computed, self.state, self.buttons, self.form], spacing=8),  # under the section's title
            padding=14, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300)))
        self._paint()

    def _fields(self) -> dict:
        return {"value": self.choice.selected[0] if self.choice.selected else "", "reason": self.reason.value or "",
                "open": bool(self.form.visible)}

    def _paint(self) -> None:
        t, d = self.t, self.d
        self.computed.value = (t("Tính từ sổ theo dõi: {value}", value=self.screen.timeliness_text(d.timeliness))
                               + ("" if d.computed_timeliness else " — " + t("Sổ theo dõi chưa cho biết kết quả: chọn kết quả và ghi lý do.")))
        state = d.timeliness_state
        value = t(enum_label("ds.tl", d.recorded_timeliness)) if d.recorded_timeliness else ""
        self.state.value = (t("Đã sửa thành: {value}. Lý do: {reason}", value=value, reason=d.timeliness_reason) if state == "overridden"
                            else t(enum_label("ds.tlc", state), value=value))
        self.state.color = {"confirmed": ft.Colors.GREEN_900, "overridden": ft.Colors.PURPLE_900,
                            "unexplained": ft.Colors.RED_900}.get(state, ft.Colors.BROWN_900)
        self.confirm.disabled = d.computed_timeliness is None or state == "confirmed"
        self.change.visible = not self.form.visible

    async def _open_form(self, e=None) -> None:
        self.form.visible = True
        self._paint()
        await self.keeper.flush()  # open: a reload opens it again
        self.control.update()

    async def _cancel(self, e=None) -> None:
        """Explicit cancel: the draft goes and the form closes."""
        await self.keeper.discard()
        self.form.visible = False
        self.reason.error = None
        self.reason.value = self.d.timeliness_reason
        self._paint()
        self.keeper.saved = self._fields()
        self.control.update()

    async def _confirm(self, e=None) -> None:
        got = await self.app.call(dossier_checks.confirm_timeliness, self.app.ctx, self.d.check_id)
        if got.ok:
            await self._stored(N_("Đã xác nhận thời hạn giải quyết"))

    async def _save(self, e=None) -> None:
        value = self.choice.selected[0] if self.choice.selected else ""
        if value != self.d.computed_timeliness and not (self.reason.value or "").strip():
            self.reason.error = self.t("Cần ghi lý do khi kết quả khác với sổ theo dõi")  # said at the field, before any call
            self.control.update()
            self._focus = asyncio.ensure_future(self.reason.focus())  # not awaited: the client answers later
            return
        self.reason.error = None
        got = await self.app.call(dossier_checks.override_timeliness, self.app.ctx, self.d.check_id, value,
                                  self.reason.value or "")
        if got.ok:
            await self.keeper.discard()
            self.form.visible = False
            await self._stored(N_("Đã lưu kết quả thời hạn đã sửa"))
            self.keeper.saved = self._fields()

    async def _stored(self, message_key: str) -> None:
        await self.screen.dossier_changed()
        self.d = next((x for x in self.screen.dossiers if x.check_id == self.d.check_id), self.d)
        self.reason.value = self.d.timeliness_reason
        self._paint()
        self.control.update()
        self.app.toast(self.t(message_key))

    async def flush(self) -> None:
        if not self.screen.locked:
            await self.keeper.flush()
