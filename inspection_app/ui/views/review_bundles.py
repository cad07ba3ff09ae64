"""Visit bundles at the office (``/review/bundles``): import a tablet's bundle, see what it changed,
settle the conflicts the merge listed (in the reviewer's words), merge units that are one, the
devices allowed to send bundles, and the history of imports.

Importing is all or nothing (``services.bundles``): a damaged file, a wrong passphrase, a forged
bundle or a newer schema changes nothing and the reason stays on screen. A bundle from a device
that is not enrolled brings up the enrolment form: the reviewer types the code the tablet shows,
and only a match enrols it (``services.devices``); the bundle is then imported again. In web mode
the browser hands the file's bytes over (``with_data``); on the desktop the picker gives a path.
Exporting chosen visits is on the visits table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import flet as ft

from inspection_app.locale import N_

from ...services import bundles, conflict_words, devices, unit_merge
from .. import fmt
from .base import banner, heading, muted
from .review_common import TARGET, ReviewScreen, attempt, cell, header_row, top_gap

W_WHAT, W_VALUE, W_KEPT = 280, 250, 170


def _value(v) -> str:
    if v is None:
        return "–"
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "…"


class ReviewBundlesScreen(ReviewScreen):
    tab = "bundles"
    title_key = N_("Gói dữ liệu")

    def __init__(self, app, **params: str):
        super().__init__(app, **params)
        self.imports: list[bundles.ImportRow] = []
        self.conflicts: list[bundles.ConflictRow] = []
        self.views: list[conflict_words.ConflictView] = []
        self.devices: list[devices.DeviceRow] = []
        self.own: devices.OwnDevice | None = None
        self.unit_groups: list[list[unit_merge.UnitChoice]] = []
        self.last_pick: Any = None  # (file, passphrase) of the last import, to try again after enrolling

    async def load(self) -> None:
        await self._fetch()

    async def _fetch(self) -> None:
        imports = await self.app.call(bundles.list_imports, self.app.ctx, 20)
        self.imports = imports.value if imports.ok else []
        conflicts = await self.app.call(bundles.list_conflicts, self.app.ctx)
        self.conflicts = conflicts.value if conflicts.ok else []
        views = await self.app.call(conflict_words.describe, self.app.ctx, self.conflicts, self.app.lang)
        self.views = views.value if views.ok else []
        rows = await self.app.call(devices.list_devices, self.app.ctx)
        self.devices = rows.value if rows.ok else []
        own = await self.app.call(devices.own_device, self.app.ctx)
        self.own = own.value if own.ok else None
        groups = await self.app.call(unit_merge.candidates, self.app.ctx)
        self.unit_groups = groups.value if groups.ok else []

    def build(self) -> ft.Control:
        t = self.t
        self.picker = ft.FilePicker()  # keep a reference: an unreferenced service is unregistered
        self.passphrase = ft.TextField(label=t("Mật khẩu của gói (nếu có)"), password=True, can_reveal_password=True,
                                       width=380)
        self.import_button = ft.FilledButton(t("Nhập gói dữ liệu"), icon=ft.Icons.MOVE_TO_INBOX,
                                             on_click=self._import)
        self.report = ft.Column(spacing=8)
        self.conflicts_box = ft.Column(spacing=0)
        self.history = ft.Column(spacing=0)
        self.units_box = ft.Column(spacing=6)
        self.devices_box = ft.Column(spacing=0)
        self._fill_lists()
        return ft.Column([
            top_gap(),
            heading(t("Nhập gói dữ liệu từ máy tính bảng"), 18),
            muted(t("Gói được kiểm tra toàn bộ trước khi nhập; nếu có lỗi thì không có gì thay đổi. Nhập lại cùng một gói không tạo bản sao."), 15),
            ft.Row([self.passphrase, self.import_button], spacing=12, wrap=True,
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            self.report,
            heading(t("Xung đột cần xem xét"), 18),
            self.conflicts_box,
            self.units_box,
            heading(t("Thiết bị được phép gửi gói"), 18),
            self.devices_box,
            heading(t("Các lần nhập gần đây"), 18),
            self.history,
            muted(t("Để xuất gói, chọn các lượt kiểm tra trong danh sách rồi bấm \"Xuất gói dữ liệu\"."), 15),
        ], spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    # --- import ------------------------------------------------------------------------------------
    async def _import(self, e=None) -> None:
        t = self.t
        files = await self.picker.pick_files(dialog_title=t("Nhập gói dữ liệu"), file_type=ft.FilePickerFileType.ANY,
                                             with_data=bool(self.app.page.web))
        if not files:
            return
        self.last_pick = (files[0], self.passphrase.value or None)
        await self._run_import()

    async def _run_import(self) -> None:
        t = self.t
        f, passphrase = self.last_pick
        self.import_button.disabled = True
        self.report.controls = [banner(t("Đang kiểm tra và nhập gói {name}…", name=f.name), "info", identifier="import-result")]
        self.update()
        if f.bytes is not None:
            report, error = await attempt(self.app, bundles.try_import, self.app.ctx, None, f.bytes, f.name,
                                          passphrase)
        else:
            report, error = await attempt(self.app, bundles.try_import, self.app.ctx, Path(f.path), None, "",
                                          passphrase)
        self.import_button.disabled = False
        if error:
            self.report.controls = [banner(t("Không nhập được gói {name}: {reason}", name=f.name, reason=error), "error",
                                           identifier="import-result")]
        elif isinstance(report, devices.DeviceNotEnrolled):
            self.report.controls = [banner(t("Không nhập được gói {name}: {reason}", name=f.name, reason=report.message(self.app.lang)),
                                           "error", identifier="import-result"),
                                    *([] if report.details.get("revoked") else [self._enrol_form(report)])]
        else:
            self.report.controls = self._report(report)
            await self._fetch()
            self._fill_lists()
        self.update()

    def _enrol_form(self, refusal: devices.DeviceNotEnrolled) -> ft.Control:
        t, d = self.t, refusal.details
        code = ft.TextField(label=t("Mã trên máy tính bảng"), width=260, autofocus=True)
        name = ft.TextField(label=t("Tên thiết bị (ví dụ: Máy tính bảng 2 – Đoàn 1)"), value=str(d.get("name") or ""), width=420)
        notice = ft.Column(spacing=4)

        async def enrol(e=None) -> None:
            row, error = await attempt(self.app, devices.enrol_device, self.app.ctx, d["public_key"], d["id"],
                                       code.value or "", name.value or "", work="write")
            if error:
                notice.controls = [banner(error, "error", identifier="enrol-result")]
                self.update()
                return
            self.app.toast(t("Đã ghi danh {name}; đang nhập lại gói…", name=row.name))
            await self._run_import()

        return ft.Semantics(identifier="enrol-form", container=True, content=ft.Container(ft.Column([
            heading(t("Ghi danh thiết bị {fp}", fp=d.get("fingerprint", "")), 16),
            ft.Row([code, name, ft.FilledButton(t("Ghi danh thiết bị"), icon=ft.Icons.VERIFIED_USER, on_click=enrol)],
                   spacing=12, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            notice], spacing=8), padding=12, border_radius=8, bgcolor=ft.Colors.GREY_50))

    def _report(self, r: bundles.ImportReport) -> list[ft.Control]:
        t = self.t
        if r.unchanged:
            head = banner(t.plural("Gói {name} ({n} lượt kiểm tra) đã được nhập trước đó: không có gì thay đổi.", "Gói {name} ({n} lượt kiểm tra) đã được nhập trước đó: không có gì thay đổi.", len(r.visit_ids), name=r.file_name, n=len(r.visit_ids)), "info",
                          identifier="import-result")
        else:
            added = r.inserted.get("visit", 0)
            updated = max(0, len(r.changed_visit_ids) - added)
            head = banner(t.plural("Đã nhập gói {name}: {added} lượt kiểm tra mới, {updated} lượt được cập nhật, {conflicts} xung đột cần xem xét.", "Đã nhập gói {name}: {added} lượt kiểm tra mới, {updated} lượt được cập nhật, {conflicts} xung đột cần xem xét.", added, name=r.file_name, added=added, updated=updated,
                            conflicts=len(r.conflicts)), "warn" if r.conflicts else "ok", identifier="import-result")
        names = {d.device_id: d.name for d in self.devices}
        source = " · ".join(x for x in (
            t("Từ máy: {device}", device=r.source_device_name or names.get(r.source_device_id, "–"))
            if r.source_device_id else "",
            t("Người xuất: {who}", who=r.exported_by) if r.exported_by else "",
            t("Xuất lúc: {when}", when=fmt.show_datetime(r.exported_at)) if r.exported_at else "") if x)
        parts: list[ft.Control] = [head]
        if source:
            parts.append(muted(source, 14))
        if not r.unchanged:
            counts = t("Bản ghi thêm mới: {inserted} · cập nhật: {updated} · xóa: {deleted} · tệp: {files} · sự kiện nhật ký: {events}", inserted=sum(r.inserted.values()), updated=sum(r.updated.values()),
                       deleted=sum(r.deleted.values()), files=r.files_added, events=r.events_added)
            parts.append(muted(counts, 14))
        parts.append(ft.Row([ft.OutlinedButton(t("Xem danh sách lượt kiểm tra"), icon=ft.Icons.TABLE_ROWS,
                                               on_click=lambda e: self.app.go("/review"))]))
        return parts

    # --- conflicts and history ---------------------------------------------------------------------
    def _fill_lists(self) -> None:
        t = self.t
        if self.views:
            header = header_row([cell(t("Dữ liệu"), W_WHAT, bold=True),
                                 cell(t("Giá trị đang có"), W_VALUE, bold=True),
                                 cell(t("Giá trị trong gói"), W_VALUE, bold=True),
                                 cell(t("Đã giữ"), W_KEPT, bold=True), cell("", expand=1)])
            rows = [self._conflict_row(i, c) for i, c in enumerate(self.views, start=1)]
            self.conflicts_box.controls = [header, *rows]
        else:
            self.conflicts_box.controls = [muted(t("Không có xung đột nào chưa xử lý."), 15)]
        self._fill_units()
        self._fill_devices()
        names = {d.device_id: d.name for d in self.devices}
        if self.imports:
            self.history.controls = [
                header_row([cell(t("Tệp"), expand=1, bold=True), cell(t("Từ"), 220, bold=True),
                            cell(t("Nhập lúc"), 170, bold=True), cell(t("Lượt kiểm tra"), 110, bold=True),
                            cell(t("Xung đột mở"), 130, bold=True)]),
                *[ft.Container(ft.Row([
                    cell(i.file_name, expand=1),
                    cell(" · ".join(x for x in (i.exported_by, names.get(i.source_device_id, "")) if x) or "–",
                         220, size=14),
                    cell(fmt.show_datetime(i.imported_at), 170),
                    cell(str(len(i.visit_ids)), 110),
                    cell(str(i.open_conflicts) if i.open_conflicts else "–", 130,
                         color=ft.Colors.RED_800 if i.open_conflicts else None)], spacing=0), height=TARGET,
                    border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200))) for i in self.imports]]
        else:
            self.history.controls = [muted(t("Chưa nhập gói nào."), 15)]

    def _fill_units(self) -> None:
        t = self.t
        if not self.unit_groups:
            self.units_box.controls = []
            return
        blocks: list[ft.Control] = [heading(t("Đơn vị có thể trùng"), 18), muted(t("Các đơn vị dưới đây có cùng tên nhưng khác mã hoặc chưa có mã. Nếu là một đơn vị, hãy gộp: các cuộc kiểm tra và danh sách công chức chuyển sang đơn vị được giữ."), 15)]
        for n, group in enumerate(self.unit_groups, start=1):
            keep = group[0]
            lines_ = [ft.Text(t.plural("{name} · mã: {code} · {visits} cuộc kiểm tra", "{name} · mã: {code} · {visits} cuộc kiểm tra", u.visits, name=u.name, code=u.code or "–", visits=u.visits), size=15)
                      for u in group]
            buttons: list[ft.Control] = [ft.OutlinedButton(t("Gộp vào «{keep}»", keep=keep.name), icon=ft.Icons.MERGE,
                                         on_click=self._merger(keep.id, u.id)) for u in group[1:]]
            blocks.append(ft.Semantics(identifier=f"unit-group-{n}", container=True, content=ft.Container(
                ft.Column([*lines_, ft.Row(buttons, spacing=8, wrap=True)], spacing=4), padding=10,
                border_radius=8, bgcolor=ft.Colors.GREY_50)))
        self.units_box.controls = blocks

    def _merger(self, keep_id: str, drop_id: str):
        async def merge(e=None) -> None:
            result = await self.app.call(unit_merge.merge_units, self.app.ctx, keep_id, drop_id)
            if not result.ok:
                self.update()
                return
            await self._fetch()
            self._fill_lists()
            self.app.toast(self.t("Đã gộp đơn vị"))

        return merge

    def _fill_devices(self) -> None:
        t = self.t
        parts: list[ft.Control] = []
        if self.own is not None:
            parts.append(muted(t("Văn phòng chỉ nhận gói do thiết bị đã ghi danh ký. Mã nhận dạng của máy này: {fp}.", fp=self.own.fingerprint), 15))
        if not self.devices:
            parts.append(muted(t("Chưa ghi danh thiết bị nào."), 15))
        else:
            parts.append(header_row([cell(t("Tên thiết bị"), expand=1, bold=True),
                                     cell(t("Mã nhận dạng"), 220, bold=True),
                                     cell(t("Ghi danh"), 260, bold=True), cell("", 140)]))
            for d in self.devices:
                state = (t("Đã thu hồi {when}", when=fmt.show_datetime(d.revoked_at)) if d.revoked_at else
                         " · ".join(x for x in (fmt.show_datetime(d.enrolled_at), d.enrolled_by) if x))
                action = cell("", 140) if d.revoked_at else cell(
                    ft.TextButton(t("Thu hồi"), on_click=self._revoker(d.id, d.name)), 140)
                parts.append(ft.Semantics(identifier=f"device-{d.fingerprint}", container=True, content=ft.Container(
                    ft.Row([cell(d.name, expand=1), cell(d.fingerprint, 220, size=14), cell(state, 260, size=14),
                            action], spacing=0), height=TARGET,
                    border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200)))))
        self.devices_box.controls = parts

    def _revoker(self, row_id: str, name: str):
        async def revoke() -> None:
            result = await self.app.call(devices.revoke_device, self.app.ctx, row_id)
            if not result.ok:
                return
            await self._fetch()
            self._fill_lists()
            self.app.toast(self.t("Đã thu hồi thiết bị {name}", name=name))

        return lambda e=None: self.app.confirm(self.t("Thu hồi") + f" «{name}»?", revoke)

    def _conflict_row(self, n: int, c: conflict_words.ConflictView) -> ft.Control:
        t = self.t
        actions: list[ft.Control] = [ft.TextButton(t("Đồng ý giữ"), on_click=self._resolver(c.id, "merge"))]
        raw = next((r for r in self.conflicts if r.id == c.id), None)
        if c.can_take_other and raw is not None:
            other = "incoming" if raw.kept == "local" else "local"
            actions.append(ft.TextButton(t("Lấy giá trị kia"), on_click=self._resolver(c.id, other)))
        what = " — ".join(x for x in (c.what, c.field) if x)
        row = ft.Container(ft.Row([
            cell(ft.Column([ft.Text(what, size=15, weight=ft.FontWeight.W_600),
                            ft.Text(" · ".join(x for x in (c.visit, c.kind) if x), size=13,
                                    color=ft.Colors.GREY_700)], spacing=0), W_WHAT),
            cell(ft.Column([ft.Text(_value(c.here), size=14),
                            ft.Text(c.here_by, size=12, color=ft.Colors.GREY_700)], spacing=0), W_VALUE),
            cell(ft.Column([ft.Text(_value(c.incoming), size=14),
                            ft.Text(c.incoming_by, size=12, color=ft.Colors.GREY_700)], spacing=0), W_VALUE),
            cell(c.kept, W_KEPT, size=14),
            cell(ft.Row(actions, spacing=4, wrap=True), expand=1),
        ], spacing=0), padding=ft.Padding.symmetric(vertical=4),
            border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200)))
        return ft.Semantics(identifier=f"conflict-{n}", container=True, content=row)

    def _resolver(self, conflict_id: str, use: str):
        async def resolve(e=None) -> None:
            result = await self.app.call(bundles.resolve_conflict, self.app.ctx, conflict_id, use)
            if not result.ok:
                self.update()
                return
            await self._fetch()
            self._fill_lists()
            self.app.toast(self.t("Đã xử lý xung đột"))

        return resolve
