"""The office at province scale: dashboard and visits-table latency as the data grows, and bundle import.

    .venv/bin/python benchmarks/bench_office.py [--runs 5] [--sizes 1000,5000,20000] [--skip-postgres]
                                                [--skip-import]

1. For each size (1,000 / 5,000 / 20,000 visits, 20 findings each: up to 400,000 findings, with 200
   units, 10 roll-call entries, 15 answers, 5 sampled dossiers and 2 remedies per visit, a third of the
   findings naming a person) seeds a fresh database with bulk inserts, on SQLite and on a throwaway
   PostgreSQL server (``tests/pgserver.py``), and times the median of ``--runs`` runs (after one warm-up):
   - the dashboard (``services.dashboard``): all months, one year, one unit — target ≤ 150 ms at 20,000;
   - the visits table's first page (``services.visits_table``), and filtered pages — target ≤ 50 ms.
   It prints each figure beside its target as a ratio with the load average, then how each figure grows
   over the sizes beside the data (×20) and the dashboard's (unit, month) cells, with the load average at
   each size (the machine is shared: read "min" as the least disturbed run). No figure is asserted anywhere.
2. Builds 50 visits with 500 photos on a tablet, exports one bundle and times its import (SQLite and
   PostgreSQL), then the re-import, which must change nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import insert  # noqa: E402

from inspection_app.config import Config  # noqa: E402
from inspection_app.services import bundles, review  # noqa: E402
from inspection_app.services.context import AppContext  # noqa: E402
from inspection_app.store import models as m  # noqa: E402

FINDINGS_PER_VISIT, UNITS = 20, 200
DASHBOARD_MS, PAGE_MS = 150.0, 50.0
KINDS = ["late", "absent_unexcused", "left_post", "alcohol", "tobacco", "e_cigarette", "office_culture",
         "tthc_dossier", "head_duties", "other", "", "", "", ""]
ITEMS = {"working_hours": ["wh.one_stop_staffed", "wh.attendance_method", "wh.hours_posted", "wh.x4", "wh.x5"],
         "alcohol_tobacco": ["at.no_drinking_hours", "at.no_lunch_alcohol", "at.no_smoking_indoors", "at.no_ashtrays",
                             "at.no_smoking_signs"],
         "office_culture": ["oc.card_worn", "oc.attire", "oc.attitude", "oc.name_plates", "oc.tidy_rooms"]}
VN = timezone(timedelta(hours=7))


def _uuid(rng: random.Random) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def open_ctx(data_dir: Path, url: str | None, device: str, actor: str = "Benchmark") -> AppContext:
    os.environ.pop("DATABASE_URL", None)
    config = Config.load(data_dir)
    config.settings.device_id = device
    config.settings.inspector_name = actor
    config.settings.database_url = url or ""
    config.save()
    return AppContext.open(data_dir, actor=actor)


# --- 1. latency at scale ---------------------------------------------------------------------------


def seed_office(ctx: AppContext, n_visits: int, seed: int = 7) -> dict:
    """Bulk rows, written verbatim (raw session: no audit events, as an import would), 500 visits at a time."""
    from inspection_app.store.office import FindingPerson

    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = {"created_at": now, "updated_at": now}
    units = [{"id": _uuid(rng), "code": f"U{i:04d}", "name": f"UBND xã Số {i:03d}" if i % 3 else f"Trạm y tế phường {i:03d}",
              "kind": "UBND cấp xã" if i % 3 else "Đơn vị sự nghiệp", "parent_agency": "UBND TỈNH TÂY NINH",
              "address": "", "head_name": "", **stamp} for i in range(UNITS)]
    staff = [{"id": _uuid(rng), "unit_id": u["id"], "full_name": f"Cán bộ {j}", "position": "Chuyên viên",
              "department": "", "employment_type": rng.choice(["Công chức", "Viên chức", "Người lao động", "Cán bộ"]),
              "active": True, **stamp} for u in units for j in range(10)]
    staff_of: dict[str, list[str]] = {}
    for p in staff:
        staff_of.setdefault(p["unit_id"], []).append(p["id"])
    counts: dict[str, int] = {}

    def put(model, rows) -> None:
        for i in range(0, len(rows), 5_000):
            s.execute(insert(model.__table__), rows[i:i + 5_000])
        counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)

    start = datetime(2025, 1, 1, tzinfo=VN)
    statuses = ["draft", "on_site", "closed", "signed", "signed", "filed", "filed", "filed"]
    with ctx.session(raw=True) as s:
        put(m.Unit, units)
        put(m.StaffMember, staff)
        for first in range(0, n_visits, 500):
            visits, rolls, answers, findings, people, registers, samples, dossiers, checks, remedies = (
                [] for _ in range(10))
            for i in range(first, min(n_visits, first + 500)):
                unit = units[i % UNITS]
                vid = _uuid(rng)
                when = start + timedelta(days=rng.randrange(730), hours=rng.randrange(8, 16))
                visits.append({"id": vid, "unit_id": unit["id"], "kind": rng.choice(["planned", "unannounced"]),
                               "status": rng.choice(statuses), "decision_number": f"{i % 400}/QĐ-SNV",
                               "decision_date": None, "plan_reference": "", "place": "Trụ sở", "arrival_at": when,
                               "ended_at": None, "closed_at": None, "minutes_number": f"{i}/BB-ĐKTCV",
                               "assessment": "", "unit_opinion": "", "created_by": "", "device_id": "bench",
                               "checklists": [{"id": c, "version": "1.0"} for c in ITEMS], **stamp})
                for sid in staff_of[unit["id"]]:
                    rolls.append({"id": _uuid(rng), "visit_id": vid, "staff_id": sid,
                                  "status": rng.choices(["present", "late", "absent_excused", "absent_unexcused",
                                                         "left_post"], [80, 8, 6, 4, 2])[0],
                                  "arrival_time": None, "minutes_late": None, "reason": "", "evidence": "", "note": "",
                                  "recorded_by": "", **stamp})
                for checklist, items in ITEMS.items():
                    for item in items:
                        answers.append({"id": _uuid(rng), "visit_id": vid, "checklist_id": checklist,
                                        "checklist_version": "1.0", "item_id": item,
                                        "value": rng.choices(["pass", "fail", "na"], [80, 15, 5])[0], "note": "",
                                        "answered_by": "", "answered_at": when, **stamp})
                for k in range(FINDINGS_PER_VISIT):
                    fid, kind = _uuid(rng), rng.choice(KINDS)
                    who = rng.choice(staff_of[unit["id"]]) if kind and k % 3 == 0 else None
                    item = ("alcohol_tobacco", "at.no_smoking_indoors") if kind == "tobacco" and k % 2 else (None, None)
                    findings.append({"id": fid, "visit_id": vid, "checklist_id": item[0], "item_id": item[1],
                                     "staff_id": who, "description": f"Phát hiện {k}", "severity": "medium",
                                     "kind": kind, "explanation_requested": False, "place": "", "occurred_at": when,
                                     "recorded_by": "", "recorded_at": when, **stamp})
                    if who:
                        people.append({"id": _uuid(rng), "visit_id": vid, "finding_id": fid, "staff_id": who, **stamp})
                rid, smp = _uuid(rng), _uuid(rng)
                registers.append({"id": rid, "visit_id": vid, "unit_id": unit["id"], "source_name": "so.xlsx",
                                  "source_sha256": "", "encoding": "", "sheet": "", "row_count": 5, "frame_hash": "",
                                  "mapping": {}, "problems": [], "imported_by": "", **stamp})
                samples.append({"id": smp, "visit_id": vid, "register_id": rid, "algorithm_version": "1",
                                "frame_hash": "f", "seed_hex": "", "commitment": "c", "strata": {}, "sizes": {},
                                "drawn_at": when, "drawn_by": "", **stamp})
                for k in range(5):
                    did = _uuid(rng)
                    dossiers.append({"id": did, "register_id": rid, "code": f"H56-{i}-{k}", "procedure_name": "",
                                     "procedure_code": "", "domain": "", "channel": "", "received_at": None,
                                     "due_at": None, "finished_at": None, "returned_at": None, "status": "",
                                     "processing_unit": "", "note": ""})
                    checks.append({"id": _uuid(rng), "visit_id": vid, "sample_id": smp, "dossier_id": did,
                                   "stratum": "", "rank": k,
                                   "timeliness": rng.choices(["early", "on_time", "late"], [20, 65, 15])[0],
                                   "answers": {}, "note": "", "checked_by": "", "checked_at": when, **stamp})
                for k in range(2):
                    deadline = (when + timedelta(days=30 + 15 * k)).date()
                    remedies.append({"id": _uuid(rng), "visit_id": vid, "finding_id": None, "text": f"Khắc phục {k}",
                                     "deadline": deadline, "report_due": deadline,
                                     "status": rng.choice(["open", "reported", "done"]), "reported_on": None,
                                     "report_text": "", "reviewed_by": "", **stamp})
            for model, rows in ((m.Visit, visits), (m.RollCallEntry, rolls), (m.Answer, answers),
                                (m.Finding, findings), (FindingPerson, people), (m.Register, registers),
                                (m.Sample, samples), (m.Dossier, dossiers), (m.DossierCheck, checks),
                                (m.Remedy, remedies)):
                put(model, rows)
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.connect() as conn:  # what autovacuum does soon after a bulk load
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with ctx.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return counts


def timed(fn, runs: int) -> tuple[float, float, float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), max(times), result


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


def load_now() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def latency(label: str, ctx: AppContext, n_visits: int, runs: int) -> dict[str, tuple[float, float, float]]:
    t0 = time.perf_counter()
    counts = seed_office(ctx, n_visits)
    print(f"  {label} {n_visits:,}: seeded {counts['visit']:,} visits, {counts['finding']:,} findings, "
          f"{counts['rollcallentry']:,} roll-call entries, {counts['answer']:,} answers, "
          f"{counts['dossiercheck']:,} dossier checks in {time.perf_counter() - t0:.1f} s; load {load_now():.1f}")
    unit_id = review.filter_options(ctx).units[0][0]
    t0 = time.perf_counter()
    review.dashboard(ctx)  # the first call counts every visit into its tally (kept valid by triggers after)
    print(f"    {'first dashboard (fills tallies)':<32} {(time.perf_counter() - t0) * 1000:7.0f} ms  (once; then "
          f"only visits whose records changed are counted again)")
    cases = [
        ("dashboard, all months", DASHBOARD_MS, lambda: review.dashboard(ctx)),
        ("dashboard, year 2026", DASHBOARD_MS, lambda: review.dashboard(ctx, date(2026, 1, 1), date(2026, 12, 31))),
        ("dashboard, one unit", DASHBOARD_MS, lambda: review.dashboard(ctx, unit_id=unit_id)),
        ("visits table, first page", PAGE_MS, lambda: review.visits_page(ctx, page_size=50)),
        ("visits table, period + status", PAGE_MS,
         lambda: review.visits_page(ctx, review.VisitFilters(date_from=date(2026, 1, 1), date_to=date(2026, 6, 30),
                                                             status="filed"))),
        ("visits table, kind = alcohol", PAGE_MS,
         lambda: review.visits_page(ctx, review.VisitFilters(violation_kind="alcohol"))),
        ("visits table, page 10", PAGE_MS, lambda: review.visits_page(ctx, page=10, page_size=50)),
    ]
    out = {}
    for name, target, fn in cases:
        median, best, worst, _ = timed(fn, runs)
        out[name] = (median, best, target, load_now())
        print(f"    {name:<32} median {median:7.1f} ms  min {best:7.1f}  max {worst:7.1f}  "
              f"target ≤ {target:.0f} ms  ratio {median / target:4.2f}  {verdict(median, target)}  load {load_now():.1f}")
    d = review.dashboard(ctx)
    assert d.totals.findings <= counts["finding"] and d.totals.visits + d.open_count == n_visits
    out["(unit, month) cells of the dashboard"] = (len(d.by_unit_month),) * 2 + (0.0, load_now())
    return out


def growth(label: str, results: dict[int, dict[str, tuple]]) -> None:
    """Each figure (least disturbed run) at every size, and its growth beside the data's: a figure that
    grows much slower than the data follows the units and months shown, not the rows behind them."""
    sizes = sorted(results)
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    print(f"  {label}: growth from {small:,} to {large:,} visits (×{large / small:.0f} data); "
          f"min ms at {' / '.join(f'{n:,}' for n in sizes)}, load average at each")
    for name in results[small]:
        values = [results[n][name][1] for n in sizes]
        loads = " / ".join(f"{results[n][name][3]:.1f}" for n in sizes)
        unit = "" if name.startswith("(") else " ms"
        a, b = values[0], values[-1]
        print(f"    {name:<38} {' → '.join(f'{v:7.1f}' for v in values)}{unit}  ×{b / a if a else float('nan'):.1f}"
              f"  (load {loads})")


# --- 2. import throughput ---------------------------------------------------------------------------


def jpeg(seed: int, size: tuple[int, int]) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.rectangle([x, y, x + rng.randrange(5, 80), y + rng.randrange(5, 60)],
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def build_tablet(ctx: AppContext, visits: int = 50, photos_per_visit: int = 10) -> None:
    """Realistic visits through ordinary audited sessions (as the field services write them)."""
    rng = random.Random(3)
    for i in range(visits):
        with ctx.session() as s:
            unit = m.Unit(name=f"UBND xã Thử {i:02d}")
            s.add(unit)
            s.flush()
            people = [m.StaffMember(unit_id=unit.id, full_name=f"Cán bộ {j}") for j in range(15)]
            s.add_all(people)
            s.flush()
            v = m.Visit(unit_id=unit.id, status="on_site", arrival_at=datetime(2026, 3, 1 + i % 28, 8, tzinfo=VN),
                        decision_number="125/QĐ-SNV", checklists=[{"id": "office_culture", "version": "1.0"}])
            s.add(v)
            s.flush()
            for p in people:
                s.add(m.RollCallEntry(visit_id=v.id, staff_id=p.id, status=rng.choice(["present", "late", "absent_unexcused"])))
            for k in range(30):
                s.add(m.Answer(visit_id=v.id, checklist_id="office_culture", checklist_version="1.0", item_id=f"oc{k}",
                               value=rng.choice(["pass", "fail", "na"]), note="Ghi chú" if k % 5 == 0 else ""))
            found = []
            for k in range(20):
                f = m.Finding(visit_id=v.id, description=f"Phát hiện số {k} tại lượt {i}",
                              kind=rng.choice(["alcohol", "tobacco", ""]))
                s.add(f)
                found.append(f)
            s.flush()
            for k in range(photos_per_visit):
                original = jpeg(i * 1000 + k, (800, 600))
                sha = hashlib.sha256(original).hexdigest()
                paths = {}
                for name, data in (("original", original), ("report", jpeg(i * 1000 + k, (400, 300))),
                                   ("thumb", jpeg(i * 1000 + k, (160, 120)))):
                    rel = f"media/{sha[:2]}/{sha}/{name}.jpg"
                    target = ctx.data_dir / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    paths[name] = rel
                s.add(m.Photo(visit_id=v.id, sha256=sha, original_path=paths["original"], report_path=paths["report"],
                              thumb_path=paths["thumb"], mime="image/jpeg", byte_size=len(original),
                              finding_id=found[k % len(found)].id, caption=f"Ảnh {k}"))
            for k in range(3):
                s.add(m.Remedy(visit_id=v.id, text=f"Khắc phục {k}", deadline=date(2026, 4, 30)))


def throughput(label: str, office: AppContext, bundle: Path, photos: int, visits: int) -> None:
    t0 = time.perf_counter()
    report = bundles.import_bundle(office, bundle)
    elapsed = time.perf_counter() - t0
    records = sum(report.inserted.values()) + report.events_added
    mb = bundle.stat().st_size / 1e6
    print(f"  {label:<10} import of {visits} visits / {photos} photos ({records:,} records and audit events, "
          f"{report.files_added} files, {mb:.1f} MB): {elapsed:.2f} s = {visits / elapsed:.1f} visits/s, "
          f"{photos / elapsed:.0f} photos/s, {records / elapsed:,.0f} records/s, {mb / elapsed:.1f} MB/s")
    t0 = time.perf_counter()
    again = bundles.import_bundle(office, bundle)
    print(f"  {label:<10} re-import (nothing to change: {again.unchanged}): {time.perf_counter() - t0:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"bench_office: Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {load_now():.1f} at start")
    if load_now() > (os.cpu_count() or 1):
        print("  (the machine is busy with other work: wall-clock figures are inflated; 'min' is the least "
              "disturbed run)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-office-"))
    server = None
    try:
        if not args.skip_postgres:
            from pgserver import PgServer, PgUnavailable

            try:
                server = PgServer(fast=False).start()
                print(f"  PostgreSQL: throwaway server from {server.bindir} on port {server.port}")
            except PgUnavailable as exc:
                print(f"  PostgreSQL unavailable, its figures are missing: {str(exc).splitlines()[0]}")
        backends = [("SQLite", None)] + ([("PostgreSQL", "bench_latency")] if server else [])
        print(f"1. Latency at {', '.join(f'{n:,}' for n in sizes)} visits ({FINDINGS_PER_VISIT} findings each)")
        for label, db in backends:
            results = {}
            for n in sizes:
                url = server.create_database(f"{db}_{n}") if db else None
                ctx = open_ctx(tmp / f"office-{label}-{n}", url, "office")
                try:
                    results[n] = latency(label, ctx, n, args.runs)
                finally:
                    ctx.close()
                if db:
                    server.drop_database(f"{db}_{n}")
                shutil.rmtree(tmp / f"office-{label}-{n}", ignore_errors=True)
            growth(label, results)
        if args.skip_import:
            return 0
        print("2. Import of a bundle of 50 visits with 500 photos")
        tablet = open_ctx(tmp / "tablet", None, "tablet-a")
        t0 = time.perf_counter()
        build_tablet(tablet)
        print(f"  tablet data built in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        exported = bundles.export_bundle(tablet, tmp / "fifty.iab")
        print(f"  export: {exported.records:,} records, {exported.files} files, {exported.byte_size / 1e6:.1f} MB "
              f"in {time.perf_counter() - t0:.2f} s")
        from inspection_app.services import devices  # the office enrols the tablet once (issue #10)
        me = devices.own_device(tablet)
        tablet.close()
        for label, db in backends:
            url = server.create_database(db.replace("latency", "import")) if db else None
            office = open_ctx(tmp / f"import-{label}", url, "office")
            devices.enrol_device(office, me.public_key, me.device_id, me.fingerprint, "Máy tính bảng 1")
            try:
                throughput(label, office, exported.path, photos=500, visits=50)
            finally:
                office.close()
    finally:
        if server:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
