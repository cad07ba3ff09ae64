"""Benchmark: start-up of the app beside Flet's own floor (issue 17 point 1).

Three figures, each the median of several starts, for the app and for a minimal Flet 1.0 app served
the same way (``ft.run`` in web mode, ``no_cdn=True``, the same offline ``index.html``, one button):

- **process to ft.run**: from starting the process until ``ft.run`` is called (interpreter start,
  imports, settings; timed by a wrapper that stamps the call);
- **server ready**: from starting the process until ``GET /`` answers 200;
- **first usable screen**: from opening the page in headless Chromium until the first screen's
  button is visible (Flutter boots, the session's ``main`` runs, the screen is drawn).

The app is timed on a new, empty data directory every time (a first start: nothing is loaded into
it) and again on a directory already used (a later start). Each figure is printed beside the floor
as a ratio, with the load average before and after (the machine is shared: absolute times are noisy).
Then growth: later starts on databases of 0, 200 and 2,000 visits (``--growth``), each figure beside
the floor, with the load average.
``--app-root`` times another checkout (e.g. an older commit) with the same method. Always exits 0.

    .venv/bin/python benchmarks/bench_startup.py [--starts 5] [--app-root DIR]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUTTON = "Tạo cuộc kiểm tra mới"

# Runs in the child: stamps the moment ft.run is called, then hands over to the real entry point.
WRAPPER = """
import sys, time
import flet as ft
_run = ft.run
def run(*a, **k):
    print("BENCH_FT_RUN", time.time(), flush=True)
    return _run(*a, **k)
ft.run = run
if sys.argv[1] == "floor":
    exec(compile(open(sys.argv[2], encoding="utf-8").read(), sys.argv[2], "exec"))
else:
    sys.argv = ["inspection-app"] + sys.argv[2:]
    from inspection_app.cli import main
    sys.exit(main())
"""

FLOOR_APP = """
import os, sys
import flet as ft

def main(page: ft.Page):
    page.title = "Floor"
    page.add(ft.FilledButton("%s", on_click=lambda e: None))

ft.run(main, view=ft.AppView.WEB_BROWSER, host="127.0.0.1", port=int(sys.argv[3]), no_cdn=True,
       assets_dir=sys.argv[4])
""" % BUTTON


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise RuntimeError(f"Chromium not found at {path}")
    return path


class Start:
    """One process start: the three timings."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict, log: Path):
        self.cmd, self.cwd, self.env, self.log = cmd, cwd, env, log
        self.to_ft_run = self.ready = self.first_screen = float("nan")
        self.proc: subprocess.Popen | None = None

    def start(self, port: int) -> Start:
        out = open(self.log, "w")
        t0_wall, t0 = time.time(), time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(self.log.read_text()[-2000:])
            time.sleep(0.02)
        self.ready = time.perf_counter() - t0
        out.flush()
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("BENCH_FT_RUN"):
                self.to_ft_run = float(line.split()[1]) - t0_wall
                break
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def first_screen(browser, port: int) -> float:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    try:
        page = context.new_page()
        t0 = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}/")
        placeholder = page.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached", timeout=60_000)
        placeholder.dispatch_event("click")
        expect(page.get_by_role("button", name=BUTTON)).to_be_visible(timeout=60_000)
        return time.perf_counter() - t0
    finally:
        context.close()


def median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def seed(data_dir: Path, n_visits: int, app_root: Path) -> None:
    """A data directory holding ``n_visits`` finished visits (bench_office's office seed), made in a child
    process of the timed checkout."""
    code = ("import sys; sys.path[:0] = [sys.argv[3], sys.argv[3] + '/benchmarks', sys.argv[3] + '/tests']\n"
            "import bench_office as b\n"
            "ctx = b.open_ctx(__import__('pathlib').Path(sys.argv[1]), None, 'bench-startup')\n"
            "b.seed_office(ctx, int(sys.argv[2])) if int(sys.argv[2]) else None\nctx.close()\n")
    subprocess.run([sys.executable, "-c", code, str(data_dir), str(n_visits), str(ROOT)], check=True,
                   env={**os.environ, "PYTHONPATH": str(app_root)}, capture_output=True)


def grow(browser, sizes: list[int], starts: int, app_root: Path, env: dict, work: Path) -> dict:
    """Later starts on data directories of growing size: {visits: (ready, first screen, load average)}."""
    out = {}
    for n in sizes:
        data = work / f"grown-{n}"
        seed(data, n, app_root)
        runs = []
        for k in range(starts + 1):
            port = free_port()
            cmd = [sys.executable, "-c", WRAPPER, "app", "--data-dir", str(data), "--web", "--host", "127.0.0.1",
                   "--port", str(port)]
            s = Start(cmd, app_root, env, work / f"grown-{n}-{k}.log")
            try:
                s.start(port)
                s.first_screen = first_screen(browser, port)
            finally:
                s.stop()
            if k:  # the first start of each size warms the disk cache
                runs.append(s)
        out[n] = (median([s.ready for s in runs]), median([s.first_screen for s in runs]), os.getloadavg()[0])
    return out


def run(starts: int, app_root: Path, sizes: list[int] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    # An installed app runs from compiled bytecode, as Flet's own modules in site-packages do; compile the
    # timed checkout first, or a shell with PYTHONDONTWRITEBYTECODE would time the compiler at every start.
    compileall.compile_dir(str(app_root / "inspection_app"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    floor_py = work / "floor_app.py"
    floor_py.write_text(FLOOR_APP, encoding="utf-8")
    assets = app_root / "inspection_app" / "assets"
    assets = assets if assets.is_dir() else app_root / "assets"  # an older checkout
    env = {k: v for k, v in os.environ.items() if k not in ("INSPECTION_APP_DATA_DIR", "DATABASE_URL")}
    env.update(FLET_FORCE_WEB_SERVER="1", FLET_SECRET_KEY="bench", PYTHONPATH=str(app_root), PYTHONUNBUFFERED="1")
    results: dict[str, list[Start]] = {"floor": [], "app, first start": [], "app, later start": []}
    load_before = os.getloadavg()
    home = str(work / "chromium-home")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            env={**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home})
        try:
            later_dir = work / "later"
            for n in range(starts + 1):  # round 0 warms the disk cache and makes the later-start directory
                for kind in results:
                    port = free_port()
                    if kind == "floor":
                        cmd = [sys.executable, "-c", WRAPPER, "floor", str(floor_py), str(port), str(assets)]
                    else:
                        data = later_dir if kind == "app, later start" else work / f"first-{n}"
                        cmd = [sys.executable, "-c", WRAPPER, "app", "--data-dir", str(data), "--web",
                               "--host", "127.0.0.1", "--port", str(port)]
                    s = Start(cmd, app_root, env, work / f"{kind.replace(', ', '-')}-{n}.log")
                    try:
                        s.start(port)
                        s.first_screen = first_screen(browser, port)
                    finally:
                        s.stop()
                    if n:
                        results[kind].append(s)
            grown = grow(browser, sizes, starts, app_root, env, work) if sizes else {}
        finally:
            browser.close()
    load_after = os.getloadavg()
    floor = results["floor"]
    figures = [("process to ft.run", "to_ft_run"), ("server ready", "ready"), ("first usable screen", "first_screen")]
    print(f"machine: {os.cpu_count()} CPU; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
          f"{starts} starts each; app at {app_root}")
    print(f"{'figure':<22}{'floor':>10}" + "".join(f"{k:>20}{'ratio':>8}" for k in results if k != "floor"))
    for label, attr in figures:
        f = median([getattr(s, attr) for s in floor])
        row = f"{label:<22}{f * 1000:>8.0f}ms"
        for kind, runs in results.items():
            if kind == "floor":
                continue
            v = median([getattr(s, attr) for s in runs])
            row += f"{v * 1000:>18.0f}ms{v / f:>7.2f}×"
        print(row)
    print("target (issue 17): every ratio within 1.3× of the floor")
    if grown:
        f_ready, f_first = median([s.ready for s in floor]), median([s.first_screen for s in floor])
        print(f"growth: a later start on a database of n visits (20 findings each; the home screen lists the "
              f"newest 100), median of {starts}")
        print(f"{'visits':>8}{'server ready':>16}{'ratio':>8}{'first usable screen':>22}{'ratio':>8}{'load':>7}")
        base = None
        for n, (ready, first, load) in grown.items():
            base = base or first
            print(f"{n:>8,}{ready * 1000:>14.0f}ms{ready / f_ready:>7.2f}×{first * 1000:>20.0f}ms"
                  f"{first / f_first:>7.2f}×{load:>7.2f}")
        if len(grown) > 1:
            (n0, (_, a, _)), (n1, (_, b, _)) = next(iter(grown.items())), list(grown.items())[-1]
            print(f"first usable screen grows ×{b / a:.2f} from {n0:,} to {n1:,} visits")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=5, help="timed starts of each kind (after one warm-up)")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose app is timed")
    parser.add_argument("--growth", default="0,200,2000",
                        help="visits in the database for the growth table (empty: skip it)")
    args = parser.parse_args()
    try:
        run(args.starts, args.app_root.resolve(), [int(x) for x in args.growth.split(",") if x.strip()])
    except Exception:  # a benchmark reports; it never fails the build
        traceback.print_exc()
        print("bench_startup: could not complete the measurement (see above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
