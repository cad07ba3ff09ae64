"""Roll call: the unit's roster (imported from a file on the spot, or typed), one tap per person,
arrival time for late staff, reasons and evidence for absences, live totals."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

from ...domain.roll_call import ABSENCE_REASONS, STATUSES
from ...services import drafts, roll_call, units
from .. import fmt
from ..widgets.autosave import AutoSave
from ..widgets.drafts import DraftKeeper
from .base import VisitScreen, bottom_space, muted, seg_label

ROSTER_EXTENSIONS = ["csv", "xlsx", "xls", "txt"]
STATUS_COLORS = {"present": ft.Colors.GREEN_200, "late": ft.Colors.AMBER_300,
                 "absent_excused": ft.Colors.BLUE_200, "absent_unexcused": ft.Colors.RED_200,
                 "left_post": ft.Colors.DEEP_ORANGE_200}


class PersonRow:
    """One person on the roster and their roll-call entry."""

    def __init__(self, screen: RollCallScreen, index: int, row):
        self.screen = screen
        self.app = screen.app
        self.t = screen.t
        self.staff = row.staff
        entry = row.entry
        self.status = entry.status if entry else None  # as stored
        self.minutes_late = entry.minutes_late if entry else None
        t, locked = self.t, screen.locked
        self.seg = ft.SegmentedButton(
            selected=[self.status] if self.status else [], allow_empty_selection=True,
            allow_multiple_selection=False, show_selected_icon=False, disabled=locked,
            segments=[ft.Segment(value=s, label=seg_label(t(enum_label("att", s)))) for s in STATUSES],
            on_change=self._status_tapped)
        self.arrival = ft.TextField(label=t("Giờ đến"), hint_text=t("HH:MM"), width=150,
                                    value=(entry.arrival_time or "") if entry else "", read_only=locked)
        self.reason = ft.TextField(label=t("Lý do"), value=entry.reason if entry else "", expand=2,
                                   read_only=locked)
        self.evidence = ft.TextField(label=t("Giấy tờ chứng minh"), value=entry.evidence if entry else "", expand=2,
                                     read_only=locked)
        self.note = ft.TextField(label=t("Ghi chú"), value=entry.note if entry else "", expand=2,
                                 read_only=locked)
        self.savers = [AutoSave(f, self._details_changed) for f in (self.arrival, self.reason, self.evidence,
                                                                     self.note)]
        self.reason_chips = ft.Row(
            [ft.TextButton(t.pick(r["vi"], r["en"]), data=key, on_click=self._reason_picked, disabled=locked)
             for key, r in ABSENCE_REASONS.items()], wrap=True, spacing=0)
        self.late_info = ft.Text("", size=15, color=ft.Colors.BROWN_800, weight=ft.FontWeight.W_600)
        self.now_btn = ft.TextButton(t("Bây giờ"), icon=ft.Icons.SCHEDULE, on_click=self._arrival_now,
                                     disabled=locked)
        self.details = ft.Column(spacing=6)
        subtitle = " · ".join(x for x in (self.staff.position, self.staff.department) if x)
        self.head = ft.Row([
            ft.Text(f"{index}.", size=16, width=36, color=ft.Colors.GREY_700),
            ft.Column([ft.Text(self.staff.full_name, size=17, weight=ft.FontWeight.W_600),
                       muted(subtitle, 14)], spacing=0, expand=True),
            self.late_info])
        self.box = ft.Container(ft.Column([self.head, self.seg, self.details], spacing=6),
                                padding=10, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300))
        self.control = ft.Semantics(identifier=f"staff-{index}", container=True, content=self.box)
        self._keep_draft(screen.drafts.get(f"rollcall:{self.staff.id}"))
        self._show_details(self.chosen)

    # --- a status chosen but not yet recordable (a late time or a reason still to type) ------------
    def _keep_draft(self, draft: dict | None) -> None:
        self.keeper = DraftKeeper(self.app, drafts.visit_scope(self.screen.visit_id), f"rollcall:{self.staff.id}",
                                  self._pending)
        if draft and not self.screen.locked:
            self.seg.selected = [draft["status"]] if draft.get("status") else []
            for name in ("arrival", "reason", "evidence", "note"):
                if draft.get(name):
                    getattr(self, name).value = draft[name]
        self.keeper.saved = draft or {}
        self.keeper.watch(self.seg, self.arrival, self.reason, self.evidence, self.note)

    def _pending(self) -> dict:
        """What is chosen and typed but not recorded yet (empty when the record has it all)."""
        if self.chosen == self.status and self.chosen is not None:
            return {}
        if self.chosen is None and self.status is None:
            return {}
        return {"status": self.chosen or "", "arrival": self.arrival.value or "", "reason": self.reason.value or "",
                "evidence": self.evidence.value or "", "note": self.note.value or ""}

    def _show_details(self, status: str | None) -> None:
        parts: list[ft.Control] = []
        if status == "late":
            parts.append(ft.Row([self.arrival, self.now_btn, self.note], spacing=8))
        elif status == "absent_excused":
            parts += [self.reason_chips, ft.Row([self.reason, self.evidence], spacing=8), self.note]
        elif status in ("absent_unexcused", "left_post"):
            parts.append(ft.Row([self.reason, self.note], spacing=8))
        self.details.controls = parts
        self.details.visible = bool(parts)
        self.late_info.value = (self.t.plural("muộn {n} phút", "muộn {n} phút", self.minutes_late, n=self.minutes_late)
                                if status == "late" and self.minutes_late is not None else "")
        self.box.bgcolor = ft.Colors.with_opacity(0.25, STATUS_COLORS[status]) if status else None
        self.seg.style = ft.ButtonStyle(
            bgcolor={ft.ControlState.SELECTED: STATUS_COLORS.get(status or "", ft.Colors.INDIGO_100)})

    @property
    def chosen(self) -> str | None:
        return self.seg.selected[0] if self.seg.selected else None

    async def _status_tapped(self, e=None) -> None:
        status = self.chosen
        self._show_details(status)
        if status is None:
            await self._clear()
        elif status == "late" and not (self.arrival.value or "").strip():
            # ask for the time the person arrived: never assume "now" (a forgotten time would make
            # "late by 249 minutes" in the record); saved as soon as the time is typed
            self.arrival.error = self.t("Nhập giờ người này đến (HH:MM)")
            self.control.update()
            self._focus = asyncio.ensure_future(self.arrival.focus())
            return
        elif status == "absent_excused" and not self.reason.value.strip():
            self.control.update()  # wait for the reason before saving: it is required
            return
        else:
            await self.save()
        self.control.update()

    async def _details_changed(self, text: str) -> bool:
        if self.chosen is None:
            return True
        return await self.save()

    async def _reason_picked(self, e) -> None:
        r = ABSENCE_REASONS[e.control.data]
        self.reason.value = self.t.pick(r["vi"], r["en"])
        if not self.evidence.value.strip():
            self.evidence.value = self.t.pick(r["evidence_vi"], r["evidence_en"])
        await self.save()
        self.control.update()

    async def _arrival_now(self, e=None) -> None:
        self.arrival.value = fmt.now_local().strftime("%H:%M")
        await self.save()
        self.control.update()

    async def save(self) -> bool:
        status = self.chosen
        if status is None:
            return True
        arrival = None
        if status == "late":
            arrival = fmt.parse_hhmm(self.arrival.value)
            if arrival is None:
                self.arrival.error = f"{self.t('Giờ đến')}: {self.t('Giờ không hợp lệ (HH:MM)')}"
                self.app.toast(self.arrival.error, error=True)
                return False
            self.arrival.error = None
        got = await self.app.call(roll_call.set_attendance, self.app.ctx, self.screen.visit_id, self.staff.id,
                                  status, arrival_time=arrival, reason=self.reason.value,
                                  evidence=self.evidence.value, note=self.note.value)
        if not got.ok:
            return False
        entry = got.value
        self.status, self.minutes_late = entry.status, entry.minutes_late
        if self.keeper.saved:
            await self.keeper.discard()  # recorded: the draft has done its work
        for s in self.savers:
            s.saved_value = s.field.value or ""
        self._show_details(self.status)
        self.control.update()
        await self.screen.refresh_totals()
        return True

    async def _clear(self) -> None:
        if (await self.app.call(roll_call.clear_attendance, self.app.ctx, self.screen.visit_id,
                               self.staff.id)).ok:
            self.status = None
            await self.screen.refresh_totals()

    async def flush(self) -> None:
        for s in self.savers:
            await s.flush()
        await self.keeper.flush()


class RollCallScreen(VisitScreen):
    nav_key = "roll-call"
    title_key = N_("Điểm danh")

    ORDERS = ("file", "name", "department")  # services.roll_call.RosterOrder

    @property
    def order(self) -> str:
        order = self.app.state.roster_order
        return order if order in self.ORDERS else "file"

    async def load_visit(self) -> None:
        sheet = await self.app.call(roll_call.roll_call_sheet, self.app.ctx, self.visit_id, self.order)
        self.sheet = sheet.value if sheet.ok else None
        kept = await self.app.call(drafts.drafts_in, self.app.ctx, drafts.visit_scope(self.visit_id), "rollcall:")
        self.drafts: dict[str, dict[str, Any]] = kept.value_or({})

    def build(self) -> ft.Control:
        t, locked = self.t, self.locked
        self.picker = ft.FilePicker()
        self.totals = ft.Text("", size=17, weight=ft.FontWeight.W_600, color=ft.Colors.INDIGO_900)
        self.import_report = ft.Column(spacing=2, visible=False)
        self.rows_col = ft.Column(spacing=8)
        self.new_name = ft.TextField(label=t("Họ và tên"), read_only=locked, col={"xs": 12, "md": 4})
        self.new_position = ft.TextField(label=t("Chức vụ"), read_only=locked, col={"xs": 6, "md": 3})
        self.new_department = ft.TextField(label=t("Phòng/bộ phận"), read_only=locked, col={"xs": 6, "md": 3})
        self.new_name.on_submit = self._add_person
        self.rows: list[PersonRow] = []
        self._fill(self.sheet)
        tools = ft.Row([
            ft.OutlinedButton(t("Nhập danh sách từ tệp"), icon=ft.Icons.UPLOAD_FILE, on_click=self._import, disabled=locked),
            ft.OutlinedButton(t("Còn lại: có mặt"), icon=ft.Icons.DONE_ALL, on_click=self._rest_present,
                              disabled=locked),
        ], wrap=True)
        # the roster as the unit's file lists it, or in Vietnamese alphabetical order (issue #13)
        self.order_seg = ft.SegmentedButton(
            selected=[self.order], allow_empty_selection=False, show_selected_icon=False,
            segments=[ft.Segment(value=o, label=seg_label(t(enum_label("rc.order_", o)))) for o in self.ORDERS],
            on_change=self._order_changed)
        order_row = ft.Semantics(identifier="rc-order", container=True, content=ft.Row(
            [ft.Text(t("Sắp xếp danh sách"), size=16), self.order_seg], wrap=True, spacing=8,
            vertical_alignment=ft.CrossAxisAlignment.CENTER))
        add = ft.ResponsiveRow([self.new_name, self.new_position, self.new_department,
                                ft.FilledButton(t("Thêm người"), icon=ft.Icons.PERSON_ADD, on_click=self._add_person,
                                                disabled=locked, col={"xs": 12, "md": 2})],
                               spacing=8, run_spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        totals_box = ft.Semantics(identifier="rc-totals", container=True, content=ft.Container(
            self.totals, bgcolor=ft.Colors.INDIGO_50, padding=12, border_radius=8))
        return ft.Column([
            totals_box,
            ft.Column([tools, self.import_report, add, order_row, self.rows_col, bottom_space()], spacing=10,
                      scroll=ft.ScrollMode.AUTO, expand=True),
        ], spacing=8, expand=True)

    def _fill(self, sheet) -> None:
        self.rows = [PersonRow(self, i, r) for i, r in enumerate(sheet.rows if sheet else [], start=1)]
        self.rows_col.controls = [r.control for r in self.rows] or [muted(self.t("Chưa có danh sách công chức, viên chức của đơn vị. Nhập từ tệp hoặc thêm từng người."), 16)]
        self._show_totals(sheet)

    def _show_totals(self, sheet) -> None:
        if sheet is None:
            return
        tt = sheet.totals
        self.totals.value = self.t("Tổng số: {total} · Có mặt: {present} · Đi muộn: {late} · Vắng có lý do: {excused} · Vắng không lý do: {unexcused} · Rời vị trí: {left} · Chưa điểm danh: {unmarked}", total=tt.roster, present=tt.present, late=tt.late,
                                   excused=tt.absent_excused, unexcused=tt.absent_unexcused,
                                   left=tt.left_post, unmarked=tt.not_recorded)

    async def refresh_totals(self) -> None:
        got = await self.app.call(roll_call.roll_call_sheet, self.app.ctx, self.visit_id, self.order)
        if not got.ok:
            return
        sheet = got.value
        self._show_totals(sheet)
        self.totals.update()

    async def _reload(self) -> None:
        for row in self.rows:
            await row.flush()
        result = await self.app.call(drafts.drafts_in, self.app.ctx, drafts.visit_scope(self.visit_id), "rollcall:")
        self.drafts = result.value_or({})
        sheet = await self.app.call(roll_call.roll_call_sheet, self.app.ctx, self.visit_id, self.order)
        if sheet.ok:
            self._fill(sheet.value)

    async def _order_changed(self, e=None) -> None:
        """Show the roster in the chosen order; what was typed is kept first (drafts and records)."""
        chosen = (self.order_seg.selected or ["file"])[0]
        self.app.state.roster_order = chosen if chosen in self.ORDERS else "file"
        await self._reload()

    async def _add_person(self, e=None) -> None:
        got = await self.app.call(units.add_staff, self.app.ctx, self.visit.unit_id, self.new_name.value,
                                  position=self.new_position.value.strip(),
                                  department=self.new_department.value.strip())
        if not got.ok:
            return
        for f in (self.new_name, self.new_position, self.new_department):
            f.value = ""
        await self._reload()

    async def _import(self, e=None) -> None:
        files = await self.picker.pick_files(file_type=ft.FilePickerFileType.CUSTOM,
                                             allowed_extensions=ROSTER_EXTENSIONS, with_data=bool(self.app.page.web))
        if not files:
            return
        f = files[0]
        from pathlib import Path

        data = f.bytes if f.bytes is not None else Path(cast(str, f.path)).read_bytes()  # no bytes: a path
        got = await self.app.call(units.import_roster, self.app.ctx, self.visit.unit_id, data, f.name)
        if not got.ok:
            return
        parsed = got.value
        t = self.t
        lines: list[ft.Control] = [ft.Text(t.plural("Đã nhập {n} người", "Đã nhập {n} người", len(parsed.people), n=len(parsed.people)), size=16,
                                           weight=ft.FontWeight.W_600, color=ft.Colors.GREEN_900)]
        if parsed.problems:
            lines.append(ft.Text(t("Các dòng chưa nhập được:"), size=15, color=ft.Colors.RED_900))
            lines += [ft.Text("• " + t.pick(p.vi, p.en), size=14, color=ft.Colors.RED_900)
                      for p in parsed.problems[:20]]
        self.import_report.controls = lines
        self.import_report.visible = True
        await self._reload()
        self.app.toast(t.plural("Đã nhập {n} người", "Đã nhập {n} người", len(parsed.people), n=len(parsed.people)))

    async def _rest_present(self, e=None) -> None:
        for row in self.rows:
            if row.status is None:
                row.seg.selected = ["present"]
                if not await row.save():
                    break

    async def leave(self) -> None:
        for row in getattr(self, "rows", []):
            await row.flush()
