"""Picking photos and showing thumbnails.

``PhotoPicker`` wraps Flet's ``FilePicker`` service: in web mode the browser hands over the bytes
(``with_data=True``), natively a path. Either way the media service (``services.photos``) stores
and processes the photo, off the event loop; this module only moves bytes and shows thumbnails.
``ft.Image(src=bytes)`` renders in web mode, while an absolute file path would not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import flet as ft

if TYPE_CHECKING:
    from ..shell import Shell

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "heic", "heif", "webp"]


@dataclass
class Picked:
    name: str
    data: bytes | None
    path: str | None


def photo_service():
    """The media service, or None while it is not installed in this build."""
    try:
        from ...services import photos
    except ImportError:
        return None
    return photos


class PhotoPicker:
    """One FilePicker per screen (keep a reference: unreferenced services are unregistered)."""

    def __init__(self, app: Shell):
        self.app = app
        self.picker = ft.FilePicker()

    async def pick(self, multiple: bool = True) -> list[Picked]:
        files = await self.picker.pick_files(
            file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=IMAGE_EXTENSIONS,
            allow_multiple=multiple, with_data=bool(self.app.page.web))
        return [Picked(f.name, f.bytes, f.path) for f in files or []]

    async def pick_and_add(self, visit_id: str, **links: Any) -> list:
        """Pick photos and hand each one to the media service; returns the stored photos."""
        service = photo_service()
        if service is None:
            self.app.toast(self.app.t("Chức năng này chưa sẵn sàng trong phiên bản này."), error=True)
            return []
        picked = await self.pick()
        if not picked:
            return []
        stored, notices = [], []
        for p in picked:
            data: bytes | Path = p.data if p.data is not None else Path(cast(str, p.path))  # no bytes: a path
            got = await self.app.call(service.add_photo, self.app.ctx, visit_id, data, p.name,
                                      work="long", **links)
            if not got.ok:
                continue
            added = got.value
            if added.notices():
                notices.append(added.message(self.app.lang))
            if not added.duplicate:
                stored.append(added.photo)
        if notices:
            self.app.toast(" ".join(notices), error=True)
        return stored


async def thumbnails(app: Shell, photos: list) -> dict[str, bytes]:
    """Thumbnail bytes by photo id (read off the event loop)."""
    service = photo_service()
    if service is None or not photos:
        return {}
    result = await app.call(service.thumbnail_bytes_many, app.ctx, [p.id for p in photos], work="long")
    return result.value if result.ok else {}


def thumb(data: bytes | None, label: str, size: int = 96, on_click=None) -> ft.Control:
    image = (ft.Image(src=data, width=size, height=size, fit=ft.BoxFit.COVER, semantics_label=label,
                      border_radius=6)
             if data else ft.Icon(ft.Icons.IMAGE_NOT_SUPPORTED, size=size // 2))
    return ft.Container(image, width=size, height=size, border_radius=6, bgcolor=ft.Colors.GREY_200,
                        on_click=on_click, tooltip=label or None)
