"""Support for the browser tests: the real app (``inspection-app --web``) driven through headless Chromium.

- The app runs as a subprocess on a free port with its data directory under ``tmp_path``; a test can
  stop it and start a new one on the same directory (the persistence check).
- Chromium is the system one (``/usr/bin/chromium``, or ``$CHROMIUM``). Playwright never downloads a
  browser. A missing Chromium is a test failure, never a skip.
- Flutter draws on a canvas; the tests find things in its semantics tree (roles, labels and the
  ``flt-semantics-identifier`` attribute set by ``ft.Semantics(identifier=...)``), tap them with
  real mouse clicks at their place on screen (scrolling with the wheel first when needed), and
  wait with ``expect`` (no sleeps).
- Playwright's sync API keeps an event loop running on the main thread, so the browser fixture is
  module-scoped: other test modules can still use ``asyncio.run``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
# Screenshots for the README are refreshed only on request (UPDATE_SCREENSHOTS=1); an ordinary run
# writes them under .artifacts/ so that `make test` leaves the work tree as it was.
IMG_DIR = (ROOT / "docs" / "img") if os.environ.get("UPDATE_SCREENSHOTS") else (ROOT / ".artifacts" / "screenshots")
TIMEOUT_MS = 20_000

expect.set_options(timeout=TIMEOUT_MS)


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}: install the 'chromium' package (make sysdeps)", pytrace=False)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """``inspection-app --web`` on a data directory; restartable on the same directory."""

    def __init__(self, data_dir: Path, log_dir: Path):
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0
        self.ready_s = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        self.port = free_port()
        self.starts += 1
        env = dict(os.environ, FLET_FORCE_WEB_SERVER="1", FLET_SECRET_KEY="e2e-secret",
                   PYTHONUNBUFFERED="1")
        env.pop("FLET_SERVER_PORT", None)
        self.log = open(self.log_dir / f"server-{self.starts}.log", "w")
        cmd = [sys.executable, "-m", "inspection_app", "--data-dir", str(self.data_dir), "--web",
               "--host", "127.0.0.1", "--port", str(self.port)]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the app did not answer on {self.url}:\n{self.log_text()}")
            time.sleep(0.05)
        self.ready_s = time.perf_counter() - t0
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None
        self.log.close()

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]


def field_server(tmp_path_factory, name: str, seed=None) -> AppServer:
    """The app on a department that has one unit on file (so no demo data is loaded), started.

    ``seed(ctx, unit)`` may add more through the services before the server starts.
    """
    from inspection_app.services import units
    from inspection_app.services.context import AppContext

    data_dir = tmp_path_factory.mktemp(f"{name}-data")
    ctx = AppContext.open(data_dir)
    try:
        ctx.settings.department.province = "Tây Ninh"  # the department's identity, asked at first start
        ctx.config.save()
        unit = units.create_unit(ctx, "UBND xã Hòa Hội", kind="UBND xã", address="xã Hòa Hội, tỉnh Tây Ninh")
        if seed is not None:
            seed(ctx, unit)
    finally:
        ctx.close()
    return AppServer(data_dir, tmp_path_factory.mktemp(f"{name}-logs")).start()


class Flt:
    """A browser tab on the app, with helpers that speak Flutter semantics."""

    def __init__(self, page: Page, server: AppServer):
        self.page = page
        self.server = server
        self.external_requests: list[str] = []
        self.fill_retries = 0
        page.on("request", self._request)

    def _request(self, request) -> None:
        url = request.url
        if not url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            self.external_requests.append(url)

    def open(self, route: str = "/") -> None:
        self.page.goto(self.server.url + route)
        placeholder = self.page.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached")
        placeholder.dispatch_event("click")  # semantics (the accessibility DOM) is off until asked for

    # --- finding things --------------------------------------------------------------------------
    def ident(self, identifier: str) -> Locator:
        return self.page.locator(f'[flt-semantics-identifier="{identifier}"]')

    def group(self, prefix: str, text: str) -> Locator:
        """A semantics container whose identifier starts with ``prefix`` and whose label has ``text``."""
        return self.page.locator(f'[flt-semantics-identifier^="{prefix}"][aria-label*="{text}"]')

    def button(self, name: str, within: Locator | None = None, exact: bool = False) -> Locator:
        return (within or self.page).get_by_role("button", name=name, exact=exact)

    def text(self, text: str | re.Pattern, within: Locator | None = None) -> Locator:
        return (within or self.page).get_by_text(text)

    def nav(self, label: str) -> Locator:
        """A navigation destination: a rail button on wide screens, a tab on narrow ones."""
        return self.page.get_by_role("button", name=label).or_(self.page.get_by_role("tab", name=label)).first

    def label_has(self, locator: Locator, text: str, present: bool = True) -> None:
        """The node's text has ``text``: its own text, or its aria-label (texts inside an
        ``ft.Semantics(container=True)`` with other content are merged into the container's label)."""
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        hit = locator.and_(self.page.locator(f'[aria-label*="{quoted}"]')).or_(locator.filter(has_text=text))
        if present:
            expect(hit.first).to_be_attached()
        else:
            expect(hit).to_have_count(0)

    # --- doing things ----------------------------------------------------------------------------
    def reveal(self, locator: Locator) -> Locator:
        """Scroll (with the mouse wheel, as a person would) until the node is inside the window.

        Flutter only acts on semantics nodes it shows; the DOM has no scrolling of its own.
        """
        node = locator.first
        node.wait_for(state="visible")  # attached and laid out (a node being rebuilt has no box yet)
        view = self.page.viewport_size
        top, bottom = 64, view["height"] - 90  # below the app bar, above a bottom navigation bar
        deadline = time.monotonic() + 30  # a screen that keeps re-laying out never holds a test for long
        for _ in range(40):
            if time.monotonic() > deadline:
                return node
            box = node.bounding_box(timeout=5000)
            if box is None:
                return node
            if box["y"] >= top and box["y"] + min(box["height"], bottom - top) <= bottom:
                return node
            x = min(max(box["x"] + min(box["width"], 200) / 2, 1), view["width"] - 1)
            dy = box["y"] - (top + bottom) / 2
            self.page.mouse.move(x, (top + bottom) / 2)
            self.page.mouse.wheel(0, max(-500, min(500, dy)))
            before = box["y"]
            for _ in range(50):  # until Flutter has moved the node (or cannot scroll further)
                moved = node.bounding_box(timeout=5000)
                if moved is None or abs(moved["y"] - before) > 0.5:
                    break
                self.page.wait_for_timeout(20)
            else:
                return node  # at the end of the scroll range
        return node

    def scroll_to_top(self, anchor: Locator) -> None:
        """Wheel the scrolling body up until ``anchor`` (a node in it) stops moving."""
        view = self.page.viewport_size
        node = anchor.first
        node.wait_for(state="visible")
        for _ in range(40):
            before = node.bounding_box(timeout=5000)
            self.page.mouse.move(view["width"] / 2, view["height"] / 2)
            self.page.mouse.wheel(0, -2000)
            for _ in range(25):
                self.page.wait_for_timeout(20)
                after = node.bounding_box(timeout=5000)
                if after is None or before is None or abs(after["y"] - before["y"]) > 0.5:
                    break
            else:
                return  # did not move: at the top

    def tap(self, locator: Locator) -> None:
        """A real (trusted) click at the node's centre, as a finger would tap.

        Not ``dispatch_event("click")``: Flutter ignores clicks on semantics nodes for 500 ms after
        any pointer event (a wheel scroll, a signature stroke), so synthetic clicks get lost.
        """
        node = self.reveal(locator)
        box = self._steady_box(node)
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    def _steady_box(self, node: Locator) -> dict:
        """The node's box once it stays put for a frame (a card above may just be growing).

        Bounded: on a loaded machine a screen can keep re-laying out (a progress line, a growing list)
        and the node never holds still for two frames; after a while the last box it had is used, so a
        tap lands where the node is instead of the test waiting on it for many minutes.
        """
        box = None
        deadline = time.monotonic() + 15
        for _ in range(50):
            self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            now = node.bounding_box(timeout=5000)
            if now is None:
                node.wait_for(state="visible", timeout=5000)
                continue
            if box is not None and all(abs(now[k] - box[k]) < 0.5 for k in ("x", "y", "width", "height")):
                return now
            box = now
            if time.monotonic() > deadline:
                break
        assert box is not None, f"{node} has no box"
        return box

    def tap_icon(self, tooltip: str, within: Locator | None = None) -> None:
        """An IconButton: its tooltip labels a wrapper around the button node."""
        self.tap((within or self.page).get_by_label(tooltip).get_by_role("button"))

    def fill(self, locator: Locator, text: str) -> None:
        """Type into a Flutter text field and make sure Flutter took the text.

        Tap the field (Flutter focuses it and attaches its text editing to the DOM input), type,
        then watch the input for a moment: if Flutter attached its editing only after the text
        went in, it writes its own (old) value back into the input, and the typing is redone.
        """
        box = self.reveal(locator)
        for attempt in range(5):  # noqa: B007
            self.tap(box)
            expect(box).to_be_focused()
            self.page.keyboard.press("Control+a")
            self.page.keyboard.insert_text(text)
            if self._settles(box, text):
                return
            self.fill_retries += 1
        expect(box).to_have_value(text)

    def _settles(self, box: Locator, text: str, polls: int = 10) -> bool:
        for _ in range(polls):
            self.page.wait_for_timeout(40)  # observing over time is the point here, not a wait for state
            if box.input_value() != text:
                return False
        return True

    def expect_value(self, locator: Locator, text: str) -> None:
        """A text field's value: Flutter copies it into the DOM only once the field has focus."""
        box = self.reveal(locator)
        self.tap(box)
        expect(box).to_be_focused()
        expect(box).to_have_value(text)

    def textbox(self, label: str, within: Locator | None = None) -> Locator:
        return (within or self.page).get_by_role("textbox", name=label)

    def shot_artifact(self, name: str) -> Path:
        """A screenshot to look at, not for the README: .artifacts/e2e/ (git-ignored)."""
        return self.shot(name, ROOT / ".artifacts" / "e2e")

    def shot(self, name: str, folder: Path = IMG_DIR) -> Path:
        """Screenshot for the README once the canvas has settled.

        Flutter updates the semantics (what the asserts read) before it paints, and a busy machine
        can delay the paint: shoot frame after frame until three shots in a row are identical.
        """
        view = self.page.viewport_size
        self.page.mouse.move(view["width"] - 1, view["height"] - 1)  # no hover highlight in the picture
        shots: list[bytes] = []
        for _ in range(200):
            self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            shots.append(self.page.screenshot())
            if len(shots) >= 3 and shots[-1] == shots[-2] == shots[-3]:
                break
        else:
            raise AssertionError(f"the screen did not settle for the screenshot {name}")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        path.write_bytes(shots[-1])
        return path


def new_tab(browser, server: AppServer, width: int = 1280, height: int = 800) -> Flt:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return Flt(page, server)
