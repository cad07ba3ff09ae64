"""Checklist runner: sections and items, one tap per answer, saved the moment it is given.

Each item is a card: its text and legal basis, the answer control for its type (Đạt / Không đạt /
Không áp dụng, a count, a time, text, a choice, a person), a note, photos, and a link to record a
finding. A failed item that still needs a note or a photo says so; the close check
(``visit_close.missing_before_close``) refuses to lock the visit until it has them. Whether an item
still lacks something comes from ``checklists.gaps``, not from rules written here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import flet as ft

from inspection_app.locale import N_, N_p
from inspection_app.ui.enum_labels import enum_label

from ...domain.text import roman
from ...services import checklists, roll_call, units
from .. import fmt
from ..calls import Result
from ..state import FindingLink
from ..widgets.autosave import AutoSave
from ..widgets.choice import ChoiceList
from ..widgets.named import icon_button
from ..widgets.photos import PhotoPicker, thumb, thumbnails
from .base import VisitScreen, bottom_space, muted

if TYPE_CHECKING:
    from ..i18n import I18n
    from ..shell import Shell

VERDICT_COLORS = {"pass": ft.Colors.GREEN_200, "fail": ft.Colors.RED_200, "na": ft.Colors.GREY_300}
# Count items the roll call already knows (issue 13, "ask once"): shown from it, never typed.
FROM_ROLL_CALL = {"wh.headcount_roster": "roster", "wh.headcount_present": "at_work", "wh.late_count": "late"}
ASKED_ON_THE_VISIT = {"wh.arrival_time"}  # the team's arrival is the visit's (shown at the top)


class CardScreen(Protocol):
    """What an item card asks of its screen: the checklist runner, or the dossier screen."""

    app: Shell
    t: I18n
    visit_id: str
    picker: PhotoPicker
    staff: Any

    @property
    def locked(self) -> bool: ...

    def section_changed(self, card: ItemCard) -> None: ...

    async def refresh_gaps(self, card: ItemCard) -> bool: ...


class ItemCard:
    """One checklist item and everything answered for it."""

    def __init__(self, screen: CardScreen, checklist, section, item, answer, photos: list):
        self.screen = screen
        self.app = screen.app
        self.t = screen.t
        self.checklist = checklist
        self.section = section
        self.item = item
        self.value = answer.value if answer else None
        self.note_value = answer.note if answer else ""
        self.saved_at = answer.answered_at if answer else None
        self.photos = list(photos)
        self.gaps: list = []
        self.control = self._build()

    # --- building ------------------------------------------------------------------------------
    def _build(self) -> ft.Control:
        t, item, locked = self.t, self.item, self.screen.locked
        basis = "; ".join(b.cite() for b in item.legal_basis)
        self.answer_control = self._answer_control()
        self.note = ft.TextField(label=t("Ghi chú"), value=self.note_value, multiline=True, min_lines=1,
                                 max_lines=5, read_only=locked, visible=bool(self.note_value))
        self.note_saver = AutoSave(self.note, self._save_note)
        self.warning_text = ft.Text("", color=ft.Colors.RED_800, size=15, weight=ft.FontWeight.W_600)
        self.warning = ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.RED_800, size=20), self.warning_text],
                              visible=False, spacing=6)
        self.saved_text = ft.Text("", size=13, color=ft.Colors.GREEN_800)
        self.saved = ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, color=ft.Colors.GREEN_700, size=16), self.saved_text],
                            spacing=4, tight=True, visible=False)
        self.thumbs = ft.Row(wrap=True, spacing=6)
        tools = ft.Row([
            icon_button(ft.Icons.EDIT_NOTE, t("Thêm ghi chú"), self._show_note, disabled=locked),
            icon_button(ft.Icons.PHOTO_CAMERA, t("Thêm ảnh"), self._add_photo, disabled=locked),
            icon_button(ft.Icons.REPORT_GMAILERRORRED, t("Ghi phát hiện"), self._add_finding, disabled=locked),
        ], spacing=0, tight=True)
        self._refresh_saved()
        card = ft.Container(
            ft.Column([
                ft.Row([ft.Text(t.text(item.text), size=17, weight=ft.FontWeight.W_500, expand=True),
                        self.saved], vertical_alignment=ft.CrossAxisAlignment.START),
                muted(t("Căn cứ: {basis}", basis=basis), 13),
                ft.Row([self.answer_control, *([] if item.answer.value == "choice" else [ft.Container(expand=True)]),
                        tools],
                       vertical_alignment=ft.CrossAxisAlignment.CENTER),
                self.warning,
                self.note,
                self.thumbs,
            ], spacing=4, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            padding=ft.Padding.only(left=12, right=4, top=8, bottom=6), border_radius=10, bgcolor=ft.Colors.WHITE,
            border=ft.Border.all(1, ft.Colors.GREY_300))
        self._paint()
        return ft.Semantics(identifier=f"item-{item.id}", container=True, content=card,
                            key=ft.ScrollKey(f"item-{self.checklist.id}-{item.id}"))  # type: ignore[call-arg]  # Flet's decorated dataclass

    def _answer_control(self) -> ft.Control:
        t, item, locked = self.t, self.item, self.screen.locked
        kind = item.answer.value
        if kind == "pass_fail":
            self.seg: Any = ft.SegmentedButton(
                selected=[self.value] if self.value else [], allow_empty_selection=True,
                allow_multiple_selection=False, show_selected_icon=True, disabled=locked,
                segments=[ft.Segment(value=v, label=t(enum_label("cl", v)), icon=None) for v in ("pass", "fail", "na")],
                on_change=self._verdict_changed)
            return self.seg
        if kind == "choice":  # full-width rows: a long label wraps instead of being cut
            self.seg = ChoiceList([(c.value, t.text(c.label)) for c in item.choices], self.value, locked,
                                  on_change=self._verdict_changed)
            return ft.Container(self.seg.control, expand=True)
        if kind == "person":
            staff = self.screen.staff
            self.field: Any = ft.Dropdown(label=t("Người"), value=self.value, width=360, disabled=locked,
                                     options=[ft.DropdownOption(key=p.id, text=p.full_name) for p in staff],
                                     on_select=self._person_changed)
            return self.field
        label = {"count": N_("Số lượng"), "time": N_("Giờ (HH:MM)"), "text": N_p("cl.text", "Nội dung")}[kind]
        derived = self.item.id in FROM_ROLL_CALL
        self.field = ft.TextField(
            label=t("Số liệu từ điểm danh") if derived else t(label), value=self.value or "",
            read_only=locked or derived,
            width=None if kind == "text" else 200, expand=kind == "text",
            multiline=kind == "text", min_lines=1, max_lines=6 if kind == "text" else 1,
            keyboard_type=ft.KeyboardType.NUMBER if kind == "count" else ft.KeyboardType.TEXT,
            input_filter=ft.NumbersOnlyInputFilter() if kind == "count" else None,
            hint_text=t("HH:MM") if kind == "time" else None)
        self.value_saver = AutoSave(self.field, self._save_value)
        row = [self.field]
        if kind == "time":
            row.append(ft.TextButton(t("Bây giờ"), icon=ft.Icons.SCHEDULE, on_click=self._time_now,
                                     disabled=locked))
        return ft.Row(row, expand=kind == "text", tight=kind != "text")

    # --- state shown on the card -----------------------------------------------------------------
    def _paint(self) -> None:
        if self.item.answer.value == "pass_fail":
            color = VERDICT_COLORS.get(self.value or "", ft.Colors.INDIGO_100)
            self.seg.style = ft.ButtonStyle(bgcolor={ft.ControlState.SELECTED: color})
        needs = [g for g in self.gaps if g.kind in ("note", "photo")]
        self.warning.visible = bool(needs)
        self.warning_text.value = " · ".join(
            self.t(N_("Cần ghi chú cho nội dung không đạt") if g.kind == "note" else N_("Cần ảnh cho nội dung không đạt")) for g in needs)
        if any(g.kind == "note" for g in needs):
            self.note.visible = True
        self.thumbs.visible = bool(self.photos)

    def _refresh_saved(self) -> None:
        self.saved.visible = self.saved_at is not None
        self.saved_text.value = self.t("Đã lưu {time}", time=fmt.show_time(self.saved_at)) if self.saved_at else ""

    @property
    def answered(self) -> bool:
        return self.value is not None

    # --- saving ----------------------------------------------------------------------------------
    async def _record(self, **kwargs) -> bool:
        got = await self.app.call(checklists.record_answer, self.app.ctx, self.screen.visit_id,
                                  self.checklist.id, self.item.id, **kwargs)
        if not got.ok:
            return False
        answer = got.value
        self.value, self.note_value, self.saved_at = answer.value, answer.note, answer.answered_at
        self._refresh_saved()
        await self.screen.refresh_gaps(self)  # before showing: the card changes size once, not twice
        self._paint()
        self.control.update()
        self.screen.section_changed(self)
        return True

    async def _verdict_changed(self, e=None) -> None:
        selected = list(self.seg.selected or [])
        if not await self._record(value=selected[0] if selected else None):
            self.seg.selected = [self.value] if self.value else []  # show what is really stored
            self.control.update()

    async def _person_changed(self, e=None) -> None:
        await self._record(value=self.field.value)

    async def _save_value(self, text: str) -> bool:
        return await self._record(value=text)

    async def _save_note(self, text: str) -> bool:
        return await self._record(note=text)

    async def _time_now(self, e=None) -> None:
        self.field.value = fmt.now_local().strftime("%H:%M")
        await self.value_saver.flush()

    def _show_note(self, e=None) -> None:
        self.note.visible = True

    async def _add_photo(self, e=None) -> None:
        stored = await self.screen.picker.pick_and_add(self.screen.visit_id, checklist_id=self.checklist.id,
                                                       item_id=self.item.id)
        if not stored:
            return
        self.photos += stored
        thumbs = await thumbnails(self.app, stored)
        for p in stored:
            self.thumbs.controls.append(thumb(thumbs.get(p.id), p.caption or self.t("Ảnh"), 72))
        await self.screen.refresh_gaps(self)
        self._paint()
        self.control.update()
        self.app.toast(self.t.plural("Đã thêm {n} ảnh", "Đã thêm {n} ảnh", len(stored), n=len(stored)))  # updates the page

    def _add_finding(self, e=None) -> None:
        self.app.state.finding_link = FindingLink("item", self.checklist.id, self.item.id)
        self.app.go(f"/visits/{self.screen.visit_id}/findings")

    async def flush(self) -> None:
        await self.note_saver.flush()
        saver = getattr(self, "value_saver", None)
        if saver is not None:
            await saver.flush()


class ChecklistScreen(VisitScreen):
    nav_key = "checklist"
    title_key = N_("Nội dung kiểm tra")
    current: Any  # the id of the checklist shown (None before one is chosen)
    jump: Any  # the item to scroll to once shown

    async def load_visit(self) -> None:
        ctx, vid = self.app.ctx, self.visit_id
        result: Result[Any]
        result = await self.app.call(checklists.visit_checklists, ctx, vid)
        self.checklists = [c for c in result.value if c.scope == "visit"] if result.ok else []
        result = await self.app.call(checklists.answers_for, ctx, vid)
        self.answers = result.value if result.ok else {}
        result = await self.app.call(checklists.gaps, ctx, vid)
        self.all_gaps = result.value if result.ok else []
        self.staff: Any = []
        if any(i.answer.value == "person" for c in self.checklists for i in c.items):
            result = await self.app.call(units.list_staff, ctx, self.visit.unit_id)
            self.staff = result.value if result.ok else []
        self.item_photos = await self._item_photos()
        await self._roll_call_facts()
        self.jump, self.app.state.checklist_item = self.app.state.checklist_item, None
        self.current, self.app.state.checklist = self.app.state.checklist, None
        self.current = self.current or (self.checklists[0].id if self.checklists else None)

    async def _roll_call_facts(self) -> None:
        """Headcount and late count come from the roll call, the arrival time from the visit: recorded
        as the items' answers when they differ (never typed), so the checklist, the close check and
        the minutes agree with them."""
        self.totals = None
        derived: dict[tuple[str, str], str] = {}
        if self.visit.arrival_at is not None:  # while the checklist data still has the arrival item
            derived.update({(c.id, i.id): fmt.show_time(self.visit.arrival_at) for c in self.checklists
                            for i in c.items if i.id in ASKED_ON_THE_VISIT and i.answer.value == "time"})
        got = await self.app.call(roll_call.roll_call_sheet, self.app.ctx, self.visit_id, notify=False)
        if got.ok:
            self.totals = got.value.totals
            if self.totals.roster:
                derived.update({(c.id, i.id): str(getattr(self.totals, FROM_ROLL_CALL[i.id]))
                                for c in self.checklists for i in c.items
                                if i.id in FROM_ROLL_CALL and i.answer.value == "count"})
        if self.locked:
            return
        for (cid, iid), value in derived.items():
            answer = self.answers.get((cid, iid))
            if answer is None or answer.value != value:
                saved = await self.app.call(checklists.record_answer, self.app.ctx, self.visit_id, cid, iid,
                                            value=value)
                if saved.ok:
                    self.answers[(cid, iid)] = saved.value

    def _visit_facts(self) -> ft.Control:
        """At the top: the team's arrival (asked once, at set-up) and the roll call's figures."""
        t, v = self.t, self.visit
        parts = [t("Đoàn đến lúc {time}", time=fmt.show_datetime(v.arrival_at) if v.arrival_at else "—")]
        if self.totals is not None and self.totals.roster:
            parts.append(t("Điểm danh: có mặt {present}/{roster}, đi muộn {late}", present=self.totals.at_work, roster=self.totals.roster,
                           late=self.totals.late))
        edit = ft.TextButton(t("Sửa thông tin"), icon=ft.Icons.EDIT, disabled=self.locked,
                             on_click=lambda e: self.app.go(f"/visits/{self.visit_id}/setup"))
        return ft.Semantics(identifier="visit-facts", container=True, content=ft.Row(
            [ft.Icon(ft.Icons.SCHEDULE, color=ft.Colors.INDIGO_700),
             ft.Text(" · ".join(parts), size=16, expand=True), edit],
            vertical_alignment=ft.CrossAxisAlignment.CENTER, wrap=False))

    async def _item_photos(self) -> dict[tuple[str, str], list]:
        from ..widgets.photos import photo_service

        service = photo_service()
        if service is None:
            return {}
        result = await self.app.call(service.list_photos, self.app.ctx, self.visit_id)
        out: dict[tuple[str, str], list] = {}
        for p in result.value_or([]):
            if p.item_id:
                out.setdefault((p.checklist_id, p.item_id), []).append(p)
        return out

    def build(self) -> ft.Control:
        if not self.checklists:
            return muted(self.t("Cuộc kiểm tra này chưa có danh mục kiểm tra."), 16)
        self.picker = PhotoPicker(self.app)
        self.cards: dict[str, list[ItemCard]] = {}
        self.section_heads: dict[tuple[str, str], tuple[ft.Text, ft.ProgressBar]] = {}
        self.chips: dict[str, ft.Chip] = {}
        self.columns: dict[str, ft.Column] = {}
        gaps_by_item: dict[tuple[str, str], list] = {}
        for g in self.all_gaps:
            gaps_by_item.setdefault((g.checklist_id, g.item_id), []).append(g)
        for c in self.checklists:
            self.chips[c.id] = ft.Chip(label=ft.Text(""), selected=c.id == self.current,
                                       padding=ft.Padding.symmetric(horizontal=8, vertical=13),
                                       on_select=lambda e, cid=c.id: self._pick(cid))
            self.cards[c.id] = []
            parts: list[ft.Control] = []
            for number, section in enumerate(c.sections, start=1):
                count = ft.Text("", size=16, weight=ft.FontWeight.W_600)
                bar = ft.ProgressBar(value=0, width=120, bar_height=8, border_radius=4)
                self.section_heads[(c.id, section.id)] = (count, bar)
                body = ft.Column(spacing=10)
                fold = ft.Icon(ft.Icons.EXPAND_LESS)
                head = ft.Container(ft.Row([
                    ft.Text(f"{roman(number)}. {self.t.text(section.title)}", size=19,
                            weight=ft.FontWeight.W_700, color=ft.Colors.INDIGO_900, expand=True),
                    bar, count, fold], vertical_alignment=ft.CrossAxisAlignment.CENTER),
                    height=56, ink=True, border_radius=8,
                    on_click=lambda e, b=body, f=fold: self._fold(b, f))
                parts.append(ft.Semantics(identifier=f"section-{c.id}-{section.id}", container=True, button=True,
                                          label=self.t("Thu gọn hoặc mở phần này"), content=head))
                for item in section.items:
                    if item.id in ASKED_ON_THE_VISIT:
                        continue  # asked once, on the visit (shown at the top)
                    card = ItemCard(self, c, section, item, self.answers.get((c.id, item.id)),
                                    self.item_photos.get((c.id, item.id), []))
                    card.gaps = gaps_by_item.get((c.id, item.id), [])
                    card._paint()
                    self.cards[c.id].append(card)
                    body.controls.append(card.control)
                parts.append(body)
            self.columns[c.id] = ft.Column(parts, spacing=10)
            for section in c.sections:
                self._update_section(c.id, section.id)
            self._update_chip(c.id)
        self.bottom = bottom_space()
        self.facts = self._visit_facts()
        self.list = ft.Column([self.facts, self.columns[self.current], self.bottom], scroll=ft.ScrollMode.AUTO,
                              expand=True)
        self.chip_row = ft.Row(list(self.chips.values()), wrap=True, spacing=8, run_spacing=8)
        next_open = ft.OutlinedButton(self.t("Câu chưa trả lời tiếp theo"), icon=ft.Icons.ARROW_DOWNWARD, height=48,
                                      on_click=self._next_unanswered, disabled=self.locked)
        if self.jump:
            self.page_task = self.app.page.run_task(self._scroll_to, self.current, self.jump)
        return ft.Column([ft.Row([self.chip_row, next_open], wrap=True, spacing=8), self.list], expand=True,
                         spacing=8)

    def _fold(self, body: ft.Column, icon: ft.Icon) -> None:
        """Fold a section away (its heading keeps its count) or open it again."""
        body.visible = not body.visible
        icon.icon = ft.Icons.EXPAND_LESS if body.visible else ft.Icons.EXPAND_MORE

    async def _scroll_to(self, cid: str, item_id: str) -> None:
        await self.list.scroll_to(scroll_key=f"item-{cid}-{item_id}", duration=300)

    async def _next_unanswered(self, e=None) -> None:
        """Scroll to the next item without an answer (after the last one reached, from the top)."""
        cards = self.cards.get(self.current, [])
        open_cards = [k for k in cards if not k.answered]
        if not open_cards:
            self.app.toast(self.t("Đã trả lời hết các câu của danh mục này."))
            return
        last = getattr(self, "_last_jump", None)
        later = [k for k in open_cards if last is None or cards.index(k) > last]
        card = (later or open_cards)[0]
        self._last_jump = cards.index(card)
        for column in self.columns[self.current].controls:
            if isinstance(column, ft.Column) and card.control in column.controls:
                column.visible = True  # unfold its section
        self.app.page.update()
        await self._scroll_to(self.current, card.item.id)

    # --- progress --------------------------------------------------------------------------------
    def _update_section(self, cid: str, sid: str) -> None:
        cards = [k for k in self.cards[cid] if k.section.id == sid]
        done = sum(1 for k in cards if k.answered)
        count, bar = self.section_heads[(cid, sid)]
        count.value = self.t("{answered}/{total}", answered=done, total=len(cards))
        bar.value = done / len(cards) if cards else 0
        bar.color = ft.Colors.GREEN_600 if done == len(cards) else ft.Colors.INDIGO_400

    def _update_chip(self, cid: str) -> None:
        c = next(c for c in self.checklists if c.id == cid)
        cards = self.cards[cid]
        done = sum(1 for k in cards if k.answered)
        self.chips[cid].label = ft.Text(f"{self.t.text(c.title)} · {done}/{len(cards)}", size=15)

    def section_changed(self, card: ItemCard) -> None:
        cid = card.checklist.id
        self._update_section(cid, card.section.id)
        self._update_chip(cid)
        count, bar = self.section_heads[(cid, card.section.id)]
        count.update()
        bar.update()
        self.chips[cid].update()

    async def refresh_gaps(self, card: ItemCard) -> bool:
        """Ask the services whether this item still lacks a note or photo; True if asked.

        Only items that can lack something are asked about: an item with on-fail requirements
        that is failed now, or was lacking something before. Passed and not-applicable verdicts
        are never failures, so tapping them costs no extra query.
        """
        on_fail = card.item.on_fail
        if not (on_fail.note or on_fail.photo):
            return False
        if card.item.answer.value == "pass_fail" and card.value != "fail" and not card.gaps:
            return False
        got = await self.app.call(checklists.gaps, self.app.ctx, self.visit_id)
        if not got.ok:
            return False
        result = got.value
        card.gaps = [g for g in result if g.checklist_id == card.checklist.id and g.item_id == card.item.id]
        return True

    def _pick(self, cid: str) -> None:
        self.current = cid
        for k, chip in self.chips.items():
            chip.selected = k == cid
        self.list.controls = [self.facts, self.columns[cid], self.bottom]

    async def leave(self) -> None:
        for cards in getattr(self, "cards", {}).values():
            for card in cards:
                await card.flush()
