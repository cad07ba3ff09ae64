"""Settings: the department's identity, office hours per season, the language, who is using the tablet."""

from __future__ import annotations

from datetime import time
from typing import Any

import flet as ft

from inspection_app.locale import N_, N_p

from ...services import settings as settings_service
from .. import fmt
from ..calls import Result
from ..widgets.drafts import DraftKeeper
from ..widgets.first_start_panels import device_note  # what this installation leaves to the office
from .base import Screen, heading, muted

DEPARTMENT_FIELDS = [("province", N_("Tỉnh, thành phố (ví dụ: Tây Ninh)")), ("province_kind", N_("Cấp: tỉnh hoặc thành phố")),
                     ("organisation", N_("Tên đầy đủ của cơ quan (để trống: Sở Nội vụ + tỉnh)")), ("parent_agency", N_("Cơ quan chủ quản (để trống: UBND + tỉnh)")), ("name", N_("Tên cơ quan")),
                     ("team_name", N_("Tên Đoàn kiểm tra")), ("code", N_("Ký hiệu viết tắt")), ("place", N_("Địa danh")),
                     ("director_title", N_("Chức danh người đứng đầu")), ("drafting_unit", N_("Ký hiệu đơn vị soạn thảo (dòng “Lưu: VT, …”)"))]
HOUR_FIELDS = [("morning_start", N_("Buổi sáng"), N_("Từ")), ("morning_end", N_("Buổi sáng"), N_("Đến")),
               ("afternoon_start", N_("Buổi chiều"), N_("Từ")), ("afternoon_end", N_("Buổi chiều"), N_("Đến"))]


class SettingsScreen(Screen):
    nav_key = "settings"
    title_key = N_("Cài đặt")
    back_route = None

    async def load(self) -> None:
        result = await self.app.call(settings_service.get_settings, self.app.ctx)
        self.settings = result.value if result.ok else self.app.ctx.settings
        self.keeper = DraftKeeper(self.app, "settings", "settings", self._typed)
        self.draft = await self.keeper.load()

    def _text_fields(self) -> dict[str, ft.TextField]:
        fields = {"inspector": self.inspector, "days_off": self.days_off, "makeup": self.makeup}
        fields.update({f"dept.{k}": f for k, f in self.dept.items()})
        for i, season in enumerate(self.hours):
            fields.update({f"season{i}.{k}": f for k, f in season.items()})
        return fields

    def _typed(self) -> dict:
        """What is typed and not yet saved: the settings' draft."""
        return {k: f.value or "" for k, f in self._text_fields().items()}

    def build(self) -> ft.Control:
        t, s = self.t, self.settings
        self.lang = ft.RadioGroup(value=s.language, on_change=self._language_changed, content=ft.Row([
            ft.Radio(value="vi", label=t("Tiếng Việt"), height=48), ft.Radio(value="en", label=t(N_p("st.lang_en", "English")), height=48)]))
        self.inspector = ft.TextField(label=t("Người sử dụng máy"), value=s.inspector_name, width=420)
        self.dept = {name: ft.TextField(label=t(key), value=getattr(s.department, name), width=420)
                     for name, key in DEPARTMENT_FIELDS}
        self.hours: list[dict[str, ft.TextField]] = []
        hour_rows: list[ft.Control] = []
        for season in s.office_hours:
            fields = {"name": ft.TextField(label=t("Mùa"), value=season.name, width=160),
                      "months": ft.TextField(label=t("Tháng áp dụng"), width=200,
                                             value=", ".join(str(m) for m in season.months))}
            for name, part, edge in HOUR_FIELDS:
                fields[name] = ft.TextField(label=f"{t(part)} · {t(edge)}", width=150,
                                            value=getattr(season, name).strftime("%H:%M"),
                                            hint_text=t("HH:MM"))
            self.hours.append(fields)
            hour_rows.append(ft.Row(list(fields.values()), wrap=True, spacing=8, run_spacing=8))
        self.days_off = ft.TextField(label=t("Ngày nghỉ bổ sung (ví dụ Tết theo quyết định)"), value=settings_service.format_days(s.extra_days_off),
                                     hint_text=t("dd/mm/yyyy, cách nhau dấu phẩy"), multiline=True, width=860)
        self.makeup = ft.TextField(label=t("Ngày làm bù (thứ Bảy làm việc)"), value=settings_service.format_days(s.makeup_workdays),
                                   hint_text=t("dd/mm/yyyy, cách nhau dấu phẩy"), multiline=True, width=860)
        save = ft.FilledButton(t("Lưu"), icon=ft.Icons.SAVE, on_click=self._save, height=52)
        discard = ft.TextButton(t("Bỏ những gì chưa lưu"), icon=ft.Icons.UNDO, on_click=self._discard, height=52)
        pristine = self._typed()
        for k, f in self._text_fields().items():  # a draft typed before a reload or a restart comes back
            if self.draft and k in self.draft:
                f.value = self.draft[k]
        self.keeper.saved = self.draft or pristine
        self.keeper.watch(*self._text_fields().values())
        return ft.Column([
            heading(t("Ngôn ngữ")), self.lang,
            heading(t("Người sử dụng máy")), self.inspector,
            heading(t("Cơ quan kiểm tra")), ft.Row(list(self.dept.values()), wrap=True, spacing=12, run_spacing=12),
            heading(t("Giờ làm việc")), *hour_rows,
            heading(t("Ngày nghỉ và ngày làm bù")), muted(t("Ngoài ngày lễ theo luật, dùng để tính ngày làm việc khi xét hồ sơ đúng hạn.")), self.days_off, self.makeup,
            ft.Row([save, discard], wrap=True),
            muted(t("Thư mục dữ liệu: {path}", path=str(self.app.ctx.data_dir))),
            *device_note(self.app),  # what this installation leaves to the office (install's hook)
        ], spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    def _read(self):
        """The settings as typed, or an error label key."""
        s = self.settings
        department = s.department.model_copy(update={k: f.value.strip() for k, f in self.dept.items()})
        seasons = []
        for season, fields in zip(s.office_hours, self.hours):
            update = {"name": fields["name"].value.strip() or season.name}
            try:
                update["months"] = [int(m) for m in fields["months"].value.replace(";", ",").split(",") if m.strip()]
            except ValueError:
                return None, N_("Tháng áp dụng")
            for name, *_ in HOUR_FIELDS:
                hhmm = fmt.parse_hhmm(fields[name].value)
                if hhmm is None:
                    return None, N_("Giờ không hợp lệ (HH:MM)")
                update[name] = time.fromisoformat(hhmm)
            seasons.append(season.model_copy(update=update).model_dump())
        data = s.model_dump()
        data.update(department=department.model_dump(), office_hours=seasons, language=self.lang.value,
                    inspector_name=self.inspector.value.strip())
        return data, None

    def _days(self, data: dict) -> dict:
        """Add the calendar fields; a typing mistake raises a UserError the caller shows."""
        data["extra_days_off"] = settings_service.parse_days(self.days_off.value or "")
        data["makeup_workdays"] = settings_service.parse_days(self.makeup.value or "")
        return data

    async def _save(self, e=None) -> None:
        data, problem = self._read()
        if problem:
            self.app.toast(self.t(problem), error=True)
            return
        got: Result[Any]
        got = await self.app.call(self._days, data)
        if not got.ok:
            return
        data = got.value
        got = await self.app.call(settings_service.save_settings, self.app.ctx, data)
        if not got.ok:
            return
        result = got.value
        self.settings = result
        await self.keeper.discard()
        if result.language != self.t.lang:
            await self.app.set_language(result.language)
        self.app.toast(self.t("Đã lưu cài đặt"))

    async def _discard(self, e=None) -> None:
        """Explicit cancel: forget what was typed, show the saved settings again."""
        await self.keeper.discard()
        self.draft = None
        self.app.go("/settings")

    async def leave(self) -> None:
        if hasattr(self, "inspector"):
            await self.keeper.flush()

    async def _language_changed(self, e=None) -> None:
        got = await self.app.call(settings_service.get_settings, self.app.ctx)
        if not got.ok:
            return
        current = got.value
        result = await self.app.call(settings_service.save_settings, self.app.ctx,
                                     current.model_copy(update={"language": self.lang.value}))
        if result.ok:
            await self.app.set_language(result.value.language)
