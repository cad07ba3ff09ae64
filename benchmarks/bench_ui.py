"""Benchmark: the tablet app in headless Chromium.

Three figures, each the median of several runs:

- **server ready**: from starting ``inspection-app --web`` until it answers HTTP 200;
- **first usable screen**: from opening the page until the visits home shows its first button
  (Flutter boots, semantics come on, the home's data is loaded and drawn);
- **tap to saved**: on a 60-item checklist, from a tap on "Đạt" until the answer row is in the
  SQLite database (polled straight from the file, as another reader would see it), and until the
  card shows "Đã lưu"; and its growth, the first fifth of the taps against the last fifth (the load
  average is printed before and after).

The 60-item checklist is written into the benchmark data directory's ``checklists/`` folder
(where an office adds its own checklists). Uses the system Chromium; never downloads a browser.
Always exits 0: it reports, it does not gate.

    .venv/bin/python benchmarks/bench_ui.py [--starts 3] [--taps 20]
"""

from __future__ import annotations

import argparse
import compileall
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))  # the browser helpers the E2E tests use

ITEMS = 60


def checklist_yaml(n: int = ITEMS) -> str:
    lines = ["id: bench_60", 'version: "1.0"', "order: 1",
             "title: {vi: \"Bảng kiểm 60 nội dung (đo hiệu năng)\", en: \"60-item checklist (benchmark)\"}",
             "sections:"]
    per = 15
    for s in range(n // per):
        lines += [f"  - id: s{s + 1}", f"    title: {{vi: \"Phần {s + 1}\", en: \"Part {s + 1}\"}}", "    items:"]
        for i in range(per):
            k = s * per + i + 1
            lines += [f"      - id: b.item{k:02d}",
                      f"        text: {{vi: \"Nội dung kiểm tra số {k}\", en: \"Checklist item {k}\"}}",
                      "        answer: pass_fail",
                      "        legal_basis: [{document: \"Quyết định 129/2007/QĐ-TTg\", article: \"Điều 5\"}]",
                      "        on_fail: {note: true}"]
    return "\n".join(lines) + "\n"


def prepare(data_dir: Path) -> str:
    from inspection_app.services import units, visits
    from inspection_app.services.context import AppContext

    (data_dir / "checklists").mkdir(parents=True, exist_ok=True)
    (data_dir / "checklists" / "bench_60.yaml").write_text(checklist_yaml(), encoding="utf-8")
    ctx = AppContext.open(data_dir, actor="Đo hiệu năng")
    try:
        unit = units.create_unit(ctx, "UBND xã Hòa Hội", kind="UBND xã")
        visit = visits.create_visit(ctx, unit.id, kind="planned", decision_number="1/QĐ-SNV",
                                    decision_date=date(2026, 7, 1), checklist_ids=["bench_60"],
                                    team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader")])
        return visit.id
    finally:
        ctx.close()


def answer_in_db(db: Path, visit_id: str, item_id: str) -> bool:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = con.execute("SELECT value FROM answer WHERE visit_id=? AND item_id=?", (visit_id, item_id)).fetchone()
        return bool(row and row[0] == "pass")
    finally:
        con.close()


def ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (f"median {statistics.median(values) * 1000:.0f} ms  (min {min(values) * 1000:.0f}, "
            f"max {max(values) * 1000:.0f}, n={len(values)})")


def run(starts: int, taps: int) -> None:
    from e2e_support import AppServer, Flt, chromium_path
    from playwright.sync_api import expect, sync_playwright

    compileall.compile_dir(str(ROOT / "inspection_app"), quiet=1)  # an installed app runs from bytecode
    work = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    data_dir = work / "data"
    visit_id = prepare(data_dir)
    db = data_dir / "inspection.db"
    ready, first_screen, saved_db, saved_ui = [], [], [], []
    load_before = os.getloadavg()[0]
    home = str(work / "chromium-home")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            env={**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home})
        server = None
        try:
            for n in range(starts):
                server = AppServer(data_dir, work).start()
                ready.append(server.ready_s)
                context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
                tab = Flt(context.new_page(), server)
                t0 = time.perf_counter()
                tab.open("/")
                expect(tab.button("Tạo cuộc kiểm tra mới")).to_be_visible(timeout=60_000)
                first_screen.append(time.perf_counter() - t0)
                if n == starts - 1:  # the taps, on the last start
                    tab.open(f"/visits/{visit_id}/checklist")
                    expect(tab.ident("item-b.item01")).to_be_attached(timeout=60_000)
                    for k in range(1, taps + 1):
                        item = f"b.item{k:02d}"
                        card = tab.ident(f"item-{item}")
                        button = tab.reveal(tab.button("Đạt", card, exact=True))
                        box = button.bounding_box()
                        t0 = time.perf_counter()
                        tab.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                        while not answer_in_db(db, visit_id, item):
                            if time.perf_counter() - t0 > 10:
                                raise TimeoutError(f"{item} not saved after 10 s")
                            time.sleep(0.002)
                        saved_db.append(time.perf_counter() - t0)
                        tab.label_has(card, "Đã lưu")
                        saved_ui.append(time.perf_counter() - t0)
                context.close()
                server.stop()
                server = None
        finally:
            if server is not None:
                server.stop()
            browser.close()
    print(f"machine: {os.cpu_count()} CPU, load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"server ready (inspection-app --web until HTTP 200):    {ms(ready)}")
    print(f"first usable screen (page open until home's button):    {ms(first_screen)}")
    print(f"tap to saved in the database ({ITEMS}-item checklist):    {ms(saved_db)}")
    print(f"tap to 'Đã lưu' on the card ({ITEMS}-item checklist):     {ms(saved_ui)}")
    growth(saved_db, saved_ui)


def growth(saved_db: list[float], saved_ui: list[float]) -> None:
    """How a tap's cost grows as the visit fills up: the first fifth of the taps against the last fifth."""
    k = max(1, len(saved_db) // 5)
    if len(saved_db) < 2 * k:
        return
    print(f"growth as answers accumulate (taps 1–{k} against {len(saved_db) - k + 1}–{len(saved_db)}, medians):")
    for label, values in (("tap to saved in the database", saved_db), ("tap to 'Đã lưu' on the card", saved_ui)):
        a, b = statistics.median(values[:k]), statistics.median(values[-k:])
        print(f"  {label:<30} {a * 1000:6.0f} → {b * 1000:6.0f} ms  ×{b / a:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=3, help="server starts (and first screens) to time")
    parser.add_argument("--taps", type=int, default=20, help="answers to time on the 60-item checklist")
    args = parser.parse_args()
    try:
        run(args.starts, args.taps)
    except Exception:  # a benchmark reports; it never fails the build
        traceback.print_exc()
        print("bench_ui: could not complete the measurement (see above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
