"""Passphrase encryption of a bundle file.

A bundle can travel on a USB stick or by e-mail, and it holds citizens' and civil servants'
personal data, so it can be encrypted with a passphrase. The key comes from scrypt; the content is
sealed with AES-256-GCM in chunks, so a bundle of several gigabytes of photos never has to be held
in memory, and a truncated, re-ordered or edited file is detected (the STREAM construction: each
chunk's nonce carries its index and whether it is the last one).

File layout (all integers big-endian)::

    magic      8 bytes  b"IABUNDLE"
    version    1 byte   1
    log2_n     1 byte   scrypt cost N = 2**log2_n
    r, p       1 byte each
    chunk      4 bytes  plaintext bytes per chunk
    salt      16 bytes
    prefix     7 bytes  random nonce prefix
    check     16 bytes  HMAC-SHA256(key, "passphrase check")[:16], tells a wrong passphrase
                        apart from a damaged file
    chunks     each: ciphertext of `chunk` bytes (the last may be shorter) + 16-byte tag

The nonce of chunk i is prefix || i (4 bytes) || last-flag (1 byte); the header is the associated
data of every chunk. An empty plaintext is one empty last chunk.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from ..domain.errors import UserError

MAGIC = b"IABUNDLE"
VERSION = 1
CHUNK = 1 << 20
TAG = 16
_HEADER = struct.Struct(">8sBBBBI16s7s16s")
HEADER_SIZE = _HEADER.size
DEFAULT_LOG2_N = 15  # 32 MiB of memory, ~0.1 s on a tablet
DEFAULT_R, DEFAULT_P = 8, 1  # RFC 7914's r; the only parameters an import accepts
_CHECK_LABEL = b"inspection-app bundle passphrase check"


class BadPassphrase(UserError):
    """The passphrase does not open this bundle."""


class DamagedBundle(UserError):
    """The bundle file is incomplete or was altered."""


def _damaged(reason_vi: str, reason_en: str) -> DamagedBundle:
    return DamagedBundle(
        "Tệp gói dữ liệu bị hỏng hoặc không đầy đủ ({reason}); chưa có dữ liệu nào được ghi.", reason=Phrase(reason_vi, reason_en),
    )


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    if not passphrase:
        raise BadPassphrase("Cần nhập mật khẩu của gói dữ liệu.")
    kdf = Scrypt(salt=salt, length=32, n=2 ** log2_n, r=r, p=p)
    return kdf.derive(passphrase.encode("utf-8"))


def _check_value(key: bytes) -> bytes:
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).digest()[:16]


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 2 ** 32:
        raise ValueError("bundle too large for one stream")
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def encrypt_stream(src: BinaryIO, dst: BinaryIO, passphrase: str, *, log2_n: int = DEFAULT_LOG2_N,
                   chunk: int = CHUNK) -> None:
    """Encrypt everything readable from ``src`` into ``dst``."""
    salt, prefix = os.urandom(16), os.urandom(7)
    r, p = DEFAULT_R, DEFAULT_P
    key = _derive(passphrase, salt, log2_n, r, p)
    header = _HEADER.pack(MAGIC, VERSION, log2_n, r, p, chunk, salt, prefix, _check_value(key))
    dst.write(header)
    aead = AESGCM(key)
    index = 0
    current = src.read(chunk)
    while True:
        following = src.read(chunk) if len(current) == chunk else b""
        last = not following
        dst.write(aead.encrypt(_nonce(prefix, index, last), current, header))
        if last:
            return
        current, index = following, index + 1


class Readable(Protocol):
    """What :func:`decrypt_stream` reads from: a binary file, or a wrapper that hashes what it reads."""

    def read(self, n: int = -1, /) -> bytes: ...


def decrypt_stream(src: Readable, dst: BinaryIO, passphrase: str | None, *,
                   max_plain: int | None = None) -> None:
    """Decrypt ``src`` into ``dst``; a wrong passphrase or any damage raises a :class:`UserError`.

    Only the parameters this app writes are accepted (scrypt N=2**15, r=8, p=1, 1 MiB chunks): a
    header asking for more memory or time than that is refused before any key is derived. With
    ``max_plain``, more plaintext than that many bytes is refused while streaming, one chunk at a
    time (never more than one chunk is held).
    """
    header = src.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
        raise _damaged(*both("thiếu phần đầu tệp"))
    _magic, version, log2_n, r, p, chunk, salt, prefix, check = _HEADER.unpack(header)
    if version != VERSION:
        raise UserError(
            "Gói dữ liệu được mã hóa theo định dạng mới hơn ({version}); hãy cập nhật ứng dụng.", version=version,
        )
    if (log2_n, r, p, chunk) != (DEFAULT_LOG2_N, DEFAULT_R, DEFAULT_P, CHUNK):
        raise DamagedBundle(
            "Tham số mã hóa của gói dữ liệu khác với tham số ứng dụng dùng (scrypt N=2^{log2_n2}, r={r2}, p={p2}, khối {chunk2} byte): gói không do ứng dụng này tạo ra. Chưa có dữ liệu nào được ghi.", log2_n2=log2_n, r2=r, p2=p, chunk2=chunk,
            log2_n=log2_n, r=r, p=p, chunk=chunk)
    if passphrase is None:
        raise BadPassphrase(
            "Gói dữ liệu này được mã hóa: cần nhập mật khẩu.",
        )
    key = _derive(passphrase, salt, log2_n, r, p)
    if not hmac.compare_digest(_check_value(key), check):
        raise BadPassphrase(
            "Mật khẩu không đúng: không mở được gói dữ liệu. Chưa có dữ liệu nào được ghi.",
        )
    aead = AESGCM(key)
    index = 0
    written = 0
    current = src.read(chunk + TAG)
    while True:
        if len(current) < TAG:
            raise _damaged(*both("tệp bị cắt cụt"))
        following = src.read(chunk + TAG)
        last = not following
        try:
            plain = aead.decrypt(_nonce(prefix, index, last), current, header)
        except InvalidTag:
            raise _damaged(*both("tệp bị cắt cụt hoặc bị sửa")) from None
        written += len(plain)
        if max_plain is not None and written > max_plain:
            raise DamagedBundle(
                "Gói dữ liệu lớn hơn giới hạn {value} MiB. Chưa có dữ liệu nào được ghi.", value=max_plain // (1 << 20))
        dst.write(plain)
        if last:
            return
        current, index = following, index + 1
