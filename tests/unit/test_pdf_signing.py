"""PAdES signing and verification: two signers, tamper cases, trust in pdfsig through NSS."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from pdf_checks import flat, pdffonts, pdftotext, qpdf_check, require_tool, run

from inspection_app.pdf import keys, signing
from inspection_app.pdf.layout import TEAM_LEADER_BOX, render_minutes
from inspection_app.pdf.specimen import specimen_minutes
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
    """Another department's pilot CA: a signer nobody here has configured."""
    other = tmp_path_factory.mktemp("other")
    keys.init_pilot(other, "Sở Nội vụ tỉnh Khác", [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn")], PASS)
    return keys.load_identity(other, keys.find_identity(other), PASS)


@pytest.fixture(scope="module")
def unsigned():
    return render_minutes(specimen_minutes())


@pytest.fixture(scope="module")
def signed_once(data, unsigned):
    leader = keys.load_identity(data, keys.find_identity(data, title="Trưởng đoàn"), PASS)
    return signing.sign_pdf(unsigned.pdf, leader, field_name=signing.TEAM_LEADER_FIELD,
                            box=unsigned.signature_boxes[TEAM_LEADER_BOX],
                            reason="Trưởng đoàn ký biên bản", location="Tây Ninh")


@pytest.fixture(scope="module")
def signed_twice(data, signed_once):
    office = keys.load_identity(data, keys.find_identity(data, title="Văn thư"), PASS)
    return signing.sign_pdf(signed_once.pdf, office, field_name=signing.OFFICE_FIELD, box=None,
                            reason="Sở Nội vụ tiếp nhận", location="Tây Ninh")


def test_signature_is_pades_b_b_sha256(data, signed_once, unsigned):
    pdf = signed_once.pdf
    assert pdf.startswith(unsigned.pdf), "signing must be an incremental update"
    assert b"/ETSI.CAdES.detached" in pdf
    report = verify_pdf(pdf, keys.trust_roots(data))
    assert report.ok, describe(report)
    (sig,) = report.signatures
    assert sig.signer_name == "Nguyễn Thị Ánh Tuyết"
    assert sig.pades and sig.md_algorithm == "sha256"
    assert sig.intact and sig.valid and sig.trusted
    assert sig.coverage == "ENTIRE_FILE"
    assert sig.signing_time is not None
    assert signed_once.signer_name == "Nguyễn Thị Ánh Tuyết"


def test_visible_box_is_drawn_with_our_font(signed_once, unsigned, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_once.pdf)
    box = unsigned.signature_boxes[TEAM_LEADER_BOX]
    # the stamp text is extractable and correct Vietnamese (pyHanko's default would garble it)
    page_text = flat(pdftotext(path, first=box.page_index + 1, last=box.page_index + 1))
    assert "Nguyễn Thị Ánh Tuyết - Trưởng đoàn" in page_text
    assert "Sở Nội vụ tỉnh Tây Ninh" in page_text
    # the time in ISO 8601 with the Vietnamese offset (Decree 30, Phụ lục I, II.7.d)
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", page_text)
    assert "þÿ" not in page_text
    for f in pdffonts(path):
        assert f["emb"] == "yes" and "LiberationSerif" in f["name"], f
    result = qpdf_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    # the annotation sits exactly on the reserved rectangle
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(signed_once.pdf)).pages[box.page_index]
    rects = [[float(v) for v in a.get_object()["/Rect"]] for a in page.get("/Annots", [])
             if a.get_object().get("/FT") == "/Sig"]
    assert rects and all(abs(a - b) < 0.05 for a, b in zip(rects[0], box.box))


def test_second_signature_keeps_the_first_valid(data, signed_twice, signed_once):
    assert signed_twice.pdf.startswith(signed_once.pdf)
    report = verify_pdf(signed_twice.pdf, keys.trust_roots(data))
    assert report.ok, describe(report)
    first, second = report.signatures
    assert first.field_name == "TruongDoan" and second.field_name == "XacNhanCuaSo"
    assert first.coverage == "ENTIRE_REVISION" and first.modification_level == "FORM_FILLING"
    assert first.docmdp_ok is True
    assert second.coverage == "ENTIRE_FILE" and second.signer_name == "Văn phòng Sở Nội vụ"
    assert "ô đã dành sẵn" in first.changes_after_signing.vi


def test_certified_file_refuses_a_second_countersignature(data, signed_twice):
    from inspection_app.domain.errors import Locked

    office = keys.load_identity(data, keys.find_identity(data, title="Văn thư"), PASS)
    with pytest.raises(Locked):
        signing.sign_pdf(signed_twice.pdf, office, field_name=signing.OFFICE_FIELD, box=None,
                         reason="Ký lại", location="Tây Ninh")


def test_flipped_byte_is_detected(data, signed_twice):
    pdf = bytearray(signed_twice.pdf)
    # flip one byte inside the first page's content stream (covered by both signatures)
    i = pdf.index(b"stream", 2000) + 60
    pdf[i] ^= 0x01
    report = verify_pdf(bytes(pdf), keys.trust_roots(data))
    assert not report.ok
    assert any(not s.intact for s in report.signatures)
    assert any("sai mã băm" in p.vi for p in report.all_problems())


def _append_page(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    content = w.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 700 Td (added) Tj ET"))
    page = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject(
            [generic.NumberObject(0), generic.NumberObject(0), generic.NumberObject(595),
             generic.NumberObject(842)]),
        generic.NameObject("/Contents"): content,
        generic.NameObject("/Resources"): generic.DictionaryObject(),
    })
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _paint_over_page(pdf: bytes) -> bytes:
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
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.mark.parametrize("tamper", [_append_page, _paint_over_page], ids=["page-added", "page-painted"])
def test_changes_after_signing_are_detected(data, signed_twice, tamper):
    changed = tamper(signed_twice.pdf)
    assert changed.startswith(signed_twice.pdf)  # the signed bytes themselves are untouched
    report = verify_pdf(changed, keys.trust_roots(data))
    assert not report.ok
    for sig in report.signatures:
        assert sig.intact  # the bytes each signature covers are intact ...
        assert not sig.ok  # ... but the document changed after signing
        assert sig.changes_after_signing.en == "The document was changed after signing"


def test_unknown_signer_is_detected(data, stranger, unsigned):
    pdf = signing.sign_pdf(unsigned.pdf, stranger, field_name="TruongDoan",
                           box=unsigned.signature_boxes[TEAM_LEADER_BOX], reason="x",
                           location="y").pdf
    report = verify_pdf(pdf, keys.trust_roots(data))
    assert not report.ok
    (sig,) = report.signatures
    assert sig.intact and sig.valid and not sig.trusted
    assert any("không được tin cậy" in p.vi for p in sig.problems)
    # with no roots at all even our own signature is not trusted
    assert not verify_pdf(pdf, []).ok


def test_unsigned_or_broken_files_fail(unsigned, tmp_path):
    assert not verify_pdf(unsigned.pdf, []).ok
    assert "không có chữ ký số" in verify_pdf(unsigned.pdf, []).problems[0].vi
    assert not verify_pdf(b"not a pdf at all", []).ok
    assert not verify_pdf(tmp_path / "missing.pdf", []).ok


def test_pdfsig_trusts_the_department_root_through_nss(data, signed_twice, tmp_path):
    require_tool("certutil")
    require_tool("pdfsig")
    nss = tmp_path / "nss"
    nss.mkdir()
    root_der = tmp_path / "root.der"
    root_der.write_bytes(keys.root_der(data))
    run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    run("certutil", "-A", "-d", f"sql:{nss}", "-n", "so-noi-vu-root", "-t", ",C,", "-i", root_der)
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(signed_twice.pdf)
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True,
                         text=True, encoding="utf-8").stdout
    assert out.count("Signature is Valid.") == 2, out
    assert out.count("Certificate is Trusted.") == 2, out
    assert "Nguyễn Thị Ánh Tuyết" in out
    assert "ETSI.CAdES.detached" in out
    # and a flipped byte shows up in pdfsig too
    broken = bytearray(signed_twice.pdf)
    broken[broken.index(b"stream", 2000) + 60] ^= 0x01
    pdf.write_bytes(bytes(broken))
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True,
                         text=True, encoding="utf-8").stdout
    assert "Digest Mismatch." in out


def test_appearance_fits_long_names():
    from inspection_app.pdf import stamp

    lines = ["Tôn Nữ Thị " * 6 + "- Trưởng đoàn", "Sở Nội vụ tỉnh Thừa Thiên Huế",
             "2026-07-14T10:00:00+07:00"]
    art = stamp.signer_appearance(None, lines, 175, 62)
    assert art.startswith(b"%PDF") and len(art) < 60_000


def test_root_certificate_is_exportable(data):
    der = keys.root_der(data)
    from cryptography import x509

    root = x509.load_der_x509_certificate(der)
    assert root.public_bytes(serialization.Encoding.DER) == der


def test_layout_leaves_an_empty_field_that_signing_fills(data, unsigned):
    fields = signing.signature_fields(unsigned.pdf)
    assert fields == {"TruongDoan": (False, unsigned.signature_boxes[TEAM_LEADER_BOX])}
    leader = keys.load_identity(data, keys.find_identity(data, title="Trưởng đoàn"), PASS)
    # no box given: the stored file alone says where the signature goes
    signed = signing.sign_pdf(unsigned.pdf, leader, field_name="TruongDoan", box=None,
                              reason="x", location="y")
    after = signing.signature_fields(signed.pdf)
    assert list(after) == ["TruongDoan", "XacNhanCuaSo"] and after["TruongDoan"][0] is True
    assert after["XacNhanCuaSo"][0] is False  # laid out for the office, empty
    assert after["TruongDoan"][1] == unsigned.signature_boxes[TEAM_LEADER_BOX]
    assert verify_pdf(signed.pdf, keys.trust_roots(data)).ok


def test_flipped_byte_report_says_the_content_was_altered(data, signed_once):
    pdf = bytearray(signed_once.pdf)
    pdf[pdf.index(b"stream", 2000) + 60] ^= 0x01
    (sig,) = verify_pdf(bytes(pdf), keys.trust_roots(data)).signatures
    assert sig.changes_after_signing.en == "The signed content itself was altered"
