"""Signing with a key on a PKCS#11 token (Vietnamese officials' USB tokens; SoftHSM2 in tests).

A token key is registered once (``register``): the PKCS#11 module, the token's label and the
label of the key and its certificate on the token are kept in the key index (``identities.json``,
kind ``pkcs11``) like any other identity; the private key never leaves the token. The PIN is asked
for at each signing (screen or prompt, or ``--passphrase-env`` for scripts), never taken from the
command line and never stored.

pyHanko signs through the token (``pyhanko.sign.pkcs11.PKCS11Signer``, on python-pkcs11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..domain.errors import NotFound, UserError, ValidationFailed
from .keyfiles import Identity, add_token_identity, fingerprint
from .seal import load_seal
from .trust import trust_roots


def _token_error(exc: Exception, label: str) -> UserError:
    name = type(exc).__name__
    if name in ("PinIncorrect", "PinInvalid", "PinLenRange"):
        return UserError("Sai mã PIN của thiết bị ký số {label}.", label=label)
    if name in ("PinLocked",):
        return UserError("Thiết bị ký số {label} đã bị khóa PIN.", label=label)
    if name in ("NoSuchToken", "TokenNotPresent", "TokenNotRecognised"):
        return NotFound("Không thấy thiết bị ký số {label}: hãy cắm thiết bị.", label=label)
    return UserError("Không dùng được thiết bị ký số {label} ({name}: {exc}).", label=label, name=name, exc=exc)


def open_session(module: str, token_label: str, pin: str):  # noqa: ANN201
    """A logged-in PKCS#11 session on the token with this label."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    if not Path(module).is_file():
        raise NotFound("Không thấy thư viện PKCS#11 {module}.", module=module)
    if not pin:
        raise ValidationFailed("Cần mã PIN của thiết bị ký số.")
    try:
        return open_pkcs11_session(module, token_criteria=TokenCriteria(label=token_label),
                                   user_pin=pin)
    except Exception as exc:  # python-pkcs11 raises one class per CKR_ code
        raise _token_error(exc, token_label) from exc


def _certificate(session, key_label: str) -> x509.Certificate:  # noqa: ANN001
    from pkcs11 import Attribute, ObjectClass

    found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                      Attribute.LABEL: key_label}))
    if not found:
        raise NotFound("Trên thiết bị không có chứng thư '{key_label}'.", key_label=key_label)
    return x509.load_der_x509_certificate(bytes(found[0][Attribute.VALUE]))


@dataclass
class TokenIdentity:
    """An unlocked token identity: an open session, the certificate, a pyHanko signer."""

    identity: Identity
    certificate: x509.Certificate
    session: Any
    chain: tuple[x509.Certificate, ...] = ()
    seal: bytes | None = None
    _closed: bool = field(default=False, repr=False)

    def pyhanko_signer(self):  # noqa: ANN201
        from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
        from pyhanko.sign.pkcs11 import PKCS11Signer

        return PKCS11Signer(
            self.session, key_label=self.identity.key_label,
            signing_cert=translate_pyca_cryptography_cert_to_asn1(self.certificate),
            ca_chain=[translate_pyca_cryptography_cert_to_asn1(c) for c in self.chain])

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self.session.close()
            except Exception:  # already gone with the token
                pass


def register(data_dir: Path, module: str, token_label: str, key_label: str, pin: str, *,
             title: str = "") -> Identity:
    """Record a token key in the key index, after checking the PIN, the key and its certificate."""
    session = open_session(module, token_label, pin)
    try:
        cert = _certificate(session, key_label)
    finally:
        session.close()
    return add_token_identity(data_dir, cert, module=module, token_label=token_label,
                                        key_label=key_label, title=title)


def load(data_dir: Path, identity: Identity, pin: str) -> TokenIdentity:
    """Open the token with the PIN; the certificate is read from the token itself."""
    session = open_session(identity.module, identity.token_label, pin)
    try:
        cert = _certificate(session, identity.key_label)
        if fingerprint(cert) != identity.fingerprint:
            raise ValidationFailed(
                "Chứng thư trên thiết bị khác chứng thư đã đăng ký: hãy đăng ký lại thiết bị.")
        if dt.datetime.now(dt.UTC) > cert.not_valid_after_utc:
            raise UserError("Chứng thư ký số của {name} đã hết hạn.", name=identity.name)
    except Exception:
        session.close()
        raise
    chain = tuple(c for c in trust_roots(data_dir) if c.subject == cert.issuer)
    return TokenIdentity(identity=identity, certificate=cert, session=session, chain=chain,
                         seal=load_seal(data_dir))


def certificate_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


__all__ = ["TokenIdentity", "load", "open_session", "register"]
