"""A visit that forgives (issue 13), in headless Chromium: what is typed survives navigation and a
server restart, the set-up stays editable after the start and the minutes follow it, the steps
fit a 600 px tablet, and every control on the visit's screens has a name."""

from __future__ import annotations

import re
from datetime import date

import pytest
from e2e_support import Flt, field_server, new_tab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LEADER, SECRETARY = "Nguyễn Thị Ánh Tuyết", "Phạm Đức Anh"
HALF_TYPED = "Công chức bộ phận một cửa không đeo thẻ, đã nhắc nh"


def seed(ctx, unit) -> None:
    from inspection_app.services import units, visits

    for name in ("Lê Hoàng Phúc", "Võ Minh Tuấn"):
        units.add_staff(ctx, unit.id, name, "Chuyên viên")
    visits.create_visit(ctx, unit.id, kind="planned", decision_number="130/QĐ-SNV", decision_date=date(2026, 7, 1),
                        checklist_ids=["office_culture"],
                        team=[visits.ParticipantIn(LEADER, "leader"), visits.ParticipantIn(SECRETARY, "secretary")],
                        unit_reps=[visits.ParticipantIn("Nguyễn Văn Hùng", "Chủ tịch UBND xã")])


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    server = field_server(tmp_path_factory, "forgives", seed)
    yield server
    server.stop()


def visit_id(server) -> str:
    from inspection_app.services import visits
    from inspection_app.services.context import AppContext

    ctx = AppContext.open(server.data_dir)
    try:
        return next(v.id for v in visits.list_visits(ctx) if v.decision_number.startswith(("130", "131")))
    finally:
        ctx.close()


def restart(server) -> None:
    server.stop()
    server.start()


def choose_user(tab: Flt, name: str = SECRETARY) -> None:
    banner = tab.ident("who-banner")
    expect(banner).to_be_attached()
    tab.tap(tab.button(name, banner))
    expect(banner).to_have_count(0)


def test_a_set_up_and_a_half_typed_finding_survive_navigation_and_a_restart(browser, app_server):
    tab = new_tab(browser, app_server)
    try:
        tab.open("/visits/new")
        tab.tap(tab.page.get_by_role("radio", name="UBND xã Hòa Hội"))
        expect(tab.text("Đã chọn: UBND xã Hòa Hội")).to_be_visible()
        tab.fill(tab.textbox("Số quyết định"), "141/QĐ-SNV")
        tab.fill(tab.textbox("Họ và tên 1", tab.ident("person-team-1")), "Trần Quang Minh")
        tab.tap(tab.nav("Cài đặt"))
        expect(tab.textbox("Người sử dụng máy")).to_be_attached()
        tab.tap(tab.nav("Cuộc kiểm tra"))
        tab.tap(tab.button("Tạo cuộc kiểm tra mới"))
        tab.expect_value(tab.textbox("Số quyết định"), "141/QĐ-SNV")

        vid = visit_id(app_server)
        tab.open(f"/visits/{vid}/findings")
        choose_user(tab)
        tab.tap(tab.button("Thêm phát hiện"))
        tab.fill(tab.textbox("Mô tả phát hiện"), HALF_TYPED)
        tab.tap(tab.nav("Ảnh"))
        tab.tap(tab.nav("Phát hiện"))
        tab.expect_value(tab.textbox("Mô tả phát hiện"), HALF_TYPED)
    finally:
        tab.page.context.close()

    restart(app_server)
    tab = new_tab(browser, app_server)
    try:
        tab.open("/visits/new")
        tab.expect_value(tab.textbox("Số quyết định"), "141/QĐ-SNV")
        tab.expect_value(tab.textbox("Họ và tên 1", tab.ident("person-team-1")), "Trần Quang Minh")
        expect(tab.text("Đã chọn: UBND xã Hòa Hội")).to_be_visible()
        tab.open(f"/visits/{visit_id(app_server)}/findings")
        tab.expect_value(tab.textbox("Mô tả phát hiện"), HALF_TYPED)
        tab.shot_artifact("finding-draft-restored")
    finally:
        tab.page.context.close()


def test_set_up_edited_after_the_start_shows_in_the_minutes(browser, app_server):
    from inspection_app.services import minutes
    from inspection_app.services.context import AppContext

    vid = visit_id(app_server)
    tab = new_tab(browser, app_server)
    try:
        tab.open(f"/visits/{vid}/info")
        tab.tap(tab.button("Sửa thông tin"))
        tab.fill(tab.textbox("Số quyết định"), "131/QĐ-SNV")
        tab.tap(tab.button("Thêm thành viên"))
        tab.fill(tab.textbox("Họ và tên 3", tab.ident("person-team-3")), "Lê Văn Cường")
        tab.tap(tab.button("Lưu thay đổi"))
        expect(tab.text("Đã lưu thay đổi thông tin cuộc kiểm tra").first).to_be_attached()
        tab.label_has(tab.page.locator("body"), "131/QĐ-SNV")
    finally:
        tab.page.context.close()
    ctx = AppContext.open(app_server.data_dir)
    try:
        content = repr(minutes.build_content(ctx, vid))
    finally:
        ctx.close()
    assert "131/QĐ-SNV" in content and "130/QĐ-SNV" not in content
    assert "Lê Văn Cường" in content


def test_at_600px_the_steps_fit_and_lead_through_the_visit(browser, app_server):
    tab = new_tab(browser, app_server, width=600, height=960)
    try:
        tab.open(f"/visits/{visit_id(app_server)}/checklist")
        choose_user(tab)
        expect(tab.page.get_by_role("tab")).to_have_count(0)  # no nine-tab bottom bar
        row = tab.ident("step-row")
        nxt = tab.button("Tiếp: Điểm danh", row)
        box = nxt.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 600, box
        tab.shot_artifact("portrait-600-steps")
        tab.tap_icon("Các bước kiểm tra")
        steps = tab.page.get_by_role("button").filter(has_text="Hồ sơ TTHC")
        expect(steps.first).to_be_visible()
        tab.shot("portrait-600-steps-drawer")
        tab.tap(tab.page.get_by_role("button").filter(has_text="Chữ ký").first)
        # signatures come after the assessment (issue #11): the screen says what it waits for
        expect(tab.page.get_by_role("heading", name=re.compile(r"^Chữ ký"))).to_be_visible()
        tab.tap(tab.button("Tiếp: Kết thúc", tab.ident("step-row")))
        expect(tab.ident("close-status")).to_be_attached()
        tab.open(f"/visits/{visit_id(app_server)}/roll-call")  # a reload: the tablet remembers who records
        expect(tab.ident("rc-totals")).to_be_attached()
        expect(tab.ident("who-banner")).to_have_count(0)
        expect(tab.button(SECRETARY).first).to_be_attached()
    finally:
        tab.page.context.close()


def unnamed_controls(tab: Flt) -> list[str]:
    """Interactive semantics nodes with no accessible name: no aria-label, no text, and no tooltip
    of its own (Flutter's web engine puts an IconButton's tooltip on a wrapper whose one control is
    the button; inside a card that merges its children, the tooltip would name the card instead)."""
    return tab.page.evaluate("""() => {
        const roles = ['button', 'checkbox', 'radio', 'textbox', 'tab', 'slider', 'switch', 'combobox', 'link'];
        const out = [];
        for (const n of document.querySelectorAll('flt-semantics[role], flt-semantics input, flt-semantics textarea')) {
            const role = n.getAttribute('role') || (n.tagName === 'INPUT' || n.tagName === 'TEXTAREA' ? 'textbox' : '');
            if (!roles.includes(role)) continue;
            const name = (n.getAttribute('aria-label') || n.textContent || '').trim();
            const par = n.parentElement;
            const tooltip = par && par.getAttribute('aria-label') && par.querySelectorAll('[role]').length === 1;
            if (!name && !tooltip) out.push(role + ' ' + (n.getAttribute('flt-semantics-identifier') || n.id || ''));
        }
        return out;
    }""")


def test_every_control_on_the_visit_screens_has_a_name(browser, app_server):
    tab = new_tab(browser, app_server)
    try:
        vid = visit_id(app_server)
        found = {}
        for section in ("checklist", "roll-call", "findings", "photos", "signatures", "close", "info", "setup"):
            tab.open(f"/visits/{vid}/{section}")
            expect(tab.ident("step-row")).to_be_attached()
            found[section] = unnamed_controls(tab)
        tab.open("/settings")
        expect(tab.textbox("Người sử dụng máy")).to_be_attached()
        found["settings"] = unnamed_controls(tab)
        assert {k: v for k, v in found.items() if v} == {}
        # in Vietnamese nothing is named in English
        assert tab.page.get_by_role("button", name="Close", exact=True).count() == 0
    finally:
        tab.page.context.close()


def test_a_missing_line_on_the_close_screen_jumps_to_its_item(browser, app_server):
    from inspection_app.services import visit_close
    from inspection_app.services.context import AppContext

    vid = visit_id(app_server)
    ctx = AppContext.open(app_server.data_dir)
    try:
        missing = [m for m in visit_close.missing_before_close(ctx, vid) if m.kind == "unanswered"]
    finally:
        ctx.close()
    target = missing[2]  # the third unanswered item: below the first screenful of the checklist
    tab = new_tab(browser, app_server)
    try:
        tab.open(f"/visits/{vid}/close")
        expect(tab.button("Khóa cuộc kiểm tra")).to_be_disabled()  # nothing to lock while items are missing
        tab.tap(tab.page.get_by_role("button").filter(has_text=target.vi[:40]).first)
        item = tab.ident(f"item-{target.item_id}")
        expect(item).to_be_attached()
        for _ in range(100):  # the checklist scrolls the item into view
            box = item.bounding_box()
            if box is not None and 100 <= box["y"] <= 700:
                break
            tab.page.wait_for_timeout(50)
        assert box is not None and 100 <= box["y"] <= 700, box
    finally:
        tab.page.context.close()
