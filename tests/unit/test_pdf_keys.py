"""The key store: pilot CA, team certificates, imported PKCS#12, trust roots."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from inspection_app.domain.errors import NotFound, UserError, ValidationFailed
from inspection_app.pdf import keycrypt, keyfiles, keys

PASS = "mat-khau-thu-nghiem"
ORG = "Sở Nội vụ tỉnh Tây Ninh"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    result = keys.init_pilot(data, ORG, [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn"),
                                         ("Đặng Minh Khôi", "Thư ký")], PASS)
    return data, result


def test_init_creates_root_and_member_certificates(store):
    data, result = store
    assert result.created_root
    root = result.root
    assert root.subject == root.issuer
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert keys.PILOT_NOTICE_OU in root.subject.rfc4514_string()
    names = [i.name for i in result.identities]
    assert names == ["Nguyễn Thị Ánh Tuyết", "Đặng Minh Khôi"]
    loaded = keys.load_identity(data, result.identities[0], PASS)
    cert = loaded.certificate
    assert cert.issuer == root.subject
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # Vietnamese names survive as UTF8String
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nguyễn Thị Ánh Tuyết"
    assert loaded.chain and loaded.chain[0].subject == root.subject
    cert.verify_directly_issued_by(root)


def test_secrets_are_encrypted_and_private(store):
    data, result = store
    kdir = keys.keys_dir(data)
    key_pem = (kdir / keyfiles.ROOT_KEY).read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in key_pem
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(key_pem, password=None)
    for path in [kdir / keyfiles.ROOT_KEY, *kdir.glob("identities/*.p12")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates((kdir / result.identities[0].file).read_bytes(), None)


def test_wrong_passphrase_is_a_user_error(store):
    data, result = store
    with pytest.raises(UserError) as err:
        keys.load_identity(data, result.identities[0], "sai-mat-khau")
    assert "Sai mật khẩu" in err.value.vi and "Wrong passphrase" in err.value.en
    with pytest.raises(UserError):
        keys.init_pilot(data, ORG, [("Người mới", "Thành viên")], "sai-mat-khau")


def test_short_passphrase_refused(tmp_path):
    with pytest.raises(ValidationFailed):
        keys.init_pilot(tmp_path, ORG, [("A", "B")], "123")


def test_init_again_adds_only_new_members(store):
    data, result = store
    again = keys.init_pilot(data, ORG, [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn"),
                                        ("Võ Thị Ngọc Hân", "Thành viên")], PASS)
    assert not again.created_root
    assert again.root.fingerprint(hashes.SHA256()) == result.root.fingerprint(hashes.SHA256())
    ids = keys.list_identities(data)
    assert [i.name for i in ids].count("Nguyễn Thị Ánh Tuyết") == 1
    assert "Võ Thị Ngọc Hân" in [i.name for i in ids]


def test_find_identity_by_name_title_or_id(store):
    data, result = store
    assert keys.find_identity(data, "nguyen thi anh tuyet").name == "Nguyễn Thị Ánh Tuyết"
    assert keys.find_identity(data, title="thư ký").name == "Đặng Minh Khôi"
    assert keys.find_identity(data, result.identities[1].id).name == "Đặng Minh Khôi"
    with pytest.raises(NotFound):
        keys.find_identity(data, "Không Có Ai")


def test_no_keys_yet_says_what_to_do(tmp_path):
    with pytest.raises(NotFound) as err:
        keys.find_identity(tmp_path)
    assert "khóa thí điểm" in err.value.vi and ".p12" in err.value.en
    assert "inspection-app" not in err.value.vi + err.value.en  # shown on screens: no command line


def _ca_issued_p12(tmp_path, password: bytes):
    """A .p12 as a licensed CA would issue it: leaf + intermediate-free chain to its root."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Licensed CA"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Lê Văn Phúc")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .sign(ca_key, hashes.SHA256()))
    path = tmp_path / "le-van-phuc.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"x", key, leaf, [ca], serialization.BestAvailableEncryption(password)))
    return path, ca


def test_import_p12(tmp_path):
    data = tmp_path / "data"
    path, ca = _ca_issued_p12(tmp_path, b"pass-of-the-ca")
    with pytest.raises(UserError):
        keys.import_p12(data, path, "wrong")
    ident, offered = keys.import_p12(data, path, "pass-of-the-ca")
    assert ident.kind == "imported" and ident.name == "Lê Văn Phúc"
    assert offered == [ca]  # the root in the file is offered ...
    assert keys.trust_roots(data) == []  # ... never trusted by the import itself
    with pytest.raises(ValidationFailed):  # there is no second door to the trust store
        keys.import_p12(data, path, "pass-of-the-ca", trust_root_in_file=True)
    again, _ = keys.import_p12(data, path, "pass-of-the-ca")
    assert again.id == ident.id  # same certificate, not imported twice
    keys.add_trust_root(data, ca.public_bytes(serialization.Encoding.PEM))
    assert keys.trust_roots(data) == [ca]
    loaded = keys.load_identity(data, ident, "pass-of-the-ca")
    assert loaded.chain[0] == ca
    # an imported (CA-issued) identity is preferred over a pilot one for the same person
    keys.init_pilot(data, ORG, [("Lê Văn Phúc", "")], PASS)
    assert keys.find_identity(data, "Lê Văn Phúc").kind == "imported"


def test_planted_root_file_is_not_trusted(tmp_path, store):
    """A certificate that lands in keys/roots/ by any way but add_trust_root is ignored."""
    _, result = store
    other = tmp_path / "other"
    made = keys.init_pilot(other, "Sở Khác", [("X", "Trưởng đoàn")], PASS)
    fp = keys.fingerprint(made.root)
    planted = keys.keys_dir(tmp_path) / "roots" / f"{fp}.pem"
    planted.parent.mkdir(parents=True)
    keys.add_trust_root(tmp_path, result.root.public_bytes(serialization.Encoding.PEM))
    planted.write_bytes(made.root.public_bytes(serialization.Encoding.PEM))
    assert [keys.fingerprint(c) for c in keys.trust_roots(tmp_path)] == [keys.fingerprint(result.root)]


def test_a_signer_certificate_is_not_a_root(tmp_path, store):
    data, result = store
    leaf = keys.load_identity(data, result.identities[0], PASS).certificate
    with pytest.raises(ValidationFailed):
        keys.add_trust_root(tmp_path, leaf.public_bytes(serialization.Encoding.PEM))


def test_key_files_use_current_kdf(store):
    data, result = store
    root_key = (keys.keys_dir(data) / keyfiles.ROOT_KEY).read_bytes()
    assert keycrypt.pem_key_kdf_current(root_key)
    for ident in result.identities:
        assert keys.p12_kdf_current((keys.keys_dir(data) / ident.file).read_bytes())


def test_old_key_files_open_and_are_rewritten(tmp_path):
    """Files from before (OpenSSL defaults: 2,048 rounds, SHA-1 MAC) open and are upgraded."""
    data = tmp_path / "data"
    path, _ = _ca_issued_p12(tmp_path, b"pass-of-the-ca")
    old = path.read_bytes()
    assert not keys.p12_kdf_current(old)
    ident, _ = keys.import_p12(data, path, "pass-of-the-ca")
    stored = keys.keys_dir(data) / ident.file
    assert stored.read_bytes() == old  # kept as it came until the first unlock
    keys.load_identity(data, ident, "pass-of-the-ca")
    assert keys.p12_kdf_current(stored.read_bytes())
    keys.load_identity(data, ident, "pass-of-the-ca")  # and still opens
    # the root CA key: an old PEM (BestAvailableEncryption) opens and is rewritten
    made = keys.init_pilot(data, ORG, [("A", "Trưởng đoàn")], PASS)
    key_path = keys.keys_dir(data) / keyfiles.ROOT_KEY
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=PASS.encode())
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(PASS.encode())))
    assert not keycrypt.pem_key_kdf_current(key_path.read_bytes())
    keys.init_pilot(data, ORG, [("B", "Thành viên")], PASS)
    assert keycrypt.pem_key_kdf_current(key_path.read_bytes())
    assert made.created_root


def test_add_trust_root_pem_or_der(tmp_path, store):
    _, result = store
    der = result.root.public_bytes(serialization.Encoding.DER)
    cert = keys.add_trust_root(tmp_path, der)
    assert keys.trust_roots(tmp_path) == [cert]
    with pytest.raises(ValidationFailed):
        keys.add_trust_root(tmp_path, b"not a certificate")
