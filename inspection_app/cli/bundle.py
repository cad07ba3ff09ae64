"""``inspection-app bundle export|import`` and ``devices show|list|enrol|revoke``: visits travel between
tablets and the office as files signed by an enrolled device.

The passphrase is never a command-line argument (it would stay in the shell history and in the
process list): ``--passphrase-env VAR`` names an environment variable that holds it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..domain.errors import UserError
from ..services.context import AppContext


def _passphrase(args: argparse.Namespace) -> str | None:
    var = getattr(args, "passphrase_env", None)
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise UserError("Biến môi trường {var} (mật khẩu của gói dữ liệu) chưa được đặt hoặc rỗng.", var=var)
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
    from ..services import bundles, conflict_words, devices

    ctx = AppContext.open(getattr(args, "data_dir", None))
    try:
        try:
            report = bundles.import_bundle(ctx, Path(args.file), passphrase=_passphrase(args))
        except devices.DeviceNotEnrolled as exc:
            print(str(exc), file=sys.stderr)
            if not exc.details.get("revoked"):
                print(f"Ghi danh / enrol: inspection-app devices enrol {args.file} --fingerprint "
                      "<mã trên máy tính bảng / code on the tablet> --name <tên / name>", file=sys.stderr)
            return 2
        if report.unchanged:
            print(f"Không có gì thay đổi: dữ liệu của {len(report.visit_ids)} lượt kiểm tra đã có sẵn / "
                  f"nothing changed: the {len(report.visit_ids)} visits were already here")
            return 0
        inserted = sum(report.inserted.values())
        updated = sum(report.updated.values())
        deleted = sum(report.deleted.values())
        source = devices.device_names(ctx).get(report.source_device_id, report.source_device_id)
        print(f"Đã nhập gói {report.file_name} từ thiết bị {source}: "
              f"{len(report.changed_visit_ids)} lượt kiểm tra thay đổi, {inserted} bản ghi mới, {updated} cập nhật, "
              f"{deleted} xóa, {report.files_added} tệp / imported: {len(report.changed_visit_ids)} visits changed, "
              f"{inserted} new records, {updated} updated, {deleted} deleted, {report.files_added} files")
        if report.conflicts:
            print(f"{len(report.conflicts)} xung đột cần xem xét / conflicts to review:")
            for c in conflict_words.describe(ctx, report.conflicts):
                print(f"  {c.visit} — {c.what}" + (f" — {c.field}" if c.field else "") + f" ({c.kind})")
                print(f"    ở văn phòng / here: {c.here}  [{c.here_by}]")
                print(f"    trong gói / in the bundle: {c.incoming}  [{c.incoming_by}]")
                print(f"    {c.kept}")
        return 0
    finally:
        ctx.close()


def _devices_show(args: argparse.Namespace) -> int:
    from ..services import devices

    ctx = AppContext.open(getattr(args, "data_dir", None))
    try:
        own = devices.own_device(ctx)
    finally:
        ctx.close()
    print(f"Thiết bị này / this device: {own.name}")
    print(f"Mã nhận dạng / fingerprint: {own.fingerprint}")
    return 0


def _devices_list(args: argparse.Namespace) -> int:
    from ..services import conflict_words, devices

    ctx = AppContext.open(getattr(args, "data_dir", None))
    try:
        rows = devices.list_devices(ctx)
    finally:
        ctx.close()
    if not rows:
        print("Chưa ghi danh thiết bị nào / no device enrolled")
    for d in rows:
        state = (f"thu hồi / revoked {conflict_words.when_text(d.revoked_at)}" if d.revoked_at else
                 f"ghi danh / enrolled {conflict_words.when_text(d.enrolled_at)} ({d.enrolled_by})")
        print(f"{d.fingerprint}  {d.name}  {state}  [{d.id}]")
    return 0


def _devices_enrol(args: argparse.Namespace) -> int:
    from ..services import devices

    ctx = AppContext.open(getattr(args, "data_dir", None))
    try:
        device = devices.device_of_bundle(ctx, Path(args.bundle), _passphrase(args))
        print(f"Gói được ký bởi thiết bị / signed by: {device['name'] or device['id']}, "
              f"mã nhận dạng / fingerprint {device['fingerprint']}")
        row = devices.enrol_device(ctx, device["public_key"], device["id"], args.fingerprint,
                                   args.name or device["name"])
    finally:
        ctx.close()
    print(f"Đã ghi danh / enrolled: {row.name} ({row.fingerprint})")
    return 0


def _devices_revoke(args: argparse.Namespace) -> int:
    from ..services import devices

    ctx = AppContext.open(getattr(args, "data_dir", None))
    try:
        row = devices.revoke_device(ctx, args.id)
    finally:
        ctx.close()
    print(f"Đã thu hồi / revoked: {row.name} ({row.fingerprint})")
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

    d = sub.add_parser("devices", help="this device's key fingerprint; devices whose bundles this office accepts")
    dsub = d.add_subparsers(dest="devices_command", required=True)
    dsub.add_parser("show", help="this device's name and key fingerprint").set_defaults(func=_devices_show)
    dsub.add_parser("list", help="enrolled devices").set_defaults(func=_devices_list)
    en = dsub.add_parser("enrol", help="enrol the device that signed BUNDLE, once the fingerprint it shows matches")
    en.add_argument("bundle", help="a bundle from the device")
    en.add_argument("--fingerprint", required=True, help="the code the tablet shows in its Export bundle dialog")
    en.add_argument("--name", default="", help="what to call the device")
    en.add_argument("--passphrase-env", metavar="VAR", help="the bundle's passphrase is held in $VAR")
    en.set_defaults(func=_devices_enrol)
    rv = dsub.add_parser("revoke", help="refuse further bundles from an enrolled device")
    rv.add_argument("id", help="the id shown by `devices list`")
    rv.set_defaults(func=_devices_revoke)
