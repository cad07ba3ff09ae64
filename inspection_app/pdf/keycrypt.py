"""How key files are encrypted: PBKDF2 rounds, PKCS#8 and PKCS#12 writing, and telling an old,
weaker file from a current one (``KDF_ITERATIONS``; see ``pdf.keys`` for the whole key store)."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from inspection_app.domain.errors import Phrase

from ..domain.errors import UserError, ValidationFailed
from ..domain.text import nfc

MIN_PASSPHRASE = 8
#: PBKDF2-HMAC-SHA256 rounds for key encryption and PKCS#12 MACs (OWASP 2023: ≥ 600,000).
KDF_ITERATIONS = 600_000


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
            "Mật khẩu bảo vệ khóa ký số phải có ít nhất {MIN_PASSPHRASE} ký tự.", MIN_PASSPHRASE=MIN_PASSPHRASE,
        )
    return pw


def _wrong_passphrase(what_vi: str, what_en: str) -> UserError:
    return UserError("Sai mật khẩu của khóa {what}.", what=Phrase(what_vi, what_en))
