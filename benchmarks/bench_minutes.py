"""Benchmark: minutes of a heavy visit, rendered and signed, and how the figure grows (issue #17.2).

The heavy visit: five checklists, 40 findings, a 200-person roll call, 30 sampled dossiers and
40 photos whose report copies come from 12-megapixel originals (made by the media layer, as in the
app). Targets: render + sign ≤ 1.5 s warm (second export in the same process), ≤ 2.5 s in a fresh
process, peak memory ≤ 250 MB at 200 photos.

Growth table: photos 10 / 40 / 100 / 200 (40 findings) and findings 20 / 100 / 400 (40 photos), each
in a fresh child process so that its peak RSS is the figure for exporting those minutes. The load
average is printed beside each row: on a shared machine the times are only comparable within a run.
Where LibreOffice is installed, the same content filled into a document and converted by
``soffice --headless --convert-to pdf`` is timed beside it (the peer the issue names); elsewhere that
column is left out. Always exits 0: it reports, it does not gate.

    .venv/bin/python benchmarks/bench_minutes.py [--max-photos 200] [--keep DIR] [--photos-dir DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_WARM_S = 1.5
TARGET_FRESH_S = 2.5
TARGET_RSS_MB = 250
PHOTO_STEPS = (10, 40, 100, 200)
FINDING_STEPS = (20, 100, 400)
PASSPHRASE = "benchmark-passphrase"


def _original(seed: int) -> bytes:
    """A 4000×3000 JPEG (12 MP) with smooth shapes and sensor-like grain, ~4 MB like a tablet's."""
    from PIL import Image

    rnd = random.Random(seed)
    base = Image.frombytes("RGB", (64, 48), bytes(rnd.randrange(256) for _ in range(64 * 48 * 3)))
    img = base.resize((4000, 3000), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((4000, 3000), 40 + seed % 25).convert("RGB")
    img = Image.blend(img, grain, 0.18)
    if seed % 5 == 0:  # some portraits, stored sideways with an EXIF rotation like cameras do
        exif = Image.Exif()
        exif[0x0112] = 6
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=90, exif=exif.tobytes())
        return buf.getvalue()
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _report_copy(args: tuple[int, str]) -> tuple[str, int, int, str]:
    seed, out_dir = args
    original = _original(seed)
    path = Path(out_dir) / f"report-{seed:02d}.jpg"
    try:
        from inspection_app.media.ingest import ingest_bytes

        photo = ingest_bytes(original, filename=f"IMG_{seed:04d}.jpg")
        path.write_bytes(photo.report.data)
        how = "media.ingest"
    except ImportError:  # the media layer is not there: do what it does, with Pillow
        from PIL import Image, ImageOps

        with Image.open(io.BytesIO(original)) as im:
            im.draft("RGB", (1600, 1200))
            img = ImageOps.exif_transpose(im)
            img.thumbnail((1600, 1600))
            img.save(path, "JPEG", quality=82)
        how = "Pillow"
    return str(path), len(original), path.stat().st_size, how


def prepare(work: Path, count: int) -> list[str]:
    photos_dir = work / "photos"
    photos_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        results = list(pool.map(_report_copy, [(i, str(photos_dir)) for i in range(count)]))
    originals = sum(r[1] for r in results)
    copies = sum(r[2] for r in results)
    print(f"prepared {count} photos in {time.perf_counter() - t0:.1f} s via {results[0][3]}: "
          f"originals {originals / count / 1e6:.1f} MB each (12 MP), report copies "
          f"{copies / count / 1024:.0f} KB each")

    from inspection_app.pdf import keys

    keys.init_pilot(work / "data", "Sở Nội vụ tỉnh Tây Ninh",
                    [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn")], PASSPHRASE)
    return [r[0] for r in results]


def _render_and_sign(content, loaded):  # noqa: ANN001, ANN202
    from inspection_app.pdf import signing
    from inspection_app.pdf.layout import TEAM_LEADER_BOX, render_minutes

    rendered = render_minutes(content)
    signed = signing.sign_pdf(rendered.pdf, loaded, field_name=signing.TEAM_LEADER_FIELD,
                              box=rendered.signature_boxes[TEAM_LEADER_BOX],
                              reason="Trưởng đoàn ký biên bản", location="Tây Ninh")
    return rendered, signed


def child(work: Path, photos: list[str], findings: int) -> None:
    """Runs in a fresh process: import, build, render + sign twice (fresh, then warm), verify."""
    t_import = time.perf_counter()
    from inspection_app.pdf import keys
    from inspection_app.pdf.specimen import specimen_minutes
    from inspection_app.pdf.verify import verify_pdf

    t0 = time.perf_counter()
    content = specimen_minutes(heavy=True, photos=photos, findings=findings)
    data = work / "data"
    identity = keys.find_identity(data, title="Trưởng đoàn")
    loaded = keys.load_identity(data, identity, PASSPHRASE)  # passphrase unlock, part of signing
    t1, c1 = time.perf_counter(), time.process_time()
    rendered, signed = _render_and_sign(content, loaded)
    t2, c2 = time.perf_counter(), time.process_time()
    _render_and_sign(content, loaded)
    t3, c3 = time.perf_counter(), time.process_time()
    report = verify_pdf(signed.pdf, keys.trust_roots(data))
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({
        "import_s": t0 - t_import, "build_s": t1 - t0, "fresh_s": t2 - t1, "warm_s": t3 - t2,
        "fresh_cpu": c2 - c1, "warm_cpu": c3 - c2,
        "pages": rendered.page_count, "bytes": len(signed.pdf), "rss_mb": rss_kb / 1024,
        "verified": report.ok, "photos": len(content.photos),
        "findings": sum(len(s.body_items) for s in content.sections),
        "roll_call": len(content.roll_call.rows), "dossiers": len(content.sample.rows),
    }))


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_route(work: Path, photos: list[str], findings: int, soffice: str) -> float:
    """The peer: the same content filled into a document (HTML, with the photos linked as files)
    and converted to PDF by LibreOffice in a fresh process; seconds, wall clock."""
    from html import escape

    from inspection_app.pdf.specimen import specimen_minutes

    c = specimen_minutes(heavy=True, photos=photos, findings=findings)
    parts = [f"<h1>BIÊN BẢN</h1><p>{escape(c.opening)}</p>"]
    for section in c.sections:
        parts.append(f"<h2>{escape(section.title)}</h2><table border=1>")
        parts += [f"<tr><td>{escape(i.text)}</td><td>{escape(i.result_text)}</td><td>{escape(i.note)}</td></tr>"
                  for i in section.items]
        parts.append("</table>")
    parts.append("<table border=1>" + "".join(
        f"<tr><td>{escape(r.name)}</td><td>{escape(r.status)}</td><td>{escape(r.arrival)}</td></tr>"
        for r in c.roll_call.rows) + "</table>")
    parts += [f'<p><img src="file://{p}" width="300"></p>' for p in photos]
    doc = work / f"lo-{len(photos)}-{findings}.html"
    doc.write_text("<html><meta charset='utf-8'><body>" + "".join(parts) + "</body></html>", encoding="utf-8")
    t0 = time.perf_counter()
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(work), str(doc)],
                   capture_output=True, check=False, timeout=600)
    return time.perf_counter() - t0


def _run_child(work: Path, photos: list[str], findings: int) -> dict | None:
    (work / "photos.json").write_text(json.dumps({"photos": photos, "findings": findings}))
    proc = subprocess.run([sys.executable, __file__, "--child", str(work)], capture_output=True, text=True)
    if proc.returncode != 0:
        print("benchmark child failed:\n" + proc.stdout + proc.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-photos", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="keep the work folder (PDF, photos) here")
    parser.add_argument("--photos-dir", type=Path, help="reuse report copies prepared by an earlier run")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads((args.child / "photos.json").read_text())
        child(args.child, spec["photos"], spec["findings"])
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-minutes-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
        if args.photos_dir and args.photos_dir.is_dir():
            all_photos = sorted(str(p) for p in args.photos_dir.glob("report-*.jpg"))[:args.max_photos]
            from inspection_app.pdf import keys

            keys.init_pilot(work / "data", "Sở Nội vụ tỉnh Tây Ninh", [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn")],
                            PASSPHRASE)
            print(f"reusing {len(all_photos)} report copies from {args.photos_dir}")
        else:
            all_photos = prepare(work, args.max_photos)
        soffice = libreoffice()
        steps = [(n, 40) for n in PHOTO_STEPS if n <= len(all_photos)]
        steps += [(40, f) for f in FINDING_STEPS if f != 40 and len(all_photos) >= 40]
        lo_head = "  LibreOffice  ratio" if soffice else ""
        print("\n(wall-clock seconds, and in brackets the CPU seconds of the process: on a shared machine the CPU"
              " figure is the one to compare)")
        print("photos findings pages   MB  fresh s (cpu)   warm s (cpu)  peak RSS MB  load (1/5/15 min)" + lo_head)
        heavy = biggest = None
        for n, f in steps:
            r = _run_child(work, all_photos[:n], f)
            if r is None:
                continue
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            line = (f"{n:6d} {r['findings']:8d} {r['pages']:5d} {r['bytes'] / 1e6:5.1f} {r['fresh_s']:7.2f} "
                    f"({r['fresh_cpu']:4.2f}) {r['warm_s']:7.2f} ({r['warm_cpu']:4.2f}) {r['rss_mb']:12.0f}  {load:>17}")
            if soffice:
                lo = libreoffice_route(work, all_photos[:n], f, soffice)
                line += f"  {lo:10.2f} s {lo / r['fresh_s']:5.1f}x"
            print(line + ("" if r["verified"] else "  (signature INVALID)"))
            if (n, f) == (40, 40):
                heavy = r
            if n == max(p for p, _ in steps if _ == 40) and f == 40:
                biggest = r
        if not soffice:
            print("(LibreOffice is not installed here: its column is left out)")

        def verdict(ok: bool) -> str:
            return "PASS" if ok else "FAIL"

        if heavy:
            print(f"\nheavy visit ({heavy['findings']} findings, roll call of {heavy['roll_call']}, "
                  f"{heavy['dossiers']} dossiers, {heavy['photos']} photos; imports {heavy['import_s']:.2f} s "
                  f"not counted):")
            print(f"render + sign, warm   {heavy['warm_s']:5.2f} s (cpu {heavy['warm_cpu']:.2f} s)  "
                  f"target <= {TARGET_WARM_S} s  {verdict(heavy['warm_s'] <= TARGET_WARM_S)}")
            print(f"render + sign, fresh  {heavy['fresh_s']:5.2f} s (cpu {heavy['fresh_cpu']:.2f} s)  "
                  f"target <= {TARGET_FRESH_S} s  {verdict(heavy['fresh_s'] <= TARGET_FRESH_S)}")
        if steps and biggest:
            print(f"peak RSS at {biggest['photos']} photos {biggest['rss_mb']:5.0f} MB  target <= {TARGET_RSS_MB} MB  "
                  f"{verdict(biggest['rss_mb'] <= TARGET_RSS_MB)}")
        if args.keep:
            print(f"work folder: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
