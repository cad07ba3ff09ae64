"""Office screens through the client-less harness: the violation part of the finding form, the
outcomes screen, and the reports handed over as browser downloads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import flet as ft
from test_ui_screens import App, ctx, make_visit, run  # noqa: F401  (ctx is a fixture)

from inspection_app.domain.localtime import today_local
from inspection_app.services import findings, outcomes, remedies, review, roll_call, units
from inspection_app.store import models as m


def test_finding_form_records_kind_and_several_people(ctx):  # noqa: F811
    visit = make_visit(ctx)
    staff = units.list_staff(ctx, visit.unit_id)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/findings")
        await app.click(app.one(ft.FilledButton, content="Thêm phát hiện"))
        await app.type(app.one(ft.TextField, label="Mô tả phát hiện"), "Hai người hút thuốc lá trong phòng họp")
        kind = app.within("finding-violation", ft.Dropdown)
        app.session.apply_patch(kind._i, {"value": "tobacco"})
        for box in app.all(ft.Checkbox, data=lambda d: d in {p.id for p in staff}):
            app.session.apply_patch(box._i, {"value": True})
        await app.click(app.one(ft.FilledButton, content="Lưu phát hiện"))
        assert app.snack() == "Đã ghi phát hiện"
        [f] = findings.list_findings(ctx, visit.id)
        assert f.kind == "tobacco"
        assert sorted(findings.finding_people(ctx, visit.id)[f.id]) == sorted(p.id for p in staff)
        card = app.one(ft.Semantics, identifier="finding-1")
        column = card.content.content
        assert all(isinstance(c, ft.Control) for c in column.controls)  # nothing but controls in the card
        names = ", ".join(p.full_name for p in staff)
        assert any(getattr(c, "value", None) == f"Thuốc lá · {names}" for c in column.controls)
    run(scenario())


def _closed_visit_with_violation(ctx):
    visit = make_visit(ctx, checklist_ids=("working_hours",))
    person = units.list_staff(ctx, visit.unit_id)[0]
    with ctx.session() as s:
        s.get(m.StaffMember, person.id).employment_type = "Viên chức"
    roll_call.set_attendance(ctx, visit.id, person.id, "absent_unexcused")
    with ctx.session() as s:
        v = s.get(m.Visit, visit.id)
        v.arrival_at = datetime.now(UTC) - timedelta(days=3)
        v.status = "closed"
    return visit, person


def test_outcomes_screen_records_a_handling_and_refuses_discipline_without_its_decision(ctx):  # noqa: F811
    visit, person = _closed_visit_with_violation(ctx)

    async def scenario():
        app = await App(ctx).start("/review/outcomes")
        assert "1 vi phạm, 1 chưa xử lý" in app.texts()
        row = app.within("outcome-1", ft.OutlinedButton)
        await app.click(row)
        handling = app.within("outcome-1", ft.Dropdown)
        codes = [o.key for o in handling.options]
        assert "warning" in codes and "demotion" not in codes  # a viên chức: no "giáng chức"
        app.session.apply_patch(handling._i, {"value": "reprimand"})
        await app.click(app.within("outcome-1", ft.FilledButton))
        assert "quyết định" in (app.snack() or "")  # discipline needs its decision: refused
        assert outcomes.violations(ctx)[0].handling == "none"
        app.session.apply_patch(handling._i, {"value": "reminder"})
        await app.click(app.within("outcome-1", ft.FilledButton))
        assert app.snack() == "Đã lưu"
        [row] = outcomes.violations(ctx)
        assert (row.handling, row.staff_id) == ("reminder", person.id)
    run(scenario())


def test_outcomes_speak_the_screen_s_language(ctx):  # noqa: F811
    _closed_visit_with_violation(ctx)

    async def scenario():
        app = await App(ctx).start("/")
        await app.shell.set_language("en")
        await app.show("/review/outcomes")
        texts = app.texts()
        # the rows carry the documents' Vietnamese; the screen shows the kind and the handling in English
        assert "Not handled yet" in texts and "Chưa xử lý" not in texts, texts
        assert "Absent without reason: " in texts and f"{outcomes.violations(ctx)[0].kind_label}: " not in texts
    run(scenario())


def test_reports_and_year_end_list_arrive_as_downloads(ctx, monkeypatch):  # noqa: F811
    _closed_visit_with_violation(ctx)
    saved: list[tuple[str, bytes]] = []

    async def save_file(self, file_name=None, src_bytes=None, **kw):
        saved.append((file_name, src_bytes))

    monkeypatch.setattr(ft.FilePicker, "save_file", save_file)

    async def scenario():
        app = await App(ctx).start("/review/dashboard")
        await app.click(app.one(ft.FilledButton, content="Lập báo cáo (PDF, XLSX)"))
        await app.select(app.within("report-panel", ft.SegmentedButton), ["province"])
        await app.click(app.within("report-panel", ft.FilledButton))
        names = [n for n, _ in saved]
        assert len(saved) == 2 and names[0].endswith(".pdf") and names[1].endswith(".xlsx"), app.texts()
        assert saved[0][1].startswith(b"%PDF") and saved[1][1].startswith(b"PK")
        assert "Đã tải về" in app.texts() and "/" not in names[0]
        # a period that has not ended: refused with the reason, nothing handed over
        # today on the app's clock (Viet Nam): the machine's date lags it from 17:00 UTC
        await app.type(app.one(ft.TextField, label="Đến ngày"), today_local().strftime("%d/%m/%Y"))
        await app.click(app.within("report-panel", ft.FilledButton))
        assert len(saved) == 2 and "chưa kết thúc" in app.texts()
        await app.show("/review/outcomes")
        await app.click(app.one(ft.OutlinedButton, content="Danh sách phục vụ đánh giá cuối năm (XLSX)"))
        assert saved[-1][0].startswith("danh-sach-danh-gia-cuoi-nam-") and saved[-1][1].startswith(b"PK")
    run(scenario())


def test_office_date_and_year_fields_show_their_message_at_the_field(ctx, monkeypatch):  # noqa: F811
    # TextField.error is what Flet 1.0 draws under a field (it has no error_text): each office screen sets it
    # on a bad date or year and clears it once the field is right or the filters are cleared.
    visit = make_visit(ctx)
    remedy = remedies.add_remedy(ctx, visit.id, "Niêm yết lại thủ tục hành chính", date(2026, 12, 31))
    bad_date = "Ngày không hợp lệ (dd/mm/yyyy)"

    async def save_file(self, file_name=None, src_bytes=None, **kw):
        pass

    monkeypatch.setattr(ft.FilePicker, "save_file", save_file)

    async def scenario():
        app = await App(ctx).start("/review")  # the visits table
        start = app.one(ft.TextField, label="Từ ngày")
        await app.type(start, "31/02/2026")
        await app.click(app.one(ft.FilledButton, content="Lọc"))
        assert start.error == bad_date
        await app.click(app.one(ft.TextButton, content="Bỏ lọc"))
        assert start.error is None and start.value == ""

        await app.show("/review/dashboard")
        end = app.one(ft.TextField, label="Đến ngày")
        await app.type(end, "1/13/2026")
        await app.click(app.one(ft.FilledTonalButton, content="Lọc"))
        assert end.error == bad_date
        await app.select(app.shell.screen.presets, ["this_month"])  # a preset period puts right dates there
        assert end.error is None and end.value

        await app.show("/review/outcomes")
        year = app.one(ft.TextField, label="Năm")
        await app.type(year, "1999")
        await app.click(app.one(ft.OutlinedButton, content="Danh sách phục vụ đánh giá cuối năm (XLSX)"))
        assert year.error == "Năm không hợp lệ"
        await app.type(year, "2026")
        await app.click(app.one(ft.OutlinedButton, content="Danh sách phục vụ đánh giá cuối năm (XLSX)"))
        assert year.error is None
        since = app.one(ft.TextField, label="Từ ngày")
        await app.type(since, "ngày mai")
        await app.click(app.one(ft.FilledTonalButton, content="Lọc"))
        assert since.error == bad_date

        await app.show("/review/remedies")
        await app.click(app.within("remedy-1", ft.OutlinedButton, content="Ghi nhận báo cáo của đơn vị"))
        when = app.within("remedy-1", ft.TextField, label="Ngày báo cáo")
        await app.type(when, "32/12/2026")
        await app.click(app.within("remedy-1", ft.FilledButton, content="Lưu báo cáo"))
        assert when.error == bad_date
        await app.type(when, "")  # a report needs its date
        await app.click(app.within("remedy-1", ft.FilledButton, content="Lưu báo cáo"))
        assert when.error == bad_date
        assert [r.status for r in review.remedies(ctx) if r.id == remedy.id] == ["open"]  # nothing recorded
    run(scenario())
