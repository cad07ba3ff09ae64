"""The minutes (biên bản): the draft while the visit is open; once it is locked the numbered
official version, the team leader's digital signature, a check of the signatures, a correction as a
new version, and every version with its hash.

Signing, checking and making keys run pyHanko / RSA key generation: they go to a background thread
(``work="long"``), never the event loop (pyHanko runs its own asyncio loop).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import flet as ft

from inspection_app.locale import N_

from ...domain.text import fold
from ...services import keys as key_service
from ...services import minutes, numbering, visits
from .. import fmt
from ..calls import Result
from ..widgets.keys_panel import KeysPanel
from .base import VisitScreen, banner, bottom_space, heading, muted

MONO = "monospace"


def subject_name(subject: str) -> str:
    """The common name in an RFC 4514 subject ("CN=Nguyễn Thị Ánh Tuyết,O=…")."""
    m = re.search(r"(?:^|,)CN=((?:[^,\\]|\\.)*)", subject or "")
    return re.sub(r"\\(.)", r"\1", m.group(1)) if m else (subject or "")


def card(identifier: str, *controls: ft.Control, bgcolor=None) -> ft.Control:
    column = ft.Column(list(controls), spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    return ft.Semantics(identifier=identifier, container=True, content=ft.Container(
        column, padding=12, border_radius=10, bgcolor=bgcolor, border=ft.Border.all(1, ft.Colors.GREY_300)))


class MinutesScreen(VisitScreen):
    nav_key = "minutes"
    title_key = N_("Biên bản kiểm tra")

    def _num(self, number: str) -> str:
        """"01/BB-SNV", or a note that the records office writes the number (no reserved block)."""
        return number or self.t("(chưa có số: văn thư ghi số)")

    async def load_visit(self) -> None:
        self.draft: Any = None  # the last draft's MinutesResult
        self.check: Any = None  # (version, MinutesCheck) of the last signature check
        await self._reload()

    async def _reload(self) -> None:
        ctx, vid, call = self.app.ctx, self.visit_id, self.app.call
        result: Result[Any]
        result = await call(minutes.list_versions, ctx, vid)
        self.versions = list(result.value) if result.ok else []
        result = await call(minutes.list_keys, ctx)
        self.root, _, self.identities = result.value if result.ok else (None, [], [])
        result = await call(visits.participants, ctx, vid, "team")
        team = result.value if result.ok else []
        leader = next((p for p in team if p.role == "leader"), None)
        self.leader = leader.full_name if leader else ""
        result = await call(minutes.members_on_record, ctx)
        self.members = result.value if result.ok else []
        result = await call(numbering.device_blocks, ctx)
        self.blocks = result.value if result.ok else []
        result = await call(key_service.status, ctx)
        self.keys_status = result.value if result.ok else None

    # --- state -----------------------------------------------------------------------------------
    @property
    def current(self):
        return self.versions[-1] if self.versions else None

    @property
    def correcting(self) -> bool:
        return bool(not self.locked and self.current is not None and not self.current.file_path)

    def _leader_identity(self):
        if not self.leader:
            return None
        mine = [i for i in self.identities if fold(i.name) == fold(self.leader) and not i.expired]
        mine.sort(key=lambda i: i.not_after, reverse=True)  # the one valid longest,
        mine.sort(key=lambda i: i.kind != "imported")  # a CA-issued one before a pilot one
        return mine[0] if mine else None

    # --- building --------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        self.picker = ft.FilePicker()  # hands a PDF to the browser as a download
        self.content = ft.Column(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True,
                                 horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._fill()
        return self.content

    def _fill(self) -> None:
        parts: list[ft.Control] = [self._status(), self._actions()]
        current = self.current
        if current is None or not current.file_path:  # the number is not given yet
            parts.append(self._numbers_card())
        if self.draft is not None and not self.locked:
            parts.append(banner(self.t("Bản nháp (chưa có số): {path}", path=str(self.draft.path)), "info", identifier="minutes-draft"))
        if current is not None and current.file_path:
            parts.append(self._details(current))
        if self.locked and (current is None or not current.signed):
            parts.append(self._sign_card())
        if self.check is not None:
            parts.append(self._check_card())
        if self.locked and current is not None and current.file_path:
            parts.append(self._correction_card())
        parts.append(self._versions_card())
        parts.append(bottom_space())
        self.content.controls = parts

    def _status(self) -> ft.Control:
        t, cur = self.t, self.current
        if not self.locked:
            if self.correcting:
                text = t("Đang lập bản đính chính (phiên bản {version}) của Biên bản số {number}. Lý do: {reason}. Sửa nội dung cần thiết, rồi khóa lại cuộc kiểm tra và ký số phiên bản mới.", version=cur.version, number=self._num(cur.number), reason=cur.reason)
                return banner(text, "warn", identifier="minutes-status")
            return banner(t("Cuộc kiểm tra chưa khóa: chỉ xem được bản nháp (chưa có số, chưa lưu). Khóa cuộc kiểm tra ở mục \"Kết thúc\" để lập biên bản chính thức và ký số."), "info", identifier="minutes-status")
        if cur is not None and cur.signed:
            return banner(t("Biên bản số {number}, phiên bản {version} đã ký số.", number=self._num(cur.number), version=cur.version), "ok", identifier="minutes-status")
        if cur is not None and cur.file_path:
            return banner(t("Biên bản số {number}, phiên bản {version}: chưa ký số.", number=self._num(cur.number), version=cur.version), "info",
                          identifier="minutes-status")
        return banner(t("Cuộc kiểm tra đã khóa. Biên bản chính thức chưa được ký số."), "info", identifier="minutes-status")

    # --- numbers reserved by the records office (issue #11, point 1) --------------------------------
    def _numbers_card(self) -> ft.Control:
        t = self.t
        lines = [ft.Text(t("{code} năm {year}: số {first}–{last}, còn {free} số", code=b.code, year=b.year, first=b.first, last=b.last, free=free), size=15)
                 for b, free in self.blocks]
        year = str((fmt.local(self.visit.arrival_at or self.visit.created_at) or fmt.now_local()).year)
        self.block_year = ft.TextField(label=t("Năm"), value=year, width=120)
        self.block_first = ft.TextField(label=t("Từ số"), width=140)
        self.block_last = ft.TextField(label=t("Đến số"), width=140)
        body = ft.Column([
            ft.Text(t("Số biên bản do văn thư cấp"), size=17, weight=ft.FontWeight.W_600),
            ft.Text(t("Máy này chưa có khối số nào: biên bản sẽ để trống số để văn thư ghi. Nhập khối số văn thư đã cấp cho máy này (năm, từ số, đến số).") if not lines else t("Khi khóa cuộc kiểm tra, biên bản lấy số nhỏ nhất còn trống trong các khối số của máy này."), size=15),
            *lines,
            ft.Row([self.block_year, self.block_first, self.block_last,
                    ft.OutlinedButton(t("Thêm khối số"), icon=ft.Icons.ADD, height=48, on_click=self._add_block)],
                   wrap=True),
        ], spacing=6)
        return ft.Semantics(identifier="minutes-numbers", container=True, content=ft.Container(
            body, padding=12, border_radius=10, border=ft.Border.all(1, ft.Colors.GREY_300)))

    async def _add_block(self, e=None) -> None:
        t = self.t
        try:
            year, first, last = (int((f.value or "").strip()) for f in
                                 (self.block_year, self.block_first, self.block_last))
        except ValueError:
            self.app.toast(t("Năm, từ số, đến số phải là số nguyên."), error=True)
            return
        if not (await self.app.call(numbering.apply_block_from_settings, self.app.ctx, year, first, last)).ok:
            return
        await self._reload()
        self._fill()
        self.app.toast(t("Đã thêm khối số {first}–{last} năm {year}", first=first, last=last, year=year))

    def _actions(self) -> ft.Control:
        t, vid = self.t, self.visit_id
        if not self.locked:
            buttons: list[ft.Control] = [
                ft.FilledButton(t("Xem bản nháp"), icon=ft.Icons.PREVIEW, on_click=self._draft, height=52),
                ft.OutlinedButton(t("Sửa đánh giá, kiến nghị (mục III-V)"), icon=ft.Icons.EDIT_NOTE,
                                  on_click=lambda e: self.app.go(f"/visits/{vid}/conclusions")),
                ft.OutlinedButton(t("Đến mục Kết thúc"), icon=ft.Icons.LOCK_OUTLINE,
                                  on_click=lambda e: self.app.go(f"/visits/{vid}/close")),
            ]
        else:
            cur = self.current
            stored = cur is not None and bool(cur.file_path)
            buttons = [ft.FilledButton(t("Tải tệp PDF") if stored else t("Xuất biên bản chính thức (PDF)"), icon=ft.Icons.PICTURE_AS_PDF,
                                       on_click=self._export, height=52)]
            if stored and cur.signed:
                buttons.append(ft.OutlinedButton(t("Kiểm tra chữ ký số"), icon=ft.Icons.VERIFIED_OUTLINED,
                                                 data=cur.version, on_click=self._verify))
        return ft.Row(buttons, wrap=True)

    def _field(self, label: str, value: str, mono: bool = False) -> ft.Control:
        return ft.Row([
            ft.Text(label, size=15, color=ft.Colors.GREY_700, width=150),
            ft.Text(value, size=14 if mono else 16, font_family=MONO if mono else None,
                    expand=True),
        ], vertical_alignment=ft.CrossAxisAlignment.START)

    def _details(self, doc) -> ft.Control:
        t = self.t
        rows = [self._field(t("Số biên bản"), self._num(doc.number)), self._field(t("Phiên bản"), str(doc.version)),
                self._field(t("Mã băm SHA-256"), doc.sha256, mono=True)]
        if doc.signed:
            rows += [self._field(t("Người ký"), subject_name(doc.signer_subject)),
                     self._field(t("Thời điểm ký"), fmt.show_datetime(doc.signed_at))]
        rows.append(self._field(t("Tệp"), str(self.app.ctx.path(doc.file_path))))
        return card("minutes-details", *rows)

    # --- signing ---------------------------------------------------------------------------------
    def _identity_label(self, ident) -> str:
        t = self.t
        kind = t("thí điểm") if ident.kind == "pilot" else t("CA cấp")
        expires = fmt.show_date(fmt.parse_date(ident.not_after[:10]))
        return t("{name} - {title} ({kind}, hết hạn {expires})", name=ident.name, title=ident.title or "—", kind=kind, expires=expires)

    def _sign_card(self) -> ft.Control:
        t = self.t
        parts: list[ft.Control] = [heading(t("Ký số biên bản (Trưởng đoàn)"), 18)]
        mine = self._leader_identity()
        self.passphrase = ft.TextField(label=t("Mật khẩu khóa ký số"), password=True, can_reveal_password=True,
                                       width=420, on_submit=self._sign)
        self.sign_button = ft.FilledButton(t("Ký số"), icon=ft.Icons.DRAW, on_click=self._sign, height=52)
        if not self.identities:
            parts.append(banner(t("Máy này chưa có khóa ký số. Nhập chứng thư số (.p12) do tổ chức chứng thực cấp, hoặc tạo chứng thư thí điểm ở phần Khóa ký số dưới đây."), "warn", identifier="minutes-no-keys"))
        else:
            if mine is None and self.leader:
                parts.append(banner(t("Chưa có khóa ký số của Trưởng đoàn {name}. Chọn khóa khác, nhập chứng thư số (.p12) của Trưởng đoàn, hoặc tạo chứng thư thí điểm ở phần Khóa ký số dưới đây.", name=self.leader), "warn", identifier="minutes-no-keys"))
            self.identity = ft.RadioGroup(
                value=mine.id if mine else None,
                content=ft.Column([ft.Radio(value=i.id, label=self._identity_label(i), height=48)  # 48 px targets
                                   for i in self.identities], spacing=0))
            parts += [muted(t("Khóa ký số"), 15), self.identity,
                      ft.Row([self.passphrase, self.sign_button], wrap=True,
                             vertical_alignment=ft.CrossAxisAlignment.CENTER)]
        parts.append(self._keys_panel(offer_pilot=mine is None))
        return card("minutes-sign", *parts)

    def _keys_panel(self, offer_pilot: bool) -> ft.Control:
        """Keys from the screen (pki's widget): create pilot keys, import a .p12, unlock, trust."""
        panel = getattr(self, "keys_widget", None)
        if panel is None:  # one panel per screen: a picked file or a root awaiting confirmation stays
            panel = self.keys_widget = KeysPanel(self.app, members=[], has_root=False,
                                                 on_change=self._keys_changed)
        panel.members, panel.has_root = list(self.members), self.root is not None
        panel.offer_pilot, panel.status = offer_pilot, self.keys_status
        return panel.control()

    async def _keys_changed(self) -> None:
        await self._reload()
        self._fill()
        self.content.update()

    async def _sign(self, e=None) -> None:
        t = self.t
        passphrase = self.passphrase.value or ""
        if not passphrase:
            self.app.toast(t("Hãy nhập mật khẩu khóa ký số."), error=True)
            return
        identity = getattr(self, "identity", None)
        chosen = identity.value if identity is not None else None
        if not chosen:  # the service's own message would name command-line steps
            self.app.toast(t("Hãy chọn khóa ký số để ký (hoặc nhập, tạo khóa ở phần Khóa ký số)."), error=True)
            return
        self.sign_button.disabled = True
        self.sign_button.content = t("Đang ký số…")
        self.sign_button.update()
        result: Any
        result = await self.app.call(minutes.sign_minutes, self.app.ctx, self.visit_id, passphrase,
                                     identity=chosen or None, work="long")
        if not result.ok:
            self.sign_button.disabled = False
            self.sign_button.content = t("Ký số")
            self.sign_button.update()
            return
        result = result.value
        await self._reload()
        self._fill()
        self.app.toast(t("Đã ký số biên bản {number}", number=self._num(result.number)))

    # --- draft and export ------------------------------------------------------------------------
    async def _hand_over(self, path: Path) -> None:
        if self.app.page.web:  # in the browser: a download; on a desktop the stored path is shown
            data = await asyncio.to_thread(path.read_bytes)
            await self.picker.save_file(file_name=path.name, src_bytes=data)

    async def _draft(self, e=None) -> None:
        result: Any
        result = await self.app.call(minutes.export_minutes, self.app.ctx, self.visit_id, work="long")
        if not result.ok:
            return
        result = result.value
        self.draft = result
        self._fill()
        await self._hand_over(Path(result.path))
        self.app.toast(self.t("Bản nháp (chưa có số): {path}", path=result.path.name))

    async def _export(self, e=None) -> None:
        result: Any
        result = await self.app.call(minutes.export_minutes, self.app.ctx, self.visit_id, work="long")
        if not result.ok:
            return
        result = result.value
        await self._reload()
        self._fill()
        await self._hand_over(Path(result.path))
        self.app.toast(self.t("Biên bản số {number}, phiên bản {version}: {path}", number=self._num(result.number), version=result.version, path=result.path.name))

    # --- checking --------------------------------------------------------------------------------
    async def _verify(self, e) -> None:
        doc = next(d for d in self.versions if d.version == e.control.data)
        path = self.app.ctx.path(doc.file_path)
        result: Any
        result = await self.app.call(minutes.verify_minutes, self.app.ctx, path, work="long")
        if not result.ok:
            return
        result = result.value
        self.check = (doc.version, result)
        self._fill()

    def _check_card(self) -> ft.Control:
        t = self.t
        version, check = self.check
        yes, no = t("có"), t("không")
        parts: list[ft.Control] = [heading(t("Kết quả kiểm tra: phiên bản {version}", version=version), 18),
                                   banner(t("Hợp lệ: mọi chữ ký nguyên vẹn và đáng tin cậy.") if check.ok else t("Có vấn đề: xem chi tiết từng chữ ký."),
                                          "ok" if check.ok else "error")]
        for s in check.report.signatures:
            who = ", ".join(x for x in (s.signer_name, s.signer_title, s.signer_organisation) if x)
            change = s.changes_after_signing
            lines: list[ft.Control] = [
                ft.Row([ft.Icon(ft.Icons.VERIFIED if s.ok else ft.Icons.GPP_BAD,
                                color=ft.Colors.GREEN_800 if s.ok else ft.Colors.RED_800),
                        ft.Text(t("{field}: {name}", field=s.field_name, name=who), size=16,
                                weight=ft.FontWeight.W_600, expand=True),
                        ft.Text(t("Hợp lệ") if s.ok else t("Không hợp lệ"), size=16,
                                color=ft.Colors.GREEN_800 if s.ok else ft.Colors.RED_800)]),
                muted(f"{t('Cấp bởi')}: {s.issuer} · {t('Thời điểm ký')}: {fmt.show_datetime(s.signing_time)}", 15),
                muted(f"{t('Nguyên vẹn')}: {yes if s.intact and s.valid else no} · "
                      f"{t('Tin cậy')}: {yes if s.trusted else no} · "
                      f"{t('Thay đổi sau khi ký')}: {t.pick(change.vi, change.en)}", 15),
                *[ft.Text(f"• {t.pick(p.vi, p.en)}", size=15, color=ft.Colors.RED_800) for p in s.problems],
            ]
            parts.append(ft.Container(ft.Column(lines, spacing=2), padding=ft.Padding.only(left=4, top=4)))
        parts += [ft.Text(f"• {t.pick(p.vi, p.en)}", size=15, color=ft.Colors.RED_800) for p in check.report.problems]
        parts.append(muted(t("Khớp với phiên bản {version} lưu trên máy này.", version=check.stored.version) if check.stored is not None
                           else t("Không khớp với phiên bản nào lưu trên máy này."), 15))
        return card("minutes-check", *parts)

    # --- correction ------------------------------------------------------------------------------
    def _correction_card(self) -> ft.Control:
        t = self.t
        self.reason = ft.TextField(label=t("Lý do đính chính"), multiline=True, min_lines=1, max_lines=4)
        self.correction_start = ft.OutlinedButton(t("Lập bản đính chính"), icon=ft.Icons.EDIT_DOCUMENT,
                                                  on_click=self._ask_correction)
        # asked in the card, not in a dialog: the whole screen changes right after (the visit reopens)
        self.correction_confirm = ft.Column([
            banner(t("Lập phiên bản đính chính? Cuộc kiểm tra sẽ mở lại để sửa; phiên bản đã ký giữ nguyên."), "warn"),
            ft.Row([ft.FilledButton(t("Xác nhận lập bản đính chính"), icon=ft.Icons.EDIT_DOCUMENT, on_click=self._correct,
                                    height=52),
                    ft.TextButton(t("Hủy"), on_click=self._cancel_correction)], wrap=True),
        ], spacing=8, visible=False)
        return card("minutes-correction",
                    heading(t("Đính chính biên bản"), 18),
                    muted(t("Biên bản đã ký không bao giờ bị sửa. Đính chính lập phiên bản mới (giữ nguyên số biên bản, ghi rõ là đính chính phiên bản trước); phiên bản cũ và tệp của nó vẫn được lưu nguyên. Cuộc kiểm tra mở lại để sửa, sau đó khóa và ký số lại."), 15),
                    self.reason,
                    ft.Row([self.correction_start]),
                    self.correction_confirm)

    def _ask_correction(self, e=None) -> None:
        if not (self.reason.value or "").strip():
            self.app.toast(self.t("Hãy ghi lý do đính chính."), error=True)
            return
        self.correction_start.visible, self.correction_confirm.visible = False, True

    def _cancel_correction(self, e=None) -> None:
        self.correction_start.visible, self.correction_confirm.visible = True, False

    async def _correct(self, e=None) -> None:
        doc: Any
        doc = await self.app.call(minutes.begin_correction, self.app.ctx, self.visit_id, self.reason.value or "")
        if not doc.ok:
            return
        doc = doc.value
        await self.app.refresh()  # the visit is open again: every screen becomes editable
        self.app.toast(self.t("Đã mở phiên bản {version} để đính chính. Phiên bản cũ vẫn được lưu.", version=doc.version))

    # --- versions --------------------------------------------------------------------------------
    def _versions_card(self) -> ft.Control:
        t = self.t
        rows: list[ft.Control] = [heading(t("Các phiên bản"), 18)]
        if not self.versions:
            rows.append(muted(t("Chưa có phiên bản chính thức nào."), 15))
        current = self.current
        for doc in reversed(self.versions):
            if doc.signed:
                state = t("đã ký số {time}", time=fmt.show_datetime(doc.signed_at))
            elif doc.file_path:
                state = t("chưa ký số")
            else:
                state = t("đang lập (chưa có tệp)")
            lines: list[ft.Control] = [ft.Text(f"{t('Phiên bản {version} · số {number}', version=doc.version, number=self._num(doc.number))} · {state}",
                             size=16, weight=ft.FontWeight.W_500)]
            if doc.sha256:
                lines.append(ft.Text(f"SHA-256 {doc.sha256}", size=13, font_family=MONO))
            if doc.reason:
                lines.append(muted(t("Đính chính: {reason}", reason=doc.reason), 15))
            if doc.signed and doc.file_path and doc is not current:
                lines.append(ft.Row([ft.TextButton(t("Kiểm tra chữ ký số"), icon=ft.Icons.VERIFIED_OUTLINED,
                                                   data=doc.version, on_click=self._verify)]))
            rows.append(ft.Semantics(identifier=f"version-{doc.version}", container=True,
                                     content=ft.Column(lines, spacing=2)))
        return card("minutes-versions", *rows)
