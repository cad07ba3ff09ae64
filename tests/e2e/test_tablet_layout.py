"""The tablet itself: nothing leaves the device, portrait and landscape, 48 px touch targets, and
every label switching between Vietnamese and English."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from e2e_support import Flt, field_server, new_tab
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

NAV_VI = ["Nội dung", "Điểm danh", "Phát hiện", "Ảnh", "Chữ ký", "Kết thúc"]


def seed_visit(ctx, unit) -> None:
    from inspection_app.services import units, visits

    for name in ("Lê Hoàng Phúc", "Võ Minh Tuấn", "Đặng Ngọc Ánh"):
        units.add_staff(ctx, unit.id, name, "Chuyên viên")
    arrival = datetime(2026, 7, 2, 0, 35, tzinfo=UTC)  # 07:35 in Hà Nội time
    visit = visits.create_visit(
        ctx, unit.id, kind="planned", decision_number="130/QĐ-SNV", decision_date=date(2026, 7, 1),
        checklist_ids=["office_culture"], arrival_at=arrival,
        team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader"), visits.ParticipantIn("Phạm Đức Anh", "secretary")],
        unit_reps=[visits.ParticipantIn("Nguyễn Văn Hùng", "Chủ tịch UBND xã")])
    # the assessment is written, so the signature pads are offered (signatures come after it, issue #11)
    visits.update_visit(ctx, visit.id, assessment="Đơn vị chấp hành tốt.", ended_at=arrival + timedelta(hours=3))


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    server = field_server(tmp_path_factory, "layout", seed_visit)
    yield server
    server.stop()


def open_visit(tab: Flt) -> None:
    tab.open("/")
    tab.tap(tab.page.get_by_role("button").filter(has_text="UBND xã Hòa Hội"))
    expect(tab.ident("item-oc.card_worn")).to_be_attached()


def test_no_request_leaves_localhost(browser, app_server):
    tab = new_tab(browser, app_server)
    try:
        open_visit(tab)
        for section in NAV_VI:
            tab.tap(tab.nav(section))
            expect(tab.nav(section)).to_have_attribute("aria-current", "true")
        tab.tap_icon("Quay lại")
        tab.tap(tab.nav("Cài đặt"))
        expect(tab.textbox("Người sử dụng máy")).to_be_attached()
        # no_cdn=True serves Flutter's engine locally; assets/index.html stops the Rive CDN script
        assert tab.external_requests == []
    finally:
        tab.page.context.close()


def test_portrait_600px_steps_menu_then_landscape_rail(browser, app_server):
    tab = new_tab(browser, app_server, width=600, height=960)
    try:
        tab.open("/")
        expect(tab.page.get_by_role("tab", name="Cuộc kiểm tra")).to_have_attribute("aria-selected", "true")
        open_visit(tab)
        expect(tab.page.get_by_role("tab")).to_have_count(0)  # inside a visit: the steps menu, not ten tabs
        item = tab.ident("item-oc.attire")
        tab.tap(tab.button("Đạt", item, exact=True))
        expect(tab.button("Đạt", item, exact=True)).to_have_attribute("aria-current", "true")
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 600, box  # nothing runs off the side
        tab.tap_icon("Các bước kiểm tra")
        tab.tap(tab.page.get_by_role("button").filter(has_text="Điểm danh").first)
        person = tab.group("staff-", "Võ Minh Tuấn")
        tab.tap(tab.button("Có mặt", person, exact=True))
        tab.label_has(tab.ident("rc-totals"), "Có mặt: 1")
        tab.shot_artifact("portrait-600-roll-call")
        # turn the tablet: landscape brings the navigation rail back, same screen, same state
        tab.page.set_viewport_size({"width": 960, "height": 600})
        expect(tab.page.get_by_role("tab")).to_have_count(0)
        expect(tab.nav("Điểm danh")).to_have_attribute("aria-current", "true")
        tab.label_has(tab.ident("rc-totals"), "Có mặt: 1")
    finally:
        tab.page.context.close()


def small_targets(tab: Flt) -> list:
    small = []
    steps = tab.ident("step-row").bounding_box() if tab.ident("step-row").count() else None
    floor = min(790, steps["y"] - 10) if steps else 790  # the scrolling body (padded) ends above the step row
    for role in ("button", "checkbox", "radio", "tab"):
        for node in tab.page.get_by_role(role).all():
            try:
                box = node.bounding_box(timeout=2000)
            except PlaywrightError:  # gone since it was listed (the screen was still arriving)
                continue
            if box is None or box["y"] < 56 or box["y"] + box["height"] > floor - 0.5:
                continue  # the app bar, or cut by the edge of the scrolling list
            if box["height"] < 47.5 or box["width"] < 47.5:
                small.append((role, node.get_attribute("aria-label") or node.inner_text(), box))
    return small


def test_touch_targets_are_at_least_48px(browser, app_server):
    tab = new_tab(browser, app_server)
    try:
        tab.open("/")
        expect(tab.button("Tạo cuộc kiểm tra mới")).to_be_visible()
        found = {"home": small_targets(tab)}
        open_visit(tab)
        found["checklist"] = small_targets(tab)
        screens = {"Điểm danh": tab.ident("rc-totals"), "Phát hiện": tab.button("Thêm phát hiện"),
                   "Chữ ký": tab.ident("pad-team_leader"), "Kết thúc": tab.ident("close-status")}
        for section, landmark in screens.items():
            tab.tap(tab.nav(section))
            expect(landmark).to_be_attached()
            found[section] = small_targets(tab)
        assert {k: v for k, v in found.items() if v} == {}
    finally:
        tab.page.context.close()


def test_every_label_switches_language(browser, app_server):
    tab = new_tab(browser, app_server)
    try:
        open_visit(tab)
        tab.tap(tab.button("English", exact=True))
        expect(tab.nav("Checklist")).to_be_visible()
        item = tab.ident("item-oc.attire")
        expect(tab.button("Pass", item, exact=True)).to_be_attached()
        expect(tab.button("N/A", item, exact=True)).to_be_attached()
        for section in ("Roll call", "Findings", "Photos", "Signatures", "Close"):
            expect(tab.nav(section)).to_be_attached()
        tab.tap(tab.nav("Roll call"))
        tab.label_has(tab.ident("rc-totals"), "Total: 3")
        tab.tap(tab.button("Tiếng Việt", exact=True))
        expect(tab.nav("Điểm danh")).to_be_visible()
        tab.label_has(tab.ident("rc-totals"), "Tổng số: 3")
    finally:
        tab.page.context.close()
