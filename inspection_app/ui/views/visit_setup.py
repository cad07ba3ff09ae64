"""Visit set-up (unit, kind, decision, team, unit's representatives, arrival, checklists) and the
read-only visit details."""

from __future__ import annotations

import flet as ft

from ...services import checklists, units, visits
from ...services.visits import ParticipantIn
from .. import fmt
from .base import Screen, VisitScreen, bottom_space, heading, muted

TEAM_ROLES = ("leader", "deputy", "member", "secretary")


class PersonRow:
    """One person being entered: name, position and (for the team) a role."""

    def __init__(self, screen: "SetupScreen", side: str, index: int, role: str = "member"):
        t = screen.t
        self.side = side
        self.name = ft.TextField(label=f"{t('setup.person_name')} {index}", expand=3)
        self.position = ft.TextField(label=t("setup.person_position"), expand=2)
        self.role = None
        if side == "team":
            self.role = ft.SegmentedButton(
                selected=[role], allow_empty_selection=False, allow_multiple_selection=False,
                segments=[ft.Segment(value=r, label=t(f"role.{r}")) for r in TEAM_ROLES])
        remove = ft.IconButton(ft.Icons.REMOVE_CIRCLE_OUTLINE, tooltip=t("setup.remove"),
                               on_click=lambda e: screen.remove_person(self))
        fields = ft.Row([self.name, self.position, remove], spacing=8)
        self.control = ft.Semantics(identifier=f"person-{side}-{index}", container=True, content=ft.Container(
            ft.Column([fields, self.role] if self.role else [fields], spacing=6),
            padding=ft.Padding.only(bottom=8)))

    def value(self) -> ParticipantIn:
        position = self.position.value.strip()
        role = self.role.selected[0] if self.role else position  # the unit side's role is its position
        return ParticipantIn(full_name=self.name.value.strip(), role=role, position=position)


class SetupScreen(Screen):
    nav_key = "visits"
    title_key = "setup.title"

    async def load(self) -> None:
        ctx = self.app.ctx
        result = await self.app.call(units.list_units, ctx)
        self.units = result.value if result.ok else []
        result = await self.app.call(checklists.available_checklists, ctx)
        self.checklists = result.value if result.ok else []
        self.unit_id: str | None = None

    def build(self) -> ft.Control:
        t = self.t
        # Unit: pick from the list (filtered by the search box) or add a new one.
        self.unit_search = ft.TextField(label=t("setup.unit_search"), prefix_icon=ft.Icons.SEARCH,
                                        on_change=lambda e: self._fill_units(), width=420)
        self.unit_list = ft.RadioGroup(content=ft.Column(spacing=0), on_change=self._unit_picked)
        self.unit_selected = ft.Text("", size=16, weight=ft.FontWeight.W_600, color=ft.Colors.INDIGO_900)
        self.new_unit_name = ft.TextField(label=t("setup.unit_name"), expand=3)
        self.new_unit_kind = ft.TextField(label=t("setup.unit_kind"), expand=2)
        self.new_unit_address = ft.TextField(label=t("setup.unit_address"), expand=3)
        add_unit = ft.OutlinedButton(t("setup.unit_new"), icon=ft.Icons.ADD_BUSINESS, on_click=self._add_unit)
        self._fill_units()

        self.kind = ft.SegmentedButton(
            selected=["planned"], allow_empty_selection=False,
            segments=[ft.Segment(value=k, label=t(f"kind.{k}")) for k in ("planned", "unannounced")])
        self.decision_number = ft.TextField(label=t("setup.decision_number"), hint_text="125/QĐ-SNV", expand=1)
        self.decision_date = ft.TextField(label=t("setup.decision_date"), hint_text=t("common.date_hint"), expand=1)
        self.place = ft.TextField(label=t("setup.place"), expand=1)
        self.arrival = ft.TextField(label=t("setup.arrival"), hint_text=t("setup.arrival_hint"),
                                    value=fmt.now_local().strftime("%d/%m/%Y %H:%M"), width=260)
        now = ft.TextButton(t("common.now"), icon=ft.Icons.SCHEDULE, on_click=self._arrival_now)

        self.team_rows: list[PersonRow] = []
        self.rep_rows: list[PersonRow] = []
        self.team_col = ft.Column(spacing=0)
        self.rep_col = ft.Column(spacing=0)
        for role in ("leader", "secretary"):
            self._add_person("team", role)
        self._add_person("unit")

        self.checklist_boxes = {
            c.id: ft.Checkbox(label=t.text(c.title), value=c.scope == "visit", data=c.id)
            for c in self.checklists}
        start = ft.FilledButton(t("setup.create"), icon=ft.Icons.PLAY_ARROW, height=56, on_click=self._create)
        return ft.Column([
            heading(t("setup.unit")), self.unit_search, self.unit_selected, self.unit_list,
            ft.Row([self.new_unit_name, self.new_unit_kind, self.new_unit_address], spacing=8),
            ft.Row([add_unit]),
            ft.Divider(),
            heading(t("setup.kind")), self.kind,
            heading(t("setup.decision")), ft.Row([self.decision_number, self.decision_date], spacing=8),
            ft.Row([self.place], spacing=8),
            heading(t("setup.arrival")), ft.Row([self.arrival, now]),
            ft.Divider(),
            heading(t("setup.team")), self.team_col,
            ft.Row([ft.OutlinedButton(t("setup.add_member"), icon=ft.Icons.PERSON_ADD,
                                      on_click=lambda e: self._add_person("team", "member"))]),
            heading(t("setup.unit_reps")), self.rep_col,
            ft.Row([ft.OutlinedButton(t("setup.add_rep"), icon=ft.Icons.PERSON_ADD,
                                      on_click=lambda e: self._add_person("unit"))]),
            ft.Divider(),
            heading(t("setup.checklists")),
            *(self.checklist_boxes.values() or [muted(t("setup.no_checklists"))]),
            ft.Container(height=8),
            ft.Row([start]),
            bottom_space(),
        ], spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)

    # --- unit ------------------------------------------------------------------------------------
    def _fill_units(self) -> None:
        from ...domain.text import fold

        query = fold(self.unit_search.value or "")
        shown = [u for u in self.units if query in fold(u.name)][:12]
        self.unit_list.content.controls = [
            ft.Radio(value=u.id, label=f"{u.name}" + (f" ({u.kind})" if u.kind else "")) for u in shown]
        if not self.units:
            self.unit_list.content.controls = [muted(self.t("setup.unit_none"))]

    def _unit_picked(self, e=None) -> None:
        self.unit_id = self.unit_list.value
        unit = next((u for u in self.units if u.id == self.unit_id), None)
        self.unit_selected.value = self.t("setup.unit_selected", name=unit.name) if unit else ""

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
        self.app.toast(self.t("setup.unit_added", name=unit.name))

    # --- people ----------------------------------------------------------------------------------
    def _add_person(self, side: str, role: str = "member") -> None:
        rows, col = (self.team_rows, self.team_col) if side == "team" else (self.rep_rows, self.rep_col)
        row = PersonRow(self, side, len(rows) + 1, role)
        rows.append(row)
        col.controls.append(row.control)

    def remove_person(self, row: PersonRow) -> None:
        rows, col = (self.team_rows, self.team_col) if row.side == "team" else (self.rep_rows, self.rep_col)
        rows.remove(row)
        col.controls.remove(row.control)

    def _arrival_now(self, e=None) -> None:
        self.arrival.value = fmt.now_local().strftime("%d/%m/%Y %H:%M")

    # --- create ----------------------------------------------------------------------------------
    async def _create(self, e=None) -> None:
        t = self.t
        if not self.unit_id:
            self.app.toast(t("setup.unit_pick_first"), error=True)
            return
        decision_date = None
        if self.decision_date.value.strip():
            decision_date = fmt.parse_date(self.decision_date.value)
            if decision_date is None:
                self.app.toast(t("common.bad_date"), error=True)
                return
        arrival = fmt.parse_datetime(self.arrival.value)
        if arrival is None:
            self.app.toast(t("common.bad_datetime"), error=True)
            return
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
        self.app.go(f"/visits/{visit.id}/checklist")


class VisitInfoScreen(VisitScreen):
    """What the visit was set up with (read-only here)."""

    nav_key = ""
    title_key = "setup.details"

    async def load_visit(self) -> None:
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
        return ft.Column([
            ft.Row([heading(self.unit.name if self.unit else ""), status_chip(t, v.status)], wrap=True),
            line(t("setup.kind"), t(f"kind.{v.kind}")),
            line(t("setup.decision_number"), v.decision_number),
            line(t("setup.decision_date"), fmt.show_date(v.decision_date)),
            line(t("setup.place"), v.place),
            line(t("setup.arrival"), fmt.show_datetime(v.arrival_at)),
            heading(t("setup.team")),
            *[line(t(f"role.{p.role}") if p.role in TEAM_ROLES else p.role, f"{p.full_name}"
                   + (f" — {p.position}" if p.position else "")) for p in team],
            heading(t("setup.unit_reps")),
            *[line(p.position or "", p.full_name) for p in reps],
            heading(t("setup.checklists")),
            *[ft.Text(f"• {t.text(c.title)} ({c.version})", size=16) for c in self.checklists],
        ], spacing=8, scroll=ft.ScrollMode.AUTO, expand=True)
