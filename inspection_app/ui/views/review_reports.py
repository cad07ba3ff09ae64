"""The two period reports, made from the dashboard's period: a small form and the hand-over.

The team's report to the Director needs its signer's name and post in the Department; the
Department's report to the provincial People's Committee needs its signer and the office's own words
(strengths, shortcomings, proposals). Both come as PDF and XLSX: in a browser they arrive as
downloads (as the minutes do, ``views/minutes.py``); on a desktop they are kept under the data
directory's ``exports/`` and the paths are shown.
"""

from __future__ import annotations

import flet as ft

from inspection_app.locale import N_
from inspection_app.ui.enum_labels import enum_label

from ...services import province_report, reports
from .base import banner
from .review_common import attempt

KINDS = ("director", "province")


def _make(ctx, kind: str, date_from, date_to, number: str, signer: str, post: str, strengths: str,
          shortcomings: str, proposals: str) -> tuple[bytes, bytes, str]:
    if kind == "province":
        return province_report.province_bytes(ctx, date_from, date_to, number=number, signer_name=signer,
                                              signer_title=post or "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
                                              strengths=strengths, shortcomings=shortcomings, proposals=proposals)
    return reports.report_bytes(ctx, date_from, date_to, number=number, signer_name=signer, signer_post=post)


class ReportPanel:
    """The report form. ``period()`` gives the dashboard's (date_from, date_to) or None with a reason."""

    def __init__(self, screen, period):
        self.screen, self.period = screen, period
        t = screen.t
        self.picker = ft.FilePicker()  # hands files to the browser as downloads
        self.kind = ft.SegmentedButton(selected=["director"], allow_empty_selection=False,
                                       on_change=lambda e: self._show_kind(),
                                       segments=[ft.Segment(value=k, label=ft.Text(t(enum_label("of.report.kind", k))))
                                                 for k in KINDS])
        self.number = ft.TextField(label=t("Số văn bản"), width=160, hint_text="12")
        self.signer = ft.TextField(label=t("Họ và tên người ký"), width=280, value=screen.app.ctx.actor or "")
        self.post = ft.TextField(label=t("Chức vụ tại Sở của người ký"), width=320, hint_text="Phó Giám đốc Sở Nội vụ")
        self.strengths = ft.TextField(label=t("Ưu điểm"), multiline=True, min_lines=2, max_lines=6)
        self.shortcomings = ft.TextField(label=t("Tồn tại, hạn chế"), multiline=True, min_lines=2, max_lines=6)
        self.proposals = ft.TextField(label=t("Đề xuất, kiến nghị"), multiline=True, min_lines=2, max_lines=6)
        self.province_box = ft.Column([self.strengths, self.shortcomings, self.proposals], spacing=8, visible=False)
        self.go = ft.FilledButton(t("Lập và tải về"), icon=ft.Icons.DOWNLOAD, on_click=self._run, height=48)
        self.notice = ft.Column(spacing=4)
        # hidden as a whole: a Semantics node must not wrap invisible content
        self.control = ft.Semantics(identifier="report-panel", container=True, visible=False, content=ft.Container(
            ft.Column([self.kind, ft.Row([self.number, self.signer, self.post], wrap=True, spacing=10),
                       self.province_box, ft.Row([self.go]), self.notice], spacing=10),
            padding=14, border_radius=10, bgcolor=ft.Colors.INDIGO_50))

    def toggle(self, e=None) -> None:
        self.control.visible = not self.control.visible
        self.screen.update()

    def _show_kind(self) -> None:
        province = self.kind.selected[0] == "province"
        self.province_box.visible = province
        t = self.screen.t
        self.post.label = t(N_("Chức danh ký (KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC)") if province else N_("Chức vụ tại Sở của người ký"))
        self.post.hint_text = "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" if province else "Phó Giám đốc Sở Nội vụ"
        self.screen.update()

    def _say(self, text: str, kind: str) -> None:
        self.notice.controls = [banner(text, kind, identifier="report-result")]
        self.screen.update()

    async def _run(self, e=None) -> None:
        t = self.screen.t
        chosen, reason = self.period()
        if chosen is None:
            self._say(reason, "warn")
            return
        date_from, date_to = chosen
        post = (self.post.value or "").replace(" / ", "\n")
        self.go.disabled = True
        self._say(t("Đang lập báo cáo…"), "info")
        result, error = await attempt(self.screen.app, _make, self.screen.app.ctx, self.kind.selected[0], date_from,
                                      date_to, self.number.value or "", self.signer.value or "", post,
                                      self.strengths.value or "", self.shortcomings.value or "",
                                      self.proposals.value or "")
        self.go.disabled = False
        if error:
            self._say(error, "error")
            return
        pdf, xlsx, stem = result
        if self.screen.app.page.web:
            await self.picker.save_file(file_name=f"{stem}.pdf", src_bytes=pdf)
            await self.picker.save_file(file_name=f"{stem}.xlsx", src_bytes=xlsx)
            self._say(t("Đã tải về {name}.pdf và {name}.xlsx", name=stem), "ok")
            return
        saved, error = await attempt(self.screen.app, lambda: (
            reports.save_export(self.screen.app.ctx, f"{stem}.pdf", pdf),
            reports.save_export(self.screen.app.ctx, f"{stem}.xlsx", xlsx)))
        if error:
            self._say(error, "error")
        else:
            self._say(t("Đã lưu báo cáo: {pdf} và bảng số liệu: {xlsx}", pdf=str(saved[0]), xlsx=str(saved[1])), "ok")
