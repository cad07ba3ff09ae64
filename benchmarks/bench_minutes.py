"""Benchmark: minutes of a heavy visit, rendered and signed.

The heavy visit: five checklists, 40 findings, a 200-person roll call, 30 sampled dossiers and
40 photos whose report copies come from 12-megapixel originals (made by the media layer, as in the
app). Targets: render + sign at most 3 s on a 2-core machine, file at most 12 MB, peak memory
under 400 MB.

The photos and keys are prepared first (not measured); render and sign then run in a fresh
child process so that its peak RSS is the figure for exporting minutes. Always exits 0: it
reports, it does not gate.

    .venv/bin/python benchmarks/bench_minutes.py [--photos 40] [--keep DIR]
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

TARGET_SECONDS = 3.0
TARGET_BYTES = 12 * 1024 * 1024
TARGET_RSS_MB = 400
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


def child(work: Path, photos: list[str]) -> None:
    """Runs in a fresh process: import, build, render, sign, verify; print JSON figures."""
    t_import = time.perf_counter()
    from inspection_app.pdf import keys, signing
    from inspection_app.pdf.layout import TEAM_LEADER_BOX, render_minutes
    from inspection_app.pdf.specimen import specimen_minutes
    from inspection_app.pdf.verify import verify_pdf

    t0 = time.perf_counter()
    content = specimen_minutes(heavy=True, photos=photos)
    data = work / "data"
    identity = keys.find_identity(data, title="Trưởng đoàn")
    loaded = keys.load_identity(data, identity, PASSPHRASE)  # passphrase unlock, part of signing
    t1 = time.perf_counter()
    rendered = render_minutes(content)
    t2 = time.perf_counter()
    signed = signing.sign_pdf(rendered.pdf, loaded, field_name=signing.TEAM_LEADER_FIELD,
                              box=rendered.signature_boxes[TEAM_LEADER_BOX],
                              reason="Trưởng đoàn ký biên bản", location="Tây Ninh")
    t3 = time.perf_counter()
    (work / "heavy-signed.pdf").write_bytes(signed.pdf)
    report = verify_pdf(signed.pdf, keys.trust_roots(data))
    t4 = time.perf_counter()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({
        "import_s": t0 - t_import, "build_s": t1 - t0, "render_s": t2 - t1, "sign_s": t3 - t2,
        "verify_s": t4 - t3, "pages": rendered.page_count, "bytes": len(signed.pdf),
        "rss_mb": rss_kb / 1024, "verified": report.ok, "photos": len(content.photos),
        "findings": sum(len(s.body_items) for s in content.sections),
        "roll_call": len(content.roll_call.rows), "dossiers": len(content.sample.rows),
    }))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="keep the work folder (PDF, photos) here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, json.loads((args.child / "photos.json").read_text()))
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-minutes-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
        photos = prepare(work, args.photos)
        (work / "photos.json").write_text(json.dumps(photos))
        proc = subprocess.run([sys.executable, __file__, "--child", str(work)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print("benchmark child failed:\n" + proc.stdout + proc.stderr)
            return 0
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        total = r["render_s"] + r["sign_s"]
        print(f"heavy visit: {r['findings']} findings in 5 checklists, roll call of "
              f"{r['roll_call']}, {r['dossiers']} sampled dossiers, {r['photos']} photos "
              f"-> {r['pages']} pages")
        print(f"imports        {r['import_s']:6.2f} s  (once per app start, not counted)")
        print(f"build + unlock {r['build_s']:6.2f} s  (content, key passphrase)")
        print(f"render         {r['render_s']:6.2f} s")
        print(f"sign (PAdES)   {r['sign_s']:6.2f} s")
        print(f"verify         {r['verify_s']:6.2f} s  (signature {'valid' if r['verified'] else 'INVALID'})")

        def verdict(ok: bool) -> str:
            return "PASS" if ok else "FAIL"

        print(f"render + sign  {total:6.2f} s   target <= {TARGET_SECONDS:.0f} s     "
              f"{verdict(total <= TARGET_SECONDS)}")
        print(f"file size      {r['bytes'] / 1024 / 1024:6.2f} MB  target <= {TARGET_BYTES // 1024 // 1024} MB    "
              f"{verdict(r['bytes'] <= TARGET_BYTES)}")
        print(f"peak RSS       {r['rss_mb']:6.0f} MB  target < {TARGET_RSS_MB} MB    "
              f"{verdict(r['rss_mb'] < TARGET_RSS_MB)}")
        if args.keep:
            print(f"signed PDF: {work / 'heavy-signed.pdf'}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
