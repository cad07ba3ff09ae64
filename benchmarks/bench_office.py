"""The office: dashboard and visits-table latency at scale, and bundle import throughput.

    .venv/bin/python benchmarks/bench_office.py [--runs 7] [--skip-postgres]

1. Seeds 5,000 visits and 100,000 findings (plus 200 units, 2,000 staff, 50,000 roll-call entries,
   175,000 answers, 25,000 sampled dossiers, 10,000 remedies) with bulk inserts, on SQLite and on a
   throwaway PostgreSQL server (``tests/pgserver.py``; started and removed here), and times:
   - the dashboard (``services.review.dashboard``: five aggregate queries, by unit and by month) over
     everything and over one year: target at most 300 ms;
   - the visits table's first page (``services.review.visits_page``, 50 rows with their counts),
     without and with filters: target at most 100 ms.
   Each figure is the median of ``--runs`` runs after one warm-up run.
2. Builds 50 visits with 500 photos on a tablet (SQLite, through ordinary audited sessions), exports
   one bundle, and times its import into an empty office database (SQLite and PostgreSQL): visits,
   photos, records and megabytes per second; then the re-import, which must change nothing.

Prints PASS/FAIL next to each target; always exits 0 (a figure, not a test).
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
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import insert  # noqa: E402

from inspection_app.config import Config  # noqa: E402
from inspection_app.services import bundles, review  # noqa: E402
from inspection_app.services.context import AppContext  # noqa: E402
from inspection_app.store import models as m  # noqa: E402

VISITS, FINDINGS, UNITS = 5_000, 100_000, 200
DASHBOARD_MS, PAGE_MS = 300.0, 100.0
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


def seed_office(ctx: AppContext, seed: int = 7) -> dict:
    """Bulk rows, written verbatim (raw session: no audit events, as an import would)."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    stamp = {"created_at": now, "updated_at": now}
    units = [{"id": _uuid(rng), "name": f"UBND xã Số {i:03d}" if i % 3 else f"Trạm y tế phường {i:03d}",
              "kind": "UBND xã", "parent_agency": "UBND TỈNH TÂY NINH", "address": "", "head_name": "", **stamp}
             for i in range(UNITS)]
    staff = [{"id": _uuid(rng), "unit_id": u["id"], "full_name": f"Cán bộ {j}", "position": "Chuyên viên",
              "department": "", "employment_type": "", "active": True, **stamp} for u in units for j in range(10)]
    staff_of: dict[str, list[str]] = {}
    for p in staff:
        staff_of.setdefault(p["unit_id"], []).append(p["id"])
    start = datetime(2025, 1, 1, tzinfo=VN)
    visits, rolls, answers, findings, registers, samples, dossiers, checks, remedies = ([] for _ in range(9))
    statuses = ["draft", "on_site", "closed", "signed", "filed"]
    kinds = ["alcohol", "tobacco", "attendance", "office_culture", "", "dossier"]
    for i in range(VISITS):
        unit = units[i % UNITS]
        vid = _uuid(rng)
        when = start + timedelta(days=rng.randrange(730), hours=rng.randrange(8, 16))
        visits.append({"id": vid, "unit_id": unit["id"], "kind": rng.choice(["planned", "unannounced"]),
                       "status": rng.choice(statuses), "decision_number": f"{i % 400}/QĐ-SNV",
                       "decision_date": None, "plan_reference": "", "place": "Trụ sở", "arrival_at": when,
                       "ended_at": None, "closed_at": None, "minutes_number": f"{i}/BB-SNV", "assessment": "",
                       "unit_opinion": "", "created_by": "", "device_id": "bench",
                       "checklists": [{"id": c, "version": "1.0"} for c in
                                      ("working_hours", "alcohol_tobacco", "office_culture", "tthc_dossiers")],
                       **stamp})
        for sid in staff_of[unit["id"]]:
            rolls.append({"id": _uuid(rng), "visit_id": vid, "staff_id": sid,
                          "status": rng.choices(["present", "late", "absent_excused", "absent_unexcused", "left_post"],
                                                [80, 8, 6, 4, 2])[0],
                          "arrival_time": None, "minutes_late": None, "reason": "", "evidence": "", "note": "",
                          "recorded_by": "", **stamp})
        for checklist, n in (("working_hours", 10), ("alcohol_tobacco", 5), ("office_culture", 10),
                             ("leadership_duties", 10)):
            for k in range(n):
                answers.append({"id": _uuid(rng), "visit_id": vid, "checklist_id": checklist, "checklist_version": "1.0",
                                "item_id": f"{checklist}.{k}", "value": rng.choices(["pass", "fail", "na"], [80, 15, 5])[0],
                                "note": "", "answered_by": "", "answered_at": when, **stamp})
        for k in range(FINDINGS // VISITS):
            findings.append({"id": _uuid(rng), "visit_id": vid, "checklist_id": None, "item_id": None, "staff_id": None,
                             "description": f"Phát hiện {k}", "severity": "medium", "kind": rng.choice(kinds),
                             "explanation_requested": False, "place": "", "occurred_at": when, "recorded_by": "",
                             "recorded_at": when, **stamp})
        rid, smp = _uuid(rng), _uuid(rng)
        registers.append({"id": rid, "visit_id": vid, "unit_id": unit["id"], "source_name": "so.xlsx",
                          "source_sha256": "", "encoding": "", "sheet": "", "row_count": 5, "frame_hash": "",
                          "mapping": {}, "problems": [], "imported_by": "", **stamp})
        samples.append({"id": smp, "visit_id": vid, "register_id": rid, "algorithm_version": "1", "frame_hash": "f",
                        "seed_hex": "", "commitment": "c", "strata": {}, "sizes": {}, "drawn_at": when, "drawn_by": "",
                        **stamp})
        for k in range(5):
            did = _uuid(rng)
            dossiers.append({"id": did, "register_id": rid, "code": f"H56-{i}-{k}", "procedure_name": "", "procedure_code": "",
                             "domain": "", "channel": "", "received_at": None, "due_at": None, "finished_at": None,
                             "returned_at": None, "status": "", "processing_unit": "", "note": ""})
            checks.append({"id": _uuid(rng), "visit_id": vid, "sample_id": smp, "dossier_id": did, "stratum": "",
                           "rank": k, "timeliness": rng.choices(["early", "on_time", "late"], [20, 65, 15])[0],
                           "answers": {}, "note": "", "checked_by": "", "checked_at": when, **stamp})
        for k in range(2):
            deadline = (when + timedelta(days=30 + 15 * k)).date()
            remedies.append({"id": _uuid(rng), "visit_id": vid, "finding_id": None, "text": f"Khắc phục {k}",
                             "deadline": deadline, "report_due": deadline,
                             "status": rng.choice(["open", "reported", "done"]), "reported_on": None,
                             "report_text": "", "reviewed_by": "", **stamp})
    plan = [(m.Unit, units), (m.StaffMember, staff), (m.Visit, visits), (m.RollCallEntry, rolls), (m.Answer, answers),
            (m.Finding, findings), (m.Register, registers), (m.Sample, samples), (m.Dossier, dossiers),
            (m.DossierCheck, checks), (m.Remedy, remedies)]
    with ctx.session(raw=True) as s:
        for model, rows in plan:
            for i in range(0, len(rows), 5_000):
                s.execute(insert(model.__table__), rows[i:i + 5_000])
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.connect() as conn:  # what autovacuum does soon after a bulk load
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with ctx.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return {model.__tablename__: len(rows) for model, rows in plan}


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


def latency(label: str, ctx: AppContext, runs: int) -> list[tuple[str, float, float]]:
    t0 = time.perf_counter()
    counts = seed_office(ctx)
    print(f"  seeded {counts['visit']:,} visits, {counts['finding']:,} findings, {counts['rollcallentry']:,} roll-call "
          f"entries, {counts['answer']:,} answers, {counts['dossiercheck']:,} dossier checks, "
          f"{counts['remedy']:,} remedies in {time.perf_counter() - t0:.1f} s")
    cases = [
        ("dashboard, all 24 months", DASHBOARD_MS, lambda: review.dashboard(ctx)),
        ("dashboard, year 2026", DASHBOARD_MS, lambda: review.dashboard(ctx, date(2026, 1, 1), date(2026, 12, 31))),
        ("dashboard, one unit", DASHBOARD_MS, lambda: review.dashboard(ctx, unit_id=unit_id)),
        ("visits table, first page", PAGE_MS, lambda: review.visits_page(ctx, page_size=50)),
        ("visits table, filtered (period+kind)", PAGE_MS,
         lambda: review.visits_page(ctx, review.VisitFilters(date_from=date(2026, 1, 1), date_to=date(2026, 6, 30),
                                                             violation_kind="alcohol"))),
        ("visits table, search 'tram y te'", PAGE_MS,
         lambda: review.visits_page(ctx, review.VisitFilters(search="tram y te"))),
        ("visits table, page 60", PAGE_MS, lambda: review.visits_page(ctx, page=60, page_size=50)),
    ]
    unit_id = review.filter_options(ctx).units[0][0]
    out = []
    for name, target, fn in cases:
        median, best, worst, result = timed(fn, runs)
        out.append((name, median, target))
        print(f"  {label:<10} {name:<38} median {median:6.1f} ms  min {best:6.1f}  max {worst:6.1f}  "
              f"target ≤ {target:.0f} ms  {verdict(median, target)}")
    d = review.dashboard(ctx)
    assert d.totals.visits == VISITS and d.totals.findings == FINDINGS, (d.totals.visits, d.totals.findings)
    return out


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
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_office: Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f} at start")
    if load > (os.cpu_count() or 1):
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
                print(f"  PostgreSQL unavailable, its figures are missing: {str(exc).splitlines()[0]}  FAIL")
        backends = [("SQLite", None)] + ([("PostgreSQL", "bench_latency")] if server else [])
        print(f"1. Latency with {VISITS:,} visits and {FINDINGS:,} findings")
        for label, db in backends:
            url = server.create_database(db) if db else None
            ctx = open_ctx(tmp / f"office-{label}", url, "office")
            try:
                latency(label, ctx, args.runs)
            finally:
                ctx.close()

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
