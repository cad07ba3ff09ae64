"""This device's Ed25519 key pair, which signs the bundles it exports (issue #10, point 2).

The private key lives in ``<data_dir>/device/device-key.pem`` (PKCS#8, mode 0600, the folder 0700),
made the first time it is needed. The office knows a device by its public key; people compare the
key's short :func:`fingerprint` on the tablet and on the office screen before enrolling it.
Ed25519 per RFC 8032, through ``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..fsutil import replace_durably, write_atomically

KEY_DIR = "device"
KEY_FILE = "device-key.pem"


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_DIR / KEY_FILE


def load_or_create(data_dir: Path) -> Ed25519PrivateKey:
    """The device's private key, created (0600) on first use."""
    path = key_path(data_dir)
    if path.is_file():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)  # type: ignore[return-value]
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    part = path.with_name(f".{KEY_FILE}.part")
    write_atomically(part, pem, mode=0o600)
    if path.exists():  # made meanwhile by another process: keep the first
        part.unlink(missing_ok=True)
        return load_or_create(data_dir)
    replace_durably(part, path)
    return key


def public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def fingerprint(public_key_b64: str) -> str:
    """Short form of a public key for people to compare: the first 8 bytes of its SHA-256, as
    four groups of four hex digits ("3F2A-9C01-77BE-D410")."""
    raw = base64.b64decode(public_key_b64)
    h = hashlib.sha256(raw).hexdigest()[:16].upper()
    return "-".join(h[i:i + 4] for i in range(0, 16, 4))


def normalise_fingerprint(text: str) -> str:
    """What a person typed ("3f2a 9c01 77be d410") in the shown form."""
    h = "".join(c for c in (text or "").upper() if c in "0123456789ABCDEF")
    return "-".join(h[i:i + 4] for i in range(0, len(h), 4))


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def verify(public_key_b64: str, signature: bytes, data: bytes) -> bool:
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, data)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False
