"""The visit screens' parts of issue #13 without a browser (the harness of ``test_ui_screens``):
the roster's order on the roll call, the dossier's timeliness confirmed or overridden, drafts of the
conclusions and of a request to remedy, and a photo linked to a second item or finding."""

from __future__ import annotations

import flet as ft
import pytest
from test_ui_screens import App, _under, make_visit, run

from inspection_app.services import roll_call, units
from inspection_app.services.context import AppContext


@pytest.fixture
def ctx(tmp_path):
    c = AppContext.open(tmp_path / "data", actor="Kiểm tra đơn vị")
    yield c
    c.close()


# --- roll call: the roster's order -----------------------------------------------------------------


def test_the_roster_is_shown_in_the_files_order_or_by_vietnamese_collation(ctx):
    visit = make_visit(ctx, staff=())
    csv = ("STT,Họ và tên,Chức vụ,Phòng ban\n1,Vũ Thị Yến,Chuyên viên,Văn phòng\n"
           "2,Đỗ Văn Ân,Chuyên viên,Địa chính\n3,Lê Thị Bích,Chuyên viên,Văn phòng\n")
    units.import_roster(ctx, visit.unit_id, csv.encode(), "ds.csv")

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/roll-call")
        def names():
            return [r.staff.full_name for r in app.shell.screen.rows]
        assert names() == ["Vũ Thị Yến", "Đỗ Văn Ân", "Lê Thị Bích"]  # the file's order
        seg = app.within("rc-order", ft.SegmentedButton)
        await app.select(seg, ["name"])
        assert names() == ["Đỗ Văn Ân", "Lê Thị Bích", "Vũ Thị Yến"]  # by given name: Ân, Bích, Yến
        await app.select(seg, ["department"])
        assert names() == ["Đỗ Văn Ân", "Lê Thị Bích", "Vũ Thị Yến"]  # Địa chính before Văn phòng
        row = app.shell.screen.rows[2]
        await app.select(row.seg, ["present"])  # the order stays while people are marked
        assert names()[2] == "Vũ Thị Yến"
        assert roll_call.roll_call_sheet(ctx, visit.id).totals.present == 1
        await app.show(f"/visits/{visit.id}/findings")
        await app.show(f"/visits/{visit.id}/roll-call")  # the choice is kept while the tablet moves on
        assert names() == ["Đỗ Văn Ân", "Lê Thị Bích", "Vũ Thị Yến"]
        await app.select(app.within("rc-order", ft.SegmentedButton), ["file"])
        assert names() == ["Vũ Thị Yến", "Đỗ Văn Ân", "Lê Thị Bích"]
    run(scenario())


# --- conclusions: drafts of the texts and of a request to remedy ------------------------------------


def _field(app, label):
    return app.on_screen(ft.TextField, label=label)


def test_a_half_typed_request_to_remedy_survives_navigation_and_a_restart_and_goes_on_cancel(ctx):
    from inspection_app.services import drafts, remedies

    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/conclusions")
        await app.click(app.on_screen(ft.FilledButton, content="Thêm yêu cầu khắc phục"))
        await app.type(_field(app, "Nội dung yêu cầu khắc phục"), "Niêm yết số điện thoại đường dây n")
        await app.type(_field(app, "Thời hạn khắc phục (dd/mm/yyyy)"), "15/08/2026")
        await app.show(f"/visits/{visit.id}/findings")
        await app.show(f"/visits/{visit.id}/conclusions")
        assert app.one(ft.Semantics, identifier="remedy-form").visible
        assert _field(app, "Nội dung yêu cầu khắc phục").value == "Niêm yết số điện thoại đường dây n"
        assert _field(app, "Thời hạn khắc phục (dd/mm/yyyy)").value == "15/08/2026"

        again = await App(ctx).start(f"/visits/{visit.id}/conclusions")  # a reload or a restart
        assert _field(again, "Nội dung yêu cầu khắc phục").value == "Niêm yết số điện thoại đường dây n"
        await again.click(again.within("remedy-form", ft.TextButton, content="Hủy"))  # explicit cancel
        assert drafts.drafts_in(ctx, drafts.visit_scope(visit.id), "remedy:") == {}
        third = await App(ctx).start(f"/visits/{visit.id}/conclusions")
        assert not third.one(ft.Semantics, identifier="remedy-form").visible
        assert remedies.list_remedies(ctx, visit.id) == []
    run(scenario())


def test_an_edit_of_a_request_keeps_its_own_draft_and_saving_discards_it(ctx):
    from datetime import date

    from inspection_app.services import drafts, remedies

    visit = make_visit(ctx)
    remedies.add_remedy(ctx, visit.id, "Đeo thẻ công chức", date(2026, 8, 1), None)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/conclusions")
        await app.click(app.within("remedy-1", ft.TextButton, content="Sửa"))
        await app.type(_field(app, "Nội dung yêu cầu khắc phục"), "Đeo thẻ công chức khi làm vi")
        again = await App(ctx).start(f"/visits/{visit.id}/conclusions")
        assert again.one(ft.Semantics, identifier="remedy-form").visible
        assert _field(again, "Nội dung yêu cầu khắc phục").value == "Đeo thẻ công chức khi làm vi"
        assert remedies.list_remedies(ctx, visit.id)[0].text == "Đeo thẻ công chức"  # not saved yet
        await again.type(_field(again, "Nội dung yêu cầu khắc phục"), "Đeo thẻ công chức khi làm việc")
        await again.click(again.on_screen(ft.FilledButton, content="Lưu yêu cầu"))
        assert again.snack() == "Đã sửa yêu cầu khắc phục"
        assert remedies.list_remedies(ctx, visit.id)[0].text == "Đeo thẻ công chức khi làm việc"
        assert drafts.drafts_in(ctx, drafts.visit_scope(visit.id), "remedy:") == {}
    run(scenario())


def test_an_end_time_the_record_refused_is_kept_as_a_draft_until_it_is_right(ctx):
    from inspection_app.services import drafts, visits

    visit = make_visit(ctx)

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/conclusions")
        await app.type(_field(app, "Kết thúc lúc (HH:MM)"), "23:5O")  # a letter O for a zero
        assert app.snack() == "Giờ không hợp lệ (HH:MM)"
        await app.show(f"/visits/{visit.id}/findings")
        again = await App(ctx).start(f"/visits/{visit.id}/conclusions")
        assert _field(again, "Kết thúc lúc (HH:MM)").value == "23:5O"  # shown as typed, to correct
        await again.type(_field(again, "Kết thúc lúc (HH:MM)"), "23:70")
        await again.type(_field(again, "Kết thúc lúc (HH:MM)"), "23:59")  # after the team's arrival
        assert visits.get_visit(ctx, visit.id).ended_at is not None
        await again.show(f"/visits/{visit.id}/findings")
        assert drafts.get_draft(ctx, drafts.visit_scope(visit.id), "conclusions") is None
    run(scenario())


# --- dossiers: the timeliness confirmed or changed with a reason ------------------------------------


LATE = "000.00.31.H56-260701-0001"


async def _no_scroll(*args, **kwargs):
    return None


def _sampled_visit(ctx, tmp_path):
    from inspection_app.domain.sampling import SampleSize
    from inspection_app.services import sampling

    visit = make_visit(ctx, checklist_ids=("office_culture", "tthc_dossiers"))
    path = tmp_path / "so.csv"
    path.write_text("TT,Mã hồ sơ,Tên TTHC,Lĩnh vực,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả,Trạng thái\n"
                    f"1,{LATE},Chứng thực bản sao,Chứng thực,01/07/2026 08:10,06/07/2026 16:00,"
                    "08/07/2026 15:30,Đã trả kết quả\n", encoding="utf-8")
    register = sampling.import_register(ctx, visit.id, path)
    sample_id, _ = sampling.draw_new_sample(ctx, register.id, SampleSize.fixed(1))
    return visit, sample_id


def test_the_dossier_screen_confirms_the_computed_timeliness_or_changes_it_with_a_reason(ctx, tmp_path):
    from inspection_app.services import drafts, sampling

    visit, sample_id = _sampled_visit(ctx, tmp_path)

    def dossier():
        return sampling.sampled_dossiers(ctx, sample_id)[0]

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/dossiers")
        assert "Chưa xác nhận thời hạn" in app.texts()
        app.shell.screen.scroller.scroll_to = _no_scroll  # the fake client answers no scroll request
        await app.click(app.on_screen(ft.FilledTonalButton, content="Kiểm tra"))
        panel = app.shell.screen.tl_panel
        assert "Tính từ sổ theo dõi: Quá hạn 2 ngày làm việc" in panel.computed.value
        # the item is no longer asked as a choice: no card for it
        assert not [c for c in app.shell.screen.cards if c.item.id == "td.timeliness"]
        await app.click(app.within("dossier-timeliness", ft.FilledButton, content="Xác nhận"))
        assert app.snack() == "Đã xác nhận thời hạn giải quyết"
        assert dossier().timeliness_state == "confirmed" and panel.state.value == "Đã xác nhận: Quá hạn"
        assert panel.confirm.disabled

        # a change without a reason is stopped at the field; a half-typed reason survives a restart
        await app.click(app.within("dossier-timeliness", ft.OutlinedButton, content="Sửa kết quả"))
        await app.select(panel.choice, ["on_time"])
        await app.click(app.within("dossier-timeliness", ft.FilledButton, content="Lưu kết quả đã sửa"))
        assert panel.reason.error == "Cần ghi lý do khi kết quả khác với sổ theo dõi"
        assert dossier().recorded_timeliness == "late"
        await app.type(panel.reason, "Sổ ghi ngày trả theo ngày cập")
        again = await App(ctx).start(f"/visits/{visit.id}/dossiers")  # a reload or a restart
        again.shell.screen.scroller.scroll_to = _no_scroll
        panel = again.shell.screen.tl_panel  # the dossier that was open is open again, with its panel
        assert panel.form.visible and panel.choice.selected == ["on_time"]
        assert panel.reason.value == "Sổ ghi ngày trả theo ngày cập"
        await again.type(panel.reason, "Sổ ghi ngày trả theo ngày cập nhật hệ thống")
        await again.click(again.within("dossier-timeliness", ft.FilledButton, content="Lưu kết quả đã sửa"))
        assert again.snack() == "Đã lưu kết quả thời hạn đã sửa"
        d = dossier()
        assert (d.recorded_timeliness, d.timeliness_reason) == ("on_time", "Sổ ghi ngày trả theo ngày cập nhật hệ thống")
        assert panel.state.value == "Đã sửa thành: Đúng hạn. Lý do: Sổ ghi ngày trả theo ngày cập nhật hệ thống"
        assert "Thời hạn đã sửa: Đúng hạn" in again.texts()
        assert drafts.drafts_in(ctx, drafts.visit_scope(visit.id), "timeliness:") == {}
    run(scenario())


# --- photos: one photo linked to a second item or finding ------------------------------------------


def test_a_photo_is_linked_as_well_to_a_finding_and_unlinked_from_the_photos_screen(ctx):
    import io

    from PIL import Image

    from inspection_app.services import findings, photos

    visit = make_visit(ctx)
    finding = findings.add_finding(ctx, visit.id, "Không niêm yết thủ tục hành chính")
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), "blue").save(buf, "JPEG")
    photo = photos.add_photo(ctx, visit.id, buf.getvalue(), "a.jpg", checklist_id="office_culture",
                             item_id="oc.name_plates").photo

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/photos")
        await app.click(app.within("photo-1", ft.TextButton, content="Gắn thêm"))
        dialog = app.page._dialogs.controls[-1]
        group = next(c for c in app.all(ft.RadioGroup) if _under(c, dialog))
        values = [r.value for r in app.all(ft.Radio) if _under(r, dialog)]
        assert "item|office_culture|oc.name_plates" not in values and "none" not in values  # already linked
        app.session.apply_patch(group._i, {"value": f"finding|{finding.id}"})
        await app.session.dispatch_event(group._i, "change", None)
        await app.click(dialog.actions[-1])
        assert app.snack() == "Đã gắn thêm ảnh"
        [link] = photos.extra_links(ctx, visit.id)[photo.id]
        assert link.finding_id == finding.id
        assert "Cũng là ảnh của: Phát hiện: Không niêm yết thủ tục hành chính" in app.texts()
        assert len(photos.list_photos(ctx, visit.id)) == 1
        # the finding shows the photo too
        await app.show(f"/visits/{visit.id}/findings")
        assert [p.id for p in app.shell.screen.photos_by_finding[finding.id]] == [photo.id]
        await app.show(f"/visits/{visit.id}/photos")
        await app.click(app.within("photo-1", ft.IconButton, tooltip="Bỏ gắn: Phát hiện: Không niêm yết thủ tục hành chính"))
        assert app.snack() == "Đã bỏ gắn ảnh"
        assert photos.extra_links(ctx, visit.id) == {}
    run(scenario())
