"""Issue #10 point 5: a certified team-leader signature and a strict ``verify``.

Each attack is made on the team leader's signed file and on the office's countersigned one, then
checked with ``verify_pdf`` and with poppler's ``pdfsig`` (NSS trusting the department root). The
untouched and the properly countersigned files stay valid in both.

pdfsig 22.x does no difference analysis: what it says of a file changed after the last signature is
"Not total document signed" on that last signature (the signature no longer covers the file);
of a flipped byte "Digest Mismatch"; of a swapped certificate "Signature is Invalid". The check
``pdfsig_calls_valid`` is that whole verdict: every signature valid, trusted and the last one
covering the whole file.
"""

from __future__ import annotations

import io
import subprocess

import pytest
from asn1crypto import cms
from pdf_checks import require_tool, run

from inspection_app.pdf import keyfiles, keys, signing
from inspection_app.pdf.layout import render_minutes
from inspection_app.pdf.specimen import signature_strokes, specimen_minutes
from inspection_app.pdf.stamp import DrawnSignature
from inspection_app.pdf.verify import describe, verify_pdf

PASS = "mat-khau-thu-nghiem"
ORG = "Sở Nội vụ tỉnh Tây Ninh"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    keys.init_pilot(data, ORG, [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn"),
                                ("Văn phòng Sở Nội vụ", "Văn thư")], PASS)
    return data


@pytest.fixture(scope="module")
def stranger(tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    keys.init_pilot(other, ORG, [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn")], PASS)
    return keys.load_identity(other, keys.find_identity(other), PASS)


@pytest.fixture(scope="module")
def leader_signed(data):
    unsigned = render_minutes(specimen_minutes())
    leader = keys.load_identity(data, keys.find_identity(data, title="Trưởng đoàn"), PASS)
    return signing.sign_pdf(unsigned.pdf, leader, field_name=signing.TEAM_LEADER_FIELD, box=None,
                            reason="Trưởng đoàn ký", location="Tây Ninh",
                            drawn=DrawnSignature.from_lists(signature_strokes(1), 600, 240)).pdf


@pytest.fixture(scope="module")
def countersigned(data, leader_signed):
    office = keys.load_identity(data, keys.find_identity(data, title="Văn thư"), PASS)
    return signing.sign_pdf(leader_signed, office, field_name=signing.OFFICE_FIELD, box=None,
                            reason="Sở tiếp nhận", location="Tây Ninh").pdf


@pytest.fixture(scope="module")
def nss(data, tmp_path_factory):
    require_tool("certutil")
    require_tool("pdfsig")
    db = tmp_path_factory.mktemp("nss")
    root = db / "root.der"
    root.write_bytes(keys.root_der(data))
    run("certutil", "-N", "-d", f"sql:{db}", "--empty-password")
    run("certutil", "-A", "-d", f"sql:{db}", "-n", "root", "-t", ",C,", "-i", root)
    return db


def pdfsig(nss, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True,
                          text=True, encoding="utf-8").stdout


def pdfsig_calls_valid(out: str) -> bool:
    """All signatures valid and trusted, and the last one covers the whole file."""
    blocks = [b for b in out.split("Signature #")[1:] if "field is not signed" not in b]
    if not blocks:
        return False
    ok = all("Signature is Valid." in b and "Certificate is Trusted." in b for b in blocks)
    return ok and "Total document signed" in blocks[-1] and "Not total" not in blocks[-1]


# --- the attacks ---------------------------------------------------------------------------------


def _write(w) -> bytes:  # noqa: ANN001
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def flip_byte(pdf: bytes) -> bytes:
    out = bytearray(pdf)
    out[out.index(b"stream", 2000) + 60] ^= 0x01
    return bytes(out)


def page_content_update(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    extra = w.add_object(generic.StreamObject(stream_data=b"1 1 1 rg 85 600 400 80 re f"))
    contents = page["/Contents"]
    arr = (contents if isinstance(contents, generic.ArrayObject)
           else generic.ArrayObject([page.raw_get("/Contents")]))
    arr.append(extra)
    page["/Contents"] = arr
    w.update_container(page)
    return _write(w)


def annotation_overlay(pdf: bytes) -> bytes:
    """A white square annotation with new text painted over a line of page 1."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = w.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    ap = w.add_object(generic.StreamObject(
        {generic.NameObject("/Type"): generic.NameObject("/XObject"),
         generic.NameObject("/Subtype"): generic.NameObject("/Form"),
         generic.NameObject("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 400, 30)])},
        stream_data=b"1 1 1 rg 0 0 400 30 re f 0 g BT /Helv 12 Tf 4 10 Td (Khong vi pham) Tj ET"))
    annot = w.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Square"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (85, 600, 485, 630)]),
        generic.NameObject("/F"): generic.NumberObject(4),
        generic.NameObject("/AP"): generic.DictionaryObject({generic.NameObject("/N"): ap}),
    }))
    annots = page.get("/Annots")
    arr = generic.ArrayObject(list(annots.get_object()) if annots is not None else [])
    arr.append(annot)
    page["/Annots"] = arr
    w.update_container(page)
    return _write(w)


def new_signature_field_over_text(pdf: bytes, stranger) -> bytes:  # noqa: ANN001
    """The attack of the issue: a new visible signature field whose appearance hides a line."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    meta = signers.PdfSignatureMetadata(field_name="Overlay", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    style = TextStampStyle(stamp_text="Khong vi pham", background_opacity=1, border_width=0)
    spec = fields.SigFieldSpec("Overlay", on_page=0, box=(85, 600, 485, 640))
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=stranger.pyhanko_signer(), stamp_style=style,
                      new_field_spec=spec).sign_pdf(w, output=out)
    return out.getvalue()


def info_change(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info = generic.DictionaryObject({generic.NameObject("/Title"):
                                     generic.TextStringObject("Biên bản đã sửa")})
    w.set_info(info)
    return _write(w)


def swap_certificate(pdf: bytes, stranger) -> bytes:  # noqa: ANN001
    """Replace the last signature's certificate by a stranger's with the same name."""
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1

    start = pdf.rindex(b"/Contents <") + len(b"/Contents <")
    end = pdf.index(b">", start)
    raw = bytes.fromhex(pdf[start:end].decode())
    info = cms.ContentInfo.load(raw.rstrip(b"\0"))  # the DER, without the zero padding
    info = cms.ContentInfo.load(raw[:len(info.dump())])
    signed = info["content"]
    new_cert = translate_pyca_cryptography_cert_to_asn1(stranger.certificate)
    signed["certificates"] = cms.CertificateSet([cms.CertificateChoices({"certificate": new_cert})])
    si = signed["signer_infos"][0]
    si["sid"] = cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
        {"issuer": new_cert.issuer, "serial_number": new_cert.serial_number})})
    new = info.dump(force=True).hex().encode()
    assert len(new) <= end - start
    return pdf[:start] + new.ljust(end - start, b"0") + pdf[end:]


def strip_last_signature(pdf: bytes) -> bytes:
    """An update that empties the last signed field again (its /V removed)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader

    name = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1].field_name
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for ref in w.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == name:
            del field["/V"]
            w.update_container(field)
    return _write(w)


def truncate_to_unsigned(pdf: bytes) -> bytes:
    """Cut the file just before its first signature's revision: the signature is gone."""
    import re

    from pyhanko.pdf_utils.reader import PdfFileReader

    rev = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].signed_revision
    ends = [m.end() for m in re.finditer(rb"%%EOF\r?\n?", pdf)]
    return pdf[:ends[rev - 1]]


# --- the tests ------------------------------------------------------------------------------------


def test_team_leader_certifies_and_lays_out_the_office_field(data, leader_signed):
    report = verify_pdf(leader_signed, keys.trust_roots(data))
    assert report.ok, describe(report)
    (sig,) = report.signatures
    assert sig.certified
    fields = signing.signature_fields(leader_signed)
    assert set(fields) == {"TruongDoan", "XacNhanCuaSo"}
    assert fields["TruongDoan"][0] and not fields["XacNhanCuaSo"][0]
    assert fields["XacNhanCuaSo"][1] is not None  # visible: a real box, not a zero-size field
    assert sig.trust_anchor_fingerprint == keys.root_fingerprint(data)
    assert keys.root_fingerprint(data) in describe(report).replace(":", "").lower()


def test_countersigned_stays_valid(data, countersigned, nss, tmp_path):
    report = verify_pdf(countersigned, keys.trust_roots(data))
    assert report.ok, describe(report)
    first, second = report.signatures
    assert first.modification_level == "FORM_FILLING" and first.docmdp_ok
    assert "ô đã dành sẵn" in first.changes_after_signing.vi
    assert pdfsig_calls_valid(pdfsig(nss, countersigned, tmp_path))


def test_untouched_leader_file_is_valid_in_pdfsig(leader_signed, nss, tmp_path):
    assert pdfsig_calls_valid(pdfsig(nss, leader_signed, tmp_path))


def test_certified_file_takes_no_signature_outside_the_laid_out_field(data, countersigned):
    from inspection_app.domain.errors import Locked

    office = keys.load_identity(data, keys.find_identity(data, title="Văn thư"), PASS)
    with pytest.raises(Locked):
        signing.sign_pdf(countersigned, office, field_name=signing.OFFICE_FIELD, box=None,
                         reason="again", location="x")


ATTACKS = {
    "flipped-byte": lambda pdf, s: flip_byte(pdf),
    "page-content": lambda pdf, s: page_content_update(pdf),
    "annotation-overlay": lambda pdf, s: annotation_overlay(pdf),
    "new-signature-field-over-text": new_signature_field_over_text,
    "info-change": lambda pdf, s: info_change(pdf),
    "swapped-certificate": swap_certificate,
    "stripped-signature": lambda pdf, s: strip_last_signature(pdf),
}


@pytest.mark.parametrize("which", ["leader", "countersigned"])
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_attack_is_refused_by_verify_and_pdfsig(data, stranger, leader_signed, countersigned, nss,
                                                tmp_path, attack, which):
    original = leader_signed if which == "leader" else countersigned
    if attack == "stripped-signature" and which == "leader":
        altered = truncate_to_unsigned(original)
    else:
        altered = ATTACKS[attack](original, stranger)
    assert altered != original
    report = verify_pdf(altered, keys.trust_roots(data))
    text = describe(report)
    assert not report.ok, text
    if attack in ("page-content", "annotation-overlay", "new-signature-field-over-text",
                  "info-change"):
        assert "changed after signing" in describe(report, "en"), text
        assert "thay đổi sau khi ký" in text
    assert not pdfsig_calls_valid(pdfsig(nss, altered, tmp_path)), attack


def test_verify_cli_exit_code_on_info_change(data, countersigned, tmp_path):
    """``verify`` exits non-zero and says "changed after signing"."""
    import sys

    path = tmp_path / "changed.pdf"
    path.write_bytes(info_change(countersigned))
    root = tmp_path / "root.pem"
    root.write_bytes(keyfiles.root_cert_path(data).read_bytes())
    out = subprocess.run([sys.executable, "-m", "inspection_app", "--data-dir", str(tmp_path / "d"),
                          "verify", str(path), "--root", str(root)],
                         capture_output=True, text=True, encoding="utf-8")
    assert out.returncode != 0, out.stdout + out.stderr
    assert "thay đổi sau khi ký" in out.stdout


def test_overlay_signed_with_a_trusted_key_is_still_refused_by_verify(data, leader_signed):
    """The issue's case: a new visible signature field painted over the text, made with a key
    this office trusts. ``verify`` refuses it (DocMDP and the strict policy). poppler's pdfsig
    22.x does no DocMDP check and calls this one valid: only ``verify`` can be relied on here."""
    office = keys.load_identity(data, keys.find_identity(data, title="Văn thư"), PASS)
    altered = new_signature_field_over_text(leader_signed, office)
    report = verify_pdf(altered, keys.trust_roots(data))
    assert not report.ok
    assert report.signatures[0].changes_after_signing.en == "The document was changed after signing"


def test_minutes_signed_before_certification_stay_valid_when_countersigned(data):
    """Files signed before DocMDP (no certification, no laid-out office field) are countersigned
    with an invisible field, as before, and stay valid; a visible new field on them is refused."""
    unsigned = render_minutes(specimen_minutes()).pdf
    leader = keys.load_identity(data, keys.find_identity(data, title="Trưởng đoàn"), PASS)
    office = keys.load_identity(data, keys.find_identity(data, title="Văn thư"), PASS)
    old = signing.sign_pdf(unsigned, leader, field_name=signing.TEAM_LEADER_FIELD, box=None,
                           reason="x", location="y", certify=False).pdf
    assert set(signing.signature_fields(old)) == {"TruongDoan"}
    filed = signing.sign_pdf(old, office, field_name=signing.OFFICE_FIELD, box=None,
                             reason="x", location="y").pdf
    assert verify_pdf(filed, keys.trust_roots(data)).ok, describe(verify_pdf(filed, keys.trust_roots(data)))
    assert not verify_pdf(new_signature_field_over_text(old, office), keys.trust_roots(data)).ok
    assert not verify_pdf(annotation_overlay(filed), keys.trust_roots(data)).ok
