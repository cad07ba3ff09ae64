"""The conclusions and minutes screens without a browser (the fake-page harness of test_ui_screens).

Conclusions: the assessment and the unit's opinion save themselves, the end time lands on the day
of the visit, requests to remedy are added (linked to a finding), edited and deleted, and a locked
visit is read-only. Minutes: the draft of an open visit, pilot keys made from the screen, the
team leader's signature with a key made through ``services.minutes.init_keys``, the check of the
stored PDF, and a correction that opens a new version while the signed one stays.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import flet as ft
import pytest
from test_ui_screens import App, run

from inspection_app.locale import N_, N_p
from inspection_app.services import demo, findings, minutes, remedies, visits
from inspection_app.ui import fmt
from inspection_app.ui.i18n import LABELS

PASS = "mat-khau-thu-nghiem"
UI = Path(__file__).resolve().parents[2] / "inspection_app" / "ui"


@pytest.fixture
def demo_ctx(ctx):
    demo.load_demo(ctx)
    return ctx


def ongoing_visit_id(ctx) -> str:
    return next(v.id for v in visits.list_visits(ctx) if not visits.get_visit(ctx, v.id).locked)


def field(app: App, label: str) -> ft.TextField:
    return app.on_screen(ft.TextField, label=label)


def button(app: App, cls, text: str):
    return app.on_screen(cls, content=text)


async def confirm(app: App) -> None:
    dialog = app.page._dialogs.controls[-1]
    assert isinstance(dialog, ft.AlertDialog)
    await app.click(dialog.actions[-1])


async def stub_downloads(app: App, saved: dict) -> None:
    async def save_file(**kwargs):
        saved.update(kwargs)

    app.shell.screen.picker.save_file = save_file


def test_every_key_of_the_two_screens_is_defined():
    used: set[str] = set()
    for name in ("views/conclusions.py", "views/minutes.py", "views/close.py", "shell.py"):
        source = (UI / name).read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:\bt(?:\.plural)?\(|\bN_\()\s*"([^"\\]+)"', source))
        used |= {f"{c}\x04{m}" for c, m in re.findall(r'N_p\("([^"]+)", "([^"\\]+)"\)', source)}
    assert {N_p("cc.title", "Đánh giá, kiến nghị"), N_("Biên bản kiểm tra"), N_("Đánh giá, kiến nghị"), N_("Biên bản"),
            N_("Biên bản: xuất PDF, ký số")} <= used
    assert sorted(k for k in used if k not in LABELS) == []


# --- conclusions ---------------------------------------------------------------------------------


def test_conclusions_assessment_remedies_opinion_and_end_time(demo_ctx):
    ctx = demo_ctx
    vid = ongoing_visit_id(ctx)
    finding = findings.add_finding(ctx, vid, "Trạm Y tế không niêm yết số điện thoại đường dây nóng.", "medium")

    async def scenario():
        app = await App(ctx).start(f"/visits/{vid}/conclusions")
        rail = app.one(ft.NavigationRail)
        labels = [d.label for d in rail.destinations]
        assert labels.index("Đánh giá, kiến nghị") == labels.index("Kết thúc") - 1 and labels[-1] == "Biên bản"
        assert labels[rail.selected_index] == "Đánh giá, kiến nghị"
        assert "Chưa có yêu cầu khắc phục nào." in app.texts()

        # III: saved when the field is left
        await app.type(field(app, "Nhận xét, đánh giá của Đoàn kiểm tra"), "Trạm Y tế cơ bản chấp hành tốt.")
        assert visits.get_visit(ctx, vid).assessment == "Trạm Y tế cơ bản chấp hành tốt."

        # IV: a bad date is refused before anything is stored, then a request linked to the finding
        await app.click(button(app, ft.FilledButton, "Thêm yêu cầu khắc phục"))
        await app.type(field(app, "Nội dung yêu cầu khắc phục"), "Niêm yết số điện thoại đường dây nóng")
        await app.type(field(app, "Thời hạn khắc phục (dd/mm/yyyy)"), "31/02/2026")
        await app.click(button(app, ft.FilledButton, "Lưu yêu cầu"))
        assert app.snack() == "Thời hạn khắc phục không hợp lệ (dd/mm/yyyy)"
        assert remedies.list_remedies(ctx, vid) == []
        await app.type(field(app, "Thời hạn khắc phục (dd/mm/yyyy)"), "15/08/2026")
        await app.type(field(app, "Hạn báo cáo kết quả (dd/mm/yyyy)"), "20/08/2026")
        group = app.within("remedy-form", ft.RadioGroup)
        app.session.apply_patch(group._i, {"value": finding.id})
        await app.session.dispatch_event(group._i, "change", None)
        await app.click(button(app, ft.FilledButton, "Lưu yêu cầu"))
        assert app.snack() == "Đã thêm yêu cầu khắc phục"
        [r] = remedies.list_remedies(ctx, vid)
        assert (r.text, r.deadline, r.report_due, r.finding_id) == (
            "Niêm yết số điện thoại đường dây nóng", date(2026, 8, 15), date(2026, 8, 20), finding.id)
        card = app.one(ft.Semantics, identifier="remedy-1")
        assert not app.one(ft.Semantics, identifier="remedy-form").visible
        assert "Thời hạn: 15/08/2026 · Báo cáo trước: 20/08/2026" in app.texts()
        assert "Phát hiện: Trạm Y tế không niêm yết số điện thoại đường dây nóng." in app.texts()

        # edit: the service's rule (report-back not before the deadline) comes back as a message
        await app.click(app.within("remedy-1", ft.TextButton, content="Sửa"))
        assert field(app, "Nội dung yêu cầu khắc phục").value == "Niêm yết số điện thoại đường dây nóng"
        await app.type(field(app, "Hạn báo cáo kết quả (dd/mm/yyyy)"), "01/08/2026")
        await app.click(button(app, ft.FilledButton, "Lưu yêu cầu"))
        assert app.snack() == "Hạn báo cáo không được trước thời hạn khắc phục."
        await app.type(field(app, "Hạn báo cáo kết quả (dd/mm/yyyy)"), "25/08/2026")
        await app.type(field(app, "Nội dung yêu cầu khắc phục"), "Niêm yết đường dây nóng tại bộ phận tiếp dân")
        await app.click(button(app, ft.FilledButton, "Lưu yêu cầu"))
        assert app.snack() == "Đã sửa yêu cầu khắc phục"
        [r] = remedies.list_remedies(ctx, vid)
        assert (r.text, r.report_due, r.finding_id) == ("Niêm yết đường dây nóng tại bộ phận tiếp dân",
                                                         date(2026, 8, 25), finding.id)
        assert card is not None

        # end time: a bad one is refused, a good one lands on the day the team arrived
        end = field(app, "Kết thúc lúc (HH:MM)")
        await app.type(end, "25:00")
        assert app.snack() == "Giờ không hợp lệ (HH:MM)"
        assert visits.get_visit(ctx, vid).ended_at is None
        await app.type(end, "23:59")
        ended = fmt.local(visits.get_visit(ctx, vid).ended_at)
        arrival = fmt.local(visits.get_visit(ctx, vid).arrival_at)
        assert (ended.date(), ended.strftime("%H:%M")) == (arrival.date(), "23:59")
        assert f"Biên bản ghi: kết thúc lúc 23:59 ngày {arrival:%d/%m/%Y}." in app.texts()

        # V: typed just before leaving the screen, saved on the way out
        opinion = field(app, "Ý kiến của đơn vị")
        app.session.apply_patch(opinion._i, {"value": "Đơn vị thống nhất, sẽ khắc phục ngay."})
        await app.show(f"/visits/{vid}/findings")
        assert visits.get_visit(ctx, vid).unit_opinion == "Đơn vị thống nhất, sẽ khắc phục ngay."

        # delete, after a confirmation
        await app.show(f"/visits/{vid}/conclusions")
        await app.click(app.within("remedy-1", ft.TextButton, content="Xóa"))
        await confirm(app)
        assert app.snack() == "Đã xóa yêu cầu khắc phục"
        assert remedies.list_remedies(ctx, vid) == []
    run(scenario())


def test_conclusions_of_a_locked_visit_are_read_only(demo_ctx):
    vid = demo.finished_visit_id(demo_ctx)

    async def scenario():
        app = await App(demo_ctx).start(f"/visits/{vid}/conclusions")
        assert "Cuộc kiểm tra đã khóa: chỉ xem, không sửa được." in app.texts()
        assert field(app, "Nhận xét, đánh giá của Đoàn kiểm tra").value.startswith("UBND xã Hòa Hội cơ bản chấp hành")
        assert all(f.read_only for f in app.all(ft.TextField) if f.label in (
            "Nhận xét, đánh giá của Đoàn kiểm tra", "Ý kiến của đơn vị", "Kết thúc lúc (HH:MM)"))
        assert len([s for s in app.all(ft.Semantics) if (s.identifier or "").startswith("remedy-")
                    and s.identifier != "remedy-form"]) == 3
        assert not button(app, ft.FilledButton, "Thêm yêu cầu khắc phục").visible
    run(scenario())


# --- minutes -------------------------------------------------------------------------------------


def test_a_number_block_typed_on_the_minutes_screen(ctx, visit):
    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/minutes")
        assert "Máy này chưa có khối số nào" in app.texts()
        await app.type(field(app, "Từ số"), "mười")
        await app.click(button(app, ft.OutlinedButton, "Thêm khối số"))
        assert app.snack() == "Năm, từ số, đến số phải là số nguyên."
        await app.type(field(app, "Năm"), "2026")
        await app.type(field(app, "Từ số"), "41")
        await app.type(field(app, "Đến số"), "30")
        await app.click(button(app, ft.OutlinedButton, "Thêm khối số"))
        assert app.snack().startswith("Khối số không hợp lệ: 41–30")
        await app.type(field(app, "Đến số"), "60")
        await app.click(button(app, ft.OutlinedButton, "Thêm khối số"))
        assert app.snack() == "Đã thêm khối số 41–60 năm 2026"
        assert "BB-SNV năm 2026: số 41–60, còn 20 số" in app.texts()
    run(scenario())


def test_minutes_of_an_open_visit_offer_the_draft_only(demo_ctx, monkeypatch):
    vid = ongoing_visit_id(demo_ctx)

    async def scenario():
        app = await App(demo_ctx).start(f"/visits/{vid}/minutes")
        assert "Cuộc kiểm tra chưa khóa: chỉ xem được bản nháp" in app.texts()
        assert app.all(ft.TextField, label="Mật khẩu khóa ký số") == []  # no signing while open
        saved: dict = {}
        await stub_downloads(app, saved)
        await app.click(button(app, ft.FilledButton, "Xem bản nháp"))
        assert saved["src_bytes"].startswith(b"%PDF") and saved["file_name"].startswith("du-thao-")
        draft = app.one(ft.Semantics, identifier="minutes-draft")
        assert draft.visible and "Bản nháp (chưa có số)" in app.texts()
        assert minutes.list_versions(demo_ctx, vid) == []  # a draft is stored nowhere official
    run(scenario())


def test_pilot_keys_from_the_screen_need_a_long_passphrase(demo_ctx):
    vid = demo.finished_visit_id(demo_ctx)

    async def scenario():
        app = await App(demo_ctx).start(f"/visits/{vid}/minutes")
        assert "Máy này chưa có khóa ký số." in app.texts()
        assert "THÍ ĐIỂM" in app.texts()  # the pilot notice is on screen before anything is made
        box = field(app, "Mật khẩu bảo vệ khóa (ít nhất 8 ký tự)")
        assert box.password
        await app.type(box, "ngan")
        await app.click(button(app, ft.OutlinedButton, "Tạo chứng thư thí điểm"))
        assert app.snack().startswith("Mật khẩu bảo vệ khóa ký số phải có ít nhất 8 ký tự")
        await app.type(field(app, "Mật khẩu bảo vệ khóa (ít nhất 8 ký tự)"), PASS)
        await app.click(button(app, ft.OutlinedButton, "Tạo chứng thư thí điểm"))
        assert app.snack() == "Đã tạo 5 chứng thư thí điểm"
        # the team leader's own key is chosen, and the pilot offer is gone
        group = app.within("minutes-sign", ft.RadioGroup)
        [ident] = [i for i in minutes.list_keys(demo_ctx)[2] if i.id == group.value]
        assert ident.name == "Nguyễn Thị Ánh Tuyết"
        assert app.all(ft.Semantics, identifier="minutes-pilot") == []
    run(scenario())


def test_sign_check_and_correct_the_minutes_of_the_finished_visit(demo_ctx):
    ctx = demo_ctx
    vid = demo.finished_visit_id(ctx)
    minutes.init_keys(ctx, PASS)  # the office's pilot keys, made through the service

    async def scenario():
        app = await App(ctx).start(f"/visits/{vid}/minutes")
        assert "Cuộc kiểm tra đã khóa. Biên bản chính thức chưa được ký số." in app.texts()
        assert app.all(ft.Semantics, identifier="minutes-pilot") == []
        passphrase = field(app, "Mật khẩu khóa ký số")
        assert passphrase.password

        await app.click(button(app, ft.FilledButton, "Ký số"))
        assert app.snack() == "Hãy nhập mật khẩu khóa ký số."
        await app.type(passphrase, "sai-mat-khau")
        await app.click(button(app, ft.FilledButton, "Ký số"))
        assert app.snack() == "Sai mật khẩu của khóa ký số của Nguyễn Thị Ánh Tuyết."
        assert not button(app, ft.FilledButton, "Ký số").disabled  # ready for another try

        await app.type(field(app, "Mật khẩu khóa ký số"), PASS)
        await app.click(button(app, ft.FilledButton, "Ký số"))
        doc = minutes.latest_version(ctx, vid)
        assert doc.signed and doc.number == "01/BB-SNV"
        assert app.snack() == "Đã ký số biên bản 01/BB-SNV"
        texts = app.texts()
        assert "Biên bản số 01/BB-SNV, phiên bản 1 đã ký số." in texts
        assert doc.sha256 in texts and "Nguyễn Thị Ánh Tuyết" in texts
        assert app.all(ft.TextField, label="Mật khẩu khóa ký số") == []  # signed: nothing left to sign

        await app.click(button(app, ft.OutlinedButton, "Kiểm tra chữ ký số"))
        texts = app.texts()
        assert "Hợp lệ: mọi chữ ký nguyên vẹn và đáng tin cậy." in texts
        assert "Nguyên vẹn: có · Tin cậy: có · Thay đổi sau khi ký: Không có thay đổi sau khi ký" in texts
        assert "Khớp với phiên bản 1 lưu trên máy này." in texts

        # correction: a reason is needed, then a new version opens and the signed one stays
        await app.click(button(app, ft.OutlinedButton, "Lập bản đính chính"))
        assert app.snack() == "Hãy ghi lý do đính chính."
        await app.type(field(app, "Lý do đính chính"), "Ghi sai giờ đến của ông Võ Minh Tuấn")
        await app.click(button(app, ft.OutlinedButton, "Lập bản đính chính"))
        await app.click(button(app, ft.TextButton, "Hủy"))  # asked again in the card; cancel first
        assert minutes.latest_version(ctx, vid).version == 1
        await app.click(button(app, ft.OutlinedButton, "Lập bản đính chính"))
        assert "Lập phiên bản đính chính? Cuộc kiểm tra sẽ mở lại để sửa" in app.texts()
        await app.click(button(app, ft.FilledButton, "Xác nhận lập bản đính chính"))
        assert app.snack() == "Đã mở phiên bản 2 để đính chính. Phiên bản cũ vẫn được lưu."
        assert not visits.get_visit(ctx, vid).locked
        v1, v2 = minutes.list_versions(ctx, vid)
        assert (v1.signed, v1.sha256, v2.version, v2.reason) == (True, doc.sha256, 2,
                                                                 "Ghi sai giờ đến của ông Võ Minh Tuấn")
        texts = app.texts()
        assert "Đang lập bản đính chính (phiên bản 2) của Biên bản số 01/BB-SNV" in texts
        assert "Cuộc kiểm tra đã khóa" not in texts and "Cuộc kiểm tra đã khóa" not in texts  # editable again
        assert f"SHA-256 {doc.sha256}" in texts
        assert "Đính chính: Ghi sai giờ đến của ông Võ Minh Tuấn" in texts
        assert app.all(ft.TextButton, content="Kiểm tra chữ ký số")  # the old signed version can be checked
    run(scenario())
    # the signed file is untouched (pyHanko runs its own loop: checked outside the session's)
    v1 = minutes.list_versions(ctx, vid)[0]
    assert minutes.verify_minutes(ctx, ctx.path(v1.file_path)).ok
