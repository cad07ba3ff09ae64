"""First start on an empty data directory, in headless Chromium (issue 13 point 9).

The app starts with no visits and no demo in the real database. The first screen offers "Dùng thử
với dữ liệu mẫu"; that opens the demo from its own data directory (``<data>/demo``), with the
"DỮ LIỆU MẪU" banner on every screen, and "Về dữ liệu thật" goes back to the empty real data.
"""

from __future__ import annotations

import pytest
from e2e_support import AppServer, new_tab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO_UNIT = "UBND xã Hòa Hội"


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    server = AppServer(tmp_path_factory.mktemp("first-data"), tmp_path_factory.mktemp("first-logs")).start()
    yield server
    server.stop()


def real_counts(data_dir) -> tuple[int, int]:
    from sqlmodel import func, select

    from inspection_app.services.context import AppContext
    from inspection_app.store.models import Unit, Visit

    ctx = AppContext.open(data_dir)
    try:
        with ctx.session() as s:
            return s.exec(select(func.count(Unit.id))).one(), s.exec(select(func.count(Visit.id))).one()
    finally:
        ctx.close()


def test_first_start_shows_no_visits_and_offers_the_demo_apart(browser, empty_server):
    tab = new_tab(browser, empty_server)
    try:
        tab.open("/")
        expect(tab.text("Chưa có cuộc kiểm tra nào").first).to_be_attached()
        offer = tab.button("Dùng thử với dữ liệu mẫu")
        expect(offer).to_be_attached()
        expect(tab.ident("demo-banner")).to_have_count(0)
        assert real_counts(empty_server.data_dir) == (0, 0)
        tab.shot_artifact("first-start-home")

        tab.tap(offer)
        banner = tab.ident("demo-banner")
        expect(banner).to_be_attached(timeout=120_000)  # the demo is made on first use
        tab.label_has(banner, "DỮ LIỆU MẪU")
        visit = tab.page.get_by_role("button").filter(has_text=DEMO_UNIT).first
        expect(visit).to_be_attached()
        tab.shot_artifact("first-start-demo-home")

        tab.tap(visit)  # another screen: the banner stays
        expect(tab.nav("Điểm danh")).to_be_attached()
        expect(tab.ident("demo-banner")).to_be_attached()

        # the real database is still empty; the demo has its own, marked, directory
        assert real_counts(empty_server.data_dir) == (0, 0)
        assert (empty_server.data_dir / "demo" / "DEMO").is_file()

        tab.tap(tab.button("Về dữ liệu thật"))
        expect(tab.button("Dùng thử với dữ liệu mẫu")).to_be_attached()
        expect(tab.ident("demo-banner")).to_have_count(0)
        expect(tab.page.get_by_role("button").filter(has_text=DEMO_UNIT)).to_have_count(0)
    finally:
        tab.page.context.close()
