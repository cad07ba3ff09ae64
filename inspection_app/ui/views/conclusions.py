"""Conclusions: what the minutes say in sections III-V and their closing sentence.

III. the team's assessment and V. the unit's opinion save themselves (like the checklist notes);
IV. the requests to remedy are a list (text, deadline, report-back date, optionally the finding they
answer) to add to, edit and delete; and the time the minutes end ("Biên bản kết thúc lúc … giờ …
cùng ngày"), on the day the team arrived. Read-only once the visit is locked.
"""

from __future__ import annotations

from datetime import datetime

import flet as ft

from ...domain.minutes_rules import LIMITS
from ...services import findings, minutes_content, remedies, visits
from .. import fmt
from ..widgets.autosave import AutoSave
from .base import VisitScreen, bottom_space, heading, muted


def _short(text: str, n: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class ConclusionsScreen(VisitScreen):
    nav_key = "conclusions"
    title_key = "cc.title"

    async def load_visit(self) -> None:
        ctx, vid = self.app.ctx, self.visit_id
        result = await self.app.call(remedies.list_remedies, ctx, vid)
        self.remedies = list(result.value) if result.ok else []
        result = await self.app.call(findings.list_findings, ctx, vid)
        self.findings = list(result.value) if result.ok else []
        self.editing: str | None = None  # the remedy the form edits; None: a new one

    # --- building --------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        t, locked = self.t, self.locked
        self.assessment = ft.TextField(label=t("cc.assessment_label"), value=self.visit.assessment or "",
                                       multiline=True, min_lines=3, max_lines=12, read_only=locked,
                                       max_length=LIMITS["assessment"])
        self.assessment_saver = AutoSave(self.assessment, lambda text: self._save_text("assessment", text))
        self.opinion = ft.TextField(label=t("cc.opinion_label"), value=self.visit.unit_opinion or "",
                                    multiline=True, min_lines=2, max_lines=8, read_only=locked,
                                    max_length=LIMITS["unit_opinion"])
        self.opinion_saver = AutoSave(self.opinion, lambda text: self._save_text("unit_opinion", text))
        stored_end = fmt.show_time(self.visit.ended_at)
        self.end = ft.TextField(label=t("cc.end_label"), width=200, read_only=locked,
                                value=stored_end or fmt.now_local().strftime("%H:%M"))
        self.end_saver = AutoSave(self.end, self._save_end)
        self.end_note = ft.Text("", size=15)
        self._show_end()
        now_button = ft.OutlinedButton(t("cc.now"), icon=ft.Icons.SCHEDULE, on_click=self._end_now,
                                       disabled=locked)

        # the form for a request to remedy (new or edited)
        self.remedy_text = ft.TextField(label=t("cc.remedy_text"), multiline=True, min_lines=2, max_lines=6,
                                        max_length=LIMITS["remedy"])
        self.deadline = ft.TextField(label=t("cc.deadline"), width=340)
        self.report_due = ft.TextField(label=t("cc.report_due"), width=340, hint_text=t("cc.report_due_hint"))
        options = [("", t("cc.link_none"))] + [(f.id, _short(f.description)) for f in self.findings]
        self.link = ft.RadioGroup(value="", content=ft.Column(
            [ft.Radio(value=v, label=label, height=48) for v, label in options], spacing=0))  # 48 px targets
        self.link_box = ft.Column([muted(t("cc.link"), 15), self.link], spacing=4)
        self.link_fixed = muted("", 15)
        self.form_title = heading(t("cc.remedy_new"), 18)
        self.form = ft.Semantics(identifier="remedy-form", container=True, content=ft.Container(ft.Column([
            self.form_title, self.remedy_text,
            ft.Row([self.deadline, self.report_due], wrap=True),
            self.link_box, self.link_fixed,
            ft.Row([ft.FilledButton(t("cc.remedy_save"), icon=ft.Icons.SAVE, on_click=self._save_remedy, height=52),
                    ft.TextButton(t("common.cancel"), on_click=self._close_form)], wrap=True),
        ], spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH), padding=12, border_radius=10,
            bgcolor=ft.Colors.INDIGO_50), visible=False)
        self.open_form = ft.FilledButton(t("cc.remedy_new"), icon=ft.Icons.ADD, on_click=self._new_remedy,
                                         height=52, visible=not locked)
        self.list = ft.Column(spacing=8)
        self._fill()

        to_minutes = ft.TextButton(t("cc.to_minutes"), icon=ft.Icons.DESCRIPTION_OUTLINED,
                                   on_click=lambda e: self.app.go(f"/visits/{self.visit_id}/minutes"))
        return ft.Column([
            heading(t("cc.assessment")), self.assessment,
            ft.Divider(height=12),
            heading(t("cc.remedies")), self.list, ft.Row([self.open_form]), self.form,
            ft.Divider(height=12),
            heading(t("cc.opinion")), self.opinion,
            ft.Divider(height=12),
            heading(t("cc.end")),
            ft.Row([self.end, muted(t("cc.end_day", date=fmt.show_date(self._day())), 16), now_button],
                   wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            self.end_note,
            ft.Row([to_minutes]),
            bottom_space(),
        ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def _fill(self) -> None:
        cards = [self._card(r, i) for i, r in enumerate(self.remedies, start=1)]
        self.list.controls = cards or [muted(self.t("cc.remedies_empty"), 16)]

    def _finding_text(self, finding_id: str | None) -> str:
        f = next((f for f in self.findings if f.id == finding_id), None)
        return _short(f.description) if f else ""

    def _card(self, r, index: int) -> ft.Control:
        t = self.t
        link = self._finding_text(r.finding_id)
        body = ft.Column([
            ft.Row([ft.Text(f"{index}.", size=17, weight=ft.FontWeight.W_600),
                    ft.Text(r.text, size=17, expand=True)], vertical_alignment=ft.CrossAxisAlignment.START),
            muted(t("cc.remedy_dates", deadline=fmt.show_date(r.deadline), due=fmt.show_date(r.report_due)), 15),
            *([muted(t("cc.link_fixed", text=link), 15)] if link else []),
            ft.Row([
                ft.TextButton(t("common.edit"), icon=ft.Icons.EDIT_OUTLINED, disabled=self.locked,
                              on_click=lambda e, rid=r.id: self._edit_remedy(rid)),
                ft.TextButton(t("common.delete"), icon=ft.Icons.DELETE_OUTLINE, disabled=self.locked,
                              on_click=lambda e, rid=r.id: self._ask_delete(rid)),
            ], wrap=True, visible=not self.locked),
        ], spacing=4)
        return ft.Semantics(identifier=f"remedy-{index}", container=True, content=ft.Container(
            body, padding=12, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300)))

    # --- III and V: texts that save themselves ---------------------------------------------------
    async def _save_text(self, field: str, text) -> bool:  # noqa: ANN001
        if field in ("assessment", "unit_opinion"):  # within the limit the field shows
            visit = await self.app.call(minutes_content.save_conclusion, self.app.ctx, self.visit_id, field, text)
        else:
            visit = await self.app.call(visits.update_visit, self.app.ctx, self.visit_id, **{field: text})
        if not visit.ok:
            return False
        visit = visit.value
        self.visit = visit
        return True

    # --- end time --------------------------------------------------------------------------------
    def _day(self):
        """The day of the minutes: the team's arrival (the minutes end "the same day")."""
        start = fmt.local(self.visit.arrival_at or self.visit.created_at)
        return start.date() if start else fmt.now_local().date()

    def _show_end(self) -> None:
        if self.visit.ended_at:
            self.end_note.value = self.t("cc.end_saved", time=fmt.show_time(self.visit.ended_at),
                                         date=fmt.show_date(self.visit.ended_at))
            self.end_note.color = ft.Colors.GREEN_900
        else:
            self.end_note.value, self.end_note.color = self.t("cc.end_unsaved"), ft.Colors.BROWN_900

    async def _save_end(self, text: str) -> bool:
        hhmm = fmt.parse_hhmm(text)
        if hhmm is None:
            self.app.toast(self.t("common.bad_time"), error=True)
            return False
        hh, mm = map(int, hhmm.split(":"))
        day = self._day()
        ended = datetime(day.year, day.month, day.day, hh, mm, tzinfo=fmt.LOCAL_TZ)
        if not await self._save_text("ended_at", ended):
            return False
        self.end.value = hhmm
        self._show_end()
        self.end.update()  # auto-update is off while a field saves itself
        self.end_note.update()
        return True

    async def _end_now(self, e=None) -> None:
        value = fmt.now_local().strftime("%H:%M")
        self.end.value = value
        if await self._save_end(value):
            self.end_saver.saved_value = value
            self.app.toast(self.t("cc.saved"))

    # --- IV: requests to remedy ------------------------------------------------------------------
    def _open(self, title_key: str) -> None:
        self.form_title.value = self.t(title_key)
        self.form.visible, self.open_form.visible = True, False

    def _new_remedy(self, e=None) -> None:
        self.editing = None
        self.remedy_text.value = self.deadline.value = self.report_due.value = ""
        self.link.value = ""
        self.link_box.visible, self.link_fixed.visible = True, False
        self._open("cc.remedy_new")

    def _edit_remedy(self, remedy_id: str) -> None:
        r = next((r for r in self.remedies if r.id == remedy_id), None)
        if r is None:
            return
        self.editing = remedy_id
        self.remedy_text.value = r.text
        self.deadline.value = fmt.show_date(r.deadline)
        self.report_due.value = fmt.show_date(r.report_due)
        link = self._finding_text(r.finding_id)
        self.link_box.visible = False  # the link is set when the request is made
        self.link_fixed.value, self.link_fixed.visible = self.t("cc.link_fixed", text=link), bool(link)
        self._open("cc.remedy_edit")

    def _close_form(self, e=None) -> None:
        self.form.visible, self.open_form.visible = False, not self.locked
        self.editing = None

    async def _save_remedy(self, e=None) -> None:
        t = self.t
        deadline = fmt.parse_date(self.deadline.value) if (self.deadline.value or "").strip() else None
        if (self.deadline.value or "").strip() and deadline is None:
            self.app.toast(t("cc.bad_deadline"), error=True)
            return
        due = fmt.parse_date(self.report_due.value) if (self.report_due.value or "").strip() else None
        if (self.report_due.value or "").strip() and due is None:
            self.app.toast(t("cc.bad_report_due"), error=True)
            return
        if self.editing:
            saved = await self.app.call(remedies.update_remedy, self.app.ctx, self.editing,
                                        text=self.remedy_text.value or "", deadline=deadline, report_due=due)
            if not saved.ok:
                return
            saved = saved.value
            self.remedies = [saved if r.id == saved.id else r for r in self.remedies]
            message = t("cc.remedy_updated")
        else:
            saved = await self.app.call(remedies.add_remedy, self.app.ctx, self.visit_id, self.remedy_text.value or "",
                                        deadline, due, finding_id=self.link.value or None)
            if not saved.ok:
                return
            saved = saved.value
            self.remedies.append(saved)
            message = t("cc.remedy_added")
        self._close_form()
        self._fill()
        self.app.toast(message)

    def _ask_delete(self, remedy_id: str) -> None:
        async def delete():
            if not (await self.app.call(remedies.delete_remedy, self.app.ctx, remedy_id)).ok:
                return
            self.remedies = [r for r in self.remedies if r.id != remedy_id]
            if self.editing == remedy_id:
                self._close_form()
            self._fill()
            self.app.toast(self.t("cc.remedy_deleted"))

        self.app.confirm(self.t("cc.remedy_confirm_delete"), delete, yes_key="common.delete")

    async def leave(self) -> None:
        if self.visit is None or self.locked or not hasattr(self, "assessment_saver"):
            return
        for saver in (self.assessment_saver, self.opinion_saver, self.end_saver):
            await saver.flush()
