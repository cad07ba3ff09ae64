"""Dossier sampling (hồ sơ TTHC): import the register, preview the mapping, fix, draw, check each dossier.

The order on screen is the order that makes the sample auditable (``services.sampling``):

1. Pick the unit's register (CSV/XLSX). The file is kept under the data directory
   (``uploads/registers/<hash>/<name>``), because the sample is re-drawn from that exact file later;
   the preview shows what each column became, the columns left out, the rows that could not be read
   and the count of readable dossiers. Nothing is stored until "Import".
2. Choose the size (fixed per stratum, or a proportional total with a minimum; optionally
   stratified by timeliness too). "Fix the sample" records the commitment of a fresh seed and the
   frame hash, and shows them *before* the draw; "Draw" reveals the seed and draws.
3. The sampled dossiers, by stratum: code, procedure, dates, early / on time / late in working
   days, and whether a late dossier still lacks its apology letter. Tapping one opens the per-dossier
   checklist (``tthc_dossiers``), answered with the checklist runner's own item cards and saved at
   once, with a general note and photos.

The prepared sample (with its secret seed) lives in the session only, in ``Shell.state``, so the
inspector can leave the screen between fixing and drawing; a prepared sample never drawn stays on
record as abandoned. A locked visit shows everything read-only.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import flet as ft

from ...services import sampling
from .. import fmt
from ..i18n import label
from ..widgets.autosave import AutoSave
from ..widgets.photos import PhotoPicker, photo_service, thumb, thumbnails
from .base import VisitScreen, banner, heading, muted
from .checklist import ItemCard

REGISTER_EXTENSIONS = ["csv", "xlsx"]
MAX_LISTED = 50  # unreadable rows / columns listed in the preview; the rest are counted
TIMELINESS_COLORS = {
    "early": ft.Colors.GREEN_100, "on_time": ft.Colors.LIGHT_BLUE_100, "late": ft.Colors.RED_100,
    "pending": ft.Colors.AMBER_100, "overdue": ft.Colors.RED_100, "unknown": ft.Colors.GREY_200,
}


def keep_upload(data_dir: Path, name: str, data: bytes) -> Path:
    """Keep a picked register file under the data directory, named as picked, one folder per content.

    The services read registers from a path, and the kept file is what a later re-draw (the CLI's
    ``sample verify``) is run against.
    """
    digest = hashlib.sha256(data).hexdigest()[:16]
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", Path(name or "").name).strip(" .") or "register.csv"
    folder = Path(data_dir) / "uploads" / "registers" / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def local_day(value: datetime | None) -> str:
    """Register dates come back as local wall-clock times (naive): shown as they are."""
    return value.strftime("%d/%m/%Y") if value is not None else ""


def hex_text(value: str, size: int = 15) -> ft.Text:
    return ft.Text(value, size=size, weight=ft.FontWeight.W_500, color=ft.Colors.INDIGO_900)


def fact(name: str, value: str) -> ft.Control:
    """A label and a hash or seed on one line (wrapping under it on a narrow screen)."""
    return ft.Row([ft.Text(name, size=14, color=ft.Colors.GREY_700, width=300), hex_text(value, 14)],
                  wrap=True, spacing=8, run_spacing=0)


def chip(text: str, color: str, icon: str | None = None, text_color: str | None = None) -> ft.Control:
    parts: list[ft.Control] = [ft.Text(text, size=14, weight=ft.FontWeight.W_600, color=text_color)]
    if icon:
        parts.insert(0, ft.Icon(icon, size=16, color=text_color))
    return ft.Container(ft.Row(parts, spacing=4, tight=True), bgcolor=color, border_radius=12,
                        padding=ft.Padding.symmetric(horizontal=10, vertical=3))


def panel(controls: list[ft.Control], color: str = ft.Colors.WHITE, identifier: str | None = None) -> ft.Control:
    box = ft.Container(ft.Column(controls, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                       padding=14, border_radius=10, bgcolor=color, border=ft.Border.all(1, ft.Colors.GREY_300))
    return ft.Semantics(identifier=identifier, container=True, content=box) if identifier else box


@dataclass(frozen=True)
class _Answer:
    """A dossier's stored answer, shaped like the visit answers the item cards take."""

    value: Any
    note: str
    answered_at: datetime | None


class DossierItemCard(ItemCard):
    """The checklist runner's item card, saving into a sampled dossier's check instead of the visit."""

    def __init__(self, screen: "DossiersScreen", dossier, checklist, section, item, photos: list,
                 thumbs: dict[str, bytes]):
        self.dossier = dossier
        answered = item.id in dossier.answers or item.id in dossier.notes
        answer = (_Answer(dossier.answers.get(item.id), dossier.notes.get(item.id, ""), dossier.checked_at)
                  if answered else None)
        super().__init__(screen, checklist, section, item, answer, photos)
        for p in photos:
            self.thumbs.controls.append(thumb(thumbs.get(p.id), p.caption or self.t("nav.photos"), 72))
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
            self.thumbs.controls.append(thumb(thumbs.get(p.id), p.caption or self.t("nav.photos"), 72))
        self._paint()
        self.control.update()
        self.app.toast(self.t("ph.added", n=len(stored)))


class DossiersScreen(VisitScreen):
    nav_key = "dossiers"
    title_key = "ds.title"

    # --- data ------------------------------------------------------------------------------------
    async def load_visit(self) -> None:
        self.preview = None  # (RegisterPreview, kept path) while the user looks at it
        self.open_index: int | None = None
        self.checklist = None
        self.detail_thumbs: dict[str, bytes] = {}
        self.staff: list = []  # the item cards ask (person items); the dossier checklist has none
        await self._reload()
        # Back on the dossier that was open (after a language switch, or a finding recorded from it).
        open_id = self.app.state.dossier_open.get(self.visit_id)
        index = next((i for i, d in enumerate(self.dossiers) if d.check_id == open_id), None)
        if index is not None and self.checklist is not None:
            self.detail_thumbs = await thumbnails(self.app, self.photos_by_check.get(open_id, []))
            self.open_index = index

    async def _reload(self) -> None:
        ctx, vid, call = self.app.ctx, self.visit_id, self.app.call
        result = await call(sampling.list_registers, ctx, vid)
        self.registers = result.value if result.ok else []
        result = await call(sampling.list_samples, ctx, vid)
        self.samples = result.value if result.ok else []
        self.register = self.registers[-1] if self.registers else None
        drawn = [s for s in self.samples if s.drawn]
        self.sample = drawn[-1] if drawn else None
        self.draw = None
        self.dossiers: list = []
        self.photos_by_check: dict[str, list] = {}
        if self.sample is not None:
            result = await call(sampling.recorded_draw, ctx, self.sample.id)
            self.draw = result.value if result.ok else None
            await self._reload_dossiers()
            if self.checklist is None:
                result = await call(sampling.dossier_checklist, ctx)
                self.checklist = result.value if result.ok else None
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
        result = await self.app.call(sampling.sampled_dossiers, self.app.ctx, self.sample.id)
        if result.ok:
            self.dossiers = result.value
        self.photos_by_check: dict[str, list] = {}
        service = photo_service()
        if service is None:
            return
        result = await self.app.call(service.list_photos, self.app.ctx, self.visit_id)
        for p in result.value_or([]):
            if p.dossier_check_id:
                self.photos_by_check.setdefault(p.dossier_check_id, []).append(p)

    # --- labels ----------------------------------------------------------------------------------
    def timeliness_text(self, tl) -> str:
        status = tl.status.value
        text = self.t(f"ds.tl.{status}")
        if status in ("early", "late", "overdue") and tl.working_days:
            return self.t("ds.tl_days", label=text, n=tl.working_days)
        return text

    def stratum_label(self, key: tuple[str, ...]) -> str:
        parts = [key[0] if key and key[0] else self.t("ds.no_domain")]
        if len(key) > 1:
            parts.append(self.t(f"ds.tl.{key[1]}"))
        return " · ".join(parts)

    def size_text(self, params: dict) -> str:
        size = params.get("size", {})
        if size.get("mode") == "fixed":
            text = self.t("ds.size_fixed", n=size.get("per_stratum", 0))
        else:
            text = self.t("ds.size_proportional", total=size.get("total", 0), minimum=size.get("minimum", 0))
        if "timeliness" in params.get("strata_by", []):
            as_of = params.get("as_of") or ""
            shown = "/".join(reversed(as_of.split("-"))) if as_of else ""
            return f"{self.t('ds.strata_timeliness', date=shown)}; {text}"
        return f"{self.t('ds.strata_domain')}; {text}"

    @staticmethod
    def photo_caption(dossier, item=None) -> str:
        """Captions are data for the minutes (in Vietnamese), naming the dossier and the item."""
        if item is None:
            return label("ds.photo_caption", "vi", code=dossier.code)
        return label("ds.photo_caption_item", "vi", code=dossier.code, item=item.text.vi)

    # --- building --------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        t = self.t
        self.file_picker = ft.FilePicker()  # keep a reference: unreferenced services are unregistered
        self.picker = PhotoPicker(self.app)  # the item cards add photos through ``screen.picker``
        self.mode = ft.SegmentedButton(
            selected=["fixed"], allow_empty_selection=False, allow_multiple_selection=False,
            segments=[ft.Segment(value="fixed", label=t("ds.mode_fixed")),
                      ft.Segment(value="proportional", label=t("ds.mode_proportional"))],
            on_change=self._mode_changed)
        numbers = dict(keyboard_type=ft.KeyboardType.NUMBER, input_filter=ft.NumbersOnlyInputFilter(), width=220)
        self.per_stratum = ft.TextField(label=t("ds.per_stratum"), value="2", **numbers)
        self.total = ft.TextField(label=t("ds.total"), value="10", visible=False, **numbers)
        self.minimum = ft.TextField(label=t("ds.minimum"), value="1", visible=False, **numbers)
        self.by_timeliness = ft.Checkbox(label=t("ds.by_timeliness"), value=False)
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
        title: list[ft.Control] = [heading(t("ds.step_register")), ft.Container(expand=True)]
        if not self.locked:
            text = t("ds.pick_other") if self.register is not None else t("ds.pick_file")
            make = ft.OutlinedButton if self.register is not None else ft.FilledButton
            title.append(make(text, icon=ft.Icons.UPLOAD_FILE, on_click=self._pick_register))
        parts: list[ft.Control] = [ft.Row(title, vertical_alignment=ft.CrossAxisAlignment.CENTER)]
        if self.register is not None:
            r = self.register
            parts.append(ft.Text(t("ds.register_summary", name=r.source_name, n=r.row_count, bad=r.bad_row_count,
                                   time=fmt.show_datetime(r.imported_at)), size=16))
            parts.append(fact(t("ds.frame_hash"), r.frame_hash))
        else:
            parts.append(muted(t("ds.register_intro" if not self.locked else "ds.no_register"), 15))
        if self.preview is not None:
            parts.append(self._preview_panel())
        return panel(parts)

    def _preview_panel(self) -> ft.Control:
        t = self.t
        preview, _path = self.preview
        r = preview.result
        m = r.mapping
        where = t("ds.encoding", enc=r.encoding) if r.file_format == "csv" else t("ds.sheet", sheet=r.sheet or "")
        mapped = [ft.Semantics(identifier=f"mapped-{c.field}", container=True, content=ft.Row([
            ft.Text(t("ds.quoted", text=c.header), size=15),
            ft.Icon(ft.Icons.ARROW_RIGHT_ALT, size=18, color=ft.Colors.GREEN_800),
            ft.Text(t(f"ds.field.{c.field}"), size=15, weight=ft.FontWeight.W_600)], spacing=6, tight=True))
            for c in m.mapped]
        ignored = [ft.Text(t("ds.ignored_row", header=c.header, reason=t.pick(c.reason_vi, c.reason_en)), size=15,
                           color=ft.Colors.GREY_800) for c in m.ignored[:MAX_LISTED]]
        if len(m.ignored) > MAX_LISTED:
            ignored.append(muted(t("ds.more_rows", n=len(m.ignored) - MAX_LISTED)))
        columns = ft.ResponsiveRow([
            ft.Column([ft.Text(t("ds.mapped"), size=16, weight=ft.FontWeight.W_600, color=ft.Colors.GREEN_900),
                       *mapped], spacing=2, col={"sm": 12, "md": 6}),
            ft.Column([ft.Text(t("ds.ignored"), size=16, weight=ft.FontWeight.W_600), *ignored]
                      if ignored else [], spacing=2, col={"sm": 12, "md": 6}),
        ])
        parts: list[ft.Control] = [
            heading(t("ds.preview_title", name=r.source_name), 18),
            muted(t("ds.preview_format", fmt=r.file_format.upper(), where=where, row=m.header_row)),
            ft.Text(t("ds.readable", n=r.frame.size, rows=r.rows_read), size=17, weight=ft.FontWeight.W_600),
            columns,
        ]
        if m.missing:
            parts.append(ft.Text(t("ds.missing", fields=", ".join(t(f"ds.field.{f}") for f in m.missing)),
                                 size=15, color=ft.Colors.BROWN_800))
        if r.bad_rows:
            bad = [ft.Text(t("ds.bad_row", row=b.row, reason=t.pick(b.reason_vi, b.reason_en)), size=15,
                           color=ft.Colors.RED_900) for b in r.bad_rows[:MAX_LISTED]]
            if len(r.bad_rows) > MAX_LISTED:
                bad.append(muted(t("ds.more_rows", n=len(r.bad_rows) - MAX_LISTED)))
            parts.append(ft.Container(ft.Column([
                ft.Text(t("ds.bad_rows", n=len(r.bad_rows)), size=16, weight=ft.FontWeight.W_600,
                        color=ft.Colors.RED_900), *bad], spacing=2),
                bgcolor=ft.Colors.RED_50, border_radius=8, padding=10))
        else:
            parts.append(ft.Text(t("ds.no_bad_rows"), size=15, color=ft.Colors.GREEN_900))
        if preview.domains:
            parts.append(ft.Text(t("ds.domains"), size=16, weight=ft.FontWeight.W_600))
            parts.append(ft.Row([chip(t("ds.domain_count", domain=d or t("ds.no_domain"), n=n), ft.Colors.INDIGO_50)
                                 for d, n in preview.domains[:MAX_LISTED]], wrap=True, spacing=6, run_spacing=6))
        parts.append(fact(t("ds.frame_hash"), preview.frame_hash))
        parts.append(ft.Row([
            ft.FilledButton(t("ds.import"), icon=ft.Icons.DOWNLOAD_DONE, on_click=self._import,
                            disabled=r.frame.size == 0),
            ft.TextButton(t("common.cancel"), on_click=self._cancel_preview),
        ], wrap=True))
        return panel(parts, ft.Colors.INDIGO_50, identifier="register-preview")

    def _size_panel(self) -> ft.Control:
        t = self.t
        fixed = self.prepared is not None
        for control in (self.mode, self.per_stratum, self.total, self.minimum, self.by_timeliness):
            control.disabled = fixed
        parts: list[ft.Control] = [
            heading(t("ds.step_size")),
            muted(t("ds.size_intro"), 15),
            ft.Row([self.mode]),
            ft.Row([self.per_stratum, self.total, self.minimum], wrap=True),
            self.by_timeliness,
        ]
        if self.abandoned:
            parts.append(muted(t("ds.abandoned", n=self.abandoned)))
        if not fixed:
            parts.append(ft.Row([ft.FilledButton(t("ds.prepare"), icon=ft.Icons.LOCK_CLOCK,
                                                 on_click=self._prepare)]))
            return panel(parts)
        p = self.prepared
        groups = ", ".join(f"{self.stratum_label(key)}: {n}" for key, n in p.populations)
        parts.append(panel([
            ft.Row([ft.Icon(ft.Icons.VERIFIED_USER, color=ft.Colors.GREEN_800),
                    ft.Text(t("ds.prepared_title"), size=17, weight=ft.FontWeight.W_600,
                            color=ft.Colors.GREEN_900, expand=True)]),
            fact(t("ds.commitment"), p.commitment),
            fact(t("ds.frame_hash"), p.frame_hash),
            ft.Text(t("ds.frame_size", n=p.frame_size), size=15),
            ft.Text(t("ds.populations", groups=groups), size=15),
            ft.Text(t("ds.prepared_hint"), size=15, color=ft.Colors.BROWN_800),
        ], ft.Colors.GREEN_50, identifier="sample-commitment"))
        parts.append(ft.Row([
            ft.FilledButton(t("ds.draw"), icon=ft.Icons.CASINO, on_click=self._draw),
            ft.TextButton(t("ds.change"), on_click=self._change),
        ], wrap=True))
        return panel(parts)

    def _sample_panel(self) -> ft.Control:
        t, s = self.t, self.sample
        frame_size = s.parameters.get("frame_size", 0)
        when = (t("ds.drawn_at", time=fmt.show_datetime(s.drawn_at), who=s.drawn_by) if s.drawn_by
                else t("ds.drawn_at_time", time=fmt.show_datetime(s.drawn_at)))
        parts: list[ft.Control] = [
            ft.Row([heading(t("ds.sample_title")),
                    ft.Text(t("ds.drawn", n=s.dossier_count), size=17, weight=ft.FontWeight.W_600,
                            color=ft.Colors.GREEN_900)], wrap=True, spacing=16),
            ft.Text(f"{self.size_text(s.parameters)} · {t('ds.frame_size', n=frame_size)}", size=15),
            ft.Semantics(identifier="sample-seed", container=True, content=fact(t("ds.seed"), s.seed_hex)),
            fact(t("ds.commitment"), s.commitment),
            fact(t("ds.frame_hash"), s.frame_hash),
            muted(f"{t('ds.algorithm', name=s.algorithm_version)} · {when}"),
        ]
        if self.register is not None and s.register_id != self.register.id:
            parts.append(banner(t("ds.new_register_hint"), "info"))
        return panel(parts, identifier="sample-record")

    def _dossier_list(self) -> list[ft.Control]:
        t = self.t
        out: list[ft.Control] = [heading(t("ds.step_check"))]
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
            out.append(ft.Text(t("ds.stratum", label=self.stratum_label(tuple(stratum.key)), drawn=len(rows),
                                 population=stratum.population),
                               size=18, weight=ft.FontWeight.W_700, color=ft.Colors.INDIGO_900))
            out.extend(self._dossier_row(i, d) for i, d in rows)
        return out

    def _dossier_row(self, index: int, d) -> ft.Control:
        t = self.t
        total = len(self.checklist.items) if self.checklist is not None else 0
        done = sum(1 for v in d.answers.values() if v is not None)
        dates = [t("ds.received", date=local_day(d.received)) if d.received else "",
                 t("ds.due", date=local_day(d.due)) if d.due else "",
                 t("ds.returned", date=local_day(d.returned)) if d.returned else
                 (t("ds.finished", date=local_day(d.finished)) if d.finished else "")]
        status = d.timeliness.status.value
        chips: list[ft.Control] = [chip(self.timeliness_text(d.timeliness), TIMELINESS_COLORS.get(status,
                                                                                                   ft.Colors.GREY_200))]
        if d.apology_flagged:
            chips.append(chip(t("ds.apology_flag"), ft.Colors.RED_700, ft.Icons.WARNING_AMBER, ft.Colors.WHITE))
        chips.append(chip(t("ds.progress", done=done, total=total),
                          ft.Colors.GREEN_100 if total and done >= total else ft.Colors.GREY_100))
        info = ft.Column([
            ft.Row([ft.Text(d.code, size=17, weight=ft.FontWeight.W_700),
                    ft.Text(" · ".join(x for x in (d.procedure_name, d.procedure_code) if x), size=15,
                            max_lines=1, overflow=ft.TextOverflow.ELLIPSIS, expand=True)], spacing=14),
            ft.Row([muted("  ·  ".join(x for x in dates if x)), *chips], wrap=True, spacing=8, run_spacing=4),
        ], spacing=4, expand=True)
        button = ft.FilledTonalButton(t("ds.view") if self.locked else t("ds.open"), icon=ft.Icons.CHEVRON_RIGHT,
                                      on_click=functools.partial(self._open, index))
        box = ft.Container(ft.Row([info, button], vertical_alignment=ft.CrossAxisAlignment.CENTER),
                           padding=ft.Padding.only(left=14, right=10, top=8, bottom=8), border_radius=10,
                           bgcolor=ft.Colors.WHITE, border=ft.Border.all(1, ft.Colors.GREY_300),
                           on_click=functools.partial(self._open, index))
        return ft.Semantics(identifier=f"dossier-{d.code}", container=True, content=box)

    # --- one dossier -----------------------------------------------------------------------------
    def _detail(self, index: int) -> list[ft.Control]:
        t, d = self.t, self.dossiers[index]
        last = len(self.dossiers) - 1
        nav = ft.Row([
            ft.TextButton(t("ds.back_to_list"), icon=ft.Icons.ARROW_BACK, on_click=self._close_detail),
            ft.Text(t("ds.position", n=index + 1, total=last + 1), size=16, weight=ft.FontWeight.W_600),
            ft.Container(expand=True),
            ft.OutlinedButton(t("ds.previous"), icon=ft.Icons.NAVIGATE_BEFORE, disabled=index == 0,
                              on_click=functools.partial(self._open, index - 1)),
            ft.OutlinedButton(t("ds.next"), icon=ft.Icons.NAVIGATE_NEXT, disabled=index >= last,
                              on_click=functools.partial(self._open, index + 1)),
        ], vertical_alignment=ft.CrossAxisAlignment.CENTER)
        facts = [x for x in (
            t("ds.procedure", name=" · ".join(x for x in (d.procedure_name, d.procedure_code) if x))
            if d.procedure_name or d.procedure_code else "",
            t("ds.domain", name=d.domain) if d.domain else "",
            t("ds.channel", name=d.channel) if d.channel else "",
            t("ds.status", name=d.status) if d.status else "",
            t("ds.processing_unit", name=d.processing_unit) if d.processing_unit else "") if x]
        dates = [x for x in (
            t("ds.received", date=local_day(d.received)) if d.received else "",
            t("ds.due", date=local_day(d.due)) if d.due else "",
            t("ds.finished", date=local_day(d.finished)) if d.finished else "",
            t("ds.returned", date=local_day(d.returned)) if d.returned else "") if x]
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
        for section in self.checklist.sections:
            parts.append(ft.Text(t.text(section.title), size=19, weight=ft.FontWeight.W_700,
                                 color=ft.Colors.INDIGO_900))
            for item in section.items:
                caption = self.photo_caption(d, item)
                card = DossierItemCard(self, d, self.checklist, section, item,
                                       [p for p in photos if p.caption == caption], thumbs)
                self.cards.append(card)
                parts.append(card.control)
        item_captions = {self.photo_caption(d, i) for i in self.checklist.items}
        self.note_field = ft.TextField(label=t("ds.general_note"), value=d.note, multiline=True, min_lines=2,
                                       max_lines=6, read_only=self.locked)
        self.note_saver = AutoSave(self.note_field, self._save_note)
        self.photo_row = ft.Row([thumb(thumbs.get(p.id), p.caption or t("nav.photos"), 96)
                                 for p in photos if p.caption not in item_captions], wrap=True, spacing=8)
        if not self.photo_row.controls:
            self.photo_row.controls = [muted(t("ds.no_photos"))]
        parts.append(panel([
            self.note_field,
            ft.Text(t("ds.photos"), size=16, weight=ft.FontWeight.W_600),
            self.photo_row,
            ft.Row([ft.OutlinedButton(t("ds.add_photo"), icon=ft.Icons.ADD_A_PHOTO, disabled=self.locked,
                                      on_click=self._add_dossier_photo)]),
        ]))
        parts.append(ft.Row([
            ft.TextButton(t("ds.back_to_list"), icon=ft.Icons.ARROW_BACK, on_click=self._close_detail),
            ft.Container(expand=True),
            ft.FilledButton(t("ds.next"), icon=ft.Icons.NAVIGATE_NEXT, disabled=index >= last,
                            on_click=functools.partial(self._open, index + 1)),
        ]))
        return parts

    def _status_chips(self, d) -> list[ft.Control]:
        total = len(self.checklist.items) if self.checklist is not None else 0
        done = sum(1 for v in d.answers.values() if v is not None)
        out = [chip(self.timeliness_text(d.timeliness), TIMELINESS_COLORS.get(d.timeliness.status.value,
                                                                             ft.Colors.GREY_200)),
               chip(self.t("ds.progress", done=done, total=total),
                    ft.Colors.GREEN_100 if total and done >= total else ft.Colors.WHITE)]
        return out

    def _flag_lines(self, d) -> list[ft.Control]:
        if not d.apology_flagged:
            return []
        reasons = d.apology_reasons_vi if self.lang == "vi" else d.apology_reasons_en
        return [banner(" ".join([self.t("ds.apology_flag"), *reasons]), "error")]

    @property
    def lang(self) -> str:
        return self.app.lang

    # --- handlers: register ----------------------------------------------------------------------
    async def _pick_register(self, e=None) -> None:
        files = await self.file_picker.pick_files(file_type=ft.FilePickerFileType.CUSTOM,
                                                  allowed_extensions=REGISTER_EXTENSIONS, allow_multiple=False,
                                                  with_data=bool(self.app.page.web))
        if not files:
            return
        f = files[0]
        data_dir = Path(self.app.ctx.data_dir)

        def keep() -> Path:
            data = f.bytes if f.bytes is not None else Path(f.path).read_bytes()
            return keep_upload(data_dir, f.name, data)

        got = await self.app.call(keep, work="long")
        if not got.ok:
            return
        path = got.value
        got = await self.app.call(sampling.preview_register, path, work="long")
        if not got.ok:
            return
        preview = got.value
        self.preview = (preview, path)
        self._render()

    def _cancel_preview(self, e=None) -> None:
        self.preview = None
        self._render()

    async def _import(self, e=None) -> None:
        if self.preview is None:
            return
        preview, path = self.preview
        got = await self.app.call(sampling.import_register, self.app.ctx, self.visit_id, path, preview=preview)
        if not got.ok:
            return
        summary = got.value
        self.preview = None
        await self._reload()
        self._render()
        self.app.toast(self.t("ds.imported", n=summary.row_count))

    # --- handlers: size, commitment, draw ---------------------------------------------------------
    def _mode_changed(self, e=None) -> None:
        proportional = (self.mode.selected or ["fixed"])[0] == "proportional"
        self.per_stratum.visible = not proportional
        self.total.visible = self.minimum.visible = proportional

    def _number(self, field: ft.TextField, minimum: int = 1) -> int | None:
        text = (field.value or "").strip()
        if not text.isdigit() or int(text) < minimum:
            field.error = self.t("ds.bad_number")
            return None
        field.error = None
        return int(text)

    async def _prepare(self, e=None) -> None:
        if self.register is None:
            return
        proportional = (self.mode.selected or ["fixed"])[0] == "proportional"
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
        self.app.toast(self.t("ds.drawn_toast", n=len(result.codes)))

    # --- handlers: one dossier -------------------------------------------------------------------
    async def _flush(self) -> None:
        for card in self.cards:
            await card.flush()
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
        self._render()
        self.app.page.update()
        await self.scroller.scroll_to(offset=0)

    async def _close_detail(self, e=None) -> None:
        await self._flush()
        self.cards, self.note_saver = [], None
        self.open_index = None
        self.app.state.dossier_open.pop(self.visit_id, None)
        await self._reload_dossiers()
        self._render()
        self.app.page.update()
        await self.scroller.scroll_to(offset=0)

    async def dossier_changed(self) -> None:
        """After an answer: the timeliness, progress and apology flag shown for the dossier."""
        if self.open_index is None:
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
            self.photo_row.controls.append(thumb(thumbs.get(p.id), p.caption or self.t("nav.photos"), 96))
        self.app.toast(self.t("ph.added", n=len(stored)))

    # --- what the item cards expect of their screen ----------------------------------------------
    def section_changed(self, card) -> None:
        """The visit checklist's section counters; a dossier shows its progress in the header."""

    async def refresh_gaps(self, card) -> bool:
        return False  # there is no service yet telling which dossier items lack a note or photo

    async def leave(self) -> None:
        await self._flush()
