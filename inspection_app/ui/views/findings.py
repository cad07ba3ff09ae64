"""Findings: on their own or hanging off a checklist item or a person; description, severity,
photos, when it happened and who recorded it."""

from __future__ import annotations

from typing import Any

import flet as ft

from inspection_app.locale import N_, N_p
from inspection_app.ui.enum_labels import enum_label

from ...services import checklists, drafts, findings, units
from .. import fmt
from ..widgets.drafts import DraftKeeper
from ..widgets.photos import PhotoPicker, photo_service, thumb, thumbnails
from ..widgets.pick_list import PickList
from .base import VisitScreen, bottom_space, heading, muted
from .finding_violation import ViolationFields
from .finding_violation import describe as describe_violation

SEVERITIES = ("low", "medium", "high")
SEVERITY_COLORS = {"low": ft.Colors.BLUE_100, "medium": ft.Colors.AMBER_200, "high": ft.Colors.RED_200}


class FindingsScreen(VisitScreen):
    nav_key = "findings"
    title_key = N_("Phát hiện")

    async def load_visit(self) -> None:
        ctx, vid = self.app.ctx, self.visit_id
        listed = await self.app.call(findings.list_findings, ctx, vid)
        self.findings = listed.value if listed.ok else []
        checklists_got = await self.app.call(checklists.visit_checklists, ctx, vid)
        self.checklists = checklists_got.value if checklists_got.ok else []
        staff = await self.app.call(units.list_staff, ctx, self.visit.unit_id)
        self.staff = staff.value if staff.ok else []
        people = await self.app.call(findings.finding_people, ctx, vid)
        self.people_of = people.value if people.ok else {}
        self.photos_by_finding: dict[str, list[Any]] = {}
        service = photo_service()
        if service is not None:
            photos = await self.app.call(service.list_photos, ctx, vid)
            every = {p.id: p for p in photos.value_or([])}
            for p in every.values():
                if p.finding_id:
                    self.photos_by_finding.setdefault(p.finding_id, []).append(p)
            extra = await self.app.call(service.extra_links, ctx, vid)  # linked to this finding as well (#13)
            for photo_id, links in extra.value_or({}).items():
                for x in links:
                    if x.finding_id and photo_id in every:
                        self.photos_by_finding.setdefault(x.finding_id, []).append(every[photo_id])
        self.thumbs = await thumbnails(self.app, [p for ps in self.photos_by_finding.values() for p in ps])
        self.link, self.app.state.finding_link = self.app.state.finding_link, None
        await self._load_draft()

    # --- labels for links ------------------------------------------------------------------------
    def _item_label(self, cid: str | None, iid: str | None) -> str:
        for c in self.checklists:
            if c.id == cid:
                for item in c.items:
                    if item.id == iid:
                        return self.t.text(item.text)
        return iid or ""

    def _staff_label(self, sid: str | None) -> str:
        person = next((p for p in self.staff if p.id == sid), None)
        return person.full_name if person else ""

    # --- building --------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        t, locked = self.t, self.locked
        self.picker = PhotoPicker(self.app)
        self.description = ft.TextField(label=t("Mô tả phát hiện"), multiline=True, min_lines=2, max_lines=6,
                                        read_only=locked)
        self.severity = ft.SegmentedButton(selected=["medium"], allow_empty_selection=False, disabled=locked,
                                           segments=[ft.Segment(value=s, label=t(enum_label("sev", s))) for s in SEVERITIES])
        self.link_kind = ft.SegmentedButton(
            selected=[self.link[0] if self.link else "none"], allow_empty_selection=False, disabled=locked,
            segments=[ft.Segment(value="none", label=t("Không gắn")),
                      ft.Segment(value="item", label=t(N_p("fd.link_item", "Nội dung kiểm tra"))),
                      ft.Segment(value="person", label=t("Người"))],
            on_change=lambda e: self._show_link())
        items = [(f"{c.id}|{i.id}", self.t.text(i.text)) for c in self.checklists for i in c.items]
        self.item_pick = PickList(items, t("Chọn nội dung"), disabled=locked,
                                  value=f"{self.link[1]}|{self.link[2]}" if self.link else None)
        self.person_pick = PickList([(p.id, p.full_name) for p in self.staff], t("Chọn người"), disabled=locked)
        self.occurred = ft.TextField(label=t("dd/mm/yyyy HH:MM"), width=240, read_only=locked,
                                     value=fmt.now_local().strftime("%d/%m/%Y %H:%M"))
        self.explanation = ft.Checkbox(label=t("Yêu cầu bản tường trình"), value=False, disabled=locked, height=48)
        self.link_box = ft.Column(spacing=4)
        self._show_link()
        self.violation = ViolationFields(t, self.staff, disabled=locked)
        save = ft.FilledButton(t("Lưu phát hiện"), icon=ft.Icons.SAVE, on_click=self._add, disabled=locked, height=52)
        cancel = ft.TextButton(t("Hủy"), on_click=self._cancel_form)
        self.form = ft.Container(ft.Column([
            heading(t("Thêm phát hiện"), 18), self.description,
            ft.Row([ft.Text(t("Mức độ"), size=16, width=110), self.severity], wrap=True),
            ft.Row([ft.Text(t("Gắn với"), size=16, width=110), self.link_kind], wrap=True),
            self.link_box,
            self.violation.control,
            ft.Row([self.occurred, self.explanation], wrap=True),
            ft.Row([save, cancel]),
        ], spacing=8), padding=12, border_radius=10, bgcolor=ft.Colors.INDIGO_50,
            visible=bool(self.link) and not locked)
        self.open_form = ft.FilledButton(t("Thêm phát hiện"), icon=ft.Icons.ADD, on_click=self._show_form, height=52,
                                         visible=not locked and not self.form.visible)
        self.list = ft.Column(spacing=10)
        self._restore_draft()
        self._fill()
        # newest first, right under the form: a photo can be added to what was just recorded
        return ft.Column([ft.Row([self.open_form]), self.form, self.list, bottom_space()], spacing=12,
                         scroll=ft.ScrollMode.AUTO, expand=True)

    def _show_form(self, e=None) -> None:
        self.form.visible, self.open_form.visible = True, False

    def _close_form(self, e=None) -> None:
        self.form.visible, self.open_form.visible = False, True

    # --- the new finding's draft (kept as typed: services.drafts) ----------------------------------
    async def _load_draft(self) -> None:
        self.keeper = DraftKeeper(self.app, drafts.visit_scope(self.visit_id), "finding:new", self._draft_fields)
        self.draft = None if self.locked else await self.keeper.load()

    def _draft_fields(self) -> dict:
        return {"description": self.description.value or "", "severity": self.severity.selected[0],
                "link_kind": self.link_kind.selected[0], "item": self.item_pick.value or "",
                "person": self.person_pick.value or "", "occurred": self.occurred.value or "",
                "explanation": bool(self.explanation.value), "open": bool(self.form.visible)}

    def _restore_draft(self) -> None:
        """Put the half-typed finding back (unless the screen was opened for a new link)."""
        d = self.draft
        if d and not self.link:
            self.description.value = d.get("description", "")
            self.severity.selected = [d.get("severity") or "medium"]
            self.link_kind.selected = [d.get("link_kind") or "none"]
            self.item_pick.set_value(d.get("item") or None)
            self.person_pick.set_value(d.get("person") or None)
            self.occurred.value = d.get("occurred") or self.occurred.value
            self.explanation.value = bool(d.get("explanation"))
            self.form.visible = bool(d.get("open", True)) and not self.locked
            self.open_form.visible = not self.locked and not self.form.visible
            self._show_link()
        self.keeper.watch(self.description, self.severity, self.link_kind, self.item_pick.group,
                          self.person_pick.group, self.occurred, self.explanation)
        if not d or self.link:
            self.keeper.saved = self._draft_fields()  # an untouched form is not a draft

    async def _cancel_form(self, e=None) -> None:
        """Explicit cancel: the draft goes, the form empties."""
        await self.keeper.discard()
        self.description.value = ""
        self.explanation.value = False
        self._close_form()
        self.keeper.saved = self._draft_fields()

    async def leave(self) -> None:
        keeper = getattr(self, "keeper", None)
        if keeper is not None and hasattr(self, "description") and not self.locked:
            await keeper.flush()

    def _show_link(self) -> None:
        kind = self.link_kind.selected[0]
        self.link_box.controls = ([self.item_pick.control] if kind == "item"
                                  else [self.person_pick.control] if kind == "person" else [])

    def _fill(self) -> None:
        cards = [self._card(f, i) for i, f in enumerate(reversed(self.findings), start=1)]
        self.list.controls = cards or [muted(self.t("Chưa có phát hiện nào."), 16)]

    def _card(self, f, index: int) -> ft.Control:
        t = self.t
        link = ""
        if f.item_id:
            link = f"{t(N_p('fd.link_item', 'Nội dung kiểm tra'))}: {self._item_label(f.checklist_id, f.item_id)}"
        elif f.staff_id:
            link = f"{t('Người')}: {self._staff_label(f.staff_id)}"
        when = fmt.show_datetime(f.occurred_at or f.recorded_at)
        photos = self.photos_by_finding.get(f.id, [])
        thumbs = ft.Row([thumb(self.thumbs.get(p.id), p.caption or t("Ảnh"), 96) for p in photos], wrap=True)
        sev = ft.Container(ft.Text(t(enum_label("sev", f.severity)), size=14, weight=ft.FontWeight.W_600),
                           bgcolor=SEVERITY_COLORS.get(f.severity), border_radius=12,
                           padding=ft.Padding.symmetric(horizontal=10, vertical=3))
        buttons = ft.Row([
            ft.TextButton(t("Thêm ảnh"), icon=ft.Icons.PHOTO_CAMERA, disabled=self.locked, data=f.id,
                          on_click=self._add_photo),
            ft.TextButton(t("Xóa"), icon=ft.Icons.DELETE_OUTLINE, disabled=self.locked,
                          on_click=lambda e, fid=f.id: self._ask_delete(fid)),
        ], wrap=True)
        body = ft.Column([
            ft.Row([sev, ft.Text(f.description, size=17, expand=True)], vertical_alignment=ft.CrossAxisAlignment.START),
            *([muted(link, 15)] if link else []),
            *[muted(v, 15) for v in [describe_violation(t, f.kind, [self._staff_label(s) for s in
                                                                     self.people_of.get(f.id, [])])] if v],
            muted(t("Ghi lúc {time} bởi {who}", time=when, who=f.recorded_by or "—"), 14),
            *([muted(t("Yêu cầu bản tường trình"), 14)] if f.explanation_requested else []),
            thumbs,
            buttons,
        ], spacing=6)
        return ft.Semantics(identifier=f"finding-{index}", container=True, content=ft.Container(
            body, padding=12, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300)))

    # --- actions ---------------------------------------------------------------------------------
    async def _add(self, e=None) -> None:
        kind = self.link_kind.selected[0]
        cid = iid = sid = None
        if kind == "item" and self.item_pick.value:
            cid, iid = self.item_pick.value.split("|", 1)
        elif kind == "person":
            sid = self.person_pick.value
        occurred = fmt.parse_datetime(self.occurred.value) if self.occurred.value.strip() else None
        if self.occurred.value.strip() and occurred is None:
            self.app.toast(self.t("Thời điểm không hợp lệ (dd/mm/yyyy HH:MM)"), error=True)
            return
        got = await self.app.call(findings.add_finding, self.app.ctx, self.visit_id, self.description.value,
                                  severity=self.severity.selected[0], checklist_id=cid, item_id=iid,
                                  staff_id=sid, explanation_requested=bool(self.explanation.value),
                                  occurred_at=occurred, kind=self.violation.kind, people=self.violation.people)
        if not got.ok:
            return
        finding = got.value
        self.findings.append(finding)
        self.people_of[finding.id] = list(dict.fromkeys([*([sid] if sid else []), *self.violation.people]))
        self.violation.clear()
        await self.keeper.discard()
        self.description.value = ""
        self.explanation.value = False
        self._close_form()
        self.keeper.saved = self._draft_fields()
        self._fill()
        self.app.toast(self.t("Đã ghi phát hiện"))

    async def _add_photo(self, e) -> None:
        finding_id = e.control.data
        stored = await self.picker.pick_and_add(self.visit_id, finding_id=finding_id)
        if not stored:
            return
        self.photos_by_finding.setdefault(finding_id, []).extend(stored)
        self.thumbs.update(await thumbnails(self.app, stored))
        self._fill()
        self.app.toast(self.t.plural("Đã thêm {n} ảnh", "Đã thêm {n} ảnh", len(stored), n=len(stored)))

    def _ask_delete(self, finding_id: str) -> None:
        async def delete():
            if not (await self.app.call(findings.delete_finding, self.app.ctx, finding_id)).ok:
                return
            self.findings = [f for f in self.findings if f.id != finding_id]
            self._fill()
            self.app.toast(self.t("Đã xóa phát hiện"))

        self.app.confirm(self.t("Xóa phát hiện này?"), delete, yes_key=N_("Xóa"))
