"""Conclusions: what the minutes say in sections III-V and their closing sentence.

III. the team's assessment and V. the unit's opinion save themselves (like the checklist notes);
IV. the requests to remedy are a list (text, deadline, report-back date, optionally the finding they
answer) to add to, edit and delete; and the time the minutes end ("Biên bản kết thúc lúc … giờ …
cùng ngày"), on the day the team arrived. Read-only once the visit is locked.

Nothing typed here is lost (issue #13): text the record has not taken yet (a save refused, an end
time not yet valid) is kept as the draft ``conclusions`` of the visit, and the request-to-remedy form
keeps its draft (``remedy:new``, or ``remedy:<id>`` while one is edited) as it is typed; both come
back after navigation, a reload or a restart (``services.drafts``). The form's draft goes when the
request is saved or the form is cancelled; the texts' draft goes when the record has them.
"""

from __future__ import annotations

import functools
from datetime import datetime

import flet as ft

from inspection_app.locale import N_, N_p

from ...domain.minutes_rules import LIMITS
from ...services import drafts, findings, minutes_content, remedies, visits
from .. import fmt
from ..widgets.autosave import AutoSave
from ..widgets.drafts import DraftKeeper
from .base import VisitScreen, bottom_space, heading, muted


def _short(text: str, n: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class ConclusionsScreen(VisitScreen):
    nav_key = "conclusions"
    title_key = N_p("cc.title", "Đánh giá, kiến nghị")

    async def load_visit(self) -> None:
        ctx, vid = self.app.ctx, self.visit_id
        listed = await self.app.call(remedies.list_remedies, ctx, vid)
        self.remedies = list(listed.value) if listed.ok else []
        found = await self.app.call(findings.list_findings, ctx, vid)
        self.findings = list(found.value) if found.ok else []
        self.editing: str | None = None  # the remedy the form edits; None: a new one
        scope = drafts.visit_scope(vid)
        self.texts_keeper = DraftKeeper(self.app, scope, "conclusions", self._unsaved_texts)
        self.remedy_keeper = DraftKeeper(self.app, scope, "remedy:new", self._remedy_fields)
        self.texts_draft: dict = {}
        self.remedy_drafts: dict[str, dict] = {}
        if not self.locked:
            self.texts_draft = await self.texts_keeper.load() or {}
            kept = await self.app.call(drafts.drafts_in, ctx, scope, "remedy:", notify=False)
            self.remedy_drafts = kept.value_or({})

    # --- building --------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        t, locked = self.t, self.locked
        self.assessment = ft.TextField(label=t("Nhận xét, đánh giá của Đoàn kiểm tra"), value=self.visit.assessment or "",
                                       multiline=True, min_lines=3, max_lines=12, read_only=locked,
                                       max_length=LIMITS["assessment"])
        self.assessment_saver = AutoSave(self.assessment, lambda text: self._save_text("assessment", text))
        self.opinion = ft.TextField(label=t("Ý kiến của đơn vị"), value=self.visit.unit_opinion or "",
                                    multiline=True, min_lines=2, max_lines=8, read_only=locked,
                                    max_length=LIMITS["unit_opinion"])
        self.opinion_saver = AutoSave(self.opinion, lambda text: self._save_text("unit_opinion", text))
        stored_end = fmt.show_time(self.visit.ended_at)
        self._end_default = stored_end or fmt.now_local().strftime("%H:%M")
        self.end = ft.TextField(label=t("Kết thúc lúc (HH:MM)"), width=200, read_only=locked, value=self._end_default)
        self.end_saver = AutoSave(self.end, self._save_end)
        self.end_note = ft.Text("", size=15)
        self._show_end()
        now_button = ft.OutlinedButton(t("Lấy giờ hiện tại"), icon=ft.Icons.SCHEDULE, on_click=self._end_now,
                                       disabled=locked)

        # the form for a request to remedy (new or edited)
        self.remedy_text = ft.TextField(label=t("Nội dung yêu cầu khắc phục"), multiline=True, min_lines=2, max_lines=6,
                                        max_length=LIMITS["remedy"])
        self.deadline = ft.TextField(label=t("Thời hạn khắc phục (dd/mm/yyyy)"), width=340)
        self.report_due = ft.TextField(label=t("Hạn báo cáo kết quả (dd/mm/yyyy)"), width=340, hint_text=t("Để trống: cùng ngày với thời hạn khắc phục"))
        options = [("", t("Không gắn với phát hiện nào"))] + [(f.id, _short(f.description)) for f in self.findings]
        self.link = ft.RadioGroup(value="", content=ft.Column(
            [ft.Radio(value=v, label=label, height=48) for v, label in options], spacing=0))  # 48 px targets
        self.link_box = ft.Column([muted(t("Gắn với phát hiện"), 15), self.link], spacing=4)
        self.link_fixed = muted("", 15)
        self.form_title = heading(t("Thêm yêu cầu khắc phục"), 18)
        self.form = ft.Semantics(identifier="remedy-form", container=True, content=ft.Container(ft.Column([
            self.form_title, self.remedy_text,
            ft.Row([self.deadline, self.report_due], wrap=True),
            self.link_box, self.link_fixed,
            ft.Row([ft.FilledButton(t("Lưu yêu cầu"), icon=ft.Icons.SAVE, on_click=self._save_remedy, height=52),
                    ft.TextButton(t("Hủy"), on_click=self._cancel_form)], wrap=True),
        ], spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH), padding=12, border_radius=10,
            bgcolor=ft.Colors.INDIGO_50), visible=False)
        self.open_form = ft.FilledButton(t("Thêm yêu cầu khắc phục"), icon=ft.Icons.ADD, on_click=self._new_remedy,
                                         height=52, visible=not locked)
        self.list = ft.Column(spacing=8)
        self._fill()
        self._restore_drafts()

        to_minutes = ft.TextButton(t("Xem biên bản"), icon=ft.Icons.DESCRIPTION_OUTLINED,
                                   on_click=lambda e: self.app.go(f"/visits/{self.visit_id}/minutes"))
        return ft.Column([
            heading(t("III. Nhận xét, đánh giá")), self.assessment,
            ft.Divider(height=12),
            heading(t("IV. Kiến nghị, yêu cầu khắc phục")), self.list, ft.Row([self.open_form]), self.form,
            ft.Divider(height=12),
            heading(t("V. Ý kiến của đơn vị được kiểm tra")), self.opinion,
            ft.Divider(height=12),
            heading(t("Thời điểm kết thúc biên bản")),
            ft.Row([self.end, muted(t("ngày {date}", date=fmt.show_date(self._day())), 16), now_button],
                   wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            self.end_note,
            ft.Row([to_minutes]),
            bottom_space(),
        ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def _fill(self) -> None:
        cards = [self._card(r, i) for i, r in enumerate(self.remedies, start=1)]
        self.list.controls = cards or [muted(self.t("Chưa có yêu cầu khắc phục nào."), 16)]

    def _finding_text(self, finding_id: str | None) -> str:
        f = next((f for f in self.findings if f.id == finding_id), None)
        return _short(f.description) if f else ""

    def _card(self, r, index: int) -> ft.Control:
        t = self.t
        link = self._finding_text(r.finding_id)
        body = ft.Column([
            ft.Row([ft.Text(f"{index}.", size=17, weight=ft.FontWeight.W_600),
                    ft.Text(r.text, size=17, expand=True)], vertical_alignment=ft.CrossAxisAlignment.START),
            muted(t("Thời hạn: {deadline} · Báo cáo trước: {due}", deadline=fmt.show_date(r.deadline), due=fmt.show_date(r.report_due)), 15),
            *([muted(t("Phát hiện: {text}", text=link), 15)] if link else []),
            ft.Row([
                ft.TextButton(t("Sửa"), icon=ft.Icons.EDIT_OUTLINED, disabled=self.locked,
                              on_click=functools.partial(self._edit_remedy, r.id)),
                ft.TextButton(t("Xóa"), icon=ft.Icons.DELETE_OUTLINE, disabled=self.locked,
                              on_click=lambda e, rid=r.id: self._ask_delete(rid)),
            ], wrap=True, visible=not self.locked),
        ], spacing=4)
        return ft.Semantics(identifier=f"remedy-{index}", container=True, content=ft.Container(
            body, padding=12, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300)))

    # --- drafts: what the record does not hold yet ------------------------------------------------
    def _stored_texts(self) -> dict[str, str]:
        return {"assessment": self.visit.assessment or "", "unit_opinion": self.visit.unit_opinion or "",
                "end": fmt.show_time(self.visit.ended_at) or ""}

    def _unsaved_texts(self) -> dict:
        """The texts typed that differ from the record (empty once the record has them all)."""
        stored = self._stored_texts()
        typed = {"assessment": self.assessment.value or "", "unit_opinion": self.opinion.value or "",
                 "end": self.end.value or ""}
        if not self.visit.ended_at and typed["end"] == self._end_default:
            typed["end"] = ""  # the time proposed on opening is not something typed
        return {k: v for k, v in typed.items() if v != stored[k] and (v or stored[k])}

    def _remedy_fields(self) -> dict:
        return {"text": self.remedy_text.value or "", "deadline": self.deadline.value or "",
                "report_due": self.report_due.value or "", "link": self.link.value or "",
                "editing": self.editing or "", "open": bool(self.form.visible)}

    def _restore_drafts(self) -> None:
        """Put back what was typed and not stored: the texts, and the request-to-remedy form."""
        if self.locked:
            return
        fields = {"assessment": self.assessment, "unit_opinion": self.opinion, "end": self.end}
        for name, value in self.texts_draft.items():
            if name in fields and isinstance(value, str):
                fields[name].value = value  # its saver sees text the record lacks: it saves it next time
        self.texts_keeper.saved = self._unsaved_texts()
        self.texts_keeper.watch(self.assessment, self.opinion, self.end)
        # the form: the draft of the request being edited, else the new one's, if it was left open
        open_drafts = [(k, d) for k, d in self.remedy_drafts.items() if d.get("open")]
        open_drafts.sort(key=lambda kd: kd[0] == "remedy:new")  # an edit first
        for key, draft in open_drafts:
            rid = key.split(":", 1)[1]
            if rid != "new" and not any(r.id == rid for r in self.remedies):
                continue  # the request was deleted meanwhile
            self._show_remedy_form(None if rid == "new" else rid, draft)
            break
        else:
            self.remedy_keeper.saved = self._remedy_fields()
        self.remedy_keeper.watch(self.remedy_text, self.deadline, self.report_due, self.link)

    # --- III and V: texts that save themselves ---------------------------------------------------
    async def _save_text(self, field: str, text) -> bool:  # noqa: ANN001
        if field in ("assessment", "unit_opinion"):  # within the limit the field shows
            got = await self.app.call(minutes_content.save_conclusion, self.app.ctx, self.visit_id, field, text)
        else:
            got = await self.app.call(visits.update_visit, self.app.ctx, self.visit_id, **{field: text})
        if not got.ok:
            return False
        visit = got.value
        self.visit = visit
        self.texts_keeper.changed()  # what the record now holds is no draft any more
        return True

    # --- end time --------------------------------------------------------------------------------
    def _day(self):
        """The day of the minutes: the team's arrival (the minutes end "the same day")."""
        start = fmt.local(self.visit.arrival_at or self.visit.created_at)
        return start.date() if start else fmt.now_local().date()

    def _show_end(self) -> None:
        if self.visit.ended_at:
            self.end_note.value = self.t("Biên bản ghi: kết thúc lúc {time} ngày {date}.", time=fmt.show_time(self.visit.ended_at),
                                         date=fmt.show_date(self.visit.ended_at))
            self.end_note.color = ft.Colors.GREEN_900
        else:
            self.end_note.value, self.end_note.color = self.t("Chưa lưu giờ kết thúc: nếu để vậy, biên bản lấy giờ khóa cuộc kiểm tra."), ft.Colors.BROWN_900

    async def _save_end(self, text: str) -> bool:
        hhmm = fmt.parse_hhmm(text)
        if hhmm is None:
            self.app.toast(self.t("Giờ không hợp lệ (HH:MM)"), error=True)
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
            self.app.toast(self.t("Đã lưu"))

    # --- IV: requests to remedy ------------------------------------------------------------------
    def _open(self, title_key: str) -> None:
        self.form_title.value = self.t(title_key)
        self.form.visible, self.open_form.visible = True, False

    def _show_remedy_form(self, remedy_id: str | None, draft: dict | None) -> None:
        """Fill the form for a new request (``remedy_id`` None) or an existing one, from its draft
        when it has one, and make the draft keeper follow that form."""
        self.editing = remedy_id
        self.remedy_keeper.key = f"remedy:{remedy_id or 'new'}"
        if remedy_id is None:
            self.remedy_text.value = self.deadline.value = self.report_due.value = ""
            self.link.value = ""
            self.link_box.visible, self.link_fixed.visible = True, False
        else:
            r = next(r for r in self.remedies if r.id == remedy_id)
            self.remedy_text.value = r.text
            self.deadline.value = fmt.show_date(r.deadline)
            self.report_due.value = fmt.show_date(r.report_due)
            link = self._finding_text(r.finding_id)
            self.link_box.visible = False  # the link is set when the request is made
            self.link_fixed.value, self.link_fixed.visible = self.t("Phát hiện: {text}", text=link), bool(link)
        self._open(N_("Sửa yêu cầu khắc phục") if remedy_id else N_("Thêm yêu cầu khắc phục"))
        untouched = self._remedy_fields()
        if draft:
            self.remedy_text.value = draft.get("text", self.remedy_text.value)
            self.deadline.value = draft.get("deadline", self.deadline.value)
            self.report_due.value = draft.get("report_due", self.report_due.value)
            if remedy_id is None:
                self.link.value = draft.get("link", "")
        self.remedy_keeper.saved = draft if draft else untouched  # an untouched form is not a draft

    async def _switch_form(self, remedy_id: str | None) -> None:
        """Keep the open form's draft (closed), then open the chosen one with its own draft."""
        if self.form.visible:
            self.form.visible = False
            await self.remedy_keeper.flush()
        key = f"remedy:{remedy_id or 'new'}"
        got = await self.app.call(drafts.get_draft, self.app.ctx, drafts.visit_scope(self.visit_id), key,
                                  notify=False)
        self._show_remedy_form(remedy_id, got.value_or(None))
        await self.remedy_keeper.flush()  # the form is open: a reload opens it again

    async def _new_remedy(self, e=None) -> None:
        await self._switch_form(None)

    async def _edit_remedy(self, remedy_id: str, e=None) -> None:
        if any(r.id == remedy_id for r in self.remedies):
            await self._switch_form(remedy_id)

    def _close_form(self, e=None) -> None:
        self.form.visible, self.open_form.visible = False, not self.locked
        self.editing = None

    async def _cancel_form(self, e=None) -> None:
        """Explicit cancel: the form's draft goes."""
        await self.remedy_keeper.discard()
        self._close_form()
        self.remedy_keeper.saved = self._remedy_fields()

    async def _save_remedy(self, e=None) -> None:
        t = self.t
        deadline = fmt.parse_date(self.deadline.value) if (self.deadline.value or "").strip() else None
        if (self.deadline.value or "").strip() and deadline is None:
            self.app.toast(t("Thời hạn khắc phục không hợp lệ (dd/mm/yyyy)"), error=True)
            return
        due = fmt.parse_date(self.report_due.value) if (self.report_due.value or "").strip() else None
        if (self.report_due.value or "").strip() and due is None:
            self.app.toast(t("Hạn báo cáo không hợp lệ (dd/mm/yyyy)"), error=True)
            return
        if self.editing:
            updated = await self.app.call(remedies.update_remedy, self.app.ctx, self.editing,
                                          text=self.remedy_text.value or "", deadline=deadline, report_due=due)
            if not updated.ok:
                return
            saved = updated.value
            self.remedies = [saved if r.id == saved.id else r for r in self.remedies]
            message = t("Đã sửa yêu cầu khắc phục")
        else:
            added = await self.app.call(remedies.add_remedy, self.app.ctx, self.visit_id, self.remedy_text.value or "",
                                        deadline, due, finding_id=self.link.value or None)
            if not added.ok:
                return
            saved = added.value
            self.remedies.append(saved)
            message = t("Đã thêm yêu cầu khắc phục")
        await self.remedy_keeper.discard()
        self._close_form()
        self.remedy_keeper.saved = self._remedy_fields()
        self._fill()
        self.app.toast(message)

    def _ask_delete(self, remedy_id: str) -> None:
        async def delete():
            if not (await self.app.call(remedies.delete_remedy, self.app.ctx, remedy_id)).ok:
                return
            self.remedies = [r for r in self.remedies if r.id != remedy_id]
            await self.app.call(drafts.discard_draft, self.app.ctx, drafts.visit_scope(self.visit_id),
                                f"remedy:{remedy_id}", notify=False)
            if self.editing == remedy_id:
                self._close_form()
                self.remedy_keeper.saved = self._remedy_fields()
            self._fill()
            self.app.toast(self.t("Đã xóa yêu cầu khắc phục"))

        self.app.confirm(self.t("Xóa yêu cầu khắc phục này?"), delete, yes_key=N_("Xóa"))

    async def leave(self) -> None:
        if self.visit is None or self.locked or not hasattr(self, "assessment_saver"):
            return
        for saver in (self.assessment_saver, self.opinion_saver, self.end_saver):
            await saver.flush()
        await self.texts_keeper.flush()
        await self.remedy_keeper.flush()
