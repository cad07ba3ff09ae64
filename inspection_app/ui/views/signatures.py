"""Signatures: a pad per signer (team leader, secretary, the unit's representative); clear and redo,
or record the unit's refusal to sign with its reason."""

from __future__ import annotations

import flet as ft

from ...services import visits
from ..widgets.signature_pad import SignaturePad
from .base import VisitScreen, heading, seg_label

SIGNERS = ("team_leader", "secretary", "unit_representative")
PAD_W, PAD_H = 520, 200


class SignerCard:
    def __init__(self, screen: "SignaturesScreen", role: str, signature, default_name: str, default_position: str):
        self.screen, self.app, self.t, self.role = screen, screen.app, screen.t, role
        t, locked = self.t, screen.locked
        self.signature = signature
        name = signature.full_name if signature else default_name
        position = (signature.position if signature and signature.position else default_position)
        self.name = ft.TextField(label=t("sg.name"), value=name, expand=3, read_only=locked)
        self.position = ft.TextField(label=t("sg.position"), value=position, expand=2, read_only=locked)
        self.pad = SignaturePad(f"pad-{role}", t("sg.pad", role=t(f"signer.{role}")), PAD_W, PAD_H,
                                disabled=locked)
        if signature and signature.strokes:
            self.pad.load(signature.strokes, signature.pad_width, signature.pad_height)
        self.status = ft.Text("", size=16, weight=ft.FontWeight.W_600)
        self.reason = ft.TextField(label=t("sg.refusal_reason"), multiline=True, min_lines=1, max_lines=3,
                                   read_only=locked, value=signature.refusal_reason if signature else "")
        buttons = [
            ft.FilledButton(t("sg.save"), icon=ft.Icons.CHECK, on_click=self._save, disabled=locked),
            ft.OutlinedButton(t("sg.clear"), icon=ft.Icons.REFRESH, on_click=self._clear, disabled=locked),
        ]
        self.refusal = ft.Column([self.reason, ft.Row([ft.OutlinedButton(
            t("sg.refuse"), icon=ft.Icons.DO_NOT_DISTURB_ON_OUTLINED, on_click=self._refuse, disabled=locked)])],
            spacing=6, visible=role == "unit_representative")
        self._show_status()
        body = ft.Column([
            ft.Row([heading(t(f"signer.{role}"), 18), self.status], wrap=True, spacing=12),
            ft.Row([self.name, self.position], spacing=8),
            self.pad.control,
            ft.Row(buttons, wrap=True),
            self.refusal,
        ], spacing=8)
        self.control = ft.Semantics(identifier=f"signer-{role}", container=True, content=ft.Container(
            body, padding=12, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300)))

    def _show_status(self) -> None:
        sig, t = self.signature, self.t
        if sig is None:
            self.status.value, self.status.color = t("sg.unsigned"), ft.Colors.GREY_700
        elif sig.refused:
            self.status.value = t("sg.refused", name=sig.full_name or "—", reason=sig.refusal_reason)
            self.status.color = ft.Colors.RED_800
        else:
            self.status.value, self.status.color = t("sg.signed", name=sig.full_name), ft.Colors.GREEN_800

    async def _save(self, e=None) -> None:
        t = self.t
        if self.pad.empty:
            self.app.toast(t("sg.empty_pad"), error=True)
            return
        got = await self.app.call(visits.save_signature, self.app.ctx, self.screen.visit_id, self.role,
                                  self.name.value, [list(map(list, s)) for s in self.pad.strokes],
                                  PAD_W, PAD_H, position=self.position.value)
        if not got.ok:
            return
        sig = got.value
        self.signature = sig
        self._show_status()
        self.app.toast(t("sg.saved"))

    async def _clear(self, e=None) -> None:
        self.pad.clear()
        if self.signature is not None:
            if not (await self.app.call(visits.clear_signature, self.app.ctx, self.screen.visit_id,
                                   self.role)).ok:
                return
            self.signature = None
            self._show_status()
            self.app.toast(self.t("sg.cleared"))

    async def _refuse(self, e=None) -> None:
        got = await self.app.call(visits.refuse_signature, self.app.ctx, self.screen.visit_id, self.role,
                                  self.name.value, self.reason.value)
        if not got.ok:
            return
        sig = got.value
        self.signature = sig
        self.pad.clear()
        self._show_status()
        self.app.toast(self.t("sg.refusal_saved"))


class SignaturesScreen(VisitScreen):
    nav_key = "signatures"
    title_key = "sg.title"

    async def load_visit(self) -> None:
        result = await self.app.call(visits.list_signatures, self.app.ctx, self.visit_id)
        self.signatures = result.value if result.ok else {}
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
        self.cards = {role: SignerCard(self, role, self.signatures.get(role), *self._default(role))
                      for role in SIGNERS}
        self.selector = ft.SegmentedButton(
            selected=[SIGNERS[0]], allow_empty_selection=False, show_selected_icon=False,
            segments=[ft.Segment(value=r, label=seg_label(self.t(f"signer.{r}"))) for r in SIGNERS],
            on_change=lambda e: self._show())
        self.holder = ft.Container(self.cards[SIGNERS[0]].control)
        return ft.Column([self.selector, self.holder], spacing=12,
                         expand=True)

    def _show(self) -> None:
        self.holder.content = self.cards[self.selector.selected[0]].control
