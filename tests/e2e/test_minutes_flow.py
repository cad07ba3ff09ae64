"""The team leader signs the minutes of the demo's finished visit, in headless Chromium.

The app starts on an empty data directory, so it loads the demo department; its finished visit is
closed. Open it from the home, go to "Biên bản", create the pilot certificates the screen offers
(there are no keys on a new machine), sign with the passphrase, and see the signed state with the
number and the SHA-256. Then, through the services, the stored PDF verifies against the
department's root.
"""

from __future__ import annotations

import concurrent.futures

import pytest
from e2e_support import Flt, new_tab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASS = "Hòa Hội 2026"
UNIT = "UBND xã Hòa Hội"


@pytest.fixture(scope="module")
def tab(browser, app_server):
    flt = new_tab(browser, app_server)
    yield flt
    flt.page.context.close()


def off_the_loop(fn, *args):
    """pyHanko runs its own asyncio loop; Playwright keeps one running on this thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def test_sign_the_minutes_of_the_finished_demo_visit(tab: Flt, app_server):
    from inspection_app.services import minutes
    from inspection_app.services.context import AppContext

    tab.open("/")
    tab.tap(tab.page.get_by_role("button").filter(has_text=UNIT))
    expect(tab.ident("locked-banner")).to_be_visible()
    tab.tap(tab.nav("Biên bản"))
    status = tab.ident("minutes-status")
    tab.label_has(status, "Biên bản chính thức chưa được ký số")

    # a new machine has no keys: the screen says so and offers pilot certificates
    tab.label_has(tab.ident("minutes-no-keys"), "Máy này chưa có khóa ký số")
    pilot = tab.ident("minutes-pilot")
    tab.label_has(pilot, "THÍ ĐIỂM")
    tab.fill(tab.textbox("Mật khẩu bảo vệ khóa (ít nhất 8 ký tự)", pilot), PASS)
    tab.tap(tab.button("Tạo chứng thư thí điểm", pilot))
    sign = tab.ident("minutes-sign")
    expect(tab.page.get_by_role("radio", name="Nguyễn Thị Ánh Tuyết - Trưởng đoàn")).to_be_checked()
    expect(tab.ident("minutes-pilot")).to_have_count(0)
    # keys from the screen: the keys on this machine, unlocking, importing (ui/widgets/keys_panel.py)
    tab.label_has(tab.ident("keys-list"), "Nguyễn Thị Ánh Tuyết - Trưởng đoàn")
    tab.shot_artifact("minutes-keys")

    tab.fill(tab.textbox("Mật khẩu khóa ký số", sign), PASS)
    tab.tap(tab.button("Ký số", sign, exact=True))
    tab.label_has(status, "đã ký số")
    tab.label_has(status, "01/BB-SNV")

    ctx = AppContext.open(app_server.data_dir)
    try:
        visit_id = tab.page.url.rstrip("/").split("/")[-2]
        doc = minutes.latest_version(ctx, visit_id)
        assert doc.signed and doc.number == "01/BB-SNV" and doc.version == 1
        details = tab.ident("minutes-details")
        tab.label_has(details, doc.sha256)
        tab.label_has(details, "Nguyễn Thị Ánh Tuyết")
        check = off_the_loop(minutes.verify_minutes, ctx, ctx.path(doc.file_path))
        assert check.ok, minutes.describe_check(check, "en")
        assert [s.signer_name for s in check.report.signatures] == ["Nguyễn Thị Ánh Tuyết"]
        assert check.stored is not None and check.stored.id == doc.id
    finally:
        ctx.close()
    tab.scroll_to_top(status)
    tab.shot_artifact("minutes-signed")
