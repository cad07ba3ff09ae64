"""The pilot CA: a department root certificate made on this machine and the members' identities it
certifies. Not a licensed CA under Decree 130/2018/NĐ-CP (see ``PILOT_NOTICE_VI``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from inspection_app.locale import both

from ..domain.errors import NotFound
from ..domain.text import fold, nfc
from .keycrypt import (
    _encrypted_pkcs8_pem,
    _pw,
    _serialize_p12,
    _wrong_passphrase,
    check_new_passphrase,
    pem_key_kdf_current,
)
from .keyfiles import (
    ROOT_CERT,
    ROOT_KEY,
    Identity,
    _identity_from,
    _read_index,
    _unique_id,
    _write_index,
    _write_private,
    fingerprint,
    keys_dir,
    load_root,
    slug,
)
from .seal import load_seal, seal_path
from .trust import _record_trust

PILOT_NOTICE_OU = "Chứng thư thí điểm - không phải CA được cấp phép"
PILOT_NOTICE_VI = (
    "Đây là chứng thư số THÍ ĐIỂM do CA nội bộ của Sở tạo ra trên máy này, KHÔNG phải chứng thư "
    "của tổ chức cung cấp dịch vụ chứng thực chữ ký số được cấp phép. Chữ ký số tạo bằng chứng thư "
    "này chỉ được tin cậy ở nơi đã cài chứng thư gốc của Sở."
)


PILOT_NOTICE_EN = (
    "These are PILOT certificates from a local department CA created on this machine, NOT "
    "certificates from a licensed certification authority. Signatures made with them are trusted "
    "only where the department's root certificate has been installed."
)


@dataclass(frozen=True)
class PilotKeys:
    root: x509.Certificate
    root_path: Path
    created_root: bool
    identities: tuple[Identity, ...]


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=sign, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )


def _name(cn: str, organisation: str, unit: str, title: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, nfc(organisation) or ""),
             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit)]
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, nfc(title) or ""))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, nfc(cn) or ""))
    return x509.Name(attrs)


def _make_root(organisation: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = _name(f"CA thí điểm - {organisation}", organisation, PILOT_NOTICE_OU)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_member(root_key: rsa.RSAPrivateKey, root: x509.Certificate, name: str, title: str,
                 organisation: str, years: int) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    not_after = min(now + dt.timedelta(days=years * 365), root.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name, organisation, PILOT_NOTICE_OU, title))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return key, cert


def _load_root_key(data_dir: Path, pw: bytes) -> rsa.RSAPrivateKey:
    data = (keys_dir(data_dir) / ROOT_KEY).read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=pw)
    except (ValueError, TypeError) as exc:
        raise _wrong_passphrase(*both("CA gốc của Sở")) from exc
    assert isinstance(key, rsa.RSAPrivateKey)
    if not pem_key_kdf_current(data):  # an older file: rewrite it with current settings
        _write_private(keys_dir(data_dir) / ROOT_KEY, _encrypted_pkcs8_pem(key, pw),
                       *both("khóa CA gốc"))
    return key


def init_pilot(data_dir: Path, organisation: str, members: Sequence[tuple[str, str]],
               passphrase: str | bytes, *, years: int = 2) -> PilotKeys:
    """Create the department's pilot root CA (once) and a certificate for each member.

    ``members`` are (name, title) pairs. Running it again with the same passphrase issues
    certificates for new members only; existing identities are kept.
    """
    pw = check_new_passphrase(passphrase)
    kdir = keys_dir(data_dir)
    root = load_root(data_dir)
    created = False
    if root is None:
        root_key, root = _make_root(organisation)
        _write_private(kdir / ROOT_KEY, _encrypted_pkcs8_pem(root_key, pw),
                       *both("khóa CA gốc"))
        _write_private(kdir / ROOT_CERT, root.public_bytes(serialization.Encoding.PEM),
                       *both("chứng thư gốc"))
        _record_trust(data_dir, root, "keys init")
        created = True
    else:
        root_key = _load_root_key(data_dir, pw)
    index = _read_index(data_dir)
    known = {(fold(i.name), fold(i.title)) for i in index if i.kind == "pilot"}
    issued: list[Identity] = []
    for name, title in members:
        name, title = nfc(name.strip()) or "", nfc(title.strip()) or ""
        if not name:
            continue
        if (fold(name), fold(title)) in known:
            issued.extend(i for i in index if i.kind == "pilot" and fold(i.name) == fold(name)
                          and fold(i.title) == fold(title))
            continue
        key, cert = _make_member(root_key, root, name, title, organisation, years)
        ident = _unique_id(slug(f"{name} {title}"), index)
        file = f"identities/{ident}.p12"
        _write_private(kdir / file, _serialize_p12(name.encode("utf-8"), key, cert, [root], pw),
            *both("khóa ký số"))
        identity = _identity_from(cert, ident, "pilot", file)
        index.append(identity)
        issued.append(identity)
        known.add((fold(name), fold(title)))
    _write_index(data_dir, index)
    if load_seal(data_dir) is None:  # a pilot gets a specimen seal marked "MẪU", never a real one
        from .stamp import specimen_seal

        _write_private(seal_path(data_dir), specimen_seal(organisation), *both("ảnh con dấu"))
    return PilotKeys(root=root, root_path=kdir / ROOT_CERT, created_root=created,
                     identities=tuple(issued))


def issue_certificate(data_dir: Path, passphrase: str | bytes, public_key, name: str, title: str,  # noqa: ANN001
                      organisation: str, *, years: int = 2) -> x509.Certificate:
    """The pilot root CA certifies a public key made elsewhere (e.g. generated on a token)."""
    root = load_root(data_dir)
    if root is None:
        raise NotFound("Chưa có CA gốc của Sở.")
    root_key = _load_root_key(data_dir, _pw(passphrase))
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(name, organisation, PILOT_NOTICE_OU, title))
        .issuer_name(root.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(min(now + dt.timedelta(days=years * 365), root.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )


def root_fingerprint(data_dir: Path) -> str | None:
    root = load_root(data_dir)
    return fingerprint(root) if root else None


def root_der(data_dir: Path) -> bytes:
    root = load_root(data_dir)
    if root is None:
        raise NotFound("Chưa có CA gốc của Sở.")
    return root.public_bytes(serialization.Encoding.DER)
