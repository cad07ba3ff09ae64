"""Fixtures of the browser tests; the helpers live in ``e2e_support``."""

from __future__ import annotations

import os

import pytest
from e2e_support import ROOT, AppServer, chromium_path
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    home = str(tmp_path_factory.mktemp("chromium-home"))  # keep ~/.cache/dconf etc. out of $HOME
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
            env={**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home})
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """The app on a data directory holding the demo department (``inspection-app demo``).

    The app itself never loads the demo into a data directory (the first screen offers it apart).
    """
    from inspection_app.services import demo
    from inspection_app.services.context import AppContext

    data_dir = tmp_path_factory.mktemp("data")
    ctx = AppContext.open(data_dir)
    try:
        demo.load_demo(ctx)
    finally:
        ctx.close()
    server = AppServer(data_dir, tmp_path_factory.mktemp("logs")).start()
    yield server
    server.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep a screenshot of every open tab in .artifacts/e2e/ (git-ignored)."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    tab = item.funcargs.get("tab")
    if tab is None:
        return
    out = ROOT / ".artifacts" / "e2e"
    out.mkdir(parents=True, exist_ok=True)
    try:
        tab.page.screenshot(path=str(out / f"{item.name}.png"))
    except Exception:  # the browser may be gone; the failure itself is what matters
        pass
