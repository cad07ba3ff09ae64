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

Where the parts live: file encryption in ``keycrypt``, paths and the identities index in ``keyfiles``,
the pilot CA in ``pilot_ca``, trusted roots in ``trust``, the seal image in ``seal``; this module
imports a .p12 and unlocks identities, and keeps the names the services call importable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from inspection_app.locale import both

from ..domain.errors import NotFound, UserError, ValidationFailed
from .keycrypt import _pw, _serialize_p12, _wrong_passphrase, p12_kdf_current

# kept importable here for the services, the CLI and the screens (``key_store.<name>``)
from .keyfiles import (  # noqa: F401
    INDEX,
    KEYS_DIR,
    Identity,
    _identity_from,
    _read_index,
    _unique_id,
    _write_index,
    _write_private,
    add_token_identity,
    common_name,
    find_identity,
    fingerprint,
    keys_dir,
    list_identities,
    load_root,
    slug,
)
from .pilot_ca import (  # noqa: F401
    PILOT_NOTICE_EN,
    PILOT_NOTICE_OU,
    PILOT_NOTICE_VI,
    PilotKeys,
    init_pilot,
    issue_certificate,
    root_der,
    root_fingerprint,
)
from .seal import (
    load_seal,
    set_seal,  # noqa: F401
)
from .trust import _trusted_fingerprints, add_trust_root, check_root_candidate, read_certificate, trust_roots  # noqa: F401


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
            "Không tin cậy CA gốc ngay khi nhập khóa: hãy đối chiếu mã SHA-256 rồi thêm CA gốc riêng (Cài đặt khóa → Tin cậy CA gốc).")
    pw = _pw(passphrase)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise NotFound("Không đọc được tệp {source}: {strerror}.", source=source, strerror=exc.strerror) from exc
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
    except ValueError as exc:
        raise UserError(
            "Không mở được tệp {name}: sai mật khẩu hoặc không phải tệp PKCS#12.", name=Path(source).name) from exc
    if key is None or cert is None:
        raise ValidationFailed(
            "Tệp PKCS#12 không có khóa riêng hoặc chứng thư ký số.")
    index = _read_index(data_dir)
    fp = fingerprint(cert)
    for known in index:
        if known.fingerprint == fp:
            return known, []
    ident = _unique_id(slug(common_name(cert.subject)), index)
    file = f"identities/{ident}.p12"
    _write_private(keys_dir(data_dir) / file, data, *both("khóa ký số"))
    identity = _identity_from(cert, ident, "imported", file)
    index.append(identity)
    _write_index(data_dir, index)
    # roots inside the file are offered, never trusted here: trusting is its own act (keys trust)
    offered = [c for c in extra if c.subject == c.issuer and fingerprint(c) not in _trusted_fingerprints(data_dir)]
    return identity, offered


# --- unlocking an identity ----------------------------------------------------------------------


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
        raise NotFound("Thiếu tệp khóa ký số {path}.", path=path) from exc
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, pw)
    except ValueError as exc:
        raise _wrong_passphrase(*both("ký số của {name}", name=identity.name)) from exc
    assert key is not None and cert is not None
    if not p12_kdf_current(data):  # an older file: rewrite it with current settings, same passphrase
        data = _serialize_p12(identity.name.encode("utf-8"), key, cert, list(chain), pw)
        _write_private(path, data, *both("khóa ký số"))
    if dt.datetime.now(dt.UTC) > cert.not_valid_after_utc:
        raise UserError(
            "Chứng thư ký số của {name} đã hết hạn ngày {not_valid_after_utc:%d/%m/%Y}.", name=identity.name, not_valid_after_utc=cert.not_valid_after_utc)
    return LoadedIdentity(identity=identity, key=key, certificate=cert, chain=tuple(chain),  # type: ignore[arg-type]
                          p12=data, passphrase=pw, seal=load_seal(data_dir))


