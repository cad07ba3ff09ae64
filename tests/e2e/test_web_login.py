"""Issue #10 point 7 in a browser: on 0.0.0.0 the app asks for a name and password first, then
runs as usual (its WebSocket carries the session cookie and the page's own Origin)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from e2e_support import ROOT, AppServer, Flt, free_port, new_tab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "mat-khau-cua-so-1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


@pytest.fixture(scope="module")
def door_server(tmp_path_factory):
    from inspection_app.services import units, web_access
    from inspection_app.services.context import AppContext

    data_dir = tmp_path_factory.mktemp("door-data")
    ctx = AppContext.open(data_dir)
    try:
        units.create_unit(ctx, "UBND xã Hòa Hội", kind="UBND xã", address="xã Hòa Hội, tỉnh Tây Ninh")
    finally:
        ctx.close()
    web_access.set_password(data_dir, "Trần Thị Bình", PASSWORD)
    server = AppServer(data_dir, tmp_path_factory.mktemp("door-logs"))
    server.port = free_port()
    env = dict(os.environ, FLET_FORCE_WEB_SERVER="1", FLET_SECRET_KEY="e2e-secret", PYTHONUNBUFFERED="1")
    env.pop("FLET_SERVER_PORT", None)
    server.log = open(server.log_dir / "server.log", "w")
    server.proc = subprocess.Popen(
        [sys.executable, "-m", "inspection_app", "--data-dir", str(data_dir), "--web", "--host", "0.0.0.0",
         "--port", str(server.port)], env=env, cwd=ROOT, stdout=server.log, stderr=subprocess.STDOUT)
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = time.monotonic() + 60
    while True:
        assert server.proc.poll() is None, server.log_text()
        try:
            opener.open(server.url + "/", timeout=1)
        except urllib.error.HTTPError as err:
            if err.code == 303:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, server.log_text()
        time.sleep(0.05)
    yield server
    server.stop()


def test_sign_in_before_anything_then_the_app(browser, door_server):
    tab: Flt = new_tab(browser, door_server)
    try:
        page = tab.page
        page.goto(door_server.url + "/")
        expect(page.get_by_label("Mật khẩu / Password")).to_be_visible()  # the door, not the app
        page.get_by_label("Tên người dùng / User name").fill("Trần Thị Bình")
        page.get_by_label("Mật khẩu / Password").fill("sai-mat-khau")
        page.get_by_role("button", name="Đăng nhập / Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("Sai tên hoặc mật khẩu")
        page.get_by_label("Tên người dùng / User name").fill("Trần Thị Bình")
        page.get_by_label("Mật khẩu / Password").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập / Sign in").click()
        placeholder = page.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached")
        placeholder.dispatch_event("click")
        expect(page.get_by_role("button", name="English")).to_be_visible()  # the app is running
        assert tab.external_requests == []
        tab.shot_artifact("web-door-signed-in")
    finally:
        tab.page.context.close()
