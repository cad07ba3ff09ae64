"""Trusted roots: a root is trusted only by an explicit act (``add_trust_root``, behind ``keys trust``
with a confirmation of the SHA-256 fingerprint, or the office screen), recorded in
``trusted-roots.json``; nothing inside an imported file makes itself trusted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from .keyfiles import _write_private, fingerprint, keys_dir, load_root

TRUST_INDEX = "trusted-roots.json"


def read_certificate(cert_data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes; ``ValidationFailed`` for anything else."""
    try:
        return (x509.load_pem_x509_certificate(cert_data) if b"-----BEGIN" in cert_data
                else x509.load_der_x509_certificate(cert_data))
    except ValueError as exc:
        raise ValidationFailed("Tệp không phải chứng thư số (PEM/DER).") from exc


def check_root_candidate(cert: x509.Certificate) -> None:
    """A trusted root must be a CA certificate (basicConstraints CA:TRUE); refuse a signer's own."""
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        bc = None
    if bc is None or not bc.ca:
        raise ValidationFailed(
            "Chứng thư này không phải chứng thư gốc của CA (thiếu CA:TRUE); không thể tin cậy nó làm gốc.")


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
    _write_private(path, cert.public_bytes(serialization.Encoding.PEM), *both("chứng thư gốc"))
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
                  "added_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
    _write_private(keys_dir(data_dir) / TRUST_INDEX,
                   json.dumps(items, ensure_ascii=False, indent=2).encode("utf-8"),
                   *both("danh sách chứng thư gốc tin cậy"))


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
                       *both("danh sách chứng thư gốc tin cậy"))
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
