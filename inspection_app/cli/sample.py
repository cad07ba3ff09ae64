"""``inspection-app sample …`` and ``import-register``: dossier registers and auditable samples.

``sample verify`` is meant for anyone, not only the app's users: given the register file and the
seed and parameters printed in the minutes, it re-draws the sample without any database and says
whether it matches. Exit code 0 means MATCH (or nothing to compare), 1 MISMATCH.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from ..domain.sampling import (
    ALGORITHM_VERSION,
    DrawSpec,
    SampleDraw,
    SampleSize,
    commitment_of,
    draw_sample,
    parse_seed,
    verify_draw,
)
from ..fsutil import write_atomically
from ..registers import RegisterImport, read_register


def _size(args: argparse.Namespace) -> SampleSize:
    if args.per_stratum is not None:
        return SampleSize.fixed(args.per_stratum)
    if args.total is not None:
        return SampleSize.proportional(args.total, args.minimum)
    raise ValidationFailed(
        "Cần --per-stratum N hoặc --total N [--minimum M]."
    )


def _as_of(args: argparse.Namespace) -> date | None:
    if not args.as_of:
        return None
    try:
        return date.fromisoformat(args.as_of)
    except ValueError:
        raise ValidationFailed(
            "Ngày tham chiếu không hợp lệ: {as_of} (dạng YYYY-MM-DD).", as_of=args.as_of,
        ) from None


def _print_register(result: RegisterImport) -> None:
    where = result.encoding or f"sheet “{result.sheet}”"
    print(f"Sổ theo dõi / register: {result.source_name} ({result.file_format}, {where})")
    print(f"  SHA-256 tệp / file: {result.file_sha256}")
    print(f"  {result.frame.size} hồ sơ / dossiers; {len(result.bad_rows)} dòng không đọc được / unreadable rows")


def _print_mapping(result: RegisterImport) -> None:
    m = result.mapping
    print(f"Dòng tiêu đề / header row: {m.header_row}")
    c: Any  # a mapped column, then an ignored one
    for c in m.mapped:
        print(f"  ✓ {c.header!s:<30} → {c.label_vi} / {c.label_en}")
    for c in m.ignored:
        print(f"  – {c.header!s:<30} ({c.reason_vi} / {c.reason_en})")
    for bad in result.bad_rows[:50]:
        print(f"  Dòng / row {bad.row}: {bad.reason_vi} / {bad.reason_en}")
    if len(result.bad_rows) > 50:
        print(f"  … {len(result.bad_rows) - 50} dòng khác / more rows")


def _print_draw(draw: SampleDraw) -> None:
    spec = draw.spec
    print(f"Thuật toán / algorithm: {draw.algorithm_version}")
    print(f"Mã băm khung / frame hash: {draw.frame_hash} ({draw.frame_size} hồ sơ / dossiers)")
    print(f"Hạt giống / seed: {draw.seed}")
    print(f"Cam kết / commitment: {draw.commitment}")
    as_of = f", as of {spec.as_of.isoformat()}" if spec.by_timeliness and spec.as_of else ""
    print(f"Phân nhóm / strata: {' + '.join(spec.strata_by)}{as_of}; cỡ mẫu / size: {spec.size.describe()}")
    for stratum in draw.strata:
        print(f"  [{stratum.label}] {stratum.size}/{stratum.population}")
        for code in stratum.codes:
            print(f"    {code}")
    print(f"Tổng / total: {len(draw.codes)}")


def _verdict(ok: bool, vi: str, en: str) -> int:
    print(f"{vi} / {en}")
    return 0 if ok else 1


def _verify(args: argparse.Namespace) -> int:
    if args.sample_id:
        from ..services import sampling
        from ..services.context import AppContext

        ctx = AppContext.open(args.data_dir)
        try:
            recorded = sampling.recorded_draw(ctx, args.sample_id)
            if args.register is None:  # from the canonical frame stored at import (hash-checked)
                verification = sampling.verify_sample(ctx, args.sample_id)
                return _print_verification(verification)
            result = read_register(args.register, sheet=args.sheet)
        finally:
            ctx.close()
        return _compare_recorded(result, recorded)
    if args.register is None:
        raise ValidationFailed(
            "Cần --register FILE (tệp sổ theo dõi gốc), trừ khi kiểm tra một mẫu đã ghi bằng --sample-id.",
        )
    result = read_register(args.register, sheet=args.sheet)
    if args.record:
        try:
            data = json.loads(Path(args.record).read_text(encoding="utf-8"))
            recorded = SampleDraw.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValidationFailed(
                "Không đọc được biên nhận chọn mẫu {record}: {exc}", record=args.record, exc=exc,
            ) from exc
        return _compare_recorded(result, recorded)
    if not args.seed:
        raise ValidationFailed(
            "Cần --seed (kèm tham số) hoặc --record FILE hoặc --sample-id ID.",
        )
    return _verify_from_arguments(args, result)


def _compare_recorded(result: RegisterImport, recorded: SampleDraw) -> int:
    _print_register(result)
    return _print_verification(verify_draw(result.frame, recorded))


def _print_verification(verification) -> int:
    if verification.redraw is not None:
        _print_draw(verification.redraw)
    if not verification.frame_hash_matches:
        print(f"  Mã băm đã ghi / recorded frame hash: {verification.recorded_frame_hash}")
    for code in verification.missing:
        print(f"  - đã ghi nhưng không chọn lại được / recorded, not re-drawn: {code}")
    for code in verification.unexpected:
        print(f"  + chọn lại nhưng chưa ghi / re-drawn, not recorded: {code}")
    vi, en = verification.summary()
    return _verdict(verification.matches, vi, en)


def _verify_from_arguments(args: argparse.Namespace, result: RegisterImport) -> int:
    seed = parse_seed(args.seed)
    if args.algorithm != ALGORITHM_VERSION:
        raise ValidationFailed(
            "Không hỗ trợ thuật toán {algorithm}; phiên bản này dùng {ALGORITHM_VERSION}.", algorithm=args.algorithm, ALGORITHM_VERSION=ALGORITHM_VERSION,
        )
    spec = DrawSpec(size=_size(args), by_timeliness=args.by_timeliness, as_of=_as_of(args))
    _print_register(result)
    draw = draw_sample(result.frame, seed, spec, drawn_at=datetime.now(UTC), drawn_by="verify")
    _print_draw(draw)
    checks: list[tuple[str, str, bool]] = []
    if args.frame_hash:
        checks.append((*both("mã băm khung"), args.frame_hash.strip().lower() == draw.frame_hash))
    if args.commitment:
        checks.append((*both("cam kết"), args.commitment.strip().lower() == commitment_of(seed)))
    expected = [c.strip() for chunk in (args.codes or []) for c in chunk.split(",") if c.strip()]
    if args.codes_file:
        lines = Path(args.codes_file).read_text(encoding="utf-8-sig").splitlines()
        expected += [line.strip() for line in lines if line.strip()]
    if expected:
        ok = sorted(expected) == sorted(draw.codes)
        checks.append((*both("danh sách hồ sơ"), ok))
        if not ok:
            for code in sorted(set(expected) - set(draw.codes)):
                print(f"  - đã ghi nhưng không chọn lại được / recorded, not re-drawn: {code}")
            for code in sorted(set(draw.codes) - set(expected)):
                print(f"  + chọn lại nhưng chưa ghi / re-drawn, not recorded: {code}")
    if not checks:
        print("Không có giá trị đã ghi để so sánh (--frame-hash, --commitment, --codes). / "
              "Nothing recorded to compare with (--frame-hash, --commitment, --codes).")  # fmt: skip
        return 0
    for vi, en, ok in checks:
        print(f"  {'✓' if ok else '✗'} {vi} / {en}")
    failed_vi = [vi for vi, _, ok in checks if not ok]
    failed_en = [en for _, en, ok in checks if not ok]
    if failed_vi:
        return _verdict(False, "KHÔNG KHỚP: " + ", ".join(failed_vi), "MISMATCH: " + ", ".join(failed_en))
    return _verdict(True, *both("KHỚP: chọn lại được đúng mẫu đã ghi"))


def _write_record(path: str, draw: SampleDraw) -> None:
    write_atomically(Path(path), (json.dumps(draw.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    print(f"Đã ghi biên nhận / record written: {path}")


def _draw(args: argparse.Namespace) -> int:
    from ..services import sampling
    from ..services.context import AppContext

    ctx = AppContext.open(args.data_dir)
    try:
        prepared = sampling.prepare_sample(
            ctx, args.register_id, _size(args), by_timeliness=args.by_timeliness, as_of=_as_of(args)
        )
        print(f"Cam kết (trước khi rút) / commitment (before the draw): {prepared.commitment}")
        print(f"Mã mẫu / sample id: {prepared.sample_id}")
        draw = sampling.draw_sample(ctx, prepared)
    finally:
        ctx.close()
    _print_draw(draw)
    if args.record:
        _write_record(args.record, draw)
    return 0


def _show(args: argparse.Namespace) -> int:
    from ..services import sampling
    from ..services.context import AppContext

    ctx = AppContext.open(args.data_dir)
    try:
        draw = sampling.recorded_draw(ctx, args.sample_id)
    finally:
        ctx.close()
    _print_draw(draw)
    if args.record:
        _write_record(args.record, draw)
    return 0


def _import_register(args: argparse.Namespace) -> int:
    from ..services import sampling

    preview = sampling.preview_register(args.file, sheet=args.sheet)
    _print_register(preview.result)
    _print_mapping(preview.result)
    print(f"Mã băm khung / frame hash: {preview.frame_hash}")
    for domain, count in preview.domains:
        print(f"  {domain or '(không ghi lĩnh vực / no domain)'}: {count}")
    if args.dry_run:
        return 0
    from ..services.context import AppContext

    ctx = AppContext.open(args.data_dir)
    try:
        summary = sampling.import_register(ctx, args.visit_id, args.file, sheet=args.sheet, preview=preview)
    finally:
        ctx.close()
    print(f"Đã nhập sổ theo dõi / register imported: {summary.id}")
    return 0


def _add_draw_parameters(p: argparse.ArgumentParser) -> None:
    size = p.add_mutually_exclusive_group()
    size.add_argument("--per-stratum", type=int, default=None, metavar="N", help="fixed size per stratum")
    size.add_argument("--total", type=int, default=None, metavar="N", help="total, shared in proportion")
    p.add_argument("--minimum", type=int, default=1, metavar="M", help="least per stratum with --total (default 1)")
    p.add_argument("--by-timeliness", action="store_true", help="stratify by domain and timeliness")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                   help="reference date for pending/overdue (recorded with the sample)")  # fmt: skip


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-register", help="import a unit's dossier register (CSV, XLSX, XLS, ODS) for a visit")
    p.add_argument("visit_id")
    p.add_argument("file")
    p.add_argument("--sheet", default=None)
    p.add_argument("--dry-run", action="store_true", help="show the column mapping and unreadable rows only")
    p.set_defaults(func=_import_register)

    p = sub.add_parser("sample", help="auditable random samples of dossiers")
    ssub = p.add_subparsers(dest="sample_command", required=True)

    v = ssub.add_parser(
        "verify",
        help="re-draw a sample from the register file and compare (no database needed with --seed or --record)",
    )
    v.add_argument("--register", default=None, metavar="FILE",
                   help="the register file (CSV, XLSX, XLS, ODS); without it, --sample-id checks the stored frame")
    v.add_argument("--sheet", default=None)
    v.add_argument("--sample-id", default=None, help="compare with a sample recorded in this app's database")
    v.add_argument("--record", default=None, metavar="JSON", help="compare with a record from `sample show --record`")
    v.add_argument("--seed", default=None, metavar="HEX", help="the seed printed in the minutes")
    v.add_argument("--algorithm", default=ALGORITHM_VERSION)
    _add_draw_parameters(v)
    v.add_argument("--frame-hash", default=None, metavar="HEX", help="recorded frame hash to compare")
    v.add_argument("--commitment", default=None, metavar="HEX", help="recorded commitment to compare")
    v.add_argument("--codes", action="append", metavar="CODE[,CODE…]", help="recorded dossier codes to compare")
    v.add_argument("--codes-file", default=None, metavar="FILE", help="recorded dossier codes, one per line")
    v.set_defaults(func=_verify)

    d = ssub.add_parser("draw", help="commit to a seed and draw a sample from an imported register")
    d.add_argument("register_id")
    _add_draw_parameters(d)
    d.add_argument("--record", default=None, metavar="JSON", help="also write the record for `verify --record`")
    d.set_defaults(func=_draw)

    s = ssub.add_parser("show", help="print a recorded sample (seed, commitment, frame hash, dossiers)")
    s.add_argument("sample_id")
    s.add_argument("--record", default=None, metavar="JSON", help="also write it as JSON for `verify --record`")
    s.set_defaults(func=_show)


__all__ = ["register"]
