"""Evidence photos of a visit: pick or take photos, see thumbnails, caption them, see what each is
attached to, and link one photo to further items or findings ("Gắn thêm", issue #13) without
adding it twice. Storing and processing is the media service's work."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from inspection_app.locale import N_, N_p

from ...services import checklists, findings
from ..widgets.autosave import AutoSave
from ..widgets.photos import PhotoPicker, photo_service, thumb, thumbnails
from ..widgets.pick_list import PickList
from .base import VisitScreen, banner, bottom_space, muted


class PhotosScreen(VisitScreen):
    nav_key = "photos"
    title_key = N_("Ảnh hiện trường")

    async def load_visit(self) -> None:
        self.service = photo_service()
        self.photos: list[Any] = []
        self.thumbs: dict[str, bytes] = {}
        if self.service is None:
            return
        listed = await self.app.call(self.service.list_photos, self.app.ctx, self.visit_id)
        self.photos = listed.value if listed.ok else []
        self.thumbs = await thumbnails(self.app, self.photos)
        lists = await self.app.call(checklists.visit_checklists, self.app.ctx, self.visit_id)
        self.items = {(c.id, i.id): i for c in lists.value for i in c.items} if lists.ok else {}
        found = await self.app.call(findings.list_findings, self.app.ctx, self.visit_id)
        self.findings = {f.id: f for f in found.value} if found.ok else {}
        extras = await self.app.call(self.service.extra_links, self.app.ctx, self.visit_id)
        self.extras: dict[str, list[Any]] = extras.value_or({})

    def build(self) -> ft.Control:
        t = self.t
        if self.service is None:
            return banner(t("Chức năng này chưa sẵn sàng trong phiên bản này."), "info")
        self.picker = PhotoPicker(self.app)
        self.grid = ft.Row(wrap=True, spacing=12, run_spacing=12)
        self.savers: list[AutoSave] = []
        self._fill()
        add = ft.FilledButton(t("Chọn hoặc chụp ảnh"), icon=ft.Icons.ADD_A_PHOTO, on_click=self._add, disabled=self.locked,
                              height=52)
        from ..widgets.camera import camera_button  # in-app camera in the built tablet app (install's hook)
        take = camera_button(self.app, self.visit_id, self._added, disabled=self.locked)
        return ft.Column([ft.Row([c for c in (take, add) if c]), self.grid, bottom_space()], spacing=12,
                         scroll=ft.ScrollMode.AUTO, expand=True)

    def _link_text(self, p) -> str:
        t = self.t
        if p.item_id and (p.checklist_id, p.item_id) in self.items:
            return f"{t(N_p('fd.link_item', 'Nội dung kiểm tra'))}: {t.text(self.items[(p.checklist_id, p.item_id)].text)}"
        if p.finding_id and p.finding_id in self.findings:
            return f"{t('Phát hiện')}: {self.findings[p.finding_id].description}"
        return ""

    def _target_text(self, checklist_id, item_id, finding_id) -> str:  # noqa: ANN001
        t = self.t
        if finding_id and finding_id in self.findings:
            return f"{t('Phát hiện')}: {self.findings[finding_id].description}"
        if item_id and (checklist_id, item_id) in self.items:
            return f"{t(N_p('fd.link_item', 'Nội dung kiểm tra'))}: {t.text(self.items[(checklist_id, item_id)].text)}"
        return ""

    def _extra_rows(self, p) -> list[ft.Control]:
        rows: list[ft.Control] = []
        for x in self.extras.get(p.id, []):
            what = self._target_text(x.checklist_id, x.item_id, x.finding_id)
            rows.append(ft.Row([
                ft.Text(self.t("Cũng là ảnh của: {what}", what=what), size=13, color=ft.Colors.GREY_800, expand=True),
                ft.IconButton(ft.Icons.LINK_OFF, tooltip=self.t("Bỏ gắn: {what}", what=what), disabled=self.locked,
                              on_click=functools.partial(self._unlink, x.id), visible=not self.locked),
            ], spacing=2, vertical_alignment=ft.CrossAxisAlignment.CENTER))
        return rows

    def _fill(self) -> None:
        self.savers = []
        cards: list[ft.Control] = []
        for i, p in enumerate(self.photos, start=1):
            caption = ft.TextField(label=self.t("Chú thích"), value=p.caption or "", read_only=self.locked,
                                   width=240)
            self.savers.append(AutoSave(caption, functools.partial(self._caption, p.id)))
            attach = ft.TextButton(self.t(N_p("ph.attach", "Gắn với")), icon=ft.Icons.LINK, data=p.id, disabled=self.locked,
                                   on_click=self._ask_link)
            more = ft.TextButton(self.t("Gắn thêm"), icon=ft.Icons.ADD_LINK, disabled=self.locked,
                                 on_click=functools.partial(self._ask_more, p.id))
            cards.append(ft.Semantics(identifier=f"photo-{i}", container=True, content=ft.Container(
                ft.Column([thumb(self.thumbs.get(p.id), p.caption or f"{self.t('Ảnh')} {i}", 240),
                           caption, muted(self._link_text(p), 13), *self._extra_rows(p),
                           ft.Row([attach, more], wrap=True, spacing=0)], spacing=6, width=240),
                padding=8, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300))))
        self.grid.controls = cards or [muted(self.t("Chưa có ảnh."), 16)]

    async def _caption(self, photo_id: str, text: str) -> bool:
        return (await self.app.call(self.service.set_caption, self.app.ctx, photo_id, text)).ok

    async def _add(self, e=None) -> None:
        await self._added(await self.picker.pick_and_add(self.visit_id))

    async def _added(self, stored: list) -> None:
        if not stored:
            return
        self.photos += stored
        self.thumbs.update(await thumbnails(self.app, stored))
        self._fill()
        self.app.toast(self.t.plural("Đã thêm {n} ảnh", "Đã thêm {n} ảnh", len(stored), n=len(stored)))

    def _link_options(self) -> list[tuple[str, str]]:
        t = self.t
        options = [("none", t("Không gắn"))]
        options += [(f"finding|{fid}", f"{t('Phát hiện')}: {f.description}") for fid, f in self.findings.items()]
        options += [(f"item|{cid}|{iid}", f"{t(N_p('fd.link_item', 'Nội dung kiểm tra'))}: {t.text(item.text)}")
                    for (cid, iid), item in self.items.items()]
        return options

    @staticmethod
    def _target(value: str) -> dict[str, Any]:
        """A picked option ("finding|id", "item|checklist|item" or "none") as the link's keyword arguments."""
        choice = value.split("|")
        return ({"finding_id": choice[1]} if choice[0] == "finding"
                else {"checklist_id": choice[1], "item_id": choice[2]} if choice[0] == "item" else {})

    def _pick_dialog(self, title: str, pick: PickList, act: Callable[[str | None], Awaitable[None]],
                     required: bool = False) -> None:
        """A modal with ``pick``; "Đồng ý" closes it and hands the picked value to ``act`` (nothing happens
        while ``required`` and nothing is picked)."""
        async def apply(ev: Any) -> None:
            if required and not pick.value:
                return
            self.app.page.pop_dialog()
            await act(pick.value)

        def cancel(ev: Any) -> None:
            self.app.page.pop_dialog()
            self.app.page.update()

        self.app.page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(title), content=ft.Container(pick.control, width=520), scrollable=True,
            actions=[ft.TextButton(self.t("Hủy"), on_click=cancel),
                     ft.FilledButton(self.t("Đồng ý"), on_click=apply)]))
        self.app.page.update()

    def _ask_link(self, e: Any) -> None:
        photo_id = e.control.data
        photo = next(p for p in self.photos if p.id == photo_id)
        current = (f"finding|{photo.finding_id}" if photo.finding_id
                   else f"item|{photo.checklist_id}|{photo.item_id}" if photo.item_id else "none")
        pick = PickList(self._link_options(), self.t("Chọn nội dung"), value=current, shown=8)

        async def relink(value: str | None) -> None:
            updated = await self.app.call(self.service.link_photo, self.app.ctx, photo_id,
                                          **self._target(value or "none"))
            if updated.ok:
                self.photos = [updated.value if p.id == photo_id else p for p in self.photos]
                self._fill()
                self.app.toast(self.t("Đã lưu"))
            else:
                self.app.page.update()

        self._pick_dialog(self.t(N_p("ph.attach", "Gắn với")), pick, relink)

    def _ask_more(self, photo_id: str, e: Any = None) -> None:
        """Link the photo to one more item or finding: the same picker as "Gắn với", without "none"
        and without what it is already linked to."""
        photo = next(p for p in self.photos if p.id == photo_id)
        taken = {f"finding|{photo.finding_id}" if photo.finding_id else f"item|{photo.checklist_id}|{photo.item_id}"}
        taken |= {f"finding|{x.finding_id}" if x.finding_id else f"item|{x.checklist_id}|{x.item_id}"
                  for x in self.extras.get(photo_id, [])}
        options = [o for o in self._link_options() if o[0] != "none" and o[0] not in taken]
        pick = PickList(options, self.t("Chọn nội dung"), shown=8)

        async def link_more(value: str | None) -> None:
            added = await self.app.call(self.service.add_photo_link, self.app.ctx, photo_id,
                                        **self._target(value or ""))
            if added.ok:
                self.extras.setdefault(photo_id, []).append(added.value)
                self._fill()
                self.app.toast(self.t("Đã gắn thêm ảnh"))
            else:
                self.app.page.update()

        self._pick_dialog(self.t("Gắn ảnh này thêm với"), pick, link_more, required=True)

    async def _unlink(self, link_id: str, e=None) -> None:
        if not (await self.app.call(self.service.remove_photo_link, self.app.ctx, link_id)).ok:
            return
        self.extras = {pid: [x for x in xs if x.id != link_id] for pid, xs in self.extras.items()}
        self._fill()
        self.app.toast(self.t("Đã bỏ gắn ảnh"))

    async def leave(self) -> None:
        for s in getattr(self, "savers", []):
            await s.flush()
