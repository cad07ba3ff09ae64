"""Visit bundles at the office (``/review/bundles``): import a tablet's bundle, see what it changed,
settle the conflicts the merge listed, and the history of imports.

Importing is all or nothing (``services.bundles``): a damaged file, a wrong passphrase or a newer
schema changes nothing and the reason stays on screen. In web mode the browser hands the file's
bytes over (``with_data``); on the desktop the picker gives a path. Exporting chosen visits is on
the visits table.
"""

from __future__ import annotations

import json
from pathlib import Path

import flet as ft

from ...services import bundles
from .. import fmt
from .base import banner, heading, muted
from .review_common import TARGET, ReviewScreen, cell, header_row, top_gap

W_WHAT, W_VALUE, W_KEPT = 240, 250, 150


def _value(v) -> str:
    if v is None:
        return "–"
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "…"


class ReviewBundlesScreen(ReviewScreen):
    tab = "bundles"
    title_key = "of.bd.title"

    def __init__(self, app, **params: str):
        super().__init__(app, **params)
        self.imports: list[bundles.ImportRow] = []
        self.conflicts: list[bundles.ConflictRow] = []

    async def load(self) -> None:
        await self._fetch()

    async def _fetch(self) -> None:
        imports = await self.app.call(bundles.list_imports, self.app.ctx, 20)
        self.imports = imports.value if imports.ok else []
        conflicts = await self.app.call(bundles.list_conflicts, self.app.ctx)
        self.conflicts = conflicts.value if conflicts.ok else []

    def build(self) -> ft.Control:
        t = self.t
        self.picker = ft.FilePicker()  # keep a reference: an unreferenced service is unregistered
        self.passphrase = ft.TextField(label=t("of.passphrase_optional"), password=True, can_reveal_password=True,
                                       width=380)
        self.import_button = ft.FilledButton(t("of.bd.import"), icon=ft.Icons.MOVE_TO_INBOX,
                                             on_click=self._import)
        self.report = ft.Column(spacing=8)
        self.conflicts_box = ft.Column(spacing=0)
        self.history = ft.Column(spacing=0)
        self._fill_lists()
        return ft.Column([
            top_gap(),
            heading(t("of.bd.import_heading"), 18),
            muted(t("of.bd.import_hint"), 15),
            ft.Row([self.passphrase, self.import_button], spacing=12, wrap=True,
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            self.report,
            heading(t("of.bd.conflicts"), 18),
            self.conflicts_box,
            heading(t("of.bd.history"), 18),
            self.history,
            muted(t("of.bd.export_hint"), 15),
        ], spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    # --- import ------------------------------------------------------------------------------------
    async def _import(self, e=None) -> None:
        t = self.t
        files = await self.picker.pick_files(dialog_title=t("of.bd.import"), file_type=ft.FilePickerFileType.ANY,
                                             with_data=bool(self.app.page.web))
        if not files:
            return
        f = files[0]
        self.import_button.disabled = True
        self.report.controls = [banner(t("of.bd.working", name=f.name), "info", identifier="import-result")]
        self.update()
        passphrase = self.passphrase.value or None
        if f.bytes is not None:
            got = await self.app.call(bundles.import_bundle_data, self.app.ctx, f.bytes, f.name, passphrase,
                                      work="long", notify=False)
        else:
            got = await self.app.call(bundles.import_bundle, self.app.ctx, Path(f.path), passphrase, work="long",
                                      notify=False)
        report, error = got.value_or(None), got.message
        self.import_button.disabled = False
        if error:
            self.report.controls = [banner(t("of.bd.failed", name=f.name, reason=error), "error",
                                           identifier="import-result")]
        else:
            self.report.controls = self._report(report)
            await self._fetch()
            self._fill_lists()
        self.update()

    def _report(self, r: bundles.ImportReport) -> list[ft.Control]:
        t = self.t
        if r.unchanged:
            head = banner(t("of.bd.unchanged", name=r.file_name, n=len(r.visit_ids)), "info",
                          identifier="import-result")
        else:
            added = r.inserted.get("visit", 0)
            updated = max(0, len(r.changed_visit_ids) - added)
            head = banner(t("of.bd.imported", name=r.file_name, added=added, updated=updated,
                            conflicts=len(r.conflicts)), "warn" if r.conflicts else "ok", identifier="import-result")
        source = " · ".join(x for x in (
            t("of.bd.from_device", device=r.source_device_id) if r.source_device_id else "",
            t("of.bd.exported_by", who=r.exported_by) if r.exported_by else "",
            t("of.bd.exported_at", when=fmt.show_datetime(r.exported_at)) if r.exported_at else "") if x)
        parts: list[ft.Control] = [head]
        if source:
            parts.append(muted(source, 14))
        if not r.unchanged:
            counts = t("of.bd.counts", inserted=sum(r.inserted.values()), updated=sum(r.updated.values()),
                       deleted=sum(r.deleted.values()), files=r.files_added, events=r.events_added)
            parts.append(muted(counts, 14))
        parts.append(ft.Row([ft.OutlinedButton(t("of.bd.see_visits"), icon=ft.Icons.TABLE_ROWS,
                                               on_click=lambda e: self.app.go("/review"))]))
        return parts

    # --- conflicts and history ---------------------------------------------------------------------
    def _fill_lists(self) -> None:
        t = self.t
        if self.conflicts:
            header = header_row([cell(t("of.bd.c_what"), W_WHAT, bold=True),
                                 cell(t("of.bd.c_local"), W_VALUE, bold=True),
                                 cell(t("of.bd.c_incoming"), W_VALUE, bold=True),
                                 cell(t("of.bd.c_kept"), W_KEPT, bold=True), cell("", expand=1)])
            rows = [self._conflict_row(i, c) for i, c in enumerate(self.conflicts, start=1)]
            self.conflicts_box.controls = [header, *rows]
        else:
            self.conflicts_box.controls = [muted(t("of.bd.no_conflicts"), 15)]
        if self.imports:
            self.history.controls = [
                header_row([cell(t("of.bd.h_file"), expand=1, bold=True), cell(t("of.bd.h_from"), 220, bold=True),
                            cell(t("of.bd.h_when"), 170, bold=True), cell(t("of.bd.h_visits"), 110, bold=True),
                            cell(t("of.bd.h_conflicts"), 130, bold=True)]),
                *[ft.Container(ft.Row([
                    cell(i.file_name, expand=1),
                    cell(" · ".join(x for x in (i.exported_by, i.source_device_id) if x) or "–", 220, size=14),
                    cell(fmt.show_datetime(i.imported_at), 170),
                    cell(str(len(i.visit_ids)), 110),
                    cell(str(i.open_conflicts) if i.open_conflicts else "–", 130,
                         color=ft.Colors.RED_800 if i.open_conflicts else None)], spacing=0), height=TARGET,
                    border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200))) for i in self.imports]]
        else:
            self.history.controls = [muted(t("of.bd.no_imports"), 15)]

    def _conflict_row(self, n: int, c: bundles.ConflictRow) -> ft.Control:
        t = self.t
        what = f"{c.entity}.{c.field}" if c.field else c.entity
        kept = t("of.bd.kept_local") if c.kept == "local" else t("of.bd.kept_incoming")
        actions: list[ft.Control] = [ft.TextButton(t("of.bd.keep"),
                                                   on_click=self._resolver(c.id, "merge"))]
        if c.kind == "field" and c.field:
            other = "incoming" if c.kept == "local" else "local"
            actions.append(ft.TextButton(t("of.bd.take_other"),
                                         on_click=self._resolver(c.id, other)))
        row = ft.Container(ft.Row([
            cell(ft.Column([ft.Text(what, size=15, weight=ft.FontWeight.W_600),
                            ft.Text(t(f"of.bd.kind.{c.kind}") if c.kind in ("field", "signed_minutes", "deleted")
                                    else c.kind, size=13, color=ft.Colors.GREY_700)], spacing=0), W_WHAT),
            cell(_value(c.local_value), W_VALUE, size=14),
            cell(_value(c.incoming_value), W_VALUE, size=14),
            cell(kept, W_KEPT, size=14),
            cell(ft.Row(actions, spacing=4, wrap=True), expand=1),
        ], spacing=0), padding=ft.Padding.symmetric(vertical=4),
            border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200)))
        return ft.Semantics(identifier=f"conflict-{n}", container=True, content=row)

    def _resolver(self, conflict_id: str, use: str):
        async def resolve(e=None) -> None:
            got = await self.app.call(bundles.resolve_conflict, self.app.ctx, conflict_id, use)
            if not got.ok:
                self.update()
                return
            await self._fetch()
            self._fill_lists()
            self.app.toast(self.t("of.bd.resolved"))

        return resolve
