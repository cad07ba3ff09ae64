"""Signatures: a pad per signer (team leader, secretary, the unit's representative); clear and redo,
or record the unit's refusal to sign with its reason.

Signatures come after the conclusions and are bound to the content of the minutes they were given on
(``services.minutes_signatures``): a signature given on an earlier text shows "Phải ký lại". A tap or a
small wiggle is refused with the minimum the service names."""

from __future__ import annotations

from typing import Any

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

from ...domain.minutes_rules import LIMITS
from ...services import minutes_signatures, visits
from ..calls import Result
from ..widgets.signature_pad import SignaturePad
from .base import VisitScreen, heading, seg_label

SIGNERS = ("team_leader", "secretary", "unit_representative")
PAD_W, PAD_H = 520, 200


class SignerCard:
    def __init__(self, screen: SignaturesScreen, role: str, state, default_name: str, default_position: str):
        self.screen, self.app, self.t, self.role = screen, screen.app, screen.t, role
        t, locked = self.t, screen.locked
        signature = state.signature if state else None
        self.signature, self.state = signature, state.state if state else minutes_signatures.UNSIGNED
        name = signature.full_name if signature else default_name
        position = (signature.position if signature and signature.position else default_position)
        self.name = ft.TextField(label=t("Họ và tên người ký"), value=name, expand=3, read_only=locked,
                                 max_length=LIMITS["name"])
        self.position = ft.TextField(label=t("Chức vụ"), value=position, expand=2, read_only=locked,
                                     max_length=LIMITS["position"])
        self.pad = SignaturePad(f"pad-{role}", t("Vùng ký của {role}", role=t(enum_label("signer", role))), PAD_W, PAD_H,
                                disabled=locked)
        if signature and signature.strokes:
            self.pad.load(signature.strokes, signature.pad_width, signature.pad_height)
        self.status = ft.Text("", size=16, weight=ft.FontWeight.W_600)
        self.stale_note = ft.Text(t("Chữ ký cũ không được in vào biên bản. Cần ký lại trước khi khóa cuộc kiểm tra."), size=15, color=ft.Colors.BROWN_900, visible=False)
        self.reason = ft.TextField(label=t("Lý do từ chối ký"), multiline=True, min_lines=1, max_lines=3,
                                   read_only=locked, value=signature.refusal_reason if signature else "",
                                   max_length=LIMITS["reason"])
        buttons: list[ft.Control] = [
            ft.FilledButton(t("Lưu chữ ký"), icon=ft.Icons.CHECK, on_click=self._save, disabled=locked),
            ft.OutlinedButton(t("Ký lại"), icon=ft.Icons.REFRESH, on_click=self._clear, disabled=locked),
        ]
        self.refusal = ft.Column([self.reason, ft.Row([ft.OutlinedButton(
            t("Ghi nhận từ chối ký"), icon=ft.Icons.DO_NOT_DISTURB_ON_OUTLINED, on_click=self._refuse, disabled=locked)])],
            spacing=6, visible=role == "unit_representative")
        self._show_status()
        body = ft.Column([
            ft.Row([heading(t(enum_label("signer", role)), 18), self.status], wrap=True, spacing=12),
            self.stale_note,
            ft.Row([self.name, self.position], spacing=8),
            self.pad.control,
            ft.Row(buttons, wrap=True),
            self.refusal,
        ], spacing=8)
        self.control = ft.Semantics(identifier=f"signer-{role}", container=True, content=ft.Container(
            body, padding=12, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300)))

    def _show_status(self) -> None:
        sig, t = self.signature, self.t
        self.stale_note.visible = sig is not None and self.state == minutes_signatures.STALE
        if sig is None:
            self.status.value, self.status.color = t("Chưa ký"), ft.Colors.GREY_700
        elif self.state == minutes_signatures.STALE:
            self.status.value = t("Phải ký lại: {name} đã ký trên nội dung cũ, biên bản đã thay đổi sau đó", name=sig.full_name or "—")
            self.status.color = ft.Colors.BROWN_900
        elif sig.refused:
            self.status.value = t("Từ chối ký: {name}. Lý do: {reason}", name=sig.full_name or "—", reason=sig.refusal_reason)
            self.status.color = ft.Colors.RED_800
        else:
            self.status.value, self.status.color = t("Đã ký: {name}", name=sig.full_name), ft.Colors.GREEN_800

    async def _save(self, e=None) -> None:
        t = self.t
        if self.pad.empty:
            self.app.toast(t("Chưa có nét ký trên vùng ký."), error=True)
            return
        sig: Any
        sig = await self.app.call(minutes_signatures.sign, self.app.ctx, self.screen.visit_id, self.role,
                                  self.name.value, [list(map(list, s)) for s in self.pad.strokes],
                                  PAD_W, PAD_H, position=self.position.value)
        if not sig.ok:
            return
        sig = sig.value
        self.signature, self.state = sig, minutes_signatures.SIGNED
        self._show_status()
        self.app.toast(t("Đã lưu chữ ký"))

    async def _clear(self, e=None) -> None:
        self.pad.clear()
        if self.signature is not None:
            if not (await self.app.call(visits.clear_signature, self.app.ctx, self.screen.visit_id,
                                        self.role)).ok:
                return
            self.signature, self.state = None, minutes_signatures.UNSIGNED
            self._show_status()
            self.app.toast(self.t("Đã xóa chữ ký"))

    async def _refuse(self, e=None) -> None:
        sig: Any
        sig = await self.app.call(minutes_signatures.refuse, self.app.ctx, self.screen.visit_id, self.role,
                                  self.name.value, self.reason.value)
        if not sig.ok:
            return
        sig = sig.value
        self.signature, self.state = sig, minutes_signatures.REFUSED
        self.pad.clear()
        self._show_status()
        self.app.toast(self.t("Đã ghi nhận từ chối ký"))
        await self.screen.refresh_states()  # the refusal changed the text the others signed


class SignaturesScreen(VisitScreen):
    nav_key = "signatures"
    title_key = N_("Chữ ký")

    async def load_visit(self) -> None:
        result: Result[Any]
        result = await self.app.call(minutes_signatures.signature_states, self.app.ctx, self.visit_id)
        self.states = result.value if result.ok else {}
        result = await self.app.call(minutes_signatures.conclusions_missing, self.app.ctx, self.visit_id)
        self.waiting = result.value if result.ok else []
        result = await self.app.call(visits.participants, self.app.ctx, self.visit_id)
        self.people = result.value if result.ok else []

    def _default(self, role: str) -> tuple[str, str]:
        if role == "unit_representative":
            person = next((p for p in self.people if p.side != "team"), None)
        else:
            team_role = "leader" if role == "team_leader" else "secretary"
            person = next((p for p in self.people if p.side == "team" and p.role == team_role), None)
        return (person.full_name, person.position) if person else ("", "")

    def build(self) -> ft.Control:
        # One signer at a time: the tablet is handed to each signer in turn, and the pad sits in a
        # screen that does not scroll, so a downward stroke draws instead of scrolling the page.
        self.cards = {role: SignerCard(self, role, self.states.get(role), *self._default(role))
                      for role in SIGNERS}
        self.selector = ft.SegmentedButton(
            selected=[SIGNERS[0]], allow_empty_selection=False, show_selected_icon=False,
            segments=[ft.Segment(value=r, label=seg_label(self.t(enum_label("signer", r)))) for r in SIGNERS],
            on_change=lambda e: self._show())
        self.holder = ft.Container(self.cards[SIGNERS[0]].control)
        t = self.t
        if self.waiting and not self.locked:  # signatures come after the conclusions
            lines = [t.pick(vi, en) for vi, en in self.waiting]  # in the screen's language, not the CLI's
            notice = ft.Semantics(identifier="signatures-wait", container=True, content=ft.Container(ft.Column([
                ft.Text(t("Chữ ký được lấy sau khi viết xong phần Đánh giá, kiến nghị. Còn thiếu:"), size=16, weight=ft.FontWeight.W_600),
                *[ft.Text(f"- {line}", size=15) for line in lines],
                ft.TextButton(t("Mở trang Đánh giá, kiến nghị"), icon=ft.Icons.ARROW_FORWARD, height=48,
                              on_click=lambda e: self.app.go(f"/visits/{self.visit_id}/conclusions")),
            ], spacing=4), padding=12, border_radius=10, bgcolor=ft.Colors.AMBER_50))
            return ft.Column([notice], spacing=12, expand=True)
        hint = ft.Text(t("Nếu đại diện đơn vị từ chối ký, hãy ghi nhận việc từ chối trước: việc này làm thay đổi mục V và câu kết của biên bản, các thành viên Đoàn ký sau trên nội dung đó."), size=15, color=ft.Colors.GREY_800)
        return ft.Column([hint, self.selector, self.holder], spacing=12,
                         expand=True)

    async def refresh_states(self) -> None:
        result: Any
        result = await self.app.call(minutes_signatures.signature_states, self.app.ctx, self.visit_id)
        if not result.ok:
            return
        result = result.value
        for role, card in self.cards.items():
            state = result.get(role)
            card.signature = state.signature if state else None
            card.state = state.state if state else minutes_signatures.UNSIGNED
            card._show_status()

    def _show(self) -> None:
        self.holder.content = self.cards[self.selector.selected[0]].control
