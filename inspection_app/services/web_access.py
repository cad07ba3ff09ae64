"""Who may use web mode from another machine: user names with scrypt password hashes.

Stored in ``<data_dir>/web-users.json`` (mode 0600). Each password is hashed with scrypt
(RFC 7914; ``hashlib.scrypt``, N=2^15, r=8, p=1, a 16-byte random salt, 32-byte key; the
parameters are stored beside the hash so they can be raised later) and checked in constant time.
The plain password is never stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.errors import UserError, ValidationFailed
from ..domain.text import nfc
from ..fsutil import write_atomically

USERS_FILE = "web-users.json"
MIN_PASSWORD = 10
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
#: Parameters outside these bounds are refused when read back (a tampered file cannot make a
#: check take minutes or gigabytes).
MAX_N, MAX_R, MAX_P = 2 ** 17, 16, 4


@dataclass(frozen=True)
class WebUser:
    name: str


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / USERS_FILE


def _read(data_dir: Path) -> dict[str, dict[str, Any]]:
    path = _path(data_dir)
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError("Tệp {path} bị lỗi: {exc}", path=path, exc=exc) from exc
    users = raw.get("users", {}) if isinstance(raw, dict) else {}
    return {k: v for k, v in users.items() if isinstance(v, dict)}


def _write(data_dir: Path, users: dict[str, dict[str, Any]]) -> None:
    path = _path(data_dir)
    data = json.dumps({"users": users}, ensure_ascii=False, indent=2).encode("utf-8")
    write_atomically(path, data, mode=0o600)


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(nfc(password).encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * 1024 * 1024, dklen=32)


def clean_name(name: str) -> str:
    name = " ".join((nfc(name) or "").split())
    if not name or len(name) > 80 or re.search(r"[\x00-\x1f]", name):
        raise ValidationFailed("Tên người dùng không hợp lệ (1–80 ký tự).")
    return name


def set_password(data_dir: Path, name: str, password: str) -> WebUser:
    """Add a user or change their password. Raises ``ValidationFailed`` for a short password."""
    name = clean_name(name)
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed("Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.", MIN_PASSWORD=MIN_PASSWORD)
    salt = os.urandom(16)
    users = _read(data_dir)
    users[name] = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                   "salt": salt.hex(), "hash": _hash(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P).hex()}
    _write(data_dir, users)
    return WebUser(name)


def remove_user(data_dir: Path, name: str) -> bool:
    users = _read(data_dir)
    found = users.pop(clean_name(name), None) is not None
    if found:
        _write(data_dir, users)
    return found


def has_users(data_dir: Path) -> bool:
    return bool(_read(data_dir))


def user_names(data_dir: Path) -> list[str]:
    return sorted(_read(data_dir))


def check_password(data_dir: Path, name: str, password: str) -> WebUser | None:
    """The user when the password is theirs, else ``None`` (same work either way)."""
    try:
        name = clean_name(name)
    except ValidationFailed:
        name = ""
    entry = _read(data_dir).get(name)
    dummy: dict[str, Any] = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": "00" * 16,
             "hash": "00" * 32}
    rec = entry or dummy
    try:
        n, r, p = int(rec["n"]), int(rec["r"]), int(rec["p"])
        if rec.get("kdf") != "scrypt" or not (2 <= n <= MAX_N and 1 <= r <= MAX_R and 1 <= p <= MAX_P):
            return None
        got = _hash(password or "", bytes.fromhex(rec["salt"]), n, r, p)
        ok = hmac.compare_digest(got, bytes.fromhex(rec["hash"]))
    except (KeyError, ValueError, TypeError):
        return None
    return WebUser(name) if entry is not None and ok else None


__all__ = ["MIN_PASSWORD", "WebUser", "check_password", "has_users", "remove_user",
           "set_password", "user_names"]
