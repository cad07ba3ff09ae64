"""Subcommands for the minutes: ``export-minutes``, ``verify`` and ``keys`` (init, import, list, trust).

Passphrases come from ``--passphrase-env VAR`` (the name of an environment variable, for scripts
and CI) or are asked for without echo. They are never accepted as plain arguments, which would
leave them in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from ..domain.errors import UserError


def _passphrase(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str:
    var = getattr(args, "passphrase_env", None)
    if var:
        value = os.environ.get(var)
        if value is None:
            raise UserError("Biến môi trường {var} chưa được đặt.", var=var)
        return value
    if not sys.stdin.isatty():
        raise UserError("Cần mật khẩu: dùng --passphrase-env TÊN_BIẾN khi chạy không tương tác.")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Nhập lại / repeat: ") != value:
        raise UserError("Hai lần nhập mật khẩu không khớp.")
    return value


def _ctx(args: argparse.Namespace):  # noqa: ANN202
    from ..services.context import AppContext

    return AppContext.open(args.data_dir)


# --- export-minutes --------------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    from ..services import minutes

    ctx = _ctx(args)
    out = Path(args.out)
    if args.sign and args.countersign:
        raise UserError("Chọn --sign (Trưởng đoàn) hoặc --countersign (Văn phòng), không cả hai.")
    if args.sign:
        passphrase = _passphrase(args, "Mật khẩu khóa ký số / signing key passphrase: ")
        result = minutes.sign_minutes(ctx, args.visit_id, passphrase, identity=args.identity, out=out)
    elif args.countersign:
        passphrase = _passphrase(args, "Mật khẩu khóa ký số / signing key passphrase: ")
        result = minutes.countersign_minutes(ctx, args.visit_id, passphrase, identity=args.identity, out=out)
    else:
        result = minutes.export_minutes(ctx, args.visit_id, out)
    if result.draft:
        print(f"Bản dự thảo (lượt kiểm tra chưa kết thúc, chưa có số) / draft (visit still open, no number): {out}")
    else:
        state = "đã ký số / signed" if result.signed else "chưa ký số / not signed"
        print(f"Biên bản số {result.number}, phiên bản {result.version} ({state}) / minutes "
              f"no. {result.number}, version {result.version}: {out}")
    print(f"SHA-256: {result.sha256}  ({result.byte_size / 1024:.0f} KB)")
    return 0


# --- verify ----------------------------------------------------------------------------------------------


def _verify(args: argparse.Namespace) -> int:
    from cryptography import x509

    from ..services import minutes

    extra = []
    for root in args.root or []:
        try:
            data = Path(root).read_bytes()
            extra.append(x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                         else x509.load_der_x509_certificate(data))
        except (OSError, ValueError) as exc:
            raise UserError("Không đọc được chứng thư gốc {root}: {exc}", root=root, exc=exc) from exc
    check = minutes.verify_minutes(_ctx(args), Path(args.file), extra)
    print(minutes.describe_check(check, args.lang or "vi"))
    if not args.lang:
        print("RESULT: " + ("VALID" if check.ok else "PROBLEMS FOUND"))
    return 0 if check.ok else 1


# --- keys --------------------------------------------------------------------------------------------------


def _keys_init(args: argparse.Namespace) -> int:
    from ..services import minutes
    from ..services.minutes import PILOT_NOTICE_EN, PILOT_NOTICE_VI, fingerprint

    ctx = _ctx(args)
    members: list[tuple[str, str]] = []
    for spec in args.member or []:
        name, _, title = spec.partition(":")
        members.append((name.strip(), title.strip() or "Thành viên"))
    passphrase = _passphrase(args, "Đặt mật khẩu bảo vệ khóa ký số / new passphrase for the keys: ",
                             confirm=True)
    result = minutes.init_keys(ctx, passphrase, members or None, organisation=args.organisation,
                               office=not args.no_office)
    print("!" * 78)
    print(PILOT_NOTICE_VI)
    print(PILOT_NOTICE_EN)
    print("!" * 78)
    print(("Đã tạo CA gốc thí điểm / created the pilot root CA: " if result.created_root else
           "Dùng CA gốc thí điểm đã có / using the existing pilot root CA: ") + str(result.root_path))
    print(f"  SHA-256: {fingerprint(result.root)}")
    for ident in result.identities:
        print(f"  {ident.name} ({ident.title}) -> keys/{ident.file}, hết hạn / expires {ident.not_after[:10]}")
    print("Để nơi nhận tin cậy chữ ký, cài chứng thư gốc trên vào trình đọc PDF hoặc kho NSS, ví dụ:")
    print("For recipients to trust the signatures, install the root certificate above in their PDF reader "
          "or NSS store, e.g.:")
    print(f"  certutil -A -d sql:$HOME/.pki/nssdb -n \"CA thi diem\" -t \",C,\" -a -i {result.root_path}")
    return 0


def _keys_import(args: argparse.Namespace) -> int:
    from ..services import minutes
    from ..services.keys import _root_info

    ctx = _ctx(args)
    passphrase = _passphrase(args, f"Mật khẩu của tệp / passphrase of {Path(args.file).name}: ")
    ident, offered = minutes.import_key(ctx, args.file, passphrase)
    print(f"Đã nhập chứng thư / imported: {ident.name} ({ident.subject})")
    print(f"  cấp bởi / issued by: {ident.issuer}; hết hạn / expires {ident.not_after[:10]}")
    print(f"  lưu tại / stored at: keys/{ident.file} (vẫn được bảo vệ bằng mật khẩu của tệp / "
          f"still protected by the file's passphrase)")
    for root in offered:
        info = _root_info(root)
        print(f"  CA gốc trong tệp, CHƯA tin cậy / root in the file, NOT trusted: {info.subject}")
        print(f"    SHA-256 {info.fingerprint_text}")
        print("    Đối chiếu mã này với CA rồi dùng 'keys trust' / compare it with the CA, then use 'keys trust'")
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    from ..services import keys as key_service
    from ..services import minutes

    ctx = _ctx(args)
    root, _, identities = minutes.list_keys(ctx)
    for info in key_service.status(ctx).roots:
        print(f"CA gốc tin cậy / trusted root: {info.subject}")
        print(f"  SHA-256 {info.fingerprint_text}")
    for ident in identities:
        kind = {"pilot": "thí điểm / pilot", "pkcs11": "thiết bị PKCS#11 / token"}.get(ident.kind, "CA cấp / CA-issued")
        expired = " HẾT HẠN / EXPIRED" if ident.expired else ""
        print(f"{ident.id}: {ident.name} ({ident.title}) [{kind}] đến / until {ident.not_after[:10]}{expired}")
    if root is None and not identities:
        print("Chưa có khóa ký số / no signing keys yet (keys init, keys import)")
    return 0


def _keys_trust(args: argparse.Namespace) -> int:
    """The one door to the trust store: show the fingerprint, ask, then trust."""
    from ..services import keys as key_service

    ctx = _ctx(args)
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise UserError("Không đọc được tệp {file}: {strerror}.", file=args.file, strerror=exc.strerror) from exc
    info = key_service.inspect_root(data)
    print(f"CA gốc / root: {info.subject}")
    print(f"  hết hạn / expires: {info.not_after}")
    print(f"  SHA-256 {info.fingerprint_text}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("Cần xác nhận: chạy tương tác hoặc thêm --yes sau khi đã đối chiếu mã SHA-256.")
        answer = input("Đã đối chiếu mã SHA-256 với CA và tin cậy CA gốc này? / Compared the SHA-256 "
                       "with the CA and trust this root? [y/N] ").strip().lower()
        if answer not in ("y", "yes", "c", "có", "co"):
            print("Không thêm / not added.")
            return 1
    key_service.trust_root_confirmed(ctx, data, info.fingerprint, how="keys trust")
    print(f"Đã thêm CA gốc tin cậy / trusted root added: SHA-256 {info.fingerprint_text}")
    return 0


def _keys_seal(args: argparse.Namespace) -> int:
    from ..services import keys as key_service

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise UserError("Không đọc được tệp {file}: {strerror}.", file=args.file, strerror=exc.strerror) from exc
    key_service.set_seal(_ctx(args), data)
    print("Đã lưu ảnh con dấu (màu đỏ, nền trong suốt) / seal image saved (red, transparent)")
    return 0


def _keys_token(args: argparse.Namespace) -> int:
    from ..services import keys as key_service

    ctx = _ctx(args)
    pin = _passphrase(args, "Mã PIN của thiết bị ký số / token PIN: ")
    ident = key_service.register_token(ctx, args.module, args.token_label, args.key_label, pin,
                                       title=args.title or "")
    print(f"Đã đăng ký khóa trên thiết bị / token key registered: {ident.id}: {ident.name} ({ident.title})")
    print(f"  thiết bị / token: {args.token_label}; khóa / key: {args.key_label}; module: {args.module}")
    return 0


# --- registration ----------------------------------------------------------------------------------------


def _passphrase_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--passphrase-env", metavar="VAR",
                   help="read the passphrase from this environment variable (else it is asked for)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-minutes", help="write a visit's minutes (biên bản) as PDF, optionally signed")
    p.add_argument("visit_id")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--sign", action="store_true",
                   help="sign as the team leader (PAdES); closes and locks the visit")
    p.add_argument("--countersign", action="store_true",
                   help="add the office's signature to signed minutes (incremental; the first stays valid)")
    p.add_argument("--identity", help="signing identity (id or name, see `keys list`); default: the team "
                                      "leader, or the office (title Văn thư) with --countersign")
    _passphrase_option(p)
    p.set_defaults(func=_export)

    p = sub.add_parser("verify", help="check the digital signatures of a minutes PDF; non-zero exit on any problem")
    p.add_argument("file", metavar="FILE.pdf")
    p.add_argument("--root", action="append", metavar="CERT",
                   help="also trust this root certificate (PEM or DER); may be repeated")
    p.set_defaults(func=_verify)

    p = sub.add_parser("keys", help="signing keys: pilot CA, team certificates, CA-issued .p12 files")
    ksub = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    k = ksub.add_parser("init", help="create a PILOT department root CA and team certificates (not a licensed CA)")
    k.add_argument("--member", action="append", metavar="NAME:TITLE",
                   help="a team member, e.g. \"Nguyễn Thị Ánh Tuyết:Trưởng đoàn\" (default: the team members on record)")
    k.add_argument("--organisation", help="organisation in the certificates (default: from the settings)")
    k.add_argument("--no-office", action="store_true", help="do not create the office's countersigning certificate")
    _passphrase_option(k)
    k.set_defaults(func=_keys_init)
    k = ksub.add_parser("import", help="import a CA-issued signing certificate (.p12/.pfx); roots inside "
                                       "are shown, never trusted (see keys trust)")
    k.add_argument("file", metavar="FILE.p12")
    _passphrase_option(k)
    k.set_defaults(func=_keys_import)
    k = ksub.add_parser("list", help="list signing identities and trusted roots")
    k.set_defaults(func=_keys_list)
    k = ksub.add_parser("trust", help="trust a further root certificate (PEM or DER): prints its SHA-256 "
                                      "fingerprint and asks for confirmation")
    k.add_argument("file", metavar="ROOT.crt")
    k.add_argument("--yes", action="store_true", help="do not ask (the fingerprint was compared already)")
    k.set_defaults(func=_keys_trust)
    k = ksub.add_parser("seal", help="set the office's seal image (PNG/JPEG) shown on its countersignature")
    k.add_argument("file", metavar="SEAL.png")
    k.set_defaults(func=_keys_seal)
    k = ksub.add_parser("token", help="register a signing key on a PKCS#11 token (USB token, SoftHSM2); "
                                      "the PIN is asked for (or --passphrase-env), never an argument")
    k.add_argument("--module", required=True, metavar="LIB.so", help="the PKCS#11 module of the token")
    k.add_argument("--token-label", required=True, help="the token's label")
    k.add_argument("--key-label", required=True, help="the label of the key and certificate on the token")
    k.add_argument("--title", help="the signer's title, e.g. \"Trưởng đoàn\" or \"Văn thư\" "
                                   "(default: from the certificate)")
    _passphrase_option(k)
    k.set_defaults(func=_keys_token)
