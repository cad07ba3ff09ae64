"""``inspection-app bundle export|import``: visits travel between tablets and the office as files.

The passphrase is never a command-line argument (it would stay in the shell history and in the
process list): ``--passphrase-env VAR`` names an environment variable that holds it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..domain.errors import UserError
from ..services.context import AppContext


def _passphrase(args: argparse.Namespace) -> str | None:
    var = getattr(args, "passphrase_env", None)
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise UserError(f"Biến môi trường {var} (mật khẩu của gói dữ liệu) chưa được đặt hoặc rỗng.",
                        f"The environment variable {var} (the bundle's passphrase) is not set or empty.")
    return value


def _export(args: argparse.Namespace) -> int:
    from ..services import bundles

    ctx = AppContext.open(getattr(args, "data_dir", None))
    try:
        result = bundles.export_bundle(ctx, Path(args.out), visit_ids=args.visit or None,
                                       passphrase=_passphrase(args))
    finally:
        ctx.close()
    print(f"Đã xuất {len(result.visit_ids)} lượt kiểm tra, {result.files} tệp vào {result.path} "
          f"({result.byte_size} byte{', đã mã hóa' if result.encrypted else ''}) / exported "
          f"{len(result.visit_ids)} visits, {result.files} files{', encrypted' if result.encrypted else ''}")
    print(f"SHA-256: {result.sha256}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from ..services import bundles

    ctx = AppContext.open(getattr(args, "data_dir", None))
    try:
        report = bundles.import_bundle(ctx, Path(args.file), passphrase=_passphrase(args))
    finally:
        ctx.close()
    if report.unchanged:
        print(f"Không có gì thay đổi: dữ liệu của {len(report.visit_ids)} lượt kiểm tra đã có sẵn / "
              f"nothing changed: the {len(report.visit_ids)} visits were already here")
        return 0
    inserted = sum(report.inserted.values())
    updated = sum(report.updated.values())
    deleted = sum(report.deleted.values())
    print(f"Đã nhập gói {report.file_name} từ thiết bị {report.source_device_id}: "
          f"{len(report.changed_visit_ids)} lượt kiểm tra thay đổi, {inserted} bản ghi mới, {updated} cập nhật, "
          f"{deleted} xóa, {report.files_added} tệp / imported: {len(report.changed_visit_ids)} visits changed, "
          f"{inserted} new records, {updated} updated, {deleted} deleted, {report.files_added} files")
    if report.conflicts:
        print(f"{len(report.conflicts)} xung đột cần xem xét / conflicts to review:")
        for c in report.conflicts:
            print(f"  {c.entity} {c.entity_id} {c.field or '-'}: {c.kind}, giữ / kept {c.kept}: "
                  f"{c.local_value!r} ({c.local_device}) | {c.incoming_value!r} ({c.incoming_device})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bundle", help="export visits to a bundle file, or import one (office)")
    bsub = p.add_subparsers(dest="bundle_command", required=True)
    e = bsub.add_parser("export", help="export visits (all unless --visit is given) to one file")
    e.add_argument("--out", required=True, help="bundle file to write")
    e.add_argument("--visit", action="extend", nargs="+", default=[], metavar="ID", help="visit ids")
    e.add_argument("--passphrase-env", metavar="VAR", help="encrypt with the passphrase held in $VAR")
    e.set_defaults(func=_export)
    i = bsub.add_parser("import", help="verify a bundle and merge it into this database (all or nothing)")
    i.add_argument("file", help="bundle file to import")
    i.add_argument("--passphrase-env", metavar="VAR", help="the passphrase is held in $VAR")
    i.set_defaults(func=_import)
