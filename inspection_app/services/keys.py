"""Signing keys for the screens and the CLI: status, pilot keys, .p12 import, trusted roots, seal.

The one door to the trust store is ``trust_root_confirmed``: callers first show ``inspect_root``'s
SHA-256 fingerprint and get the person's confirmation (``keys trust`` asks, the office screen
shows a confirmation). The pdf layer (``pdf.keys``) does the work; this module only adds the
context and the shapes the UI needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from ..domain.errors import NotFound, ValidationFailed
from ..pdf import keys as key_store
from ..pdf.stamp import DrawnSignature
from ..pdf.verify import format_fingerprint
from .context import AppContext

#: A .p12 file larger than this is refused before parsing (real ones are a few kilobytes).
MAX_P12_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RootInfo:
    subject: str
    common_name: str
    fingerprint: str  # SHA-256 hex, lower case
    not_after: str
    pem: bytes = b""  # the certificate, to trust it after confirmation

    @property
    def fingerprint_text(self) -> str:
        """``AB:CD:…`` as certificate viewers show it."""
        return format_fingerprint(self.fingerprint)


@dataclass(frozen=True)
class KeysStatus:
    identities: tuple[key_store.Identity, ...]
    roots: tuple[RootInfo, ...]  # trusted roots
    has_seal: bool


def _root_info(cert: x509.Certificate) -> RootInfo:
    from cryptography.hazmat.primitives import serialization

    return RootInfo(cert.subject.rfc4514_string(), key_store.common_name(cert.subject),
                    key_store.fingerprint(cert), cert.not_valid_after_utc.date().isoformat(),
                    cert.public_bytes(serialization.Encoding.PEM))


def status(ctx: AppContext) -> KeysStatus:
    """What the key store holds: identities, trusted roots, whether a seal image is set."""
    return KeysStatus(tuple(key_store.list_identities(ctx.data_dir)),
                      tuple(_root_info(c) for c in key_store.trust_roots(ctx.data_dir)),
                      key_store.load_seal(ctx.data_dir) is not None)


def inspect_root(data: bytes) -> RootInfo:
    """Read a root certificate (PEM/DER) without trusting it, to show its fingerprint first.

    Raises ``ValidationFailed`` if it is not a certificate or not a CA root.
    """
    cert = key_store.read_certificate(data)
    key_store.check_root_candidate(cert)
    return _root_info(cert)


def trust_root_confirmed(ctx: AppContext, data: bytes, fingerprint: str, *, how: str) -> RootInfo:
    """Trust a root the person confirmed by its fingerprint (the one door to the trust store).

    ``fingerprint`` is the SHA-256 hex shown to them; a different certificate is refused.
    """
    info = inspect_root(data)
    if info.fingerprint != fingerprint.replace(":", "").lower():
        raise ValidationFailed("Mã SHA-256 của chứng thư không khớp với mã đã xác nhận.")
    key_store.add_trust_root(ctx.data_dir, data, how=how)
    return info


def import_p12_bytes(ctx: AppContext, data: bytes, file_name: str, passphrase: str
                     ) -> tuple[key_store.Identity, list[RootInfo]]:
    """Import a CA-issued .p12 handed over as bytes (a file picker); the roots inside are
    returned as offers with their fingerprints, never trusted here."""
    if len(data) > MAX_P12_BYTES:
        raise ValidationFailed("Tệp .p12 quá lớn (tối đa 1 MB).")
    import tempfile

    name = Path(file_name).name or "import.p12"
    staging = ctx.path("keys")
    staging.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".incoming-", dir=staging) as tmp_dir:
        tmp = Path(tmp_dir) / name  # the person's own file name in messages
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        ident, offered = key_store.import_p12(ctx.data_dir, tmp, passphrase)
    return ident, [_root_info(c) for c in offered]


def unlock(ctx: AppContext, identity_id: str, passphrase: str) -> key_store.Identity:
    """Check a passphrase against an identity (and upgrade an old key file on success)."""
    ident = next((i for i in key_store.list_identities(ctx.data_dir) if i.id == identity_id), None)
    if ident is None:
        raise NotFound("Không tìm thấy khóa ký số đã chọn.")
    key_store.load_identity(ctx.data_dir, ident, passphrase)
    return ident


def register_token(ctx: AppContext, module: str, token_label: str, key_label: str, pin: str, *,
                   title: str = "") -> key_store.Identity:
    """Register a signing key held on a PKCS#11 token; the PIN is checked, never stored."""
    from ..pdf import token

    return token.register(ctx.data_dir, module, token_label, key_label, pin, title=title)


def set_seal(ctx: AppContext, image: bytes) -> None:
    """The office's seal image (PNG/JPEG), kept red on transparent for its countersignature."""
    key_store.set_seal(ctx.data_dir, image)


def leader_drawing(ctx: AppContext, visit_id: str) -> DrawnSignature | None:
    """The team leader's drawn signature of a visit (pad strokes), for the visible signature."""
    from sqlmodel import select

    from ..store.models import Signature

    with ctx.session() as s:
        sig = s.exec(select(Signature).where(Signature.visit_id == visit_id,
                                             Signature.role == "team_leader")).first()
        if sig is None or sig.refused:
            return None
        return DrawnSignature.from_lists(sig.strokes or [], sig.pad_width, sig.pad_height)


__all__ = ["KeysStatus", "MAX_P12_BYTES", "RootInfo", "import_p12_bytes", "inspect_root",
           "leader_drawing", "register_token", "set_seal", "status", "trust_root_confirmed", "unlock"]
