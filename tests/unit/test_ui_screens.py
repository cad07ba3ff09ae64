"""The screens' handlers, without a browser: a real Flet session on a fake connection.

The session msgpack-encodes what it would send (that also snapshots the state the next diff uses)
and events go through ``session.dispatch_event``, the path a tap from the browser takes. The
services run for real on a temporary data directory; what is checked here is the wiring (a handler
reads the controls, calls one service, shows the result or the error), not the rules, which have
their own tests below the UI.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import flet as ft
import msgpack
import pytest
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    Message,
    MessageAction,
    RegisterClientResponseBody,
    configure_encode_object_for_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

from inspection_app.services import (
    checklists,
    drafts,
    findings,
    minutes_signatures,
    roll_call,
    units,
    visit_close,
    visits,
)
from inspection_app.services.context import AppContext
from inspection_app.ui.shell import Shell
from inspection_app.ui.views import registry

# --- harness -----------------------------------------------------------------------------------


class RecordingConnection(Connection):
    def __init__(self):
        super().__init__()
        self.pubsubhub = PubSubHub()
        self.sent = 0

    def send_message(self, message):
        msgpack.packb([message.action, message.body], default=configure_encode_object_for_msgpack(BaseControl))
        self.sent += 1


class App:
    """A session with the app's shell on it; navigation goes straight to ``shell.show``."""

    def __init__(self, ctx: AppContext, width: int = 1280, height: int = 800):
        self.conn = RecordingConnection()
        self.conn.loop = asyncio.get_running_loop()
        self.session = Session(self.conn)
        _context_page.set(self.session.page)
        self.session.apply_page_patch({"route": "/", "width": width, "height": height, "web": True})
        self.conn.send_message(Message(MessageAction.REGISTER_CLIENT, RegisterClientResponseBody(
            session_id=self.session.id, page_patch=self.session.get_page_patch(), error=None)))
        self.page = self.session.page
        self.shell = Shell(self.page, ctx, registry.screen_for)
        self.routes: list[str] = []
        self.shell.go = self.routes.append  # the browser round trip of page.navigate is not there

    async def start(self, route: str = "/") -> App:
        await asyncio.wrap_future(self.shell.start())
        if route != "/":
            await self.show(route)
        return self

    async def show(self, route: str) -> None:
        self.page.route = route
        await self.shell.show(route)

    # finding controls
    def all(self, cls, **attrs) -> list:
        def ok(c):
            return isinstance(c, cls) and all(
                (v(getattr(c, k, None)) if callable(v) else getattr(c, k, None) == v) for k, v in attrs.items())
        return [c for c in self.session.index.values() if ok(c)]

    def one(self, cls, **attrs):
        hits = self.all(cls, **attrs)
        assert len(hits) == 1, (cls, attrs, hits)
        return hits[0]

    def on_screen(self, cls, **attrs):
        """One control of a type in the current view (not in a dialog)."""
        hits = [c for c in self.all(cls, **attrs) if _under(c, self.page.views[-1])]
        assert len(hits) == 1, (cls, attrs, hits)
        return hits[0]

    def within(self, identifier: str, cls, **attrs):
        """Controls of a type under the ``ft.Semantics(identifier=...)`` node."""
        root = self.one(ft.Semantics, identifier=identifier)
        hits = [c for c in self.all(cls, **attrs) if _under(c, root)]
        assert len(hits) == 1, (identifier, cls, attrs, hits)
        return hits[0]

    # events
    async def click(self, control) -> None:
        await self.session.dispatch_event(control._i, "click", None)

    async def select(self, seg: ft.SegmentedButton, values: list[str]) -> None:
        self.session.apply_patch(seg._i, {"selected": values})
        await self.session.dispatch_event(seg._i, "change", None)

    async def type(self, field: ft.TextField, text: str) -> None:
        self.session.apply_patch(field._i, {"value": text})
        await self.session.dispatch_event(field._i, "change", text)
        await self.session.dispatch_event(field._i, "blur", None)  # leaving the field saves at once

    def snack(self) -> str | None:
        bars = [d for d in self.page._dialogs.controls if isinstance(d, ft.SnackBar)]
        return bars[-1].content.value if bars else None

    def texts(self) -> str:
        return " | ".join(str(c.value) for c in self.all(ft.Text) if c.value and c.visible)


def _under(control, root) -> bool:
    while control is not None:
        if control is root:
            return True
        control = control.parent
    return False


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def ctx(tmp_path):
    c = AppContext.open(tmp_path / "data", actor="Kiểm tra đơn vị")
    yield c
    c.close()


def make_visit(ctx, checklist_ids=("office_culture",), staff=("Võ Minh Tuấn", "Đặng Ngọc Ánh")):
    unit = units.create_unit(ctx, "UBND xã Hòa Hội", kind="UBND xã")
    for name in staff:
        units.add_staff(ctx, unit.id, name, "Chuyên viên")
    return visits.create_visit(
        ctx, unit.id, kind="unannounced", decision_number="125/QĐ-SNV", decision_date=date(2026, 7, 10),
        checklist_ids=list(checklist_ids),
        team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc"),
              visits.ParticipantIn("Phạm Đức Anh", "secretary")],
        unit_reps=[visits.ParticipantIn("Nguyễn Văn Hùng", "Chủ tịch UBND xã")])


# --- the shell -----------------------------------------------------------------------------------


def test_wide_window_has_a_rail_narrow_one_a_bottom_bar_and_resizing_keeps_the_screen(ctx):
    async def scenario():
        app = await App(ctx).start()
        view = app.page.views[-1]
        assert view.navigation_bar is None
        rail = app.one(ft.NavigationRail)
        assert [d.label for d in rail.destinations] == ["Cuộc kiểm tra", "Tổng hợp", "Cài đặt"]
        body = app.shell.screen.body()
        app.session.apply_page_patch({"width": 600, "height": 960})
        app.shell._on_resize()
        view = app.page.views[-1]
        assert isinstance(view.navigation_bar, ft.NavigationBar)
        assert app.all(ft.NavigationRail) == []
        assert app.shell.screen.body() is body  # same controls: nothing typed is lost
    run(scenario())


def test_visit_sections_are_the_navigation_inside_a_visit(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/roll-call")
        rail = app.one(ft.NavigationRail)
        labels = [d.label for d in rail.destinations]
        assert labels[:2] == ["Nội dung", "Điểm danh"] and labels[-1] == "Biên bản"
        assert labels[rail.selected_index] == "Điểm danh"
        app.session.apply_patch(rail._i, {"selected_index": labels.index("Chữ ký")})
        await app.session.dispatch_event(rail._i, "change", None)
        assert app.routes[-1] == f"/visits/{visit.id}/signatures"
    run(scenario())


def test_language_switch_relabels_everything_and_is_saved(ctx, tmp_path):
    async def scenario():
        app = await App(ctx).start("/settings")
        # Flutter's own texts (a field's "characters remaining", date pickers) follow the app's language
        assert app.page.locale_configuration.current_locale == ft.Locale("vi", "VN")
        radios = app.one(ft.RadioGroup, value="vi")
        app.session.apply_patch(radios._i, {"value": "en"})
        await app.session.dispatch_event(radios._i, "change", None)
        rail = app.one(ft.NavigationRail)
        assert [d.label for d in rail.destinations] == ["Visits", "Review", "Settings"]
        assert app.one(ft.TextButton, content="Tiếng Việt")  # the switch offers the other language
        assert "language: en" in (ctx.data_dir / "settings.yaml").read_text(encoding="utf-8")
        assert app.page.locale_configuration.current_locale == ft.Locale("en", "US")
        await app.click(app.one(ft.TextButton, content="Tiếng Việt"))
        assert [d.label for d in app.one(ft.NavigationRail).destinations][0] == "Cuộc kiểm tra"
    run(scenario())


def test_settings_screen_saves_department_and_office_hours(ctx):
    async def scenario():
        app = await App(ctx).start("/settings")
        await app.type(app.one(ft.TextField, label="Ký hiệu viết tắt"), "SNV-TN")
        await app.type(app.one(ft.TextField, label="Buổi sáng · Từ", value="07:00"), "7:15")
        await app.click(app.one(ft.FilledButton, content="Lưu"))
        assert app.snack() == "Đã lưu cài đặt"
        assert ctx.settings.department.code == "SNV-TN"
        assert ctx.settings.office_hours[0].morning_start.strftime("%H:%M") == "07:15"
        await app.type(app.one(ft.TextField, label="Buổi chiều · Đến", value="17:00"), "25:00")
        await app.click(app.one(ft.FilledButton, content="Lưu"))
        assert app.snack() == "Giờ không hợp lệ (HH:MM)"
        assert ctx.settings.office_hours[0].afternoon_end.strftime("%H:%M") == "17:00"
        await app.type(app.one(ft.TextField, label="Buổi chiều · Đến", value="25:00"), "17:00")
        await app.type(app.one(ft.TextField, label="Ngày nghỉ bổ sung (ví dụ Tết theo quyết định)"),
                       "16/02/2026, 17/02/2026")
        await app.type(app.one(ft.TextField, label="Ngày làm bù (thứ Bảy làm việc)"), "31/02/2026")
        await app.click(app.one(ft.FilledButton, content="Lưu"))
        assert "31/02/2026" in app.snack() and ctx.settings.makeup_workdays == []
        await app.type(app.one(ft.TextField, label="Ngày làm bù (thứ Bảy làm việc)"), "07/02/2026")
        await app.click(app.one(ft.FilledButton, content="Lưu"))
        assert app.snack() == "Đã lưu cài đặt"
        assert [d.isoformat() for d in ctx.settings.extra_days_off] == ["2026-02-16", "2026-02-17"]
        assert [d.isoformat() for d in ctx.settings.makeup_workdays] == ["2026-02-07"]
    run(scenario())


def test_an_unexpected_error_is_reported_and_the_session_goes_on(ctx, monkeypatch):
    from inspection_app.services import visits as visit_service

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(visit_service, "list_visits", broken)

    async def scenario():
        app = await App(ctx).start()
        assert app.snack().startswith("Đã xảy ra lỗi không mong muốn")
        assert app.one(ft.FilledButton, content="Tạo cuộc kiểm tra mới")  # the home still works
    run(scenario())


def test_a_screen_that_breaks_shows_a_message_and_the_way_home(ctx, monkeypatch):
    def broken(app, route):
        raise ImportError("a half-written screen")

    async def scenario():
        app = await App(ctx).start()
        monkeypatch.setattr(app.shell, "screens", broken)
        await app.show("/review")
        assert "Đã xảy ra lỗi không mong muốn" in app.texts()
        home = app.on_screen(ft.FilledButton, content="Cuộc kiểm tra")
        await app.click(home)
        assert app.routes[-1] == "/"
    run(scenario())


# --- visit set-up --------------------------------------------------------------------------------


def test_set_up_a_visit_with_a_new_unit_team_and_representative(ctx):
    async def scenario():
        app = await App(ctx).start("/visits/new")
        await app.click(app.one(ft.FilledButton, content="Bắt đầu kiểm tra"))
        assert app.snack() == "Hãy chọn đơn vị được kiểm tra."
        await app.type(app.one(ft.TextField, label="Tên đơn vị"), "UBND phường Tân Định")
        await app.click(app.one(ft.OutlinedButton, content="Thêm đơn vị mới"))
        assert "Đã chọn: UBND phường Tân Định" in app.texts()
        await app.select(app.one(ft.SegmentedButton, selected=["planned"]), ["unannounced"])
        await app.type(app.one(ft.TextField, label="Số quyết định"), "125/QĐ-SNV")
        await app.type(app.one(ft.TextField, label="Ngày quyết định"), "10/07/2026")
        await app.type(app.within("person-team-1", ft.TextField, label="Họ và tên 1"), "Nguyễn Thị Ánh Tuyết")
        await app.type(app.within("person-team-2", ft.TextField, label="Họ và tên 2"), "Phạm Đức Anh")
        await app.type(app.within("person-unit-1", ft.TextField, label="Họ và tên 1"), "Trần Văn Bình")
        await app.type(app.within("person-unit-1", ft.TextField, label="Chức vụ"), "Chủ tịch UBND phường")
        for box in app.all(ft.Checkbox):
            box.value = box.data == "office_culture"
        await app.click(app.one(ft.FilledButton, content="Bắt đầu kiểm tra"))
        summary = visits.list_visits(ctx)[0]
        assert app.routes[-1] == f"/visits/{summary.id}/checklist"
        visit = visits.get_visit(ctx, summary.id)
        assert (visit.kind, visit.decision_number, visit.decision_date) == ("unannounced", "125/QĐ-SNV",
                                                                           date(2026, 7, 10))
        assert [c["id"] for c in visit.checklists] == ["office_culture"]
        people = {(p.side, p.role, p.full_name) for p in visits.participants(ctx, visit.id)}
        assert people == {("team", "leader", "Nguyễn Thị Ánh Tuyết"), ("team", "secretary", "Phạm Đức Anh"),
                          ("unit", "Chủ tịch UBND phường", "Trần Văn Bình")}
    run(scenario())


def test_a_bad_date_is_refused_before_anything_is_stored(ctx):
    units.create_unit(ctx, "UBND xã Hòa Hội")

    async def scenario():
        app = await App(ctx).start("/visits/new")
        group = app.one(ft.RadioGroup)
        app.session.apply_patch(group._i, {"value": units.list_units(ctx)[0].id})
        await app.session.dispatch_event(group._i, "change", None)
        await app.type(app.one(ft.TextField, label="Ngày quyết định"), "31/02/2026")
        await app.click(app.one(ft.FilledButton, content="Bắt đầu kiểm tra"))
        assert app.snack() == "Ngày quyết định: Ngày không hợp lệ (dd/mm/yyyy)"
        assert app.one(ft.TextField, label="Ngày quyết định").error == app.snack()  # at the field, naming it
        assert visits.list_visits(ctx) == []
    run(scenario())


# --- checklist runner ----------------------------------------------------------------------------


def test_one_tap_saves_the_answer_and_a_failed_item_asks_for_its_note(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/checklist")
        seg = app.within("item-oc.card_worn", ft.SegmentedButton)
        await app.select(seg, ["fail"])
        answer = checklists.answers_for(ctx, visit.id)[("office_culture", "oc.card_worn")]
        assert answer.value == "fail"  # saved at the tap, no save button
        warning = app.within("item-oc.card_worn", ft.Text, value="Cần ghi chú cho nội dung không đạt")
        assert warning.parent.visible
        note = app.within("item-oc.card_worn", ft.TextField, label="Ghi chú")
        assert note.visible
        await app.type(note, "03 người không đeo thẻ")
        assert checklists.answers_for(ctx, visit.id)[("office_culture", "oc.card_worn")].note == "03 người không đeo thẻ"
        assert not warning.parent.visible
        await app.select(app.within("item-oc.attire", ft.SegmentedButton), ["pass"])
        heads = [c.value for c in app.all(ft.Text) if c.value == "2/3"]
        assert heads  # section progress: two of the three conduct items answered
    run(scenario())


def test_a_count_that_is_not_a_number_is_refused_with_the_services_message(ctx):
    visit = make_visit(ctx, checklist_ids=("alcohol_tobacco",))

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/checklist")
        field = app.within("item-at.smoking_violators", ft.TextField, label="Số lượng")
        await app.type(field, "mười")
        assert app.snack() == "Nhập một số nguyên không âm"
        assert ("alcohol_tobacco", "at.smoking_violators") not in checklists.answers_for(ctx, visit.id)
        await app.type(field, "14")
        assert checklists.answers_for(ctx, visit.id)[("alcohol_tobacco", "at.smoking_violators")].value == "14"
    run(scenario())


def test_arrival_headcount_and_late_count_are_asked_once(ctx):
    visit = make_visit(ctx, checklist_ids=("working_hours",))
    staff = units.list_staff(ctx, visit.unit_id)
    roll_call.set_attendance(ctx, visit.id, staff[0].id, "present")
    roll_call.set_attendance(ctx, visit.id, staff[1].id, "late", arrival_time="08:20")

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/checklist")
        facts = app.texts()
        assert "Đoàn đến lúc " in facts and "Điểm danh: có mặt 2/2, đi muộn 1" in facts
        # the checklist data no longer asks for them: arrival at set-up, counts from the roll call
        for item in ("wh.arrival_time", "wh.headcount_roster", "wh.headcount_present", "wh.late_count"):
            assert app.all(ft.Semantics, identifier=f"item-{item}") == []
            assert ("working_hours", item) not in checklists.answers_for(ctx, visit.id)
    run(scenario())


def test_a_checklist_section_folds_and_next_unanswered_unfolds_it(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/checklist")
        head = app.one(ft.Semantics, identifier=f"section-office_culture-{visit_sections(ctx, visit)[0]}")
        await app.click(head.content)
        body = app.shell.screen.columns["office_culture"].controls[1]
        assert body.visible is False and "0/" in head.content.content.controls[2].value  # the count stays
        first = app.shell.screen.cards["office_culture"][0]
        app.shell.screen._scroll_to = _no_scroll
        await app.click(app.one(ft.OutlinedButton, content="Câu chưa trả lời tiếp theo"))
        assert body.visible is True and app.shell.screen._last_jump == 0 and not first.answered
    run(scenario())


async def _no_scroll(*args):  # the fake client answers no scroll request
    return None


def visit_sections(ctx, visit):
    return [s.id for c in checklists.visit_checklists(ctx, visit.id) for s in c.sections]


def test_text_typed_just_before_leaving_the_screen_is_saved(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/checklist")
        note = app.within("item-oc.parking", ft.TextField, label="Ghi chú")
        app.session.apply_patch(note._i, {"value": "Không có chỗ để xe"})
        await app.session.dispatch_event(note._i, "change", "Không có chỗ để xe")  # no blur, no pause
        await app.show(f"/visits/{visit.id}/roll-call")
        assert checklists.answers_for(ctx, visit.id)[("office_culture", "oc.parking")].note == "Không có chỗ để xe"
    run(scenario())


# --- roll call -----------------------------------------------------------------------------------


def test_roll_call_late_with_arrival_time_and_excused_absence_with_reason(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/roll-call")
        rows = {r.staff.full_name: r for r in app.shell.screen.rows}
        late, absent = rows["Võ Minh Tuấn"], rows["Đặng Ngọc Ánh"]
        await app.select(late.seg, ["late"])
        assert late.arrival.value == ""  # never "now": the time is asked for, and nothing is saved yet
        assert late.arrival.error == "Nhập giờ người này đến (HH:MM)"
        assert roll_call.roll_call_sheet(ctx, visit.id).totals.late == 0
        await app.type(late.arrival, "25:70")
        assert app.snack() == "Giờ đến: Giờ không hợp lệ (HH:MM)" == late.arrival.error
        await app.type(late.arrival, "07:52")
        sheet = roll_call.roll_call_sheet(ctx, visit.id)
        entry = next(r.entry for r in sheet.rows if r.staff.full_name == "Võ Minh Tuấn")
        assert (entry.status, entry.arrival_time) == ("late", "07:52") and entry.minutes_late > 0
        assert late.late_info.value == f"muộn {entry.minutes_late} phút"

        await app.select(absent.seg, ["absent_excused"])
        assert roll_call.roll_call_sheet(ctx, visit.id).totals.absent_excused == 0  # waits for the reason
        leave = next(b for b in app.all(ft.TextButton, content="Nghỉ phép") if _under(b, absent.control))
        await app.click(leave)
        entry = next(r.entry for r in roll_call.roll_call_sheet(ctx, visit.id).rows
                     if r.staff.full_name == "Đặng Ngọc Ánh")
        assert (entry.status, entry.reason, entry.evidence) == ("absent_excused", "Nghỉ phép",
                                                                "Đơn nghỉ phép được duyệt")
        totals = app.shell.screen.totals.value
        assert "Đi muộn: 1" in totals and "Vắng có lý do: 1" in totals and "Chưa điểm danh: 0" in totals
    run(scenario())


def test_roster_import_reports_loaded_people_and_bad_rows(ctx, monkeypatch):
    visit = make_visit(ctx, staff=())
    csv = "STT,Họ và tên,Chức vụ\n1,Lê Hoàng Phúc,Chủ tịch\n2,,Chuyên viên\n3,Bùi Quốc Việt,Chuyên viên\n"

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/roll-call")

        async def pick_files(**kwargs):
            return [ft.FilePickerFile(id=1, name="danh_sach.csv", size=len(csv), path=None,
                                      bytes=csv.encode("utf-8"))]

        monkeypatch.setattr(app.shell.screen.picker, "pick_files", pick_files)
        await app.click(app.one(ft.OutlinedButton, content="Nhập danh sách từ tệp"))
        assert app.snack() == "Đã nhập 2 người"
        assert "Dòng 3: thiếu họ và tên, bỏ qua." in app.texts()
        assert [r.staff.full_name for r in app.shell.screen.rows] == ["Lê Hoàng Phúc", "Bùi Quốc Việt"]  # file order
    run(scenario())


# --- findings, signatures, close ------------------------------------------------------------------


def test_finding_linked_to_a_person(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/findings")
        await app.click(app.one(ft.FilledButton, content="Thêm phát hiện"))
        await app.type(app.one(ft.TextField, label="Mô tả phát hiện"), "Hút thuốc lá trong phòng làm việc")
        await app.select(app.one(ft.SegmentedButton, selected=["medium"]), ["high"])
        await app.select(app.one(ft.SegmentedButton, selected=["none"]), ["person"])
        staff = units.list_staff(ctx, visit.unit_id)
        group = app.all(ft.RadioGroup)[-1]
        app.session.apply_patch(group._i, {"value": staff[0].id})
        await app.session.dispatch_event(group._i, "change", None)
        await app.click(app.one(ft.FilledButton, content="Lưu phát hiện"))
        assert app.snack() == "Đã ghi phát hiện"
        [f] = findings.list_findings(ctx, visit.id)
        assert (f.description, f.severity, f.staff_id) == ("Hút thuốc lá trong phòng làm việc", "high", staff[0].id)
    run(scenario())


def _pan(x, y):
    return {"k": "mouse", "l": {"x": x, "y": y}, "g": {"x": x, "y": y}}


def test_what_signing_waits_for_is_listed_in_the_screen_s_language(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start("/")
        await app.shell.set_language("en")
        await app.show(f"/visits/{visit.id}/signatures")
        texts = app.texts()
        assert "- Section III (assessment) is not written yet." in texts, texts
        assert "Chưa ghi" not in texts
    run(scenario())


def test_signatures_keep_vector_strokes_and_a_refusal_needs_its_reason(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/signatures")
        # signatures come after the conclusions: the screen says what is missing and leads there
        assert "Chữ ký được lấy sau khi viết xong phần Đánh giá, kiến nghị. Còn thiếu:" in app.texts()
        assert app.all(ft.Semantics, identifier="signer-team_leader") == []
        visits.update_visit(ctx, visit.id, assessment="Chấp hành tốt.",
                            ended_at=visits.get_visit(ctx, visit.id).arrival_at + timedelta(hours=2))
        await app.show(f"/visits/{visit.id}/signatures")
        pad = app.within("pad-team_leader", ft.GestureDetector)
        # a tap is not a signature (issue #13, point 8)
        await app.session.dispatch_event(pad._i, "pan_start", _pan(100, 100))
        await app.session.dispatch_event(pad._i, "pan_update", _pan(101, 100))
        await app.click(app.within("signer-team_leader", ft.FilledButton, content="Lưu chữ ký"))
        assert app.snack().startswith("Nét ký quá ngắn hoặc quá nhỏ để là chữ ký")
        assert "team_leader" not in visits.list_signatures(ctx, visit.id)
        await app.click(app.within("signer-team_leader", ft.OutlinedButton, content="Ký lại"))
        pad = app.within("pad-team_leader", ft.GestureDetector)
        await app.session.dispatch_event(pad._i, "pan_start", _pan(20, 30))
        for x in range(40, 300, 20):
            await app.session.dispatch_event(pad._i, "pan_update", _pan(x, 30 + x / 4))
        await app.click(app.within("signer-team_leader", ft.FilledButton, content="Lưu chữ ký"))
        sig = visits.list_signatures(ctx, visit.id)["team_leader"]
        assert sig.full_name == "Nguyễn Thị Ánh Tuyết" and not sig.refused
        assert len(sig.strokes) == 1 and len(sig.strokes[0]) == 14 and sig.strokes[0][0] == [20.0, 30.0]
        assert (sig.pad_width, sig.pad_height) == (520.0, 200.0)

        await app.click(app.within("signer-team_leader", ft.OutlinedButton, content="Ký lại"))
        assert "team_leader" not in visits.list_signatures(ctx, visit.id)

        await app.select(app.shell.screen.selector, ["unit_representative"])  # the tablet goes to the unit
        refuse = app.within("signer-unit_representative", ft.OutlinedButton, content="Ghi nhận từ chối ký")
        await app.click(refuse)
        assert app.snack() == "Cần ghi lý do từ chối ký."
        reason = app.within("signer-unit_representative", ft.TextField, label="Lý do từ chối ký")
        await app.type(reason, "Không đồng ý với kết quả điểm danh")
        await app.click(refuse)
        sig = visits.list_signatures(ctx, visit.id)["unit_representative"]
        assert sig.refused and sig.refusal_reason == "Không đồng ý với kết quả điểm danh"
        assert sig.full_name == "Nguyễn Văn Hùng"
        # a signature given before the text changed must be given again, and the screen says so
        minutes_signatures.sign(ctx, visit.id, "secretary", "Phạm Đức Anh", [[[0, 0], [200, 100], [400, 20]]], 520, 200)
        visits.update_visit(ctx, visit.id, assessment="Chấp hành tốt; còn thiếu sổ góp ý.")
        await app.show(f"/visits/{visit.id}/signatures")
        await app.select(app.shell.screen.selector, ["secretary"])
        assert "Phải ký lại: Phạm Đức Anh đã ký trên nội dung cũ, biên bản đã thay đổi sau đó" in app.texts()
    run(scenario())


def test_close_lists_what_is_missing_then_a_locked_visit_is_read_only(ctx, monkeypatch):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/close")
        missing = visit_close.missing_before_close(ctx, visit.id)
        assert app.one(ft.Text, value=f"Còn thiếu {len(missing)} mục:")
        assert app.on_screen(ft.FilledButton, content="Khóa cuộc kiểm tra").disabled  # nothing to confirm yet
        lines = [c for c in app.all(ft.Container, height=48) if c.on_click is not None]
        unanswered = [m for m in missing if m.kind == "unanswered"]
        assert len(unanswered) > 5 and "… và %d mục khác" % (len(unanswered) - 5) in app.texts()  # compact
        assert len(lines) == 5 + 1 + 3  # five unanswered, "and N more", three signatures
        await app.click(lines[1])  # each line is a jump to where it is fixed
        assert app.routes[-1] == f"/visits/{visit.id}/checklist"
        assert (app.shell.state.checklist, app.shell.state.checklist_item) == (unanswered[1].checklist_id,
                                                                              unanswered[1].item_id)
        assert not visits.get_visit(ctx, visit.id).locked

        # complete everything through the services, then lock from the screen
        for c in checklists.visit_checklists(ctx, visit.id):
            for item in c.items:
                checklists.record_answer(ctx, visit.id, c.id, item.id, "pass")
        # signatures come after the conclusions and are bound to the minutes' content (issue #11)
        visits.update_visit(ctx, visit.id, assessment="Chấp hành tốt.",
                            ended_at=visits.get_visit(ctx, visit.id).arrival_at + timedelta(hours=2))
        minutes_signatures.refuse(ctx, visit.id, "unit_representative", "Nguyễn Văn Hùng", "Không đồng ý")
        for role in ("team_leader", "secretary"):
            minutes_signatures.sign(ctx, visit.id, role, "Người ký", [[[0, 0], [200, 100], [400, 20]]], 520, 200)
        await app.show(f"/visits/{visit.id}/close")
        assert "Đã đủ thông tin, có thể khóa cuộc kiểm tra." in app.texts()
        await app.click(app.on_screen(ft.FilledButton, content="Khóa cuộc kiểm tra"))
        assert "Khóa cuộc kiểm tra? Sau khi khóa không sửa được nữa." in app.texts()
        await app.click(app.on_screen(ft.TextButton, content="Hủy"))  # changed one's mind
        assert "Khóa cuộc kiểm tra? Sau khi khóa không sửa được nữa." not in app.texts()
        await app.click(app.on_screen(ft.FilledButton, content="Khóa cuộc kiểm tra"))
        await app.click(app.on_screen(ft.FilledButton, content="Khóa cuộc kiểm tra"))  # confirmed on the screen
        assert visits.get_visit(ctx, visit.id).locked

        await app.show(f"/visits/{visit.id}/close")
        await app.click(app.on_screen(ft.FilledButton, content="Biên bản: xuất PDF, ký số"))
        assert app.routes[-1] == f"/visits/{visit.id}/minutes"  # export and signing live there now

        await app.show(f"/visits/{visit.id}/checklist")
        assert "Cuộc kiểm tra đã khóa: chỉ xem, không sửa được." in app.texts()
        assert all(seg.disabled for seg in app.all(ft.SegmentedButton))
        assert all(f.read_only for f in app.all(ft.TextField))
    run(scenario())


def test_photo_on_an_item_goes_through_the_media_service(ctx, monkeypatch):
    import io

    from PIL import Image

    from inspection_app.services import photos

    visit = make_visit(ctx)
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), "red").save(buf, "JPEG")

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/checklist")

        async def pick_files(**kwargs):
            assert kwargs["with_data"] is True  # web mode: the browser hands over the bytes
            return [ft.FilePickerFile(id=1, name="bien_ten.jpg", size=len(buf.getvalue()), path=None,
                                      bytes=buf.getvalue())]

        monkeypatch.setattr(app.shell.screen.picker.picker, "pick_files", pick_files)
        await app.select(app.within("item-oc.name_plates", ft.SegmentedButton), ["fail"])
        assert app.within("item-oc.name_plates", ft.Text, value="Cần ảnh cho nội dung không đạt").parent.visible
        button = app.within("item-oc.name_plates", ft.IconButton, tooltip="Thêm ảnh")
        await app.click(button)
        [photo] = photos.list_photos(ctx, visit.id)
        assert (photo.checklist_id, photo.item_id) == ("office_culture", "oc.name_plates")
        card = app.shell.screen.cards["office_culture"]
        shown = next(k for k in card if k.item.id == "oc.name_plates")
        assert isinstance(shown.thumbs.controls[0].content, ft.Image)  # thumbnail bytes, not a file path
        assert not shown.warning.visible
    run(scenario())


def test_assets_index_is_the_offline_shim_of_the_installed_flet():
    from inspection_app.ui.app import assets_dir
    from inspection_app.ui.make_offline_index import offline_index, stock_index

    committed = (assets_dir() / "index.html").read_text(encoding="utf-8")
    assert committed == offline_index(stock_index()), "re-run python -m inspection_app.ui.make_offline_index"
    assert "/@rive-app/" in committed
    assert Path(assets_dir()).is_absolute()


def test_photos_screen_captions_and_attaches_a_photo_to_a_finding(ctx, monkeypatch):
    import io

    from PIL import Image

    from inspection_app.services import photos

    visit = make_visit(ctx)
    finding = findings.add_finding(ctx, visit.id, "Không niêm yết thủ tục hành chính")
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), "blue").save(buf, "JPEG")
    photos.add_photo(ctx, visit.id, buf.getvalue(), "niem_yet.jpg")

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/photos")
        await app.type(app.within("photo-1", ft.TextField, label="Chú thích"), "Bảng niêm yết trống")
        assert photos.list_photos(ctx, visit.id)[0].caption == "Bảng niêm yết trống"
        await app.click(app.within("photo-1", ft.TextButton, content="Gắn với"))
        dialog = app.page._dialogs.controls[-1]
        group = next(c for c in app.all(ft.RadioGroup) if _under(c, dialog))
        app.session.apply_patch(group._i, {"value": f"finding|{finding.id}"})
        await app.session.dispatch_event(group._i, "change", None)
        await app.click(dialog.actions[-1])
        assert photos.list_photos(ctx, visit.id)[0].finding_id == finding.id
        assert "Phát hiện: Không niêm yết thủ tục hành chính" in app.texts()
    run(scenario())


def test_text_typed_when_the_tab_goes_away_is_saved(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/checklist")
        note = app.within("item-oc.hotline", ft.TextField, label="Ghi chú")
        app.session.apply_patch(note._i, {"value": "Số đường dây nóng bị che"})
        await app.session.dispatch_event(note._i, "change", "Số đường dây nóng bị che")
        await app.session.dispatch_event(app.page._i, "disconnect", None)
        assert checklists.answers_for(ctx, visit.id)[("office_culture", "oc.hotline")].note == "Số đường dây nóng bị che"
    run(scenario())


# --- drafts: nothing typed is lost ---------------------------------------------------------------


def test_a_set_up_half_typed_survives_navigation_and_a_restart_and_goes_on_cancel(ctx):
    units.create_unit(ctx, "UBND xã Hòa Hội")

    async def scenario():
        app = await App(ctx).start("/visits/new")
        group = app.one(ft.RadioGroup)
        app.session.apply_patch(group._i, {"value": units.list_units(ctx)[0].id})
        await app.session.dispatch_event(group._i, "change", None)
        await app.type(app.one(ft.TextField, label="Số quyết định"), "125/QĐ-SNV")
        await app.type(app.within("person-team-1", ft.TextField, label="Họ và tên 1"), "Nguyễn Thị Ánh Tuyết")
        await app.show("/settings")
        await app.show("/visits/new")
        assert app.one(ft.TextField, label="Số quyết định").value == "125/QĐ-SNV"
        assert "Đã chọn: UBND xã Hòa Hội" in app.texts()

        again = await App(ctx).start("/visits/new")  # another session: a reload, or the server restarted
        assert again.one(ft.TextField, label="Số quyết định").value == "125/QĐ-SNV"
        assert again.within("person-team-1", ft.TextField, label="Họ và tên 1").value == "Nguyễn Thị Ánh Tuyết"
        await again.click(again.one(ft.TextButton, content="Hủy bản nháp"))
        await again.click(again.one(ft.FilledButton, content="Hủy bản nháp"))  # the confirmation
        third = await App(ctx).start("/visits/new")
        assert third.one(ft.TextField, label="Số quyết định").value == ""
    run(scenario())


def test_a_started_visits_set_up_is_edited_until_lock(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/info")
        await app.click(app.one(ft.FilledTonalButton, content="Sửa thông tin"))
        assert app.routes[-1] == f"/visits/{visit.id}/setup"
        await app.show(f"/visits/{visit.id}/setup")
        number = app.one(ft.TextField, label="Số quyết định")
        assert number.value == "125/QĐ-SNV"
        await app.type(number, "126/QĐ-SNV")
        await app.type(app.within("person-team-2", ft.TextField, label="Chức vụ"), "Chuyên viên")
        await app.click(app.one(ft.FilledButton, content="Lưu thay đổi"))
        assert app.snack() == "Đã lưu thay đổi thông tin cuộc kiểm tra"
        assert visits.get_visit(ctx, visit.id).decision_number == "126/QĐ-SNV"
        secretary = next(p for p in visits.participants(ctx, visit.id) if p.role == "secretary")
        assert (secretary.full_name, secretary.position) == ("Phạm Đức Anh", "Chuyên viên")
    run(scenario())


def test_a_half_typed_finding_survives_leaving_the_screen_and_goes_when_saved(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/findings")
        await app.click(app.one(ft.FilledButton, content="Thêm phát hiện"))
        await app.type(app.one(ft.TextField, label="Mô tả phát hiện"), "Công chức không đeo thẻ")
        await app.show(f"/visits/{visit.id}/photos")
        await app.show(f"/visits/{visit.id}/findings")
        box = app.one(ft.TextField, label="Mô tả phát hiện")
        assert box.value == "Công chức không đeo thẻ" and box.visible
        await app.click(app.one(ft.FilledButton, content="Lưu phát hiện"))
        assert findings.list_findings(ctx, visit.id)[0].description == "Công chức không đeo thẻ"
        await app.show(f"/visits/{visit.id}/roll-call")
        await app.show(f"/visits/{visit.id}/findings")
        assert app.one(ft.TextField, label="Mô tả phát hiện").value == ""
    run(scenario())


# --- a guided visit and who records it -----------------------------------------------------------


def test_at_600px_a_visit_has_a_steps_drawer_with_states_and_a_next_step(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx, width=600, height=960).start(f"/visits/{visit.id}/checklist")
        view = app.page.views[-1]
        assert view.navigation_bar is None and app.all(ft.NavigationRail) == []
        labels = [d.label for d in view.drawer.controls if isinstance(d, ft.NavigationDrawerDestination)]
        assert labels[0] == "Thiết lập · 2/2" and labels[1].startswith("Nội dung · 0/")
        assert labels[2:5] == ["Điểm danh · 0/2", "Hồ sơ TTHC", "Phát hiện"]
        assert labels[-3:] == ["Chữ ký · 0/3", "Kết thúc", "Biên bản"]
        assert view.drawer.selected_index == 1
        app.session.apply_patch(view.drawer._i, {"selected_index": 2})
        await app.session.dispatch_event(view.drawer._i, "change", None)
        assert app.routes[-1] == f"/visits/{visit.id}/roll-call"
        await app.click(app.within("step-row", ft.FilledButton))
        assert app.routes[-1] == f"/visits/{visit.id}/roll-call"
        assert app.within("step-row", ft.FilledButton).content == "Tiếp: Điểm danh · 0/2"
        assert app.one(ft.IconButton, tooltip="Các bước kiểm tra")  # the menu that opens the drawer
    run(scenario())


def test_the_tablet_asks_who_records_and_a_finding_carries_the_name(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/findings")
        assert "Ai đang ghi trên máy này?" in app.texts()
        await app.click(app.within("who-banner", ft.OutlinedButton, content="Phạm Đức Anh · Thư ký"))
        assert app.shell.state.user == "Phạm Đức Anh"
        assert app.all(ft.Semantics, identifier="who-banner") == []  # rendered again at once
        assert app.one(ft.TextButton, tooltip="Đổi người ghi trên máy này").content == "Phạm Đức Anh"
        await app.click(app.one(ft.FilledButton, content="Thêm phát hiện"))
        await app.type(app.one(ft.TextField, label="Mô tả phát hiện"), "Không đeo thẻ")
        await app.click(app.one(ft.FilledButton, content="Lưu phát hiện"))
        assert findings.list_findings(ctx, visit.id)[0].recorded_by == "Phạm Đức Anh"
        assert "bởi Phạm Đức Anh" in app.texts()
        other = await App(ctx).start(f"/visits/{visit.id}/findings")  # another tablet: its own user
        assert other.shell.state.user == "" and "Ai đang ghi trên máy này?" in other.texts()
    run(scenario())


def test_settings_typed_but_not_saved_come_back_after_navigation_until_discarded(ctx):
    async def scenario():
        app = await App(ctx).start("/settings")
        await app.type(app.one(ft.TextField, label="Tên cơ quan"), "Sở Nội vụ tỉnh Tây Ninh")
        await app.show("/")
        again = await App(ctx).start("/settings")
        assert again.one(ft.TextField, label="Tên cơ quan").value == "Sở Nội vụ tỉnh Tây Ninh"
        assert ctx.settings.department.name != "Sở Nội vụ tỉnh Tây Ninh"  # a draft, not saved
        await again.click(again.one(ft.TextButton, content="Bỏ những gì chưa lưu"))
        third = await App(ctx).start("/settings")
        assert third.one(ft.TextField, label="Tên cơ quan").value == ctx.settings.department.name
    run(scenario())


def test_a_unit_search_with_no_match_offers_to_add_what_was_typed(ctx):
    units.create_unit(ctx, "UBND xã Hòa Hội")

    async def scenario():
        app = await App(ctx).start("/visits/new")
        await app.type(app.one(ft.TextField, label="Tìm đơn vị"), "UBND phường Tân Định")
        offer = app.one(ft.OutlinedButton, content="Không có đơn vị này. Thêm “UBND phường Tân Định” làm đơn vị mới")
        await app.click(offer)
        assert {u.name for u in units.list_units(ctx)} == {"UBND phường Tân Định", "UBND xã Hòa Hội"}
        assert "Đã chọn: UBND phường Tân Định" in app.texts()
    run(scenario())


def test_an_absence_waiting_for_its_reason_survives_leaving_the_roll_call(ctx):
    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/roll-call")
        row = next(r for r in app.shell.screen.rows if r.staff.full_name == "Đặng Ngọc Ánh")
        await app.select(row.seg, ["absent_excused"])
        await app.type(row.evidence, "Đơn xin nghỉ")
        assert roll_call.roll_call_sheet(ctx, visit.id).totals.absent_excused == 0  # waits for the reason
        await app.show(f"/visits/{visit.id}/findings")
        again = await App(ctx).start(f"/visits/{visit.id}/roll-call")
        row = next(r for r in again.shell.screen.rows if r.staff.full_name == "Đặng Ngọc Ánh")
        assert row.chosen == "absent_excused" and row.evidence.value == "Đơn xin nghỉ"
        await again.type(row.reason, "Nghỉ phép năm")
        entry = next(r.entry for r in roll_call.roll_call_sheet(ctx, visit.id).rows if r.staff.id == row.staff.id)
        assert (entry.status, entry.reason) == ("absent_excused", "Nghỉ phép năm")
        assert drafts.drafts_in(ctx, drafts.visit_scope(visit.id), "rollcall:") == {}
    run(scenario())


def test_first_start_asks_for_the_departments_identity(tmp_path):
    """No place name is printed silently (issue #11): a new data directory asks for the province on the
    home screen; a centrally-run city is 'thành phố'; the card goes once it is saved."""
    fresh = AppContext.open(tmp_path / "fresh", actor="Người thử")
    try:
        assert fresh.settings.department.missing()

        async def scenario():
            app = await App(fresh).start("/")
            card = app.one(ft.Semantics, identifier="identity-card")
            assert card is not None
            await app.click(app.within("identity-card", ft.FilledButton))  # nothing typed: said at the field
            assert app.within("identity-card", ft.TextField).error
            await app.type(app.within("identity-card", ft.TextField), "Hà Nội")
            app.session.apply_patch(app.within("identity-card", ft.RadioGroup)._i, {"value": "thành phố"})
            await app.click(app.within("identity-card", ft.FilledButton))
            dept = fresh.settings.department
            assert (dept.organisation_name(), dept.parent_agency_line()) == ("Sở Nội vụ thành phố Hà Nội",
                                                                            "UBND THÀNH PHỐ HÀ NỘI")
            await app.show("/")
            assert not app.all(ft.Semantics, identifier="identity-card")
        run(scenario())
    finally:
        fresh.close()
