"""Issue #10 point 6: signing the minutes through PKCS#11, against a SoftHSM2 token.

The test makes a token (``softhsm2-util``), generates the key pair on it (python-pkcs11), has the
pilot root CA certify the public key, stores the certificate on the token, registers it, and signs
the minutes as the team leader and as the office. ``verify`` and ``pdfsig`` must accept the result.
SoftHSM2 comes from the Makefile's sysdeps (Debian ``softhsm2``); on CI a missing one fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pdf_checks import require_tool, run

from inspection_app.domain.errors import UserError
from inspection_app.pdf import keys, signing
from inspection_app.pdf.layout import render_minutes
from inspection_app.pdf.specimen import specimen_minutes
from inspection_app.pdf.verify import describe, verify_pdf

PASS = "mat-khau-thu-nghiem"
PIN = "246810"
ORG = "Sở Nội vụ tỉnh Tây Ninh"
MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]


def _module() -> str:
    for m in MODULES:
        if Path(m).is_file():
            return m
    require_tool("softhsm2-util")  # fails on CI, skips locally
    pytest.skip("libsofthsm2.so not found")
    raise AssertionError


@pytest.fixture(scope="module")
def hsm(tmp_path_factory):
    module = _module()
    require_tool("softhsm2-util")
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    run("softhsm2-util", "--init-token", "--free", "--label", "to-truong", "--pin", PIN,
        "--so-pin", "13579111")
    run("softhsm2-util", "--init-token", "--free", "--label", "van-thu", "--pin", PIN,
        "--so-pin", "13579111")
    return module


@pytest.fixture(scope="module")
def data(tmp_path_factory, hsm):
    import pkcs11
    from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

    data = tmp_path_factory.mktemp("data")
    keys.init_pilot(data, ORG, [("Người Không Dùng", "Thành viên")], PASS)
    lib = pkcs11.lib(hsm)
    for label, name, title in (("to-truong", "Nguyễn Thị Ánh Tuyết", "Trưởng đoàn"),
                               ("van-thu", "Văn phòng Sở Nội vụ", "Văn thư")):
        token = lib.get_token(token_label=label)
        with token.open(rw=True, user_pin=PIN) as session:
            pub, _ = session.generate_keypair(KeyType.RSA, 2048, label="ky-so", store=True)
            numbers = rsa.RSAPublicNumbers(int.from_bytes(pub[Attribute.PUBLIC_EXPONENT], "big"),
                                           int.from_bytes(pub[Attribute.MODULUS], "big"))
            cert = keys.issue_certificate(data, PASS, numbers.public_key(), name, title, ORG)
            from cryptography.hazmat.primitives import serialization

            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "ky-so",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.ISSUER: cert.issuer.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            })
    return data


def test_token_signs_minutes_that_verify_and_pdfsig_accept(data, hsm, tmp_path):
    from inspection_app.pdf import token

    leader = token.register(data, hsm, "to-truong", "ky-so", PIN)
    office = token.register(data, hsm, "van-thu", "ky-so", PIN)
    assert leader.kind == "pkcs11" and leader.title == "Trưởng đoàn"
    # the index keeps where the key is, never the PIN
    index = (keys.keys_dir(data) / keys.INDEX).read_text(encoding="utf-8")
    assert PIN not in index and "to-truong" in index
    # find_identity prefers the token over a pilot .p12 of the same title
    assert keys.find_identity(data, title="Trưởng đoàn").id == leader.id

    unsigned = render_minutes(specimen_minutes()).pdf
    loaded = keys.load_identity(data, leader, PIN)
    signed = signing.sign_pdf(unsigned, loaded, field_name=signing.TEAM_LEADER_FIELD, box=None,
                              reason="Trưởng đoàn ký", location="Tây Ninh")
    filed = signing.sign_pdf(signed.pdf, keys.load_identity(data, office, PIN),
                             field_name=signing.OFFICE_FIELD, box=None, reason="Sở tiếp nhận",
                             location="Tây Ninh")
    report = verify_pdf(filed.pdf, keys.trust_roots(data))
    assert report.ok, describe(report)
    assert [s.signer_name for s in report.signatures] == ["Nguyễn Thị Ánh Tuyết", "Văn phòng Sở Nội vụ"]
    assert report.signatures[0].certified

    require_tool("pdfsig")
    nss = tmp_path / "nss"
    nss.mkdir()
    root = tmp_path / "root.der"
    root.write_bytes(keys.root_der(data))
    run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    run("certutil", "-A", "-d", f"sql:{nss}", "-n", "root", "-t", ",C,", "-i", root)
    pdf = tmp_path / "filed.pdf"
    pdf.write_bytes(filed.pdf)
    out = run("pdfsig", "-nssdir", f"sql:{nss}", pdf).stdout
    assert out.count("Signature is Valid.") == 2, out
    assert out.count("Certificate is Trusted.") == 2, out


def test_wrong_pin_is_a_user_error(data, hsm):
    from inspection_app.pdf import token

    with pytest.raises(UserError) as err:
        token.register(data, hsm, "to-truong", "ky-so", "000000")
    assert "PIN" in err.value.vi
    with pytest.raises(UserError):
        token.register(data, hsm, "khong-co", "ky-so", PIN)


def test_cli_takes_the_pin_from_a_prompt_or_env_never_an_argument(data, hsm):
    env = {**os.environ, "TOKEN_PIN": PIN}
    base = [sys.executable, "-m", "inspection_app", "--data-dir", str(data), "keys", "token",
            "--module", hsm, "--token-label", "van-thu", "--key-label", "ky-so"]
    out = subprocess.run(base + ["--passphrase-env", "TOKEN_PIN"], capture_output=True, text=True,
                         encoding="utf-8", env=env, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stdout + out.stderr
    bad = subprocess.run(base + ["--pin", PIN], capture_output=True, text=True, encoding="utf-8",
                         env=env, stdin=subprocess.DEVNULL)
    assert bad.returncode != 0  # no such option
