"""The signing keys, managed from the screen (issue #13 point 6): no command line is ever shown.

Shown on the minutes screen where a signature is due. It lists the keys on this machine and lets
the person:

- create PILOT keys (a local root CA and certificates for the team and the office; the notice
  that they are not from a licensed CA is shown before anything is made);
- import a ``.p12``/``.pfx`` issued by a CA (the file picker is an async service: bytes arrive
  with the pick in the browser, a path on a desktop); roots inside the file are only *offered*,
  with their SHA-256 fingerprints;
- trust a root: only after its fingerprint is shown and confirmed (the one door to the trust
  store, ``services.keys.trust_root_confirmed``);
- unlock a key with its passphrase (checks it; an older key file is rewritten with current KDF
  settings on success);
- set the office's seal image.

RSA key generation, scrypt/PBKDF2 and PKCS#12 parsing are slow: they run with ``work="long"``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import flet as ft

from ...services import keys as key_service
from ...services import minutes
from .. import fmt


def _card(identifier: str, *controls: ft.Control, bgcolor: Any = None) -> ft.Control:
    column = ft.Column(list(controls), spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    return ft.Semantics(identifier=identifier, container=True, content=ft.Container(
        column, padding=12, border_radius=10, bgcolor=bgcolor, border=ft.Border.all(1, ft.Colors.GREY_300)))


def _heading(text: str, size: int = 17) -> ft.Text:
    return ft.Text(text, size=size, weight=ft.FontWeight.W_600)


def _muted(text: str, size: int = 15) -> ft.Text:
    return ft.Text(text, size=size, color=ft.Colors.GREY_700)


class KeysPanel:
    """Build with ``control()``; ``on_change`` is awaited after keys are added or changed."""

    def __init__(self, app: Any, *, members: list[tuple[str, str]], has_root: bool,
                 on_change: Callable[[], Awaitable[None]], offer_pilot: bool = True):
        self.app = app
        self.t = app.t
        self.members = members
        self.has_root = has_root
        self.on_change = on_change
        self.offer_pilot = offer_pilot  # the pilot card, while the signer has no key of their own
        self.picker = ft.FilePicker()  # a service: keep the reference
        self.pending_p12: tuple[str, bytes] | None = None
        self.pending_root: tuple[bytes, key_service.RootInfo] | None = None
        self.status: key_service.KeysStatus | None = None
        self.column = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    # --- building -------------------------------------------------------------------------------
    async def load(self) -> None:
        result = await self.app.call(key_service.status, self.app.ctx)
        self.status = result.value if result.ok else None
        self._fill()

    def control(self) -> ft.Control:
        self._fill()
        if getattr(self, "_root", None) is None:
            self._root = ft.Semantics(identifier="keys-panel", container=True, content=self.column)
        return self._root

    def _fill(self) -> None:
        parts: list[ft.Control] = [self._list_card(), self._import_card()]
        if self.offer_pilot:
            parts.append(self._pilot_card())
        parts.append(self._roots_card())
        self.column.controls = parts

    def _refresh(self) -> None:
        self._fill()
        try:
            self.column.update()
        except (AssertionError, RuntimeError):  # not on the page yet
            pass

    def _list_card(self) -> ft.Control:
        t = self.t
        rows: list[ft.Control] = [_heading(t("Khóa ký số trên máy này"), 18)]
        idents = list(self.status.identities) if self.status else []
        if not idents:
            rows.append(_muted(t("Chưa có khóa nào.")))
        kinds = {"pilot": t("thí điểm"), "imported": t("CA cấp"), "pkcs11": t("thiết bị ký số")}
        for i in idents:
            rows.append(ft.Text(t("{name} - {title} ({kind}, hết hạn {expires})", name=i.name, title=i.title or "—", kind=kinds.get(i.kind, i.kind),
                                  expires=fmt.show_date(fmt.parse_date(i.not_after[:10]))), size=15))
        if idents:
            self.unlock_choice = ft.Dropdown(
                label=t("Khóa cần mở"), value=idents[0].id, width=420,
                options=[ft.dropdown.Option(key=i.id, text=f"{i.name} ({i.title or '—'})") for i in idents])
            self.unlock_pass = ft.TextField(label=t("Mật khẩu để mở khóa"), password=True, can_reveal_password=True,
                                            width=420, on_submit=self._unlock)
            rows += [_muted(t("Mở khóa bằng mật khẩu để kiểm tra trước khi ký (tệp khóa cũ được bảo vệ lại theo chuẩn mới).")), self.unlock_choice,
                     ft.Row([self.unlock_pass, ft.OutlinedButton(t("Mở khóa"), icon=ft.Icons.LOCK_OPEN,
                                                                 on_click=self._unlock, height=48)],
                            wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER)]
        return _card("keys-list", *rows)

    def _import_card(self) -> ft.Control:
        t = self.t
        rows: list[ft.Control] = [_heading(t("Nhập chứng thư số (.p12)")), _muted(t("Tệp .p12 hoặc .pfx do tổ chức chứng thực cấp, có khóa riêng và chứng thư."))]
        if self.pending_p12 is None:
            rows.append(ft.Row([ft.OutlinedButton(t("Chọn tệp .p12"), icon=ft.Icons.FILE_OPEN,
                                                  on_click=self._pick_p12, height=48)]))
        else:
            name, _ = self.pending_p12
            self.p12_pass = ft.TextField(label=t("Mật khẩu của tệp {name}", name=name), password=True,
                                         can_reveal_password=True, width=420, on_submit=self._import)
            rows += [ft.Text(name, size=15, weight=ft.FontWeight.W_500),
                     ft.Row([self.p12_pass,
                             ft.FilledButton(t("Nhập"), icon=ft.Icons.KEY, on_click=self._import, height=48),
                             ft.TextButton(t("Hủy"), on_click=self._cancel_import)],
                            wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER)]
        return _card("keys-import", *rows)

    def _pilot_card(self) -> ft.Control:
        t = self.t
        names = [name for name, _ in self.members] + [t("Văn thư của Sở (ký tiếp nhận)")]
        self.pilot_pass = ft.TextField(label=t("Mật khẩu bảo vệ khóa (ít nhất 8 ký tự)"), password=True, can_reveal_password=True,
                                       width=420)
        self.pilot_button = ft.OutlinedButton(t("Tạo chứng thư thí điểm"), icon=ft.Icons.KEY,
                                              on_click=self._make_pilot_keys, height=48)
        return _card(
            "minutes-pilot",
            _heading(t("Tạo chứng thư THÍ ĐIỂM trên máy này")),
            ft.Text(t.pick(minutes.PILOT_NOTICE_VI, minutes.PILOT_NOTICE_EN), size=15, color=ft.Colors.BROWN_900),
            _muted(t("Sẽ cấp cho: {names}", names=", ".join(names))),
            *([_muted(t("Máy đã có CA gốc thí điểm: nhập đúng mật khẩu của CA gốc."))] if self.has_root else []),
            ft.Row([self.pilot_pass, self.pilot_button], wrap=True,
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            bgcolor=ft.Colors.AMBER_50)

    def _roots_card(self) -> ft.Control:
        t = self.t
        rows: list[ft.Control] = [_heading(t("CA gốc được tin cậy")), _muted(t("Chỉ tin cậy một CA gốc sau khi đã đối chiếu mã SHA-256 với nơi cấp."))]
        for r in (self.status.roots if self.status else ()):
            rows += [ft.Text(r.common_name, size=15, weight=ft.FontWeight.W_500),
                     ft.Text(f"SHA-256 {r.fingerprint_text}", size=13, font_family="monospace", selectable=True)]
        if self.pending_root is not None:
            _, info = self.pending_root
            rows += [ft.Container(ft.Column([
                ft.Text(t("Tin cậy CA gốc \"{name}\"? Đối chiếu mã SHA-256 dưới đây với nơi cấp trước khi đồng ý.", name=info.common_name), size=15, weight=ft.FontWeight.W_600),
                ft.Text(f"SHA-256 {info.fingerprint_text}", size=14, font_family="monospace", selectable=True),
                ft.Row([ft.FilledButton(t("Đã đối chiếu, tin cậy CA gốc này"), icon=ft.Icons.VERIFIED_USER, on_click=self._trust,
                                        height=48),
                        ft.TextButton(t("Hủy"), on_click=self._cancel_trust)], wrap=True),
            ], spacing=6), padding=10, bgcolor=ft.Colors.AMBER_50, border_radius=8)]
        rows.append(ft.Row([
            ft.OutlinedButton(t("Thêm CA gốc tin cậy"), icon=ft.Icons.VERIFIED_OUTLINED, on_click=self._pick_root, height=48),
            ft.OutlinedButton(t("Chọn ảnh con dấu") if not (self.status and self.status.has_seal) else t("Đổi ảnh con dấu"),
                              icon=ft.Icons.APPROVAL, on_click=self._pick_seal, height=48),
        ], wrap=True))
        return _card("keys-roots", *rows)

    # --- picking files --------------------------------------------------------------------------
    async def _pick(self, extensions: list[str]) -> tuple[str, bytes] | None:
        files = await self.picker.pick_files(file_type=ft.FilePickerFileType.CUSTOM,
                                             allowed_extensions=extensions, with_data=self.app.page.web)
        if not files:
            return None
        f = files[0]
        if f.bytes is not None:
            return f.name, bytes(f.bytes)
        if f.path:
            return f.name, await asyncio.to_thread(Path(f.path).read_bytes)
        return None

    async def _pick_p12(self, e: Any = None) -> None:
        picked = await self._pick(["p12", "pfx"])
        if picked is None:
            return
        if len(picked[1]) > key_service.MAX_P12_BYTES:
            self.app.toast(self.t("Tệp quá lớn để là tệp .p12 (tối đa 1 MB)."), error=True)
            return
        self.pending_p12 = picked
        self._refresh()

    def _cancel_import(self, e: Any = None) -> None:
        self.pending_p12 = None
        self._fill()

    async def _import(self, e: Any = None) -> None:
        if self.pending_p12 is None:
            return
        name, data = self.pending_p12
        result = await self.app.call(key_service.import_p12_bytes, self.app.ctx, data, name,
                                     self.p12_pass.value or "", work="long")
        if not result.ok:
            return
        result = result.value
        ident, offered = result
        self.pending_p12 = None
        self.app.toast(self.t("Đã nhập chứng thư của {name}", name=ident.name))
        if offered:  # a root came with the file: show it for confirmation, never trust it silently
            self.pending_root = (offered[0].pem, offered[0])
        await self.load()
        await self.on_change()

    async def _pick_root(self, e: Any = None) -> None:
        picked = await self._pick(["pem", "crt", "cer", "der"])
        if picked is None:
            return
        result = await self.app.call(key_service.inspect_root, picked[1])
        if not result.ok:
            return
        result = result.value
        self.pending_root = (picked[1], result)
        self._refresh()

    def _cancel_trust(self, e: Any = None) -> None:
        self.pending_root = None
        self._fill()

    async def _trust(self, e: Any = None) -> None:
        if self.pending_root is None:
            return
        data, info = self.pending_root
        result = await self.app.call(key_service.trust_root_confirmed, self.app.ctx, data, info.fingerprint,
                                     how="screen")
        if not result.ok:
            return
        self.pending_root = None
        self.app.toast(self.t("Đã tin cậy CA gốc {name}", name=info.common_name))
        await self.load()

    async def _pick_seal(self, e: Any = None) -> None:
        picked = await self._pick(["png", "jpg", "jpeg"])
        if picked is None:
            return
        result = await self.app.call(key_service.set_seal, self.app.ctx, picked[1], work="long")
        if not result.ok:
            return
        self.app.toast(self.t("Đã lưu ảnh con dấu (màu đỏ, nền trong suốt)"))
        await self.load()

    # --- pilot keys and unlocking ---------------------------------------------------------------
    async def _make_pilot_keys(self, e: Any = None) -> None:
        self.pilot_button.disabled = True
        self.pilot_button.update()
        made = await self.app.call(minutes.init_keys, self.app.ctx, self.pilot_pass.value or "",
                                   work="long")
        if not made.ok:
            self.pilot_button.disabled = False
            self.pilot_button.update()
            return
        made = made.value
        self.app.toast(self.t.plural("Đã tạo {n} chứng thư thí điểm", "Đã tạo {n} chứng thư thí điểm", len(made.identities), n=len(made.identities)))
        self.has_root = True
        await self.load()
        await self.on_change()

    async def _unlock(self, e: Any = None) -> None:
        ident = self.unlock_choice.value
        if not ident:
            return
        result = await self.app.call(key_service.unlock, self.app.ctx, ident, self.unlock_pass.value or "",
                                     work="long")
        if not result.ok:
            return
        result = result.value
        self.unlock_pass.value = ""
        self.app.toast(self.t("Mật khẩu đúng: đã mở khóa của {name}", name=result.name))


__all__ = ["KeysPanel"]
