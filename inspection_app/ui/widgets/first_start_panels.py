"""What the screens add for first start and for a tablet build (the shell is ``ui/first_start.py``)."""

from __future__ import annotations

import flet as ft

from inspection_app.locale import N_p
from inspection_app.ui.enum_labels import enum_label

TRY_DEMO_ID = "try-demo"


def home_extras(app, has_visits: bool) -> list[ft.Control]:
    """The offer to try the demo, for a home screen with no visits in the real data."""
    if has_visits or not hasattr(app, "enter_demo") or app.in_demo:  # the shell that can open the demo
        return []
    t = app.t
    return [ft.Semantics(identifier=TRY_DEMO_ID, container=True, content=ft.Card(ft.Container(ft.Column([
        ft.Text(t("Mở một đơn vị mẫu với các cuộc kiểm tra đã làm sẵn, tách riêng khỏi dữ liệu thật."), size=16),
        ft.OutlinedButton(t("Dùng thử với dữ liệu mẫu"), icon=ft.Icons.SCIENCE_OUTLINED, height=56,
                          on_click=app.enter_demo),
    ], spacing=12), padding=16)))]


def device_note(app) -> list[ft.Control]:
    """For the settings screen: what this installation leaves to the office (nothing on a desktop)."""
    from ...services.capabilities import left_to_the_office

    missing = left_to_the_office()
    if not missing:
        return []
    t = app.t
    return [ft.Container(ft.Column([
        ft.Text(t("Trên máy này"), size=18, weight=ft.FontWeight.W_600),
        ft.Text(t("Các việc sau làm tại máy tính văn phòng:"), size=15),
        *[ft.Text(f"• {t(enum_label('fs.feature', key))}", size=15) for key in missing],
    ], spacing=4), padding=12, border_radius=8, bgcolor=ft.Colors.BLUE_GREY_50)]


IDENTITY_ID = "identity-card"


def identity_card(screen) -> list[ft.Control]:
    """First start: the inspecting department's identity, asked before anything is printed (issue #11).

    Shown on the home screen while the province is not set (``Department.missing``): the province or
    centrally-run city, and its kind; the full name and parent agency follow from them (and can be
    changed in Settings). Saved through ``services.settings.set_identity``.
    """
    from ...services import settings as settings_service

    app = screen.app
    if not app.ctx.settings.department.missing():
        return []
    t = app.t
    province = ft.TextField(label=t("Tỉnh, thành phố (ví dụ: Tây Ninh)"), width=360, autofocus=False)
    kind = ft.RadioGroup(value="tỉnh", content=ft.Row([
        ft.Container(ft.Radio(value="tỉnh", label=t("Tỉnh")), height=48),
        ft.Container(ft.Radio(value="thành phố", label=t("Thành phố trực thuộc trung ương")), height=48)], wrap=True))

    async def save(e=None) -> None:
        got = await app.call(settings_service.set_identity, app.ctx, province.value or "", kind.value or "tỉnh")
        if not got.ok:
            province.error = got.message
            province.update()
            return
        app.toast(t("Đã lưu: {name}", name=got.value.department.organisation_name()))
        await app.refresh()

    return [ft.Semantics(identifier=IDENTITY_ID, container=True, content=ft.Card(ft.Container(ft.Column([
        ft.Text(t(N_p("fs.identity_title", "Cơ quan kiểm tra")), size=18, weight=ft.FontWeight.W_600),
        ft.Text(t("Trước khi lập biên bản, hãy cho biết Sở Nội vụ thuộc tỉnh, thành phố nào. Tên đầy đủ và cơ quan chủ quản được ghi theo đó; có thể sửa trong Cài đặt."), size=15),
        province, kind,
        ft.FilledButton(t("Lưu"), icon=ft.Icons.SAVE, height=52, on_click=save),
    ], spacing=10), padding=16)))]
