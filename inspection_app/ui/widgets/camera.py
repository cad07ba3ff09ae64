"""Taking a photo in the app: ``flet-camera`` preview, capture, retake, then the same ingest.

Only the built tablet app has the camera (``flet-camera``'s Flutter side is compiled into a Flet
build; the stock web client has no camera plugin, and desktops have none): :func:`camera_available`
says whether to offer it, and web mode keeps the browser's file chooser (``widgets/photos.py``).

The dialog asks for the camera permission (``flet-permission-handler``) when that package is
present, opens the back camera, shows its preview, and after "Chụp" shows the frame with "Chụp lại"
and "Dùng ảnh này". The chosen frame's JPEG bytes go to ``services.photos.add_captured_photo`` off
the event loop: the same ingest, checks and storage as a chosen file.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from inspection_app.locale import N_

if TYPE_CHECKING:
    from ..shell import Shell

log = logging.getLogger(__name__)

CAMERA_ID = "camera-dialog"


def camera_available(page: ft.Page) -> bool:
    """True in a built Android or iOS app with ``flet-camera`` installed (never in web mode)."""
    if page.web:
        return False
    if page.platform not in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS):
        return False
    return importlib.util.find_spec("flet_camera") is not None


async def _camera_permitted(app: Shell) -> bool:
    if importlib.util.find_spec("flet_permission_handler") is None:
        return True  # the plugin asks the system itself on first use
    import flet_permission_handler as fph

    handler = fph.PermissionHandler()
    app._camera_permission = handler  # keep a reference: unreferenced services are unregistered
    status = await handler.request(fph.Permission.CAMERA)
    return status in (fph.PermissionStatus.GRANTED, fph.PermissionStatus.LIMITED)


class CameraDialog:
    """Preview, capture, retake; ``on_use(bytes)`` receives the accepted JPEG."""

    def __init__(self, app: Shell, on_use: Callable[[bytes], Awaitable[Any]]):
        import flet_camera as fc

        self.app = app
        self.t = app.t
        self.fc = fc
        self.on_use = on_use
        self.frame: bytes | None = None
        self.camera = fc.Camera(expand=True, preview_enabled=True)
        self.status = ft.Text(self.t("Đang mở máy ảnh…"), size=16)
        self.stage = ft.Container(ft.Stack([self.camera]), width=720, height=480, bgcolor=ft.Colors.BLACK)
        self.capture = ft.FilledButton(self.t("Chụp"), icon=ft.Icons.CAMERA, height=56,
                                       on_click=self._capture, disabled=True)
        self.retake = ft.OutlinedButton(self.t("Chụp lại"), icon=ft.Icons.REPLAY, height=56,
                                        on_click=self._retake, visible=False)
        self.use = ft.FilledButton(self.t("Dùng ảnh này"), icon=ft.Icons.CHECK, height=56, on_click=self._use,
                                   visible=False)
        self.dialog = ft.AlertDialog(
            modal=True, title=ft.Text(self.t("Chụp ảnh minh chứng")),
            content=ft.Semantics(identifier=CAMERA_ID, container=True,
                                 content=ft.Column([self.stage, self.status], tight=True, spacing=8)),
            actions=[ft.TextButton(self.t("Đóng"), on_click=self._close), self.retake, self.capture, self.use])

    async def open(self) -> None:
        page = self.app.page
        page.show_dialog(self.dialog)
        page.update()
        if not await _camera_permitted(self.app):
            self._say(N_("Ứng dụng chưa được phép dùng máy ảnh. Hãy cho phép trong phần Cài đặt của máy tính bảng."))
            return
        try:
            cameras = await self.camera.get_available_cameras()
            if not cameras:
                self._say(N_("Không tìm thấy máy ảnh trên thiết bị này."))
                return
            back = [c for c in cameras if c.lens_direction == self.fc.CameraLensDirection.BACK]
            await self.camera.initialize((back or cameras)[0], self.fc.ResolutionPreset.VERY_HIGH,
                                         enable_audio=False)
        except Exception:  # the plugin reports platform errors as exceptions
            log.exception("opening the camera")
            self._say(N_("Máy ảnh không chụp được. Hãy thử lại, hoặc chọn ảnh đã chụp."))
            return
        self.status.value = ""
        self.capture.disabled = False
        page.update()

    def _say(self, key: str) -> None:
        self.status.value = self.t(key)
        self.status.color = ft.Colors.RED_900
        self.app.page.update()

    async def _capture(self, e=None) -> None:
        self.capture.disabled = True
        self.app.page.update()
        try:
            self.frame = await self.camera.take_picture()
        except Exception:
            log.exception("taking a picture")
            self.capture.disabled = False
            self._say(N_("Máy ảnh không chụp được. Hãy thử lại, hoặc chọn ảnh đã chụp."))
            return
        self.stage.content = ft.Image(src=self.frame, fit=ft.BoxFit.CONTAIN, semantics_label=self.t("Ảnh vừa chụp"))
        self.capture.visible = False
        self.retake.visible = self.use.visible = True
        self.app.page.update()

    async def _retake(self, e=None) -> None:
        self.frame = None
        self.stage.content = ft.Stack([self.camera])
        self.capture.visible, self.capture.disabled = True, False
        self.retake.visible = self.use.visible = False
        self.app.page.update()

    async def _use(self, e=None) -> None:
        frame, self.frame = self.frame, None
        self.app.page.pop_dialog()
        self.app.page.update()
        if frame:
            await self.on_use(frame)

    def _close(self, e=None) -> None:
        self.app.page.pop_dialog()
        self.app.page.update()


def camera_button(app: Shell, visit_id: str, on_added: Callable[[list], Awaitable[Any]],
                  disabled: bool = False, **links: Any) -> ft.Control | None:
    """A "Chụp ảnh" button for a visit's photos, or None where the app has no camera (web mode)."""
    if not camera_available(app.page):
        return None

    async def use(frame: bytes) -> None:
        from ...services import photos

        got = await app.call(photos.add_captured_photo, app.ctx, visit_id, frame, work="long", **links)
        if not got.ok:
            return
        added = got.value
        if added.notices():
            app.toast(added.message(app.lang), error=True)
        await on_added([] if added.duplicate else [added.photo])

    async def open_camera(e=None) -> None:
        await CameraDialog(app, use).open()

    return ft.FilledButton(app.t("Chụp ảnh"), icon=ft.Icons.PHOTO_CAMERA, height=52, disabled=disabled,
                           on_click=open_camera)
