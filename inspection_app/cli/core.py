"""Core subcommands: running the app, demo data, checklist checks, rosters, the audit log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _open(data_dir):  # noqa: ANN001, ANN202 - imported on use: the app's start needs no database code
    from ..services.context import AppContext

    return AppContext.open(data_dir)


def run_app_command(args: argparse.Namespace) -> int:
    """Start the app on the data directory. Nothing is loaded into it: a new user is offered the
    demo on the first screen, in its own data directory (``services.demo_space``)."""
    from ..ui.app import run_app

    run_app(args.data_dir, web=args.web, host=args.host, port=args.port)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from ..services import demo

    ctx = _open(args.data_dir)
    summary = demo.load_demo(ctx)
    print(f"Dữ liệu mẫu / demo data in {ctx.data_dir}:")
    for line in summary:
        print(f"  {line}")
    return 0


def _checklists_check(args: argparse.Namespace) -> int:
    from ..services import checklists

    if args.files:
        paths = [Path(f) for f in args.files]
    else:
        ctx = _open(args.data_dir)
        paths = [p for d in checklists.catalogue_dirs(ctx) if d.is_dir() for p in sorted(d.glob("*.y*ml"))]
    good, problems = checklists.check_files(paths)
    for c in good:
        print(f"OK  {c.id} {c.version}: {c.title.vi} ({len(c.items)} mục / items)")
    unverified = checklists.unverified_references(good)
    if unverified:
        print(f"Căn cứ pháp lý chưa kiểm chứng / legal references not yet verified ({len(unverified)}):")
        for checklist_id, where, citation in unverified:
            print(f"  ?   {checklist_id} {where}: {citation}")
    for p in problems:
        print(f"ERR {p}", file=sys.stderr)
    return 1 if problems else 0


def _roster_import(args: argparse.Namespace) -> int:
    from ..services import units

    ctx = _open(args.data_dir)
    result = units.import_roster(ctx, args.unit_id, Path(args.file), sheet=args.sheet)
    print(f"Đã nạp {len(result.people)} người / loaded {len(result.people)} people")
    for p in result.problems:
        print(f"  {p.vi} / {p.en}", file=sys.stderr)
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    from ..store.audit import verify_chain

    ctx = _open(args.data_dir)
    with ctx.session() as s:
        report = verify_chain(s, args.visit)
    if report.ok:
        print(f"Nhật ký toàn vẹn / audit log intact: {report.checked} events")
        return 0
    print(f"Nhật ký bị sửa đổi tại sự kiện #{report.first_broken_seq} ({report.first_broken_event_id}): "
          f"{report.reason}", file=sys.stderr)
    return 1


def _units_list(args: argparse.Namespace) -> int:
    from ..services import units, visits

    ctx = _open(args.data_dir)
    for u in units.list_units(ctx):
        print(f"{u.id}  {u.name}")
    for v in visits.list_visits(ctx):
        print(f"visit {v.id}  {v.unit_name}  {v.status}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="load a realistic demo department (units, rosters, visits)")
    p.set_defaults(func=_demo)

    p = sub.add_parser("checklists", help="checklist tools")
    csub = p.add_subparsers(dest="checklists_command", required=True)
    c = csub.add_parser("check", help="validate checklist files (all loaded ones when none are given)")
    c.add_argument("files", nargs="*")
    c.set_defaults(func=_checklists_check)

    p = sub.add_parser("import-roster", help="add a unit's staff roster from CSV or XLSX")
    p.add_argument("unit_id")
    p.add_argument("file")
    p.add_argument("--sheet", default=None)
    p.set_defaults(func=_roster_import)

    p = sub.add_parser("audit", help="audit log tools")
    asub = p.add_subparsers(dest="audit_command", required=True)
    a = asub.add_parser("verify", help="verify the hash chain of the audit log")
    a.add_argument("--visit", default=None)
    a.set_defaults(func=_audit_verify)

    p = sub.add_parser("list", help="list units and visits")
    p.set_defaults(func=_units_list)
