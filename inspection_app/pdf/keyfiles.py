"""The key store's files and index: where things live under ``<data_dir>/keys/``, the
identities index (``identities.json``), and finding an identity in it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from inspection_app.locale import both

from ..domain.errors import NotFound
from ..domain.text import fold, nfc
from ..fsutil import atomic_write

KEYS_DIR = "keys"
ROOT_CERT = "root-ca.pem"
ROOT_KEY = "root-ca.key.pem"
INDEX = "identities.json"


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
        return dt.datetime.fromisoformat(self.not_after) < dt.datetime.now(dt.UTC)


def keys_dir(data_dir: Path) -> Path:
    return Path(data_dir) / KEYS_DIR


def root_cert_path(data_dir: Path) -> Path:
    return keys_dir(data_dir) / ROOT_CERT


def load_root(data_dir: Path) -> x509.Certificate | None:
    path = root_cert_path(data_dir)
    if not path.is_file():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes())


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
    atomic_write(path, data, what_vi, what_en, mode=0o600)


def _read_index(data_dir: Path) -> list[Identity]:
    path = keys_dir(data_dir) / INDEX
    if not path.is_file():
        return []
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [Identity(**item) for item in raw]


def _write_index(data_dir: Path, items: Sequence[Identity]) -> None:
    data = json.dumps([asdict(i) for i in items], ensure_ascii=False, indent=2).encode("utf-8")
    _write_private(keys_dir(data_dir) / INDEX, data, *both("danh sách khóa ký số"))


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


def _unique_id(base: str, index: Sequence[Identity]) -> str:
    taken = {i.id for i in index}
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    return ident


def list_identities(data_dir: Path) -> list[Identity]:
    return _read_index(data_dir)


def find_identity(data_dir: Path, who: str | None = None, *, title: str | None = None) -> Identity:
    """By id, by name, or by title ("Trưởng đoàn"); forgiving about case and diacritics."""
    items = _read_index(data_dir)
    if not items:
        raise NotFound(
            "Chưa có khóa ký số. Hãy tạo khóa thí điểm hoặc nhập chứng thư số (.p12) trước khi ký.")
    candidates = items
    if who:
        key = fold(who)
        candidates = [i for i in items if i.id == who or fold(i.name) == key]
    if title:
        by_title = [i for i in candidates if fold(i.title) == fold(title)]
        candidates = by_title or (candidates if who else [])
    candidates = [i for i in candidates if not i.expired] or candidates
    if not candidates:
        raise NotFound("Không tìm thấy khóa ký số của {value}.", value=who or title)
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
