"""Visit set-up (unit, kind, decision, team, unit's representatives, arrival, checklists), the same
form as an edit screen until the visit is locked (``/visits/<id>/setup``), and the visit details.

What is typed is kept as a draft while it is typed (``widgets.drafts``): it survives leaving the
screen, a reload and a restart, and goes when the visit is started or saved, or on "Hủy".
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

from ...services import checklists, drafts, units, visits
from ...services.visits import ParticipantIn
from .. import fmt
from ..calls import Result
from ..widgets.drafts import DraftKeeper
from ..widgets.named import icon_button
from .base import Screen, VisitScreen, bottom_space, heading, muted

if TYPE_CHECKING:
    from ..i18n import I18n
    from ..shell import Shell

TEAM_ROLES = ("leader", "deputy", "member", "secretary")


class PersonRow:
    """One person being entered: name, position and (for the team) a role."""

    def __init__(self, screen: SetupForm, side: str, index: int, role: str = "member",
                 name: str = "", position: str = "", pid: str | None = None):
        t = screen.t
        self.side = side
        self.pid = pid  # an existing participant (editing)
        self.name = ft.TextField(label=f"{t('Họ và tên')} {index}", expand=3, value=name)
        self.position = ft.TextField(label=t("Chức vụ"), expand=2, value=position)
        self.role = None
        if side == "team":
            self.role = ft.SegmentedButton(
                selected=[role if role in TEAM_ROLES else "member"], allow_empty_selection=False,
                allow_multiple_selection=False,
                segments=[ft.Segment(value=r, label=t(enum_label("role", r))) for r in TEAM_ROLES])
        screen.keeper.watch(*[c for c in (self.name, self.position, self.role) if c is not None])
        remove = icon_button(ft.Icons.REMOVE_CIRCLE_OUTLINE, t("Bỏ"), lambda e: screen.remove_person(self))
        fields = ft.Row([self.name, self.position, remove], spacing=8)
        self.control = ft.Semantics(identifier=f"person-{side}-{index}", container=True, content=ft.Container(
            ft.Column([fields, self.role] if self.role else [fields], spacing=6),
            padding=ft.Padding.only(bottom=8)))

    def value(self) -> ParticipantIn:
        position = (self.position.value or "").strip()
        role = self.role.selected[0] if self.role else position  # the unit side's role is its position
        return ParticipantIn(full_name=(self.name.value or "").strip(), role=role, position=position, id=self.pid)

    def fields(self) -> dict:
        return {"name": self.name.value or "", "position": self.position.value or "",
                "role": self.role.selected[0] if self.role else "", "id": self.pid or ""}


class SetupForm:
    """The set-up form, shared by the new-visit screen and the edit screen of a started visit."""

    editing = False  # the edit screen of a started visit (SetupEditScreen)
    app: Shell
    t: I18n

    def draft_scope(self) -> str:
        return drafts.NEW_SETUP

    async def load_form(self) -> None:
        ctx = self.app.ctx
        result: Result[Any]
        result = await self.app.call(units.list_units, ctx)
        self.units = result.value if result.ok else []
        result = await self.app.call(checklists.available_checklists, ctx)
        self.checklists = result.value if result.ok else []
        self.unit_id: str | None = None
        self.keeper = DraftKeeper(self.app, self.draft_scope(), "setup", self._fields)
        self.draft = await self.keeper.load()

    def initial(self) -> dict:
        """The form's starting values (a new visit: today's arrival, the visit-wide checklists)."""
        return {"kind": "planned", "arrival": fmt.now_local().strftime("%d/%m/%Y %H:%M"),
                "team": [{"role": "leader"}, {"role": "secretary"}], "reps": [{}],
                "checklists": [c.id for c in self.checklists if c.scope == "visit"]}

    def _fields(self) -> dict:
        """The form as typed: what its draft keeps."""
        return {
            "unit_id": self.unit_id or "", "unit_search": self.unit_search.value or "",
            "new_unit_name": self.new_unit_name.value or "", "new_unit_kind": self.new_unit_kind.value or "",
            "new_unit_address": self.new_unit_address.value or "",
            "kind": self.kind.selected[0] if self.kind.selected else "planned",
            "decision_number": self.decision_number.value or "", "decision_date": self.decision_date.value or "",
            "place": self.place.value or "", "arrival": self.arrival.value or "",
            "team": [r.fields() for r in self.team_rows], "reps": [r.fields() for r in self.rep_rows],
            "checklists": [cid for cid, box in self.checklist_boxes.items() if box.value],
        }

    def build(self) -> ft.Control:
        t = self.t
        v = {**self.initial(), **(self.draft or {})}
        self.unit_id = v.get("unit_id") or None
        # Unit: pick from the list (filtered by the search box) or add a new one.
        self.unit_search = ft.TextField(label=t("Tìm đơn vị"), prefix_icon=ft.Icons.SEARCH,
                                        on_change=lambda e: self._fill_units(), width=420,
                                        value=v.get("unit_search", ""))
        self.unit_list: Any = ft.RadioGroup(content=ft.Column(spacing=0), on_change=self._unit_picked,
                                       value=self.unit_id)
        self.unit_selected = ft.Text("", size=16, weight=ft.FontWeight.W_600, color=ft.Colors.INDIGO_900)
        self.new_unit_name = ft.TextField(label=t("Tên đơn vị"), expand=3, value=v.get("new_unit_name", ""))
        self.new_unit_kind = ft.TextField(label=t("Loại đơn vị"), expand=2, value=v.get("new_unit_kind", ""))
        self.new_unit_address = ft.TextField(label=t("Địa chỉ"), expand=3,
                                             value=v.get("new_unit_address", ""))
        add_unit = ft.OutlinedButton(t("Thêm đơn vị mới"), icon=ft.Icons.ADD_BUSINESS, on_click=self._add_unit)
        self.no_match = ft.Container()  # "no unit matches: add it" (filled by _fill_units)
        self._fill_units()
        self._show_unit()

        self.kind = ft.SegmentedButton(
            selected=[v.get("kind") or "planned"], allow_empty_selection=False,
            segments=[ft.Segment(value=k, label=t(enum_label("kind", k))) for k in ("planned", "unannounced")])
        self.decision_number = ft.TextField(label=t("Số quyết định"), hint_text="125/QĐ-SNV", expand=1,
                                            value=v.get("decision_number", ""))
        self.decision_date = ft.TextField(label=t("Ngày quyết định"), hint_text=t("dd/mm/yyyy"), expand=1,
                                          value=v.get("decision_date", ""))
        self.place = ft.TextField(label=t("Địa điểm"), expand=1, value=v.get("place", ""))
        self.arrival = ft.TextField(label=t("Thời điểm Đoàn đến"), hint_text=t("dd/mm/yyyy HH:MM"),
                                    value=v.get("arrival", ""), width=260)
        now = ft.TextButton(t("Bây giờ"), icon=ft.Icons.SCHEDULE, on_click=self._arrival_now)

        self.team_rows: list[PersonRow] = []
        self.rep_rows: list[PersonRow] = []
        self.team_col = ft.Column(spacing=0)
        self.rep_col = ft.Column(spacing=0)
        for person in v.get("team") or []:
            self._add_person("team", person.get("role") or "member", person)
        for person in v.get("reps") or []:
            self._add_person("unit", "member", person)

        chosen = set(v.get("checklists") or [])
        self.checklist_boxes = {
            c.id: ft.Checkbox(label=t.text(c.title), value=c.id in chosen, data=c.id, height=48,
                              label_style=ft.TextStyle(size=16))
            for c in self.checklists}
        self.keeper.watch(self.unit_search, self.unit_list, self.new_unit_name, self.new_unit_kind,
                          self.new_unit_address, self.kind, self.decision_number, self.decision_date, self.place,
                          self.arrival, *self.checklist_boxes.values())
        if self.draft is None:
            self.keeper.saved = self._fields()  # an untouched form is not a draft
        start = ft.FilledButton(t(N_("Lưu thay đổi") if self.editing else N_("Bắt đầu kiểm tra")),
                                icon=ft.Icons.SAVE if self.editing else ft.Icons.PLAY_ARROW, height=56,
                                on_click=self._create)
        cancel = ft.TextButton(t("Hủy bản nháp"), icon=ft.Icons.DELETE_SWEEP_OUTLINED, on_click=self._ask_cancel)
        unit_part = ([heading(t("Đơn vị được kiểm tra")), ft.Text(self._unit_name(), size=17)] if self.editing else [
            heading(t("Đơn vị được kiểm tra")), self.unit_search, self.unit_selected, self.unit_list, self.no_match,
            ft.Row([self.new_unit_name, self.new_unit_kind, self.new_unit_address], spacing=8),
            ft.Row([add_unit])])
        return ft.Column([
            *unit_part,
            ft.Divider(),
            heading(t("Hình thức kiểm tra")), self.kind,
            heading(t("Quyết định thành lập Đoàn")), ft.Row([self.decision_number, self.decision_date], spacing=8),
            ft.Row([self.place], spacing=8),
            heading(t("Thời điểm Đoàn đến")), ft.Row([self.arrival, now]),
            ft.Divider(),
            heading(t("Thành viên Đoàn")), self.team_col,
            ft.Row([ft.OutlinedButton(t("Thêm thành viên"), icon=ft.Icons.PERSON_ADD,
                                      on_click=lambda e: self._add_person("team", "member"))]),
            heading(t("Đại diện đơn vị")), self.rep_col,
            ft.Row([ft.OutlinedButton(t("Thêm đại diện"), icon=ft.Icons.PERSON_ADD,
                                      on_click=lambda e: self._add_person("unit"))]),
            ft.Divider(),
            heading(t("Nội dung kiểm tra áp dụng")),
            *(self.checklist_boxes.values() or [muted(t("Không tìm thấy danh mục kiểm tra nào."))]),
            ft.Container(height=8),
            ft.Row([start, cancel], wrap=True),
            bottom_space(),
        ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)

    # --- unit ------------------------------------------------------------------------------------
    def _fill_units(self) -> None:
        from ...domain.text import fold

        typed = (self.unit_search.value or "").strip()
        query = fold(typed)
        shown = [u for u in self.units if query in fold(u.name)][:12]
        self.unit_list.content.controls = [
            ft.Radio(value=u.id, label=f"{u.name}" + (f" ({u.kind})" if u.kind else ""),
                     label_style=ft.TextStyle(size=16), height=48) for u in shown]
        if not self.units:
            self.unit_list.content.controls = [muted(self.t("Chưa có đơn vị nào, hãy thêm đơn vị mới."))]
        # a search that finds nothing offers to add what was typed as a new unit
        self.no_match.content = (ft.OutlinedButton(self.t("Không có đơn vị này. Thêm “{name}” làm đơn vị mới", name=typed),
                                                   icon=ft.Icons.ADD_BUSINESS, on_click=self._add_typed_unit)
                                 if typed and not shown else None)

    def _unit_name(self) -> str:
        unit = next((u for u in self.units if u.id == self.unit_id), None)
        return unit.name if unit else ""

    def _show_unit(self) -> None:
        name = self._unit_name()
        self.unit_selected.value = self.t("Đã chọn: {name}", name=name) if name else ""

    def _unit_picked(self, e=None) -> None:
        self.unit_id = self.unit_list.value
        self._show_unit()

    async def _add_typed_unit(self, e=None) -> None:
        self.new_unit_name.value = (self.unit_search.value or "").strip()
        await self._add_unit()

    async def _add_unit(self, e=None) -> None:
        got = await self.app.call(units.create_unit, self.app.ctx, self.new_unit_name.value,
                                  kind=self.new_unit_kind.value.strip(),
                                  address=self.new_unit_address.value.strip())
        if not got.ok:
            return
        unit = got.value
        self.units.append(unit)
        self.unit_search.value = ""
        for f in (self.new_unit_name, self.new_unit_kind, self.new_unit_address):
            f.value = ""
        self._fill_units()
        self.unit_list.value = unit.id
        self._unit_picked()
        self.keeper.changed()
        self.app.toast(self.t("Đã thêm đơn vị: {name}", name=unit.name))

    # --- people ----------------------------------------------------------------------------------
    def _add_person(self, side: str, role: str = "member", person: dict | None = None) -> None:
        rows, col = (self.team_rows, self.team_col) if side == "team" else (self.rep_rows, self.rep_col)
        person = person or {}
        row = PersonRow(self, side, len(rows) + 1, role, person.get("name", ""), person.get("position", ""),
                        person.get("id") or None)
        rows.append(row)
        col.controls.append(row.control)
        self.keeper.changed()

    def remove_person(self, row: PersonRow) -> None:
        rows, col = (self.team_rows, self.team_col) if row.side == "team" else (self.rep_rows, self.rep_col)
        rows.remove(row)
        col.controls.remove(row.control)
        self.keeper.changed()

    def _arrival_now(self, e=None) -> None:
        self.arrival.value = fmt.now_local().strftime("%d/%m/%Y %H:%M")
        self.keeper.changed()

    async def leave(self) -> None:
        if hasattr(self, "unit_search"):
            await self.keeper.flush()

    def _ask_cancel(self, e=None) -> None:
        async def discard():
            await self.keeper.discard()
            self.draft = None
            self.app.go(self.after_cancel())

        self.app.confirm(self.t("Hủy những gì đã nhập trong biểu mẫu này?"), discard, yes_key=N_("Hủy bản nháp"))

    def after_cancel(self) -> str:
        return "/"

    # --- create ----------------------------------------------------------------------------------
    async def _create(self, e=None) -> None:
        t = self.t
        if not self.unit_id:
            self.app.toast(t("Hãy chọn đơn vị được kiểm tra."), error=True)
            return
        for f in (self.decision_date, self.arrival):
            f.error = None
        decision_date = None
        if (self.decision_date.value or "").strip():
            decision_date = fmt.parse_date(self.decision_date.value)
            if decision_date is None:
                await self._refuse(self.decision_date, t("Ngày không hợp lệ (dd/mm/yyyy)"))
                return
        arrival = fmt.parse_datetime(self.arrival.value or "")
        if arrival is None:
            await self._refuse(self.arrival, t("Thời điểm không hợp lệ (dd/mm/yyyy HH:MM)"))
            return
        await self.submit(decision_date, arrival)

    async def submit(self, decision_date, arrival) -> None:
        """Start the visit."""
        got = await self.app.call(
            visits.create_visit, self.app.ctx, self.unit_id,
            kind=self.kind.selected[0],
            decision_number=self.decision_number.value, decision_date=decision_date,
            arrival_at=arrival, place=self.place.value,
            checklist_ids=[cid for cid, box in self.checklist_boxes.items() if box.value],
            team=[r.value() for r in self.team_rows], unit_reps=[r.value() for r in self.rep_rows])
        if not got.ok:
            return
        visit = got.value
        await self.keeper.discard()
        self.app.go(f"/visits/{visit.id}/checklist")

    async def _refuse(self, field: ft.TextField, message: str) -> None:
        """Validation at the field: its message under it (naming it), the field scrolled into view."""
        label = field.label if isinstance(field.label, str) else ""
        shown = f"{label}: {message}" if label else message
        field.error = shown
        self.app.toast(shown, error=True)  # updates the page
        # focusing scrolls the field into view; not awaited: the client's answer is not needed
        self._focus = asyncio.ensure_future(field.focus())


class SetupScreen(SetupForm, Screen):
    nav_key = "visits"
    title_key = N_("Thiết lập cuộc kiểm tra")

    async def load(self) -> None:
        await self.load_form()


class SetupEditScreen(SetupForm, VisitScreen):
    """The set-up of a started visit, editable until the visit is locked; each change is audited."""

    nav_key = "setup"
    title_key = N_("Sửa thông tin cuộc kiểm tra")
    editing = True

    def draft_scope(self) -> str:
        return drafts.visit_scope(self.visit_id)

    async def load_visit(self) -> None:
        result = await self.app.call(visits.participants, self.app.ctx, self.visit_id)
        self.people = result.value if result.ok else []
        await self.load_form()

    def initial(self) -> dict:
        v = self.visit

        def person(p) -> dict:
            return {"name": p.full_name, "position": p.position, "role": p.role, "id": p.id}

        return {"unit_id": v.unit_id, "kind": v.kind, "decision_number": v.decision_number,
                "decision_date": fmt.show_date(v.decision_date) if v.decision_date else "",
                "place": v.place, "arrival": fmt.show_datetime(v.arrival_at) if v.arrival_at else "",
                "team": [person(p) for p in self.people if p.side == "team"],
                "reps": [person(p) for p in self.people if p.side != "team"],
                "checklists": [c["id"] for c in v.checklists]}

    def build(self) -> ft.Control:
        if self.locked:
            return muted(self.t("Cuộc kiểm tra đã khóa: thông tin không sửa được nữa."), 16)
        return SetupForm.build(self)

    async def submit(self, decision_date, arrival) -> None:
        got = await self.app.call(
            visits.update_setup, self.app.ctx, self.visit_id, kind=self.kind.selected[0],
            decision_number=self.decision_number.value or "", decision_date=decision_date,
            place=self.place.value or "", arrival_at=arrival,
            team=[r.value() for r in self.team_rows], unit_reps=[r.value() for r in self.rep_rows],
            checklist_ids=[cid for cid, box in self.checklist_boxes.items() if box.value])
        if not got.ok:
            return
        await self.keeper.discard()
        self.app.toast(self.t("Đã lưu thay đổi thông tin cuộc kiểm tra"))
        self.app.go(f"/visits/{self.visit_id}/info")

    def after_cancel(self) -> str:
        return f"/visits/{self.visit_id}/info"


class VisitInfoScreen(VisitScreen):
    """What the visit was set up with (read-only here)."""

    nav_key = ""
    title_key = N_("Thông tin cuộc kiểm tra")

    async def load_visit(self) -> None:
        result: Result[Any]
        result = await self.app.call(visits.participants, self.app.ctx, self.visit_id)
        self.people = result.value if result.ok else []
        result = await self.app.call(checklists.visit_checklists, self.app.ctx, self.visit_id)
        self.checklists = result.value if result.ok else []

    def build(self) -> ft.Control:
        t, v = self.t, self.visit
        from .home import status_chip

        def line(label: str, value: str) -> ft.Control:
            return ft.Row([ft.Text(label, size=15, color=ft.Colors.GREY_700, width=220),
                           ft.Text(value or "—", size=16, expand=True)])

        team = [p for p in self.people if p.side == "team"]
        reps = [p for p in self.people if p.side != "team"]
        edit = ft.FilledTonalButton(t("Sửa thông tin"), icon=ft.Icons.EDIT, height=52, visible=not self.locked,
                                    on_click=lambda e: self.app.go(f"/visits/{self.visit_id}/setup"))
        return ft.Column([
            ft.Row([heading(self.unit.name if self.unit else ""), status_chip(t, v.status)], wrap=True),
            ft.Row([edit]),
            line(t("Hình thức kiểm tra"), t(enum_label("kind", v.kind))),
            line(t("Số quyết định"), v.decision_number),
            line(t("Ngày quyết định"), fmt.show_date(v.decision_date)),
            line(t("Địa điểm"), v.place),
            line(t("Thời điểm Đoàn đến"), fmt.show_datetime(v.arrival_at)),
            heading(t("Thành viên Đoàn")),
            *[line(t(enum_label("role", p.role)) if p.role in TEAM_ROLES else p.role, f"{p.full_name}"
                   + (f" — {p.position}" if p.position else "")) for p in team],
            heading(t("Đại diện đơn vị")),
            *[line(p.position or "", p.full_name) for p in reps],
            heading(t("Nội dung kiểm tra áp dụng")),
            *[ft.Text(f"• {t.text(c.title)} ({c.version})", size=16) for c in self.checklists],
        ], spacing=8, scroll=ft.ScrollMode.AUTO, expand=True)
