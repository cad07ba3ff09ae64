"""A visit's full record, read-only (``/review/visits/<id>``), as the office reviews it.

Everything ``services.review.visit_record`` returns, laid out in the order of the minutes: the unit
and the visit, the people, the roll call, the checklists' answers, findings and photos, the dossier
sample, signatures, the stored minutes versions (number, SHA-256, signed or not, file intact), the
remedies, open conflicts and the audit chain. Nothing here changes the visit: the one action copies
the current minutes PDF into ``exports/``.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from inspection_app.locale import N_, N_p
from inspection_app.ui.enum_labels import enum_label

from ...domain.answers import display_value, is_failed
from ...domain.checklist import Item
from ...domain.report import percent
from ...services import checklists, minutes, photos, review, visit_digest
from ...services.conflict_words import signer_text
from .. import fmt
from ..widgets.photos import thumb
from .base import Screen, banner, heading, muted
from .home import status_chip
from .review_common import TARGET, cell, field_line, header_row, lines, remedy_chip, section, show_date
from .review_visits import kind_label

ATTENDANCE_COLORS = {"late": ft.Colors.ORANGE_800, "absent_unexcused": ft.Colors.RED_800,
                     "left_post": ft.Colors.RED_800}


class ReviewVisitScreen(Screen):
    """Not a VisitScreen: the navigation stays the office's, and nothing is editable."""

    nav_key = "review"
    title_key = N_("Hồ sơ lượt kiểm tra")
    back_route = "/review"

    def __init__(self, app, record_id: str, **params: str):
        super().__init__(app, **params)
        self.record_id = record_id
        self.record: Any = None  # the review.VisitRecord, once loaded
        self.items: dict[str, dict[str, Item]] = {}  # checklist id -> item id -> Item
        self.titles: dict[str, str] = {}
        self.dossier_lists: set[str] = set()
        self.thumbs: dict[str, bytes] = {}
        self.seal: Any = None  # services.visit_digest.SealCheck (bundles, issue #10)

    async def load(self) -> None:
        ctx = self.app.ctx
        got = await self.app.call(review.visit_record, ctx, self.record_id)
        if not got.ok:
            return
        record = got.value
        self.record = record
        lists = await self.app.call(checklists.visit_checklists, ctx, self.record_id)
        for c in lists.value_or([]):
            self.titles[c.id] = self.t.text(c.title)
            self.items[c.id] = {i.id: i for i in c.items}
            if c.scope == "dossier":
                self.dossier_lists.add(c.id)
        seal = await self.app.call(visit_digest.check, ctx, self.record_id)
        self.seal = seal.value if seal.ok else None
        if record.photos:
            data = await self.app.call(photos.thumbnail_bytes_many, ctx, [p.id for p in record.photos],
                                       work="long")
            self.thumbs = data.value if data.ok else {}

    def title(self) -> str:
        if self.record is None:
            return self.t(self.title_key)
        return f"{self.t(self.title_key)} · {self.record.unit.name}"

    def build(self) -> ft.Control:
        t, r = self.t, self.record
        if r is None:
            return ft.Column([banner(t("Không tìm thấy cuộc kiểm tra."), "error")])
        self.minutes_notice = ft.Column(spacing=4)
        parts = [
            self._head(r), self._people(r), self._roll_call(r), self._answers(r), self._findings(r),
            self._photos(r), self._dossiers(r), self._signatures(r), self._minutes(r), self._seal(),
            self._remedies(r),
            self._integrity(r),
        ]
        return ft.Column([p for p in parts if p is not None], spacing=12, scroll=ft.ScrollMode.AUTO, expand=True,
                         horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    # --- sections ----------------------------------------------------------------------------------
    def _head(self, r: review.VisitRecord) -> ft.Control:
        t, u = self.t, r.unit
        title = ft.Row([heading(u.name, 24), status_chip(t, r.status), ft.Text(t(enum_label("kind", r.kind)), size=16)],
                       spacing=12, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        left = lines(
            field_line(t("Loại đơn vị"), u.kind), field_line(t("Cơ quan chủ quản"), u.parent_agency),
            field_line(t("Địa chỉ"), u.address), field_line(t("Người đứng đầu"), u.head_name),
            field_line(t("Địa điểm kiểm tra"), r.place))
        decision = r.decision_number + (f" ({fmt.show_date(r.decision_date)})" if r.decision_date else "")
        right = lines(
            field_line(t("Ngày kiểm tra"), show_date(r.visit_date)),
            field_line(t(N_p("of.rec.decision", "Quyết định thành lập Đoàn")), decision), field_line(t("Kế hoạch"), r.plan_reference),
            field_line(t("Đoàn đến lúc"), fmt.show_datetime(r.arrival_at)),
            field_line(t("Kết thúc lúc"), fmt.show_datetime(r.ended_at)),
            field_line(t("Khóa lúc"), fmt.show_datetime(r.closed_at)),
            field_line(t("Số biên bản"), r.minutes_number),
            field_line(t("Người lập, máy"), " · ".join(x for x in (r.created_by, r.device_id) if x)))
        body: list[Any] = [title, ft.Row([ft.Column(left, expand=1, spacing=4),
                                                 ft.Column(right, expand=1, spacing=4)],
                                                vertical_alignment=ft.CrossAxisAlignment.START)]
        if r.assessment:
            body.append(field_line(t("Nhận xét của Đoàn"), r.assessment))
        if r.unit_opinion:
            body.append(field_line(t(N_p("of.rec.unit_opinion", "Ý kiến của đơn vị")), r.unit_opinion))
        if r.open_conflicts:
            body.append(banner(t.plural("Lượt kiểm tra này còn {n} xung đột dữ liệu chưa xử lý.", "Lượt kiểm tra này còn {n} xung đột dữ liệu chưa xử lý.", r.open_conflicts, n=r.open_conflicts), "warn"))
        return section(t(N_p("of.rec.visit", "Lượt kiểm tra")), body, identifier="rec-head")

    def _people(self, r: review.VisitRecord) -> ft.Control:
        t = self.t
        team = [p for p in r.participants if p.side == "team"]
        unit = [p for p in r.participants if p.side != "team"]

        def person(p) -> ft.Control:
            role = (t(enum_label("role", p.role)) if p.side == "team" else p.role) if p.role else ""
            extra = ", ".join(x for x in (role, p.position) if x)
            return ft.Text(f"• {p.full_name}" + (f" — {extra}" if extra else ""), size=15)

        cols: list[ft.Control] = [ft.Column([ft.Text(t("Thành viên Đoàn"), size=15, weight=ft.FontWeight.W_600),
                           *([person(p) for p in team] or [muted(t("Chưa có"))])], expand=1, spacing=2),
                ft.Column([ft.Text(t("Đại diện đơn vị"), size=15, weight=ft.FontWeight.W_600),
                           *([person(p) for p in unit] or [muted(t("Chưa có"))])], expand=1, spacing=2)]
        return section(t("Thành phần"), [ft.Row(cols, vertical_alignment=ft.CrossAxisAlignment.START)])

    def _roll_call(self, r: review.VisitRecord) -> ft.Control:
        t, tt = self.t, r.roll_call_totals
        totals = t("Tổng số: {total} · Có mặt: {present} · Đi muộn: {late} · Vắng có lý do: {excused} · Vắng không lý do: {unexcused} · Rời vị trí: {left} · Chưa điểm danh: {unmarked}", total=tt.roster, present=tt.present, late=tt.late, excused=tt.absent_excused,
                   unexcused=tt.absent_unexcused, left=tt.left_post, unmarked=tt.not_recorded)
        rate = t("Tỷ lệ có mặt: {rate}", rate=percent(tt.attendance_rate if tt.roster else None, t.lang))
        body: list[ft.Control] = [
            ft.Semantics(identifier="rec-rollcall-totals", container=True, content=ft.Container(
                ft.Column([ft.Text(totals, size=16, weight=ft.FontWeight.W_600, color=ft.Colors.INDIGO_900),
                           ft.Text(rate, size=15)], spacing=2),
                bgcolor=ft.Colors.INDIGO_50, padding=10, border_radius=8))]
        shown = [a for a in r.roll_call if a.status != "present"]
        if shown:
            body.append(header_row([cell(t("Họ và tên"), 260, bold=True), cell(t("Chức vụ"), 200, bold=True),
                                    cell(t("Tình trạng"), 240, bold=True), cell(t("Giờ đến"), 110, bold=True),
                                    cell(t("Lý do, giấy tờ, ghi chú"), expand=1, bold=True)]))
            for a in shown:
                status = t(enum_label("att", a.status))
                if a.minutes_late:
                    status += f" ({t.plural('muộn {n} phút', 'muộn {n} phút', a.minutes_late, n=a.minutes_late)})"
                reason = " · ".join(x for x in (a.reason, a.evidence, a.note) if x) or "–"
                body.append(ft.Container(ft.Row([
                    cell(a.full_name, 260), cell(a.position or "–", 200),
                    cell(status, 240, color=ATTENDANCE_COLORS.get(a.status), bold=a.status in ATTENDANCE_COLORS),
                    cell(a.arrival_time or "–", 110), cell(reason, expand=1)], spacing=0), height=TARGET,
                    border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200))))
            present = len(r.roll_call) - len(shown)
            if present:
                body.append(muted(t.plural("{n} người còn lại có mặt đúng giờ.", "{n} người còn lại có mặt đúng giờ.", present, n=present), 14))
        return section(t("Điểm danh"), body, identifier="rec-rollcall")

    def _answers(self, r: review.VisitRecord) -> ft.Control:
        t = self.t
        body: list[ft.Control] = []
        ids = [c["id"] for c in r.checklists if c.get("id")]
        ids += [c for c in r.answers if c not in ids]
        for cid in ids:
            if cid in self.dossier_lists:  # answered per sampled dossier: shown with the sample
                continue
            answers = {a.item_id: a for a in r.answers.get(cid, [])}
            items = self.items.get(cid, {})
            failed = 0
            rows: list[ft.Control] = []
            order = list(items) + [i for i in answers if i not in items]
            for item_id in order:
                a = answers.get(item_id)
                item = items.get(item_id)
                text = t.text(item.text) if item is not None else item_id
                if a is None:
                    value, bad = t("Chưa trả lời"), False
                elif item is not None:
                    value, bad = display_value(item, a.value, t.lang), is_failed(item, a.value)
                else:
                    value, bad = a.value or "", a.value == "fail"
                failed += bad
                note = a.note if a else ""
                rows.append(ft.Container(ft.Row([
                    cell(text, expand=1, size=14),
                    cell(value or "–", 170, bold=bad, color=ft.Colors.RED_800 if bad else None, size=14),
                    cell(note or "", 380, size=14)], spacing=0),
                    bgcolor=ft.Colors.RED_50 if bad else None, padding=ft.Padding.symmetric(vertical=4),
                    border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200))))
            title = self.titles.get(cid, cid)
            count = t("Đã trả lời {answered}/{total} · Không đạt: {failed}", answered=len(answers), total=len(order), failed=failed)
            body.append(ft.ExpansionTile(
                title=ft.Text(title, size=16, weight=ft.FontWeight.W_600),
                subtitle=ft.Text(count, size=14, color=ft.Colors.RED_800 if failed else ft.Colors.GREY_700),
                controls=rows, expanded=bool(failed), maintain_state=True))
        if not body:
            body.append(muted(t("Cuộc kiểm tra này chưa có danh mục kiểm tra."), 15))
        return section(t("Nội dung kiểm tra"), body, identifier="rec-answers")

    def _findings(self, r: review.VisitRecord) -> ft.Control:
        t = self.t
        body: list[ft.Control] = []
        for n, f in enumerate(r.findings, start=1):
            meta = " · ".join(x for x in (
                kind_label(t, f.kind) if f.kind else "", t(enum_label("sev", f.severity)) if f.severity else "",
                f"{t('Người')}: {', '.join(f.people or [f.person])}" if f.person or f.people else "", f.place,
                fmt.show_datetime(f.occurred_at), t("Yêu cầu bản tường trình") if f.explanation_requested else "",
                t.plural("{n} ảnh", "{n} ảnh", len(f.photo_ids), n=len(f.photo_ids)) if f.photo_ids else "") if x)
            body.append(ft.Semantics(identifier=f"rec-finding-{n}", container=True, content=ft.Container(
                ft.Column([ft.Text(f.description, size=16), muted(meta, 14)], spacing=2),
                padding=10, border_radius=8,
                bgcolor=ft.Colors.RED_50 if f.severity == "high" else ft.Colors.GREY_50)))
        if not body:
            body.append(muted(t("Chưa có phát hiện nào."), 15))
        return section(t("Phát hiện"), body, identifier="rec-findings")

    def _photos(self, r: review.VisitRecord) -> ft.Control | None:
        if not r.photos:
            return None
        t = self.t
        findings = {f.id: f.description for f in r.findings}
        tiles: list[ft.Control] = [ft.Column([thumb(self.thumbs.get(p.id), p.caption or t("Ảnh"), size=140),
                            ft.Text(p.caption, size=13, width=140, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS),
                            *([muted(f"{t('Gắn với')}: {links}", 12)] if (links := self._photo_links(findings, p)) else [])],
                           spacing=4, width=140) for p in r.photos]
        return section(t("Ảnh hiện trường"), [ft.Row(tiles, wrap=True, spacing=12, run_spacing=12)],
                       identifier="rec-photos")

    def _photo_links(self, findings: dict[str, str], p: review.PhotoRow) -> str:
        """Everything the photo is evidence for: its first link and the further ones (issue #13);
        ``findings`` maps the visit's findings to their descriptions."""
        t = self.t
        labels: list[str] = []
        for cid, iid, fid in [(p.checklist_id, p.item_id, p.finding_id), *p.also]:
            if fid:
                text = findings.get(fid, "")
                label = t("Phát hiện: {text}", text=text if len(text) <= 60 else text[:59] + "…")
            elif iid:
                item = self.items.get(cid or "", {}).get(iid)
                label = t.text(item.text) if item is not None else iid
            else:
                continue
            if label not in labels:
                labels.append(label)
        return "; ".join(labels)

    def _dossiers(self, r: review.VisitRecord) -> ft.Control | None:
        if not r.samples and not r.dossiers:
            return None
        t = self.t
        body: list[ft.Control] = []
        for s in r.samples:
            body.append(muted(t("Chọn mẫu lúc {when} · thuật toán {algo} · mã băm danh sách {frame}… · hạt giống {seed}…", when=fmt.show_datetime(s.drawn_at), algo=s.algorithm_version,
                                frame=s.frame_hash[:16], seed=s.seed_hex[:16]), 14))
        if r.dossiers:
            body.append(header_row([cell(t("Mã hồ sơ"), 250, bold=True), cell(t("Thủ tục"), expand=1, bold=True),
                                    cell(t("Hẹn trả"), 120, bold=True), cell(t("Đã trả"), 120, bold=True),
                                    cell(t("Kết quả"), 140, bold=True)]))
            for d in r.dossiers:
                late = d.timeliness in ("late", "overdue")
                body.append(ft.Container(ft.Row([
                    cell(d.code, 250, size=14), cell(f"{d.procedure_name} ({d.domain})" if d.domain else d.procedure_name,
                                                     expand=1, size=14),
                    cell(fmt.show_date(d.due_at) or "–", 120, size=14),
                    cell(fmt.show_date(d.returned_at) or "–", 120, size=14),
                    cell(t(enum_label("of.tl", d.timeliness)) if d.timeliness in TIMELINESS else d.timeliness, 140, size=14,
                         bold=late, color=ft.Colors.RED_800 if late else None)], spacing=0), height=TARGET,
                    border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.GREY_200))))
        return section(t("Hồ sơ thủ tục hành chính được chọn mẫu"), body, identifier="rec-dossiers")

    def _signatures(self, r: review.VisitRecord) -> ft.Control:
        t = self.t
        body: list[ft.Control] = []
        for s in r.signatures:
            who = t(enum_label("signer", s.role)) if s.role in SIGNERS else s.role
            if s.refused:
                text = f"{who}: " + t("Từ chối ký: {name}. Lý do: {reason}", name=s.full_name, reason=s.refusal_reason)
            elif s.signed_at:
                text = f"{who}: " + t("Đã ký: {name}", name=s.full_name) + f" ({fmt.show_datetime(s.signed_at)})"
            else:
                text = f"{who}: {t('Chưa ký')}"
            body.append(ft.Text(text, size=15, color=ft.Colors.RED_900 if s.refused else None))
        if not body:
            body.append(muted(t("Chưa ký"), 15))
        return section(t("Chữ ký"), body, identifier="rec-signatures")

    def _minutes(self, r: review.VisitRecord) -> ft.Control:
        t = self.t
        body: list[ft.Control] = []
        for d in r.minutes:
            state = t("Đã ký số lúc {when}", when=fmt.show_datetime(d.signed_at)) if d.signed else t("Chưa ký số")
            if not d.file_present:
                file_state, color = t("Thiếu tệp"), ft.Colors.RED_800
            elif not d.file_intact:
                file_state, color = t("Tệp đã bị thay đổi (mã băm không khớp)"), ft.Colors.RED_800
            else:
                file_state, color = t("Tệp nguyên vẹn"), ft.Colors.GREEN_800
            rows = lines(
                ft.Row([ft.Text(t("Phiên bản {v} · Số {number}", v=d.version, number=d.number or "–"), size=16,
                                weight=ft.FontWeight.W_600),
                        ft.Text(state, size=15, color=ft.Colors.BLUE_900 if d.signed else ft.Colors.GREY_800),
                        ft.Text(file_state, size=15, color=color, weight=ft.FontWeight.W_600)],
                       spacing=16, wrap=True),
                field_line("SHA-256", d.sha256, selectable=True), field_line(t("Chứng thư người ký"), signer_text(d.signer_subject)),
                field_line(t(N_p("of.rec.m_reason", "Lý do đính chính")), d.reason),
                field_line(t("Tệp"), str(d.path) if d.path else "", selectable=True))
            body.append(ft.Semantics(identifier=f"rec-minutes-{d.version}", container=True,
                                     content=ft.Container(ft.Column(rows, spacing=4), padding=10, border_radius=8,
                                                          bgcolor=ft.Colors.GREY_50)))
        latest = r.minutes[-1] if r.minutes else None
        if latest is None:
            body.append(muted(t("Chưa có biên bản nào được lưu cho lượt kiểm tra này."), 15))
        elif latest.file_present and latest.file_intact:
            body.append(ft.Row([ft.OutlinedButton(t("Xuất bản sao biên bản (PDF)"), icon=ft.Icons.PICTURE_AS_PDF,
                                                  on_click=self._export_minutes)]))
        body.append(self.minutes_notice)
        return section(t("Biên bản"), body, identifier="rec-minutes")

    def _seal(self) -> ft.Control | None:
        """Whether the stored records still match the digest kept at signing (bundles, issue #10)."""
        seal, t = self.seal, self.t
        if seal is None:
            return None
        body: ft.Control | None
        if seal.state == "none":
            body = muted(t("Không có dấu đối chiếu cho lượt kiểm tra này (biên bản chưa ký, hoặc ký trước khi ứng dụng lưu dấu đối chiếu)."), 15)
        else:
            args = dict(number=seal.minutes_number or "–", v=seal.version, when=fmt.show_datetime(seal.sealed_at))
            body = banner(t(enum_label("of.seal", seal.state), **args), "ok" if seal.state == "match" else "error",
                          identifier=f"seal-{seal.state}")
        return section(t("Đối chiếu với nội dung đã ký"), [body], identifier="rec-seal")

    def _remedies(self, r: review.VisitRecord) -> ft.Control | None:
        if not r.remedies:
            return None
        t = self.t
        body: list[ft.Control] = []
        for m in r.remedies:
            when = t("Thời hạn khắc phục: {d}", d=show_date(m.deadline))
            if m.report_due:
                when += " · " + t("Hạn báo cáo: {d}", d=show_date(m.report_due))
            detail: list[ft.Control] = [ft.Text(m.text, size=15, weight=ft.FontWeight.W_600), muted(when, 14)]
            if m.reported_on:
                detail.append(ft.Text(t("Đơn vị báo cáo ngày {d}: {text}", d=show_date(m.reported_on), text=m.report_text), size=14,
                                      color=ft.Colors.BLUE_900))
            body.append(ft.Container(ft.Row([remedy_chip(t, m.status, m.overdue, m.days_overdue),
                                             ft.Column(detail, spacing=2, expand=True)],
                                            vertical_alignment=ft.CrossAxisAlignment.START),
                                     padding=8, border_radius=8,
                                     bgcolor=ft.Colors.RED_50 if m.overdue else None))
        body.append(ft.Row([ft.TextButton(t("Theo dõi khắc phục"), icon=ft.Icons.TASK_ALT,
                                          on_click=lambda e: self.app.go("/review/remedies"))]))
        return section(t("Theo dõi khắc phục"), body, identifier="rec-remedies")

    def _integrity(self, r: review.VisitRecord) -> ft.Control:
        t, a = self.t, r.audit
        chain = banner(t.plural("Nhật ký thay đổi nguyên vẹn ({n} sự kiện).", "Nhật ký thay đổi nguyên vẹn ({n} sự kiện).", a.events, n=a.events), "ok") if a.chain_ok else \
            banner(t("Nhật ký thay đổi không nguyên vẹn: {reason}", reason=a.problem), "error")
        body: list[ft.Control] = [chain]
        if a.devices:
            body.append(muted(t("Các máy đã ghi dữ liệu: {devices}", devices=", ".join(a.devices)), 14))
        if r.open_conflicts:
            body.append(ft.Row([ft.TextButton(t.plural("Xem {n} xung đột", "Xem {n} xung đột", r.open_conflicts, n=r.open_conflicts), icon=ft.Icons.CALL_SPLIT, on_click=lambda e: self.app.go("/review/bundles"))]))
        return section(t("Nhật ký và tính toàn vẹn"), body, identifier="rec-integrity")

    # --- the one action ----------------------------------------------------------------------------
    async def _export_minutes(self, e=None) -> None:
        t, r = self.t, self.record
        latest = r.minutes[-1]
        name = f"bien-ban-{(latest.number or 'chua-so').replace('/', '-')}-v{latest.version}.pdf"
        out = self.app.ctx.data_dir / "exports" / name
        got = await self.app.call(minutes.export_minutes, self.app.ctx, r.id, out, work="long", notify=False)
        result: Any
        result, error = got.value_or(None), got.message
        if error:
            self.minutes_notice.controls = [banner(error, "error", identifier="minutes-export")]
        else:
            self.minutes_notice.controls = [banner(t("Đã xuất biên bản: {path}", path=str(result.path)), "ok",
                                                   identifier="minutes-export")]
        self.app.page.update()


TIMELINESS = ("early", "on_time", "late", "pending", "overdue", "unknown")
SIGNERS = ("team_leader", "secretary", "unit_representative")
