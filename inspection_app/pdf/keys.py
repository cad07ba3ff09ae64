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
with mode 0600. Keys are encrypted with current settings (``KDF_ITERATIONS`` rounds of
PBKDF2-HMAC-SHA256 and AES-256-CBC, for the PKCS#8 root key and for PKCS#12 files, whose MAC is
HMAC-SHA256 over a key derived with the same number of rounds; OWASP's 2023 figure for
PBKDF2-SHA256 is 600,000). Files written with older, weaker settings (OpenSSL's 2,048 rounds) keep
opening and are rewritten with the current ones on the next successful unlock.

Roots are trusted only by an explicit act (``add_trust_root``, behind ``keys trust`` with a
confirmation of the SHA-256 fingerprint, or the office screen); nothing inside an imported file
makes itself trusted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
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
TRUST_INDEX = "trusted-roots.json"
#: A seal image larger than this is refused (a real seal PNG is tens of kilobytes).
MAX_SEAL_BYTES = 4 * 1024 * 1024
MIN_PASSPHRASE = 8
#: PBKDF2-HMAC-SHA256 rounds for key encryption and PKCS#12 MACs (OWASP 2023: ≥ 600,000).
KDF_ITERATIONS = 600_000

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
    # kind "pkcs11": where the key lives (the PIN is never stored)
    module: str = ""  # path of the PKCS#11 module
    token_label: str = ""
    key_label: str = ""  # label of the private key and of its certificate on the token

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


def _encrypted_pkcs8_pem(key: rsa.RSAPrivateKey, pw: bytes) -> bytes:
    """An ``ENCRYPTED PRIVATE KEY`` PEM (RFC 5958) with PBES2 (RFC 8018): PBKDF2-HMAC-SHA256,
    ``KDF_ITERATIONS`` rounds, 16-byte salt, AES-256-CBC. ``cryptography`` only writes OpenSSL's
    default (2,048 rounds) for PKCS#8, so the container is built here; any PKCS#8 reader opens it.
    """
    from asn1crypto import core as asn1_core
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    plain = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    salt, iv = os.urandom(16), os.urandom(16)
    derived = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt,
                         iterations=KDF_ITERATIONS).derive(pw)
    padder = padding.PKCS7(128).padder()
    body = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(derived), modes.CBC(iv)).encryptor()
    ciphertext = enc.update(body) + enc.finalize()
    info = asn1_keys.EncryptedPrivateKeyInfo({
        "encryption_algorithm": {
            "algorithm": "pbes2",
            "parameters": {
                "key_derivation_func": {"algorithm": "pbkdf2", "parameters": {
                    "salt": asn1_core.OctetString(salt), "iteration_count": KDF_ITERATIONS, "key_length": 32,
                    "prf": {"algorithm": "sha256", "parameters": None}}},
                "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": iv},
            },
        },
        "encrypted_data": ciphertext,
    })
    return pem.armor("ENCRYPTED PRIVATE KEY", info.dump())


def _p12_encryption(pw: bytes) -> serialization.KeySerializationEncryption:
    """PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificates, HMAC-SHA256 MAC."""
    return (serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(KDF_ITERATIONS)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(pw))


def _pkcs12_mac_key(pw: bytes, salt: bytes, iterations: int) -> bytes:
    """The MAC key of a PKCS#12 file: RFC 7292 Appendix B.2 (ID 3) with SHA-256, 32 bytes."""
    u, v = 32, 64
    password = (pw.decode("utf-8").encode("utf-16-be") + b"\0\0") if pw else b""
    d = bytes([3]) * v

    def fill(data: bytes) -> bytes:  # copies of data up to the next multiple of v bytes
        if not data:
            return b""
        n = v * ((len(data) + v - 1) // v)
        return (data * (n // len(data) + 1))[:n]

    i = bytearray(fill(salt) + fill(password))
    out = b""
    while len(out) < u:
        a = hashlib.sha256(d + bytes(i)).digest()
        for _ in range(iterations - 1):
            a = hashlib.sha256(a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for j in range(0, len(i), v):
            block = (int.from_bytes(i[j:j + v], "big") + b + 1) % (1 << (v * 8))
            i[j:j + v] = block.to_bytes(v, "big")
    return out[:u]


def _serialize_p12(name: bytes, key, cert, cas, pw: bytes) -> bytes:  # noqa: ANN001
    """A PKCS#12 file with current settings throughout: ``cryptography`` encrypts key and
    certificates with PBES2 (PBKDF2-HMAC-SHA256, ``KDF_ITERATIONS``, AES-256-CBC) but keeps 2,048
    rounds for the MAC, so the MAC (HMAC-SHA256) is recomputed here with ``KDF_ITERATIONS``."""
    from asn1crypto import pkcs12 as asn1_pkcs12

    data = pkcs12.serialize_key_and_certificates(name=name, key=key, cert=cert, cas=cas or None,
                                                 encryption_algorithm=_p12_encryption(pw))
    pfx = asn1_pkcs12.Pfx.load(data)
    content = pfx["auth_safe"]["content"].native
    salt = os.urandom(16)
    mac_key = _pkcs12_mac_key(pw, salt, KDF_ITERATIONS)
    digest = hmac.new(mac_key, content, hashlib.sha256).digest()
    pfx["mac_data"] = asn1_pkcs12.MacData({
        "mac": {"digest_algorithm": {"algorithm": "sha256", "parameters": None}, "digest": digest},
        "mac_salt": salt, "iterations": KDF_ITERATIONS})
    return pfx.dump(force=True)


def _pbes2_current(algorithm) -> bool:  # noqa: ANN001  (asn1crypto EncryptionAlgorithm)
    try:
        if algorithm["algorithm"].native != "pbes2":
            return False
        return algorithm.kdf == "pbkdf2" and algorithm.kdf_hmac == "sha256" and \
            algorithm.kdf_iterations >= KDF_ITERATIONS
    except (KeyError, ValueError, TypeError):
        return False


def p12_kdf_current(data: bytes) -> bool:
    """Whether a PKCS#12 file uses current settings: an HMAC-SHA256 MAC and PBES2 key and
    certificate encryption, each with at least ``KDF_ITERATIONS`` rounds."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        pfx = asn1_pkcs12.Pfx.load(data)
        mac = pfx["mac_data"]
        if mac.native is None or mac["mac"]["digest_algorithm"]["algorithm"].native != "sha256" \
                or mac["iterations"].native < KDF_ITERATIONS:
            return False
        for info in pfx.authenticated_safe:
            kind = info["content_type"].native
            if kind == "encrypted_data":
                if not _pbes2_current(info["content"]["encrypted_content_info"]["content_encryption_algorithm"]):
                    return False
                continue
            if kind != "data":
                return False
            for bag in asn1_pkcs12.SafeContents.load(info["content"].native):
                if bag["bag_id"].native == "pkcs8_shrouded_key_bag":
                    value = bag["bag_value"]
                    if not isinstance(value, asn1_keys.EncryptedPrivateKeyInfo):
                        value = asn1_keys.EncryptedPrivateKeyInfo.load(value.dump())
                    if not _pbes2_current(value["encryption_algorithm"]):
                        return False
        return True
    except Exception:  # unreadable structure: rewrite it with what we know
        return False


def pem_key_kdf_current(data: bytes) -> bool:
    """Whether an encrypted PKCS#8 PEM key uses PBES2 with current PBKDF2 settings."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem

    try:
        _, _, der = pem.unarmor(data)
        return _pbes2_current(asn1_keys.EncryptedPrivateKeyInfo.load(der)["encryption_algorithm"])
    except Exception:
        return False


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
    if not pem_key_kdf_current(data):  # an older file: rewrite it with current settings
        _write_private(keys_dir(data_dir) / ROOT_KEY, _encrypted_pkcs8_pem(key, pw),
                       "khóa CA gốc", "the root CA key")
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
        _write_private(kdir / ROOT_KEY, _encrypted_pkcs8_pem(root_key, pw),
                       "khóa CA gốc", "the root CA key")
        _write_private(kdir / ROOT_CERT, root.public_bytes(serialization.Encoding.PEM),
                       "chứng thư gốc", "the root certificate")
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

    Returns the identity and the self-signed roots inside the file that are not trusted yet: they
    are only offered (with their fingerprints); trusting one is a separate act (``add_trust_root``).
    ``trust_root_in_file`` is refused: a file never makes itself trusted.
    """
    if trust_root_in_file:
        raise ValidationFailed(
            "Không tin cậy CA gốc ngay khi nhập khóa: hãy đối chiếu mã SHA-256 rồi thêm CA gốc riêng "
            "(Cài đặt khóa → Tin cậy CA gốc).",
            "A root is not trusted while importing a key: compare its SHA-256 fingerprint, then add "
            "it on its own (keys trust).")
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
    # roots inside the file are offered, never trusted here: trusting is its own act (keys trust)
    offered = [c for c in extra if c.subject == c.issuer and fingerprint(c) not in _trusted_fingerprints(data_dir)]
    return identity, offered


def read_certificate(cert_data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes; ``ValidationFailed`` for anything else."""
    try:
        return (x509.load_pem_x509_certificate(cert_data) if b"-----BEGIN" in cert_data
                else x509.load_der_x509_certificate(cert_data))
    except ValueError as exc:
        raise ValidationFailed("Tệp không phải chứng thư số (PEM/DER).",
                               "The file is not a certificate (PEM/DER).") from exc


def check_root_candidate(cert: x509.Certificate) -> None:
    """A trusted root must be a CA certificate (basicConstraints CA:TRUE); refuse a signer's own."""
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        bc = None
    if bc is None or not bc.ca:
        raise ValidationFailed(
            "Chứng thư này không phải chứng thư gốc của CA (thiếu CA:TRUE); không thể tin cậy nó làm gốc.",
            "This certificate is not a CA root (no CA:TRUE); it cannot be trusted as a root.")


def add_trust_root(data_dir: Path, cert_data: bytes, *, how: str = "keys trust") -> x509.Certificate:
    """Trust a further root certificate (PEM or DER), e.g. a licensed CA's root.

    This is the one door to the trust store: callers show the SHA-256 fingerprint
    (``fingerprint``) and get the person's confirmation first. The root is written to
    ``roots/<sha256>.pem`` and recorded in ``trusted-roots.json``; a file that appears in
    ``roots/`` by any other way is not trusted.
    """
    cert = read_certificate(cert_data)
    check_root_candidate(cert)
    fp = fingerprint(cert)
    path = keys_dir(data_dir) / "roots" / f"{fp}.pem"
    _write_private(path, cert.public_bytes(serialization.Encoding.PEM), "chứng thư gốc",
                   "the root certificate")
    _record_trust(data_dir, cert, how)
    return cert


def _read_trust_index(data_dir: Path) -> list[dict] | None:
    path = keys_dir(data_dir) / TRUST_INDEX
    if not path.is_file():
        return None
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        return [i for i in items if isinstance(i, dict) and isinstance(i.get("fingerprint"), str)]
    except (OSError, ValueError):
        return []


def _record_trust(data_dir: Path, cert: x509.Certificate, how: str) -> None:
    items = _read_trust_index(data_dir)
    if items is None:
        items = _migrate_trust_index(data_dir)
    fp = fingerprint(cert)
    if any(i["fingerprint"] == fp for i in items):
        return
    items.append({"fingerprint": fp, "subject": cert.subject.rfc4514_string(), "how": how,
                  "added_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    _write_private(keys_dir(data_dir) / TRUST_INDEX,
                   json.dumps(items, ensure_ascii=False, indent=2).encode("utf-8"),
                   "danh sách chứng thư gốc tin cậy", "the trusted roots list")


def _migrate_trust_index(data_dir: Path) -> list[dict]:
    """Data directories from before the index: what was trusted then (the department root and
    ``roots/<sha256>.pem`` files whose name is their own fingerprint) is recorded once."""
    items: list[dict] = []
    candidates = []
    root = load_root(data_dir)
    if root is not None:
        candidates.append(root)
    rdir = keys_dir(data_dir) / "roots"
    if rdir.is_dir():
        for p in sorted(rdir.glob("*.pem")):
            try:
                cert = x509.load_pem_x509_certificate(p.read_bytes())
            except ValueError:
                continue
            if p.stem == fingerprint(cert):
                candidates.append(cert)
    for cert in candidates:
        items.append({"fingerprint": fingerprint(cert), "subject": cert.subject.rfc4514_string(),
                      "how": "upgrade", "added_at": ""})
    if candidates:
        _write_private(keys_dir(data_dir) / TRUST_INDEX,
                       json.dumps(items, ensure_ascii=False, indent=2).encode("utf-8"),
                       "danh sách chứng thư gốc tin cậy", "the trusted roots list")
    return items


def _trusted_fingerprints(data_dir: Path) -> set[str]:
    items = _read_trust_index(data_dir)
    if items is None:
        items = _migrate_trust_index(data_dir)
    return {i["fingerprint"] for i in items}


def trust_roots(data_dir: Path) -> list[x509.Certificate]:
    """The roots recorded in the trust index: the department's pilot root (trusted when
    ``init_pilot`` made it) and every root added through ``add_trust_root``. A certificate file
    whose fingerprint is not recorded is ignored."""
    trusted = _trusted_fingerprints(data_dir)
    roots = []
    root = load_root(data_dir)
    if root is not None and fingerprint(root) in trusted:
        roots.append(root)
    rdir = keys_dir(data_dir) / "roots"
    if rdir.is_dir():
        for p in sorted(rdir.glob("*.pem")):
            try:
                cert = x509.load_pem_x509_certificate(p.read_bytes())
            except ValueError:
                continue
            fp = fingerprint(cert)
            if fp in trusted and p.stem == fp and all(fingerprint(r) != fp for r in roots):
                roots.append(cert)
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
            "Chưa có khóa ký số. Hãy tạo khóa thí điểm hoặc nhập chứng thư số (.p12) trước khi ký.",
            "No signing keys yet. Create pilot keys or import a certificate (.p12) before signing.")
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
    candidates.sort(key=lambda i: i.kind == "pilot")  # a CA-issued file or a token first
    return candidates[0]


def add_token_identity(data_dir: Path, cert: x509.Certificate, *, module: str, token_label: str,
                       key_label: str, title: str = "") -> Identity:
    """Record a key held on a PKCS#11 token (see ``pdf.token.register``)."""
    index = _read_index(data_dir)
    fp = fingerprint(cert)
    index = [i for i in index if not (i.kind == "pkcs11" and i.fingerprint == fp)]
    ident = _unique_id(slug(f"{common_name(cert.subject)} token"), index)
    identity = _identity_from(cert, ident, "pkcs11", "")
    identity = Identity(**{**asdict(identity), "module": str(module), "token_label": token_label,
                           "key_label": key_label,
                           "title": nfc(title) or identity.title})
    index.append(identity)
    _write_index(data_dir, index)
    return identity


def issue_certificate(data_dir: Path, passphrase: str | bytes, public_key, name: str, title: str,  # noqa: ANN001
                      organisation: str, *, years: int = 2) -> x509.Certificate:
    """The pilot root CA certifies a public key made elsewhere (e.g. generated on a token)."""
    root = load_root(data_dir)
    if root is None:
        raise NotFound("Chưa có CA gốc của Sở.", "There is no department root CA yet.")
    root_key = _load_root_key(data_dir, _pw(passphrase))
    now = dt.datetime.now(dt.timezone.utc)
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


def load_identity(data_dir: Path, identity: Identity, passphrase: str | bytes):  # noqa: ANN201
    """Unlock an identity: a .p12 with its passphrase (``LoadedIdentity``) or a token key with
    its PIN (``pdf.token.TokenIdentity``); both sign through ``pyhanko_signer()``."""
    if identity.kind == "pkcs11":
        from . import token

        pin = passphrase.decode("utf-8") if isinstance(passphrase, bytes) else passphrase
        return token.load(data_dir, identity, pin)
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
    if not p12_kdf_current(data):  # an older file: rewrite it with current settings, same passphrase
        data = _serialize_p12(identity.name.encode("utf-8"), key, cert, list(chain), pw)
        _write_private(path, data, "khóa ký số", "the signing key")
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
