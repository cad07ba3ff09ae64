"""Dossier sampling (hồ sơ TTHC): import the register, preview the mapping, fix, draw, check each dossier.

The order on screen is the order that makes the sample auditable (``services.sampling``):

1. Pick the unit's register (CSV, XLSX, XLS or ODS). The file is read in memory and never written to
   disk (it holds citizens' personal data); what is kept at "Import" is the canonical frame, only the
   columns the check uses, and a later re-draw works from it (or from the unit's own file). The
   preview shows what each column became, the columns left out, the rows that could not be read
   and the count of readable dossiers. Nothing is stored until "Import".
2. Choose the size (fixed per stratum, or a proportional total with a minimum; optionally
   stratified by timeliness too). "Fix the sample" records the commitment of a fresh seed and the
   frame hash, and shows them *before* the draw; "Draw" reveals the seed and draws.
3. The sampled dossiers, by stratum: code, procedure, dates, early / on time / late in working
   days, and whether a late dossier still lacks its apology letter. Tapping one opens the per-dossier
   checklist (``tthc_dossiers``), answered with the checklist runner's own item cards and saved at
   once, with a general note and photos.

The sampled dossiers and the per-dossier checklist are in :mod:`.dossier_detail`.

The prepared sample (with its secret seed) lives in the session only, in ``Shell.state``, so the
inspector can leave the screen between fixing and drawing; a prepared sample never drawn stays on
record as abandoned. A locked visit shows everything read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

from ...services import drafts, sampling
from .. import fmt
from ..widgets.autosave import AutoSave
from ..widgets.facts import chip, fact, panel
from ..widgets.photos import PhotoPicker, photo_service, thumbnails
from .base import VisitScreen, banner, heading, muted
from .dossier_detail import OPEN_DOSSIER, DossierDetail, DossierItemCard

REGISTER_EXTENSIONS = ["csv", "xlsx", "xls", "ods"]
MAX_LISTED = 50  # unreadable rows / columns listed in the preview; the rest are counted


class DossiersScreen(DossierDetail, VisitScreen):
    nav_key = "dossiers"
    title_key = N_("Hồ sơ thủ tục hành chính")

    # --- data ------------------------------------------------------------------------------------
    async def load_visit(self) -> None:
        self.preview: sampling.RegisterPreview | None = None  # the RegisterPreview the user looks at (in memory only)
        self.open_index: int | None = None
        self.checklist = None
        self.detail_thumbs: dict[str, bytes] = {}
        self.staff: list[Any] = []  # the item cards ask (person items); the dossier checklist has none
        await self._reload()
        # Back on the dossier that was open (after a language switch, a finding recorded from it, or a
        # restart: then the visit's draft says which).
        open_id = self.app.state.dossier_open.get(self.visit_id)
        if open_id is None:
            kept = await self.app.call(drafts.get_draft, self.app.ctx, drafts.visit_scope(self.visit_id),
                                       OPEN_DOSSIER, notify=False)
            open_id = (kept.value_or(None) or {}).get("check_id")
        index = next((i for i, d in enumerate(self.dossiers) if d.check_id == open_id), None)
        if index is not None and self.checklist is not None:
            self.detail_thumbs = await thumbnails(self.app, self.photos_by_check.get(open_id, []))
            self.open_index = index

    async def _reload(self) -> None:
        ctx, vid, call = self.app.ctx, self.visit_id, self.app.call
        registers = await call(sampling.list_registers, ctx, vid)
        self.registers = registers.value if registers.ok else []
        samples = await call(sampling.list_samples, ctx, vid)
        self.samples = samples.value if samples.ok else []
        self.register = self.registers[-1] if self.registers else None
        drawn = [s for s in self.samples if s.drawn]
        self.sample = drawn[-1] if drawn else None
        self.draw = None
        self.dossiers = []
        self.photos_by_check = {}
        if self.sample is not None:
            draw = await call(sampling.recorded_draw, ctx, self.sample.id)
            self.draw = draw.value if draw.ok else None
            await self._reload_dossiers()
            if self.checklist is None:
                checklist = await call(sampling.dossier_checklist, ctx)
                self.checklist = checklist.value if checklist.ok else None
        prepared = self.app.state.dossier_prepared.get(self.visit_id)
        stale = prepared is not None and (
            self.register is None or prepared.register_id != self.register.id
            or any(s.id == prepared.sample_id and s.drawn for s in self.samples))
        if stale:
            self.app.state.dossier_prepared.pop(self.visit_id, None)
            prepared = None
        self.prepared = prepared
        self.abandoned = sum(1 for s in self.samples
                             if not s.drawn and (prepared is None or s.id != prepared.sample_id))

    async def _reload_dossiers(self) -> None:
        assert self.sample is not None  # called with a drawn sample only
        dossiers = await self.app.call(sampling.sampled_dossiers, self.app.ctx, self.sample.id)
        if dossiers.ok:
            self.dossiers = dossiers.value
        # half-typed reasons for a changed timeliness (views/dossier_timeliness.py)
        tl_drafts = await self.app.call(drafts.drafts_in, self.app.ctx, drafts.visit_scope(self.visit_id),
                                        "timeliness:", notify=False)
        self.tl_drafts: dict[str, dict[str, Any]] = tl_drafts.value_or({}) if not self.locked else {}
        self.photos_by_check = {}
        service = photo_service()
        if service is None:
            return
        photos = await self.app.call(service.list_photos, self.app.ctx, self.visit_id)
        for p in photos.value_or([]):
            if p.dossier_check_id:
                self.photos_by_check.setdefault(p.dossier_check_id, []).append(p)

    # --- labels ----------------------------------------------------------------------------------
    def size_text(self, params: dict) -> str:
        size = params.get("size", {})
        if size.get("mode") == "fixed":
            text = self.t.plural("{n} hồ sơ mỗi nhóm", "{n} hồ sơ mỗi nhóm", size.get("per_stratum", 0), n=size.get("per_stratum", 0))
        else:
            text = self.t("tổng {total} hồ sơ theo tỷ lệ, tối thiểu {minimum} mỗi nhóm", total=size.get("total", 0), minimum=size.get("minimum", 0))
        if "timeliness" in params.get("strata_by", []):
            as_of = params.get("as_of") or ""
            shown = "/".join(reversed(as_of.split("-"))) if as_of else ""
            return f"{self.t('Nhóm theo lĩnh vực và tiến độ (ngày tham chiếu {date})', date=shown)}; {text}"
        return f"{self.t('Nhóm theo lĩnh vực')}; {text}"

    # --- building --------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        t = self.t
        self.file_picker = ft.FilePicker()  # keep a reference: unreferenced services are unregistered
        self.picker = PhotoPicker(self.app)  # the item cards add photos through ``screen.picker``
        self.mode = ft.SegmentedButton(
            selected=["fixed"], allow_empty_selection=False, allow_multiple_selection=False,
            segments=[ft.Segment(value="fixed", label=t("Cố định mỗi lĩnh vực")),
                      ft.Segment(value="proportional", label=t("Theo tỷ lệ"))],
            on_change=self._mode_changed)
        numbers: dict[str, Any] = dict(keyboard_type=ft.KeyboardType.NUMBER, input_filter=ft.NumbersOnlyInputFilter(),
                                       width=220)
        self.per_stratum = ft.TextField(label=t("Số hồ sơ mỗi nhóm"), value="2", **numbers)
        self.total = ft.TextField(label=t("Tổng số hồ sơ"), value="10", visible=False, **numbers)
        self.minimum = ft.TextField(label=t("Tối thiểu mỗi nhóm"), value="1", visible=False, **numbers)
        self.by_timeliness = ft.Checkbox(label=t("Chia nhóm thêm theo tiến độ (trước hạn, đúng hạn, quá hạn…)"), value=False)
        self.cards: list[DossierItemCard] = []
        self.note_saver: AutoSave | None = None
        self.scroller = ft.Column(spacing=14, scroll=ft.ScrollMode.AUTO, expand=True,
                                  horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._render()
        return self.scroller

    def _render(self) -> None:
        if self.open_index is not None and self.checklist is not None and self.dossiers:
            self.scroller.controls = self._detail(self.open_index)
        else:
            self.open_index = None
            self.scroller.controls = self._overview()

    # --- the overview: register, size, commitment, draw, list ----------------------------------------
    def _overview(self) -> list[ft.Control]:
        out = [self._register_panel()]
        if self.register is not None and not self.locked and (
                self.sample is None or self.sample.register_id != self.register.id):
            out.append(self._size_panel())
        if self.sample is not None:
            out.append(self._sample_panel())
            out.extend(self._dossier_list())
        return out

    def _register_panel(self) -> ft.Control:
        t = self.t
        title: list[ft.Control] = [heading(t("1. Sổ theo dõi hồ sơ")), ft.Container(expand=True)]
        if not self.locked:
            text = t("Chọn tệp sổ khác") if self.register is not None else t("Chọn tệp sổ theo dõi (CSV/XLSX/XLS/ODS)")
            make = ft.OutlinedButton if self.register is not None else ft.FilledButton
            title.append(make(text, icon=ft.Icons.UPLOAD_FILE, on_click=self._pick_register))
        parts: list[ft.Control] = [ft.Row(title, vertical_alignment=ft.CrossAxisAlignment.CENTER)]
        if self.register is not None:
            r = self.register
            parts.append(ft.Text(t.plural("{name}: {n} hồ sơ, {bad} dòng không đọc được; nhập lúc {time}", "{name}: {n} hồ sơ, {bad} dòng không đọc được; nhập lúc {time}", r.row_count, name=r.source_name, n=r.row_count, bad=r.bad_row_count,
                                   time=fmt.show_datetime(r.imported_at)), size=16))
            parts.append(fact(t("Mã băm khung chọn mẫu"), r.frame_hash))
        else:
            parts.append(muted(t(N_("Chọn tệp sổ theo dõi hồ sơ (CSV, XLSX, XLS hoặc ODS) xuất từ hệ thống một cửa của đơn vị. Tệp chỉ được đọc, không được sao lưu vào máy; ứng dụng chỉ giữ các cột cần cho việc kiểm tra, dữ liệu cá nhân không được lưu.") if not self.locked else N_("Chưa nhập sổ theo dõi hồ sơ.")), 15))
        if self.preview is not None:
            parts.append(self._preview_panel())
        return panel(parts)

    def _preview_panel(self) -> ft.Control:
        t = self.t
        preview = self.preview
        assert preview is not None  # shown only with a preview
        r = preview.result
        m = r.mapping
        where = t("mã hóa {enc}", enc=r.encoding) if r.file_format == "csv" else t("trang tính “{sheet}”", sheet=r.sheet or "")
        mapped = [ft.Semantics(identifier=f"mapped-{c.field}", container=True, content=ft.Row([
            ft.Text(t("“{text}”", text=c.header), size=15),
            ft.Icon(ft.Icons.ARROW_RIGHT_ALT, size=18, color=ft.Colors.GREEN_800),
            ft.Text(t(enum_label("ds.field", c.field)), size=15, weight=ft.FontWeight.W_600)], spacing=6, tight=True))
            for c in m.mapped]
        ignored = [ft.Text(t("“{header}”: {reason}", header=c.header, reason=t.pick(c.reason_vi, c.reason_en)), size=15,
                           color=ft.Colors.GREY_800) for c in m.ignored[:MAX_LISTED]]
        if len(m.ignored) > MAX_LISTED:
            ignored.append(muted(t.plural("… và {n} dòng khác", "… và {n} dòng khác", len(m.ignored) - MAX_LISTED, n=len(m.ignored) - MAX_LISTED)))
        columns = ft.ResponsiveRow([
            ft.Column([ft.Text(t("Cột đã ghép"), size=16, weight=ft.FontWeight.W_600, color=ft.Colors.GREEN_900),
                       *mapped], spacing=2, col={"sm": 12, "md": 6}),
            ft.Column([ft.Text(t("Cột không dùng"), size=16, weight=ft.FontWeight.W_600), *ignored]
                      if ignored else [], spacing=2, col={"sm": 12, "md": 6}),
        ])
        parts: list[ft.Control] = [
            heading(t("Xem trước: {name}", name=r.source_name), 18),
            muted(t("Định dạng {fmt} · {where} · dòng tiêu đề {row}", fmt=r.file_format.upper(), where=where, row=m.header_row)),
            ft.Text(t.plural("Đọc được {n} hồ sơ trên {rows} dòng dữ liệu", "Đọc được {n} hồ sơ trên {rows} dòng dữ liệu", r.frame.size, n=r.frame.size, rows=r.rows_read), size=17, weight=ft.FontWeight.W_600),
            columns,
        ]
        if m.missing:
            parts.append(ft.Text(t("Sổ không có cột: {fields}", fields=", ".join(t(enum_label("ds.field", f)) for f in m.missing)),
                                 size=15, color=ft.Colors.BROWN_800))
        if r.bad_rows:
            bad = [ft.Text(t("Dòng {row}: {reason}", row=b.row, reason=t.pick(b.reason_vi, b.reason_en)), size=15,
                           color=ft.Colors.RED_900) for b in r.bad_rows[:MAX_LISTED]]
            if len(r.bad_rows) > MAX_LISTED:
                bad.append(muted(t.plural("… và {n} dòng khác", "… và {n} dòng khác", len(r.bad_rows) - MAX_LISTED, n=len(r.bad_rows) - MAX_LISTED)))
            parts.append(ft.Container(ft.Column([
                ft.Text(t.plural("Dòng không đọc được ({n})", "Dòng không đọc được ({n})", len(r.bad_rows), n=len(r.bad_rows)), size=16, weight=ft.FontWeight.W_600,
                        color=ft.Colors.RED_900), *bad], spacing=2),
                bgcolor=ft.Colors.RED_50, border_radius=8, padding=10))
        else:
            parts.append(ft.Text(t("Mọi dòng đều đọc được."), size=15, color=ft.Colors.GREEN_900))
        if preview.domains:
            parts.append(ft.Text(t("Theo lĩnh vực"), size=16, weight=ft.FontWeight.W_600))
            parts.append(ft.Row([chip(t.plural("{domain}: {n} hồ sơ", "{domain}: {n} hồ sơ", n, domain=d or t("(không ghi lĩnh vực)"), n=n), ft.Colors.INDIGO_50)
                                 for d, n in preview.domains[:MAX_LISTED]], wrap=True, spacing=6, run_spacing=6))
        parts.append(fact(t("Mã băm khung chọn mẫu"), preview.frame_hash))
        parts.append(ft.Row([
            ft.FilledButton(t("Nhập sổ theo dõi này"), icon=ft.Icons.DOWNLOAD_DONE, on_click=self._import,
                            disabled=r.frame.size == 0),
            ft.TextButton(t("Hủy"), on_click=self._cancel_preview),
        ], wrap=True))
        return panel(parts, ft.Colors.INDIGO_50, identifier="register-preview")

    def _size_panel(self) -> ft.Control:
        t = self.t
        fixed = self.prepared is not None
        for control in (self.mode, self.per_stratum, self.total, self.minimum, self.by_timeliness):
            control.disabled = fixed
        parts: list[ft.Control] = [
            heading(t("2. Cỡ mẫu và cố định mẫu")),
            muted(t("Khung chọn mẫu và tham số được cố định, ghi lại cam kết của hạt giống trước khi rút; sau này ai cũng có thể rút lại đúng mẫu này từ cùng tệp."), 15),
            ft.Row([self.mode]),
            ft.Row([self.per_stratum, self.total, self.minimum], wrap=True),
            self.by_timeliness,
        ]
        if self.abandoned:
            parts.append(muted(t.plural("{n} lần cố định mẫu không được rút (vẫn được lưu vết).", "{n} lần cố định mẫu không được rút (vẫn được lưu vết).", self.abandoned, n=self.abandoned)))
        if not fixed:
            parts.append(ft.Row([ft.FilledButton(t("Cố định mẫu"), icon=ft.Icons.LOCK_CLOCK,
                                                 on_click=self._prepare)]))
            return panel(parts)
        p = self.prepared
        assert p is not None  # fixed
        groups = ", ".join(f"{self.stratum_label(key)}: {n}" for key, n in p.populations)
        parts.append(panel([
            ft.Row([ft.Icon(ft.Icons.VERIFIED_USER, color=ft.Colors.GREEN_800),
                    ft.Text(t("Đã cố định mẫu: cam kết được ghi trước khi rút"), size=17, weight=ft.FontWeight.W_600,
                            color=ft.Colors.GREEN_900, expand=True)]),
            fact(t("Cam kết (SHA-256 của hạt giống)"), p.commitment),
            fact(t("Mã băm khung chọn mẫu"), p.frame_hash),
            ft.Text(t.plural("{n} hồ sơ trong khung", "{n} hồ sơ trong khung", p.frame_size, n=p.frame_size), size=15),
            ft.Text(t("Các nhóm: {groups}", groups=groups), size=15),
            ft.Text(t("Hạt giống chỉ được công bố khi rút mẫu. Hãy ghi lại hoặc chụp cam kết trước khi bấm \"Rút mẫu\"."), size=15, color=ft.Colors.BROWN_800),
        ], ft.Colors.GREEN_50, identifier="sample-commitment"))
        parts.append(ft.Row([
            ft.FilledButton(t("Rút mẫu"), icon=ft.Icons.CASINO, on_click=self._draw),
            ft.TextButton(t("Đổi tham số"), on_click=self._change),
        ], wrap=True))
        return panel(parts)

    def _sample_panel(self) -> ft.Control:
        t, s = self.t, self.sample
        assert s is not None  # shown only with a drawn sample
        frame_size = s.parameters.get("frame_size", 0)
        when = (t("Rút lúc {time} bởi {who}", time=fmt.show_datetime(s.drawn_at), who=s.drawn_by) if s.drawn_by
                else t("Rút lúc {time}", time=fmt.show_datetime(s.drawn_at)))
        parts: list[ft.Control] = [
            ft.Row([heading(t("Mẫu đã rút")),
                    ft.Text(t.plural("Đã rút {n} hồ sơ", "Đã rút {n} hồ sơ", s.dossier_count, n=s.dossier_count), size=17, weight=ft.FontWeight.W_600,
                            color=ft.Colors.GREEN_900)], wrap=True, spacing=16),
            ft.Text(f"{self.size_text(s.parameters)} · {t.plural('{n} hồ sơ trong khung', '{n} hồ sơ trong khung', frame_size, n=frame_size)}", size=15),
            ft.Semantics(identifier="sample-seed", container=True, content=fact(t("Hạt giống (seed)"), s.seed_hex)),
            fact(t("Cam kết (SHA-256 của hạt giống)"), s.commitment),
            fact(t("Mã băm khung chọn mẫu"), s.frame_hash),
            muted(f"{t('Thuật toán: {name}', name=s.algorithm_version)} · {when}"),
        ]
        if self.register is not None and s.register_id != self.register.id:
            parts.append(banner(t("Mẫu đang kiểm tra được rút từ sổ trước đó."), "info"))
        return panel(parts, identifier="sample-record")

    # --- handlers: register ----------------------------------------------------------------------
    async def _pick_register(self, e=None) -> None:
        files = await self.file_picker.pick_files(file_type=ft.FilePickerFileType.CUSTOM,
                                                  allowed_extensions=REGISTER_EXTENSIONS, allow_multiple=False,
                                                  with_data=bool(self.app.page.web))
        if not files:
            return
        f = files[0]

        def read_and_preview():
            # In memory only: the register holds citizens' personal data and is never copied to disk.
            # In the browser the bytes come with the pick; on a desktop, from the unit's own file.
            return sampling.preview_register_file(f.bytes if f.bytes is not None else f.path, f.name)

        got = await self.app.call(read_and_preview, work="long")
        if not got.ok:
            return
        self.preview = got.value
        self._render()

    def _cancel_preview(self, e=None) -> None:
        self.preview = None
        self._render()

    async def _import(self, e=None) -> None:
        if self.preview is None:
            return
        got = await self.app.call(sampling.import_register, self.app.ctx, self.visit_id, preview=self.preview)
        if not got.ok:
            return
        summary = got.value
        self.preview = None
        await self._reload()
        self._render()
        self.app.toast(self.t.plural("Đã nhập sổ theo dõi: {n} hồ sơ", "Đã nhập sổ theo dõi: {n} hồ sơ", summary.row_count, n=summary.row_count))

    # --- handlers: size, commitment, draw ---------------------------------------------------------
    def _mode_changed(self, e=None) -> None:
        proportional = (self.mode.selected or ["fixed"])[0] == "proportional"
        self.per_stratum.visible = not proportional
        self.total.visible = self.minimum.visible = proportional

    def _number(self, field: ft.TextField, minimum: int = 1) -> int | None:
        text = (field.value or "").strip()
        if not text.isdigit() or int(text) < minimum:
            field.error = self.t("Hãy nhập một số nguyên dương.")
            return None
        field.error = None
        return int(text)

    async def _prepare(self, e=None) -> None:
        if self.register is None:
            return
        proportional = (self.mode.selected or ["fixed"])[0] == "proportional"
        make: Callable[..., sampling.SampleSize]
        args: tuple[int, ...]
        if proportional:
            total, minimum = self._number(self.total), self._number(self.minimum, 0)
            if total is None or minimum is None:
                return
            make, args = sampling.SampleSize.proportional, (total, minimum)
        else:
            per = self._number(self.per_stratum)
            if per is None:
                return
            make, args = sampling.SampleSize.fixed, (per,)
        register_id, by_timeliness = self.register.id, bool(self.by_timeliness.value)

        def prepare():
            return sampling.prepare_sample(self.app.ctx, register_id, make(*args), by_timeliness=by_timeliness)

        got = await self.app.call(prepare)
        if not got.ok:
            return
        prepared = got.value
        self.app.state.dossier_prepared[self.visit_id] = prepared
        await self._reload()
        self._render()

    async def _change(self, e=None) -> None:
        self.app.state.dossier_prepared.pop(self.visit_id, None)  # the fixed sample stays on record, never drawn
        await self._reload()
        self._render()

    async def _draw(self, e=None) -> None:
        prepared = self.app.state.dossier_prepared.get(self.visit_id)
        if prepared is None:
            return
        got = await self.app.call(sampling.draw_sample, self.app.ctx, prepared)
        if not got.ok:
            return
        result = got.value
        self.app.state.dossier_prepared.pop(self.visit_id, None)
        await self._reload()
        self._render()
        self.app.toast(self.t.plural("Đã rút mẫu: {n} hồ sơ", "Đã rút mẫu: {n} hồ sơ", len(result.codes), n=len(result.codes)))
