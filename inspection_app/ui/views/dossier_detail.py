"""The sampled dossiers of a visit: the list by stratum, and one dossier with its checklist.

Part of the dossier screen (:mod:`.dossiers`): :class:`DossierDetail` is mixed into
``DossiersScreen``, which provides the data (``self.dossiers``, ``self.draw``, ``self.checklist``,
``self.photos_by_check``) and ``_render``. Each answer is saved at once with the checklist runner's own
item cards (:class:`DossierItemCard`), with a general note and photos.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import flet as ft

from inspection_app.ui.enum_labels import enum_label

from ...services import dossier_checks, drafts, sampling
from ..i18n import label
from ..widgets.autosave import AutoSave
from ..widgets.facts import chip, local_day, panel
from ..widgets.photos import thumb, thumbnails
from .base import banner, heading, muted
from .checklist import ItemCard
from .dossier_timeliness import STATE_COLORS, TimelinessPanel, state_chip_text

if TYPE_CHECKING:
    from ...domain.checklist import Checklist
    from ...domain.sampling import SampleDraw
    from ..widgets.photos import PhotoPicker
    from .base import VisitScreen as _MixedInto
else:
    _MixedInto = object  # the checker sees the screen the mixin is mixed into; at run time a plain mixin

#: The visit's draft that remembers the dossier open on screen, so a reload or restart opens it again.
OPEN_DOSSIER = "dossier:open"

TIMELINESS_COLORS = {
    "early": ft.Colors.GREEN_100, "on_time": ft.Colors.LIGHT_BLUE_100, "late": ft.Colors.RED_100,
    "pending": ft.Colors.AMBER_100, "overdue": ft.Colors.RED_100, "unknown": ft.Colors.GREY_200,
}


@dataclass(frozen=True)
class _Answer:
    """A dossier's stored answer, shaped like the visit answers the item cards take."""

    value: Any
    note: str
    answered_at: datetime | None


class DossierItemCard(ItemCard):
    """The checklist runner's item card, saving into a sampled dossier's check instead of the visit."""

    screen: DossierDetail

    def __init__(self, screen: DossierDetail, dossier, checklist, section, item, photos: list,
                 thumbs: dict[str, bytes]):
        self.dossier = dossier
        answered = item.id in dossier.answers or item.id in dossier.notes
        answer = (_Answer(dossier.answers.get(item.id), dossier.notes.get(item.id, ""), dossier.checked_at)
                  if answered else None)
        super().__init__(screen, checklist, section, item, answer, photos)
        for p in photos:
            self.thumbs.controls.append(thumb(thumbs.get(p.id), p.caption or self.t("Ảnh"), 72))
        self._paint()

    async def _record(self, **kwargs) -> bool:
        got = await self.app.call(sampling.record_dossier_check, self.app.ctx, self.dossier.check_id,
                                  self.item.id, **kwargs)
        if not got.ok:
            return False
        check = got.value
        self.value = (check.answers or {}).get(self.item.id)
        self.note_value = (check.notes or {}).get(self.item.id, "")
        self.saved_at = check.checked_at
        self._refresh_saved()
        self._paint()
        self.control.update()
        await self.screen.dossier_changed()
        return True

    async def _add_photo(self, e=None) -> None:
        stored = await self.screen.add_photos(self.dossier, self.screen.photo_caption(self.dossier, self.item))
        if not stored:
            return
        self.photos += stored
        thumbs = await thumbnails(self.app, stored)
        for p in stored:
            self.thumbs.controls.append(thumb(thumbs.get(p.id), p.caption or self.t("Ảnh"), 72))
        self._paint()
        self.control.update()
        self.app.toast(self.t.plural("Đã thêm {n} ảnh", "Đã thêm {n} ảnh", len(stored), n=len(stored)))


class DossierDetail(_MixedInto):
    """The sampled-dossier half of the dossier screen (a mixin of ``DossiersScreen``)."""

    if TYPE_CHECKING:  # provided by DossiersScreen (declared only: a mixin)
        picker: PhotoPicker
        staff: list[Any]
        scroller: ft.Column
        checklist: Checklist | None
        sample: sampling.SampleSummary | None
        draw: SampleDraw | None
        dossiers: list[sampling.SampledDossier]
        photos_by_check: dict[str, list[Any]]
        detail_thumbs: dict[str, bytes]
        open_index: int | None
        cards: list[DossierItemCard]
        note_saver: AutoSave | None
        tl_panel: TimelinessPanel | None

        def _render(self) -> None: ...

        async def _reload_dossiers(self) -> None: ...

    def timeliness_text(self, tl) -> str:
        status = tl.status.value
        text = self.t(enum_label("ds.tl", status))
        if status in ("early", "late", "overdue") and tl.working_days:
            return self.t.plural("{label} {n} ngày làm việc", "{label} {n} ngày làm việc", tl.working_days, label=text, n=tl.working_days)
        return text

    def stratum_label(self, key: tuple[str, ...]) -> str:
        parts = [key[0] if key and key[0] else self.t("(không ghi lĩnh vực)")]
        if len(key) > 1:
            parts.append(self.t(enum_label("ds.tl", key[1])))
        return " · ".join(parts)

    @staticmethod
    def photo_caption(dossier, item=None) -> str:
        """Captions are data for the minutes (in Vietnamese), naming the dossier and the item."""
        if item is None:
            return label("Hồ sơ {code}", "vi", code=dossier.code)
        return label("Hồ sơ {code}: {item}", "vi", code=dossier.code, item=item.text.vi)

    def _dossier_list(self) -> list[ft.Control]:
        t = self.t
        out: list[ft.Control] = [heading(t("3. Kiểm tra từng hồ sơ được chọn"))]
        strata = list(self.draw.strata) if self.draw is not None else []
        by_key: dict[tuple, list[tuple[int, Any]]] = {}
        for i, d in enumerate(self.dossiers):
            by_key.setdefault(tuple(d.stratum), []).append((i, d))
        known = {tuple(s.key) for s in strata}
        for key in by_key:
            if key not in known:  # defensive: a stratum the record does not list
                strata.append(type("S", (), {"key": key, "population": len(by_key[key])})())
        for stratum in strata:
            rows = by_key.get(tuple(stratum.key), [])
            out.append(ft.Text(t("{label} · {drawn}/{population} hồ sơ", label=self.stratum_label(tuple(stratum.key)), drawn=len(rows),
                                 population=stratum.population),
                               size=18, weight=ft.FontWeight.W_700, color=ft.Colors.INDIGO_900))
            out.extend(self._dossier_row(i, d) for i, d in rows)
        return out

    def _dossier_row(self, index: int, d) -> ft.Control:
        t = self.t
        total = len(self.checklist.items) if self.checklist is not None else 0
        done = sum(1 for v in d.answers.values() if v is not None)
        dates = [t("Tiếp nhận {date}", date=local_day(d.received)) if d.received else "",
                 t("Hẹn trả {date}", date=local_day(d.due)) if d.due else "",
                 t("Trả {date}", date=local_day(d.returned)) if d.returned else
                 (t("Xử lý xong {date}", date=local_day(d.finished)) if d.finished else "")]
        status = d.timeliness.status.value
        chips: list[ft.Control] = [chip(self.timeliness_text(d.timeliness), TIMELINESS_COLORS.get(status,
                                                                                                   ft.Colors.GREY_200))]
        chips.append(chip(state_chip_text(t, d), STATE_COLORS[d.timeliness_state]))
        if d.apology_flagged:
            chips.append(chip(t("Quá hạn: không có văn bản xin lỗi (Mẫu 04)"), ft.Colors.RED_700, ft.Icons.WARNING_AMBER, ft.Colors.WHITE))
        chips.append(chip(t("Đã kiểm tra {done}/{total}", done=done, total=total),
                          ft.Colors.GREEN_100 if total and done >= total else ft.Colors.GREY_100))
        info = ft.Column([
            ft.Row([ft.Text(d.code, size=17, weight=ft.FontWeight.W_700),
                    ft.Text(" · ".join(x for x in (d.procedure_name, d.procedure_code) if x), size=15,
                            max_lines=1, overflow=ft.TextOverflow.ELLIPSIS, expand=True)], spacing=14),
            ft.Row([muted("  ·  ".join(x for x in dates if x)), *chips], wrap=True, spacing=8, run_spacing=4),
        ], spacing=4, expand=True)
        button = ft.FilledTonalButton(t("Xem") if self.locked else t("Kiểm tra"), icon=ft.Icons.CHEVRON_RIGHT,
                                      on_click=functools.partial(self._open, index))
        box = ft.Container(ft.Row([info, button], vertical_alignment=ft.CrossAxisAlignment.CENTER),
                           padding=ft.Padding.only(left=14, right=10, top=8, bottom=8), border_radius=10,
                           bgcolor=ft.Colors.WHITE, border=ft.Border.all(1, ft.Colors.GREY_300),
                           on_click=functools.partial(self._open, index))
        return ft.Semantics(identifier=f"dossier-{d.code}", container=True, content=box)

    # --- one dossier -----------------------------------------------------------------------------
    def _detail(self, index: int) -> list[ft.Control]:
        t, d = self.t, self.dossiers[index]
        assert self.checklist is not None  # _render opens a dossier only with its checklist
        last = len(self.dossiers) - 1
        nav = ft.Row([
            ft.TextButton(t("Danh sách hồ sơ mẫu"), icon=ft.Icons.ARROW_BACK, on_click=self._close_detail),
            ft.Text(t.plural("Hồ sơ {n}/{total}", "Hồ sơ {n}/{total}", index + 1, n=index + 1, total=last + 1), size=16, weight=ft.FontWeight.W_600),
            ft.Container(expand=True),
            ft.OutlinedButton(t("Hồ sơ trước"), icon=ft.Icons.NAVIGATE_BEFORE, disabled=index == 0,
                              on_click=functools.partial(self._open, index - 1)),
            ft.OutlinedButton(t("Hồ sơ tiếp theo"), icon=ft.Icons.NAVIGATE_NEXT, disabled=index >= last,
                              on_click=functools.partial(self._open, index + 1)),
        ], vertical_alignment=ft.CrossAxisAlignment.CENTER)
        facts = [x for x in (
            t("Thủ tục: {name}", name=" · ".join(x for x in (d.procedure_name, d.procedure_code) if x))
            if d.procedure_name or d.procedure_code else "",
            t("Lĩnh vực: {name}", name=d.domain) if d.domain else "",
            t("Kênh: {name}", name=d.channel) if d.channel else "",
            t("Trạng thái: {name}", name=d.status) if d.status else "",
            t("Đơn vị xử lý: {name}", name=d.processing_unit) if d.processing_unit else "") if x]
        dates = [x for x in (
            t("Tiếp nhận {date}", date=local_day(d.received)) if d.received else "",
            t("Hẹn trả {date}", date=local_day(d.due)) if d.due else "",
            t("Xử lý xong {date}", date=local_day(d.finished)) if d.finished else "",
            t("Trả {date}", date=local_day(d.returned)) if d.returned else "") if x]
        self.detail_status = ft.Row(self._status_chips(d), wrap=True, spacing=6)
        self.detail_flag = ft.Column(self._flag_lines(d), spacing=2)
        header = panel([
            ft.Text(d.code, size=21, weight=ft.FontWeight.W_700),
            ft.Row([ft.Text(x, size=16) for x in facts], wrap=True, spacing=28, run_spacing=4),
            muted("  ·  ".join(dates), 15),
            self.detail_status,
            self.detail_flag,
        ], ft.Colors.INDIGO_50, identifier="dossier-detail")

        photos = self.photos_by_check.get(d.check_id, [])
        thumbs = self.detail_thumbs
        self.cards = []
        parts: list[ft.Control] = [nav, header]
        self.tl_panel = TimelinessPanel(self, d, getattr(self, "tl_drafts", {}).get(f"timeliness:{d.check_id}"))
        for section in self.checklist.sections:
            parts.append(ft.Text(t.text(section.title), size=19, weight=ft.FontWeight.W_700,
                                 color=ft.Colors.INDIGO_900))
            for item in section.items:
                if item.id == dossier_checks.TIMELINESS_ITEM:  # computed: confirmed or changed, never typed
                    parts.append(self.tl_panel.control)
                    continue
                caption = self.photo_caption(d, item)
                card = DossierItemCard(self, d, self.checklist, section, item,
                                       [p for p in photos if p.caption == caption], thumbs)
                self.cards.append(card)
                parts.append(card.control)
        item_captions = {self.photo_caption(d, i) for i in self.checklist.items}
        self.note_field = ft.TextField(label=t("Ghi chú chung về hồ sơ"), value=d.note, multiline=True, min_lines=2,
                                       max_lines=6, read_only=self.locked)
        self.note_saver = AutoSave(self.note_field, self._save_note)
        self.photo_row = ft.Row([thumb(thumbs.get(p.id), p.caption or t("Ảnh"), 96)
                                 for p in photos if p.caption not in item_captions], wrap=True, spacing=8)
        if not self.photo_row.controls:
            self.photo_row.controls = [muted(t("Chưa có ảnh."))]
        parts.append(panel([
            self.note_field,
            ft.Text(t("Ảnh của hồ sơ"), size=16, weight=ft.FontWeight.W_600),
            self.photo_row,
            ft.Row([ft.OutlinedButton(t("Thêm ảnh hồ sơ"), icon=ft.Icons.ADD_A_PHOTO, disabled=self.locked,
                                      on_click=self._add_dossier_photo)]),
        ]))
        parts.append(ft.Row([
            ft.TextButton(t("Danh sách hồ sơ mẫu"), icon=ft.Icons.ARROW_BACK, on_click=self._close_detail),
            ft.Container(expand=True),
            ft.FilledButton(t("Hồ sơ tiếp theo"), icon=ft.Icons.NAVIGATE_NEXT, disabled=index >= last,
                            on_click=functools.partial(self._open, index + 1)),
        ]))
        return parts

    def _status_chips(self, d) -> list[ft.Control]:
        total = len(self.checklist.items) if self.checklist is not None else 0
        done = sum(1 for v in d.answers.values() if v is not None)
        out = [chip(self.timeliness_text(d.timeliness), TIMELINESS_COLORS.get(d.timeliness.status.value,
                                                                             ft.Colors.GREY_200)),
               chip(state_chip_text(self.t, d), STATE_COLORS[d.timeliness_state]),
               chip(self.t("Đã kiểm tra {done}/{total}", done=done, total=total),
                    ft.Colors.GREEN_100 if total and done >= total else ft.Colors.WHITE)]
        return out

    def _flag_lines(self, d) -> list[ft.Control]:
        if not d.apology_flagged:
            return []
        reasons = d.apology_reasons_vi if self.lang == "vi" else d.apology_reasons_en
        return [banner(" ".join([self.t("Quá hạn: không có văn bản xin lỗi (Mẫu 04)"), *reasons]), "error")]

    @property
    def lang(self) -> str:
        return self.app.lang

    # --- handlers: one dossier -------------------------------------------------------------------
    async def _flush(self) -> None:
        for card in self.cards:
            await card.flush()
        panel = getattr(self, "tl_panel", None)
        if panel is not None and self.open_index is not None:
            await panel.flush()
        if self.note_saver is not None:
            await self.note_saver.flush()

    async def _open(self, index: int, e=None) -> None:
        await self._flush()
        if self.sample is None or self.checklist is None:
            return
        await self._reload_dossiers()  # what was saved since the list was read (answers, notes, photos)
        if not 0 <= index < len(self.dossiers):
            return
        d = self.dossiers[index]
        self.detail_thumbs = await thumbnails(self.app, self.photos_by_check.get(d.check_id, []))
        self.open_index = index
        self.app.state.dossier_open[self.visit_id] = d.check_id
        await self.app.call(drafts.save_draft, self.app.ctx, drafts.visit_scope(self.visit_id), OPEN_DOSSIER,
                            {"check_id": d.check_id}, notify=False)  # a reload opens it again
        self._render()
        self.app.page.update()
        await self.scroller.scroll_to(offset=0)

    async def _close_detail(self, e=None) -> None:
        await self._flush()
        self.cards, self.note_saver, self.tl_panel = [], None, None
        self.open_index = None
        self.app.state.dossier_open.pop(self.visit_id, None)
        await self.app.call(drafts.discard_draft, self.app.ctx, drafts.visit_scope(self.visit_id), OPEN_DOSSIER,
                            notify=False)
        await self._reload_dossiers()
        self._render()
        self.app.page.update()
        await self.scroller.scroll_to(offset=0)

    async def dossier_changed(self) -> None:
        """After an answer: the timeliness, progress and apology flag shown for the dossier."""
        if self.open_index is None or self.sample is None:
            return
        check_id = self.dossiers[self.open_index].check_id
        got = await self.app.call(sampling.sampled_dossiers, self.app.ctx, self.sample.id)
        if not got.ok:
            return
        result = got.value
        self.dossiers = result
        d = next((x for x in result if x.check_id == check_id), None)
        if d is None:
            return
        for card in self.cards:
            card.dossier = d
        self.detail_status.controls = self._status_chips(d)
        self.detail_flag.controls = self._flag_lines(d)
        self.detail_status.update()
        self.detail_flag.update()

    async def _save_note(self, text: str) -> bool:
        if self.open_index is None:
            return False
        check = await self.app.call(sampling.set_dossier_note, self.app.ctx,
                                    self.dossiers[self.open_index].check_id, text)
        return check.ok

    async def add_photos(self, dossier, caption: str) -> list:
        return await self.picker.pick_and_add(self.visit_id, dossier_check_id=dossier.check_id, caption=caption)

    async def _add_dossier_photo(self, e=None) -> None:
        if self.open_index is None:
            return
        d = self.dossiers[self.open_index]
        stored = await self.add_photos(d, self.photo_caption(d))
        if not stored:
            return
        thumbs = await thumbnails(self.app, stored)
        if self.photo_row.controls and isinstance(self.photo_row.controls[0], ft.Text):
            self.photo_row.controls = []
        for p in stored:
            self.photo_row.controls.append(thumb(thumbs.get(p.id), p.caption or self.t("Ảnh"), 96))
        self.app.toast(self.t.plural("Đã thêm {n} ảnh", "Đã thêm {n} ảnh", len(stored), n=len(stored)))

    # --- what the item cards expect of their screen ----------------------------------------------
    def section_changed(self, card) -> None:
        """The visit checklist's section counters; a dossier shows its progress in the header."""

    async def refresh_gaps(self, card) -> bool:
        return False  # there is no service yet telling which dossier items lack a note or photo

    async def leave(self) -> None:
        await self._flush()
