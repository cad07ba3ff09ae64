"""Signing keys: a local department root CA for pilots, and CA-issued PKCS#12 files.

Everything lives in ``<data_dir>/keys/``::

    root-ca.pem            the department's pilot root certificate (public; give it to the office)
    root-ca.key.pem        its private key, encrypted with the passphrase (PKCS#8, AES-256)
    identities/<id>.p12    one signing identity each (key, certificate and chain), passphrase-protected
    roots/<sha256>.pem     further trusted roots, e.g. the root of an imported CA certificate
    identities.json        an index: who each identity is, which file, when it expires

A pilot CA is not a licensed CA under Decree 130/2018/NĐ-CP: its signatures prove integrity and
who signed among people who trust this department's root, nothing more. ``init_pilot`` says so in
the certificates themselves (organisational unit) and the CLI says so on screen. A real
certificate issued by a licensed CA comes in through ``import_p12``.

Private keys never leave this directory and are never written unencrypted; every file is created
with mode 0600.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ..domain.errors import NotFound, UserError, ValidationFailed, storage_error
from ..domain.text import fold, nfc

KEYS_DIR = "keys"
ROOT_CERT = "root-ca.pem"
ROOT_KEY = "root-ca.key.pem"
INDEX = "identities.json"
SEAL = "seal.png"
#: A seal image larger than this is refused (a real seal PNG is tens of kilobytes).
MAX_SEAL_BYTES = 4 * 1024 * 1024
MIN_PASSPHRASE = 8

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
class Identity:
    """A signing identity in the key store (the private key stays in its .p12 file)."""

    id: str
    name: str  # common name of the certificate
    title: str  # "Trưởng đoàn"
    organisation: str
    kind: str  # "pilot" or "imported"
    file: str  # relative to the keys directory
    subject: str
    issuer: str
    fingerprint: str  # SHA-256 of the DER certificate, hex
    not_before: str  # ISO 8601 UTC
    not_after: str

    @property
    def expired(self) -> bool:
        return dt.datetime.fromisoformat(self.not_after) < dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class LoadedIdentity:
    identity: Identity
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    p12: bytes
    passphrase: bytes
    seal: bytes | None = None  # the organisation's seal image (PNG), shown by the office's signature

    def pyhanko_signer(self):  # noqa: ANN201
        """A pyHanko ``SimpleSigner`` for this key, with its chain for the CMS certificates."""
        from pyhanko.keys.internal import (
            translate_pyca_cryptography_cert_to_asn1,
            translate_pyca_cryptography_key_to_asn1,
        )
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        registry = SimpleCertificateStore()
        registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in self.chain])
        return signers.SimpleSigner(
            signing_key=translate_pyca_cryptography_key_to_asn1(self.key),
            signing_cert=translate_pyca_cryptography_cert_to_asn1(self.certificate),
            cert_registry=registry,
        )


@dataclass(frozen=True)
class PilotKeys:
    root: x509.Certificate
    root_path: Path
    created_root: bool
    identities: tuple[Identity, ...]


# --- paths and small helpers ------------------------------------------------------------------


def keys_dir(data_dir: Path) -> Path:
    return Path(data_dir) / KEYS_DIR


def root_cert_path(data_dir: Path) -> Path:
    return keys_dir(data_dir) / ROOT_CERT


def _pw(passphrase: str | bytes) -> bytes:
    if isinstance(passphrase, bytes):
        return passphrase
    return (nfc(passphrase) or "").encode("utf-8")


def check_new_passphrase(passphrase: str | bytes) -> bytes:
    pw = _pw(passphrase)
    if len(pw) < MIN_PASSPHRASE:
        raise ValidationFailed(
            f"Mật khẩu bảo vệ khóa ký số phải có ít nhất {MIN_PASSPHRASE} ký tự.",
            f"The passphrase protecting the signing keys must have at least {MIN_PASSPHRASE} characters.",
        )
    return pw


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "identity"


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def common_name(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


def _write_private(path: Path, data: bytes, what_vi: str, what_en: str) -> None:
    """Write a secret file with mode 0600, atomically."""
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(exc, what_vi, what_en) from exc


def _read_index(data_dir: Path) -> list[Identity]:
    path = keys_dir(data_dir) / INDEX
    if not path.is_file():
        return []
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [Identity(**item) for item in raw]


def _write_index(data_dir: Path, items: Sequence[Identity]) -> None:
    data = json.dumps([asdict(i) for i in items], ensure_ascii=False, indent=2).encode("utf-8")
    _write_private(keys_dir(data_dir) / INDEX, data, "danh sách khóa ký số", "the key index")


def _identity_from(cert: x509.Certificate, ident: str, kind: str, file: str) -> Identity:
    return Identity(
        id=ident,
        name=common_name(cert.subject),
        title=_attr(cert.subject, NameOID.TITLE),
        organisation=_attr(cert.subject, NameOID.ORGANIZATION_NAME),
        kind=kind,
        file=file,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        fingerprint=fingerprint(cert),
        not_before=cert.not_valid_before_utc.isoformat(),
        not_after=cert.not_valid_after_utc.isoformat(),
    )


# --- the pilot CA -------------------------------------------------------------------------------


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
    now = dt.datetime.now(dt.timezone.utc)
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
    now = dt.datetime.now(dt.timezone.utc)
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


def load_root(data_dir: Path) -> x509.Certificate | None:
    path = root_cert_path(data_dir)
    if not path.is_file():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes())


def _load_root_key(data_dir: Path, pw: bytes) -> rsa.RSAPrivateKey:
    data = (keys_dir(data_dir) / ROOT_KEY).read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=pw)
    except (ValueError, TypeError) as exc:
        raise _wrong_passphrase("CA gốc của Sở", "the department root CA") from exc
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _wrong_passphrase(what_vi: str, what_en: str) -> UserError:
    return UserError(f"Sai mật khẩu của khóa {what_vi}.", f"Wrong passphrase for {what_en}.")


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
        _write_private(kdir / ROOT_KEY, root_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(pw)), "khóa CA gốc", "the root CA key")
        _write_private(kdir / ROOT_CERT, root.public_bytes(serialization.Encoding.PEM),
                       "chứng thư gốc", "the root certificate")
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
        _write_private(kdir / file, pkcs12.serialize_key_and_certificates(
            name=name.encode("utf-8"), key=key, cert=cert, cas=[root],
            encryption_algorithm=serialization.BestAvailableEncryption(pw)),
            "khóa ký số", "the signing key")
        identity = _identity_from(cert, ident, "pilot", file)
        index.append(identity)
        issued.append(identity)
        known.add((fold(name), fold(title)))
    _write_index(data_dir, index)
    if load_seal(data_dir) is None:  # a pilot gets a specimen seal marked "MẪU", never a real one
        from .stamp import specimen_seal

        _write_private(seal_path(data_dir), specimen_seal(organisation), "ảnh con dấu", "the seal image")
    return PilotKeys(root=root, root_path=kdir / ROOT_CERT, created_root=created,
                     identities=tuple(issued))


def _unique_id(base: str, index: Sequence[Identity]) -> str:
    taken = {i.id for i in index}
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    return ident


# --- imported identities and roots --------------------------------------------------------------


def import_p12(data_dir: Path, source: Path, passphrase: str | bytes, *,
               trust_root_in_file: bool = False) -> tuple[Identity, list[x509.Certificate]]:
    """Take a .p12 issued by a CA; keep it as it is (encrypted with its own passphrase).

    A self-signed certificate inside the file is added to the trusted roots only when
    ``trust_root_in_file`` is set: a file should not make itself trusted by accident.
    """
    pw = _pw(passphrase)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise NotFound(f"Không đọc được tệp {source}: {exc.strerror}.",
                       f"Cannot read {source}: {exc.strerror}.") from exc
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
    except ValueError as exc:
        raise UserError(
            f"Không mở được tệp {Path(source).name}: sai mật khẩu hoặc không phải tệp PKCS#12.",
            f"Cannot open {Path(source).name}: wrong passphrase or not a PKCS#12 file.") from exc
    if key is None or cert is None:
        raise ValidationFailed(
            "Tệp PKCS#12 không có khóa riêng hoặc chứng thư ký số.",
            "The PKCS#12 file holds no private key or no signing certificate.")
    index = _read_index(data_dir)
    fp = fingerprint(cert)
    for known in index:
        if known.fingerprint == fp:
            return known, []
    ident = _unique_id(slug(common_name(cert.subject)), index)
    file = f"identities/{ident}.p12"
    _write_private(keys_dir(data_dir) / file, data, "khóa ký số", "the signing key")
    identity = _identity_from(cert, ident, "imported", file)
    index.append(identity)
    _write_index(data_dir, index)
    added = []
    if trust_root_in_file:
        for c in extra:
            if c.subject == c.issuer:
                added.append(add_trust_root(data_dir, c.public_bytes(serialization.Encoding.PEM)))
    return identity, added


def add_trust_root(data_dir: Path, cert_data: bytes) -> x509.Certificate:
    """Trust a further root certificate (PEM or DER), e.g. a licensed CA's root."""
    try:
        cert = (x509.load_pem_x509_certificate(cert_data) if b"-----BEGIN" in cert_data
                else x509.load_der_x509_certificate(cert_data))
    except ValueError as exc:
        raise ValidationFailed("Tệp không phải chứng thư số (PEM/DER).",
                               "The file is not a certificate (PEM/DER).") from exc
    path = keys_dir(data_dir) / "roots" / f"{fingerprint(cert)}.pem"
    if not path.exists():
        _write_private(path, cert.public_bytes(serialization.Encoding.PEM), "chứng thư gốc",
                       "the root certificate")
    return cert


def trust_roots(data_dir: Path) -> list[x509.Certificate]:
    """The department's root plus every imported root."""
    roots = []
    root = load_root(data_dir)
    if root is not None:
        roots.append(root)
    rdir = keys_dir(data_dir) / "roots"
    if rdir.is_dir():
        for p in sorted(rdir.glob("*.pem")):
            roots.append(x509.load_pem_x509_certificate(p.read_bytes()))
    return roots


# --- the organisation's seal image ----------------------------------------------------------------


def seal_path(data_dir: Path) -> Path:
    return keys_dir(data_dir) / SEAL


def load_seal(data_dir: Path) -> bytes | None:
    """The seal image (PNG, red on transparent) the office's signature shows, if one is set."""
    path = seal_path(data_dir)
    return path.read_bytes() if path.is_file() else None


def set_seal(data_dir: Path, image: bytes) -> bytes:
    """Keep the office's seal image, made red on a transparent background (Decree 30, II.8).

    Any picture Pillow reads is accepted (a scan or a PNG); white and near-white become
    transparent, every other pixel becomes seal red with its darkness as opacity. Raises
    ``ValidationFailed`` for something that is not a picture or is over ``MAX_SEAL_BYTES``.
    """
    from PIL import Image, UnidentifiedImageError

    if len(image) > MAX_SEAL_BYTES:
        raise ValidationFailed("Ảnh con dấu quá lớn (tối đa 4 MB).", "The seal image is too large (4 MB at most).")
    try:
        img = Image.open(io.BytesIO(image))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationFailed("Tệp không phải ảnh con dấu (PNG/JPEG).",
                               "The file is not a seal image (PNG/JPEG).") from exc
    img = img.convert("RGBA")
    img.thumbnail((1200, 1200))
    gray = img.convert("L")
    alpha = img.getchannel("A")
    # opacity: how dark the pixel is, times its own alpha; white paper disappears
    ink = gray.point(lambda v: 0 if v > 235 else min(255, int((255 - v) * 1.6)))
    from PIL import ImageChops

    opacity = ImageChops.multiply(ink, alpha)
    out_img = Image.new("RGBA", img.size, (217, 13, 13, 0))
    out_img.putalpha(opacity)
    buf = io.BytesIO()
    out_img.save(buf, format="PNG")
    data = buf.getvalue()
    _write_private(seal_path(data_dir), data, "ảnh con dấu", "the seal image")
    return data


def list_identities(data_dir: Path) -> list[Identity]:
    return _read_index(data_dir)


def find_identity(data_dir: Path, who: str | None = None, *, title: str | None = None) -> Identity:
    """By id, by name, or by title ("Trưởng đoàn"); forgiving about case and diacritics."""
    items = _read_index(data_dir)
    if not items:
        raise NotFound(
            "Chưa có khóa ký số. Hãy chạy 'inspection-app keys init' hoặc 'keys import TỆP.p12'.",
            "No signing keys yet. Run 'inspection-app keys init' or 'keys import FILE.p12'.")
    candidates = items
    if who:
        key = fold(who)
        candidates = [i for i in items if i.id == who or fold(i.name) == key]
    if title:
        by_title = [i for i in candidates if fold(i.title) == fold(title)]
        candidates = by_title or (candidates if who else [])
    candidates = [i for i in candidates if not i.expired] or candidates
    if not candidates:
        raise NotFound(f"Không tìm thấy khóa ký số của {who or title}.",
                       f"No signing key found for {who or title}.")
    # prefer a certificate issued by a real CA over a pilot one, then the one valid longest
    candidates = sorted(candidates, key=lambda i: i.not_after, reverse=True)
    candidates.sort(key=lambda i: i.kind != "imported")
    return candidates[0]


def load_identity(data_dir: Path, identity: Identity, passphrase: str | bytes) -> LoadedIdentity:
    pw = _pw(passphrase)
    path = keys_dir(data_dir) / identity.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound(f"Thiếu tệp khóa ký số {path}.", f"Signing key file {path} is missing.") from exc
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, pw)
    except ValueError as exc:
        raise _wrong_passphrase(f"ký số của {identity.name}", f"{identity.name}'s signing key") from exc
    assert key is not None and cert is not None
    if dt.datetime.now(dt.timezone.utc) > cert.not_valid_after_utc:
        raise UserError(
            f"Chứng thư ký số của {identity.name} đã hết hạn ngày {cert.not_valid_after_utc:%d/%m/%Y}.",
            f"{identity.name}'s signing certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}.")
    return LoadedIdentity(identity=identity, key=key, certificate=cert, chain=tuple(chain),  # type: ignore[arg-type]
                          p12=data, passphrase=pw, seal=load_seal(data_dir))


def root_fingerprint(data_dir: Path) -> str | None:
    root = load_root(data_dir)
    return fingerprint(root) if root else None


def root_der(data_dir: Path) -> bytes:
    root = load_root(data_dir)
    if root is None:
        raise NotFound("Chưa có CA gốc của Sở.", "There is no department root CA yet.")
    return root.public_bytes(serialization.Encoding.DER)
