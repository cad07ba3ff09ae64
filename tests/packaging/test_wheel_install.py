"""CI proof of a real install (issue 14 point 7).

The wheel is built the way ``make dist`` builds it, installed with no extras into a new virtual
environment in a temporary folder outside the checkout, and run from there (with no ``PYTHONPATH``,
so not a line of the checkout is imported): ``demo``, ``checklists check``, ``export-minutes``, a
bundle export and import into another data directory, and the web app's first screen in headless
Chromium. Nothing here is skipped: a missing network for pip or a missing Chromium fails the test.
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

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
PIP_TIMEOUT = 1800


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "INSPECTION_APP_DATA_DIR", "DATABASE_URL", "VIRTUAL_ENV", "PYTHONHOME"}}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def run(cmd: list, cwd: Path, timeout: int = 600, **env: str) -> subprocess.CompletedProcess:
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=clean_env(**env), capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, f"{cmd} exited with {out.returncode}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv outside the checkout with the freshly built wheel (no extras) installed; its bin/."""
    work = tmp_path_factory.mktemp("wheel-install")
    assert not work.resolve().is_relative_to(ROOT)
    dist = work / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT], cwd=work, timeout=PIP_TIMEOUT)
    wheels = list(dist.glob("inspection_app-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=work)
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheels[0]], cwd=work, timeout=PIP_TIMEOUT)
    return venv / "bin"


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    out = run([installed / "python", "-c", "import inspection_app, importlib.util as u; "
               "print(inspection_app.__file__); print(u.find_spec('pillow_heif') is None, "
               "u.find_spec('psycopg') is None)"], cwd=installed.parent.parent)
    path, extras_absent = out.stdout.splitlines()
    assert Path(path).resolve().is_relative_to(installed.parent.resolve())
    assert extras_absent == "True True"  # the base install: no HEIC, no PostgreSQL driver


def test_demo_checklists_minutes_and_a_bundle_round_trip(installed, tmp_path):
    app = installed / "inspection-app"
    data, office = tmp_path / "tablet", tmp_path / "office"

    out = run([app, "--data-dir", data, "demo"], cwd=tmp_path)
    assert str(data) in out.stdout

    out = run([app, "--data-dir", data, "checklists", "check"], cwd=tmp_path)
    ids = set(re.findall(r"^OK\s+(\S+)", out.stdout, re.M))
    assert {"working_hours", "alcohol_tobacco", "office_culture", "leadership_duties", "tthc_dossiers"} <= ids

    listing = run([app, "--data-dir", data, "list"], cwd=tmp_path).stdout
    visits = re.findall(r"^visit (\S+)\s+(.+?)\s+(\S+)$", listing, re.M)
    closed = [vid for vid, _, status in visits if status not in ("draft", "on_site")]
    assert len(visits) == 2 and closed, listing
    pdf = tmp_path / "bien-ban.pdf"
    run([app, "--data-dir", data, "export-minutes", closed[0], "--out", pdf], cwd=tmp_path)
    head = pdf.read_bytes()
    assert head.startswith(b"%PDF-") and b"/FontFile2" in head  # the packaged fonts, embedded

    bundle = tmp_path / "goi.iab"
    run([app, "--data-dir", data, "bundle", "export", "--out", bundle], cwd=tmp_path)
    # the office enrols the tablet once, with the fingerprint the tablet shows (issue #10)
    shown = run([app, "--data-dir", data, "devices", "show"], cwd=tmp_path)
    fingerprint = re.search(r"[0-9A-F]{4}(?:-[0-9A-F]{4}){3}", shown.stdout).group(0)
    run([app, "--data-dir", office, "devices", "enrol", bundle, "--fingerprint", fingerprint], cwd=tmp_path)
    run([app, "--data-dir", office, "bundle", "import", bundle], cwd=tmp_path)
    office_listing = run([app, "--data-dir", office, "list"], cwd=tmp_path).stdout
    assert sorted(re.findall(r"^visit (\S+)", office_listing, re.M)) == sorted(v for v, _, _ in visits)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}: install the 'chromium' package (make sysdeps)", pytrace=False)
    return path


def test_the_web_app_first_screen_from_the_installed_wheel(installed, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([str(installed / "inspection-app"), "--data-dir", str(tmp_path / "data"), "--web",
                             "--port", str(port)], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                            env=clean_env(FLET_FORCE_WEB_SERVER="1", FLET_SECRET_KEY="packaging-test"))
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.1)
        home = str(tmp_path / "chromium-home")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium(), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                env={**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home})
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                external: list[str] = []
                page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                        else external.append(r.url))
                page.goto(f"http://127.0.0.1:{port}/")
                placeholder = page.locator("flt-semantics-placeholder")
                placeholder.wait_for(state="attached", timeout=60_000)
                placeholder.dispatch_event("click")
                expect(page.get_by_role("button", name="Tạo cuộc kiểm tra mới")).to_be_attached(timeout=60_000)
                expect(page.get_by_role("button", name="Dùng thử với dữ liệu mẫu")).to_be_attached()
                assert external == []  # the packaged offline index.html: nothing leaves the machine
            finally:
                browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
