"""PAdES baseline B-B signatures (SHA-256) with pyHanko: certification, countersignature, tokens.

The team leader's signature is a *certification* signature (ISO 32000-1 §12.8.2.2, DocMDP with
permission level 2, pyHanko ``MDPPerm.FILL_FORMS``): the only change it allows afterwards is
filling the office's signature field, which is laid out, empty, in the same revision. Any other
later change (page content, annotations, new fields, metadata) breaks it, in pyHanko and in any
reader that honours DocMDP; ``pdf.verify`` checks it strictly either way.

The visible signatures are drawn by ``pdf.stamp`` (the signer's drawn strokes in blue, the seal in
red, times in ISO 8601 with +07:00; Decree 30/2020/NĐ-CP, Phụ lục I, II.7.d and II.8) into a
one-page PDF the size of the box, placed by pyHanko as the field's appearance
(``StaticStampStyle.from_pdf_file``); pyHanko's own stamp garbles Vietnamese.

The key is anything with a ``pyhanko_signer()``: a ``.p12`` identity (``keys.LoadedIdentity``) or
a PKCS#11 token (``pdf.token.TokenIdentity``).

Every signature is an incremental update: the bytes signed before stay exactly as they were, so
the team leader's signature made on the tablet stays valid when the office adds its own later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509

from ..domain.errors import Locked, UserError
from . import stamp
from .keys import Identity, common_name, fingerprint
from .layout import TEAM_LEADER_FIELD, SignatureBox  # noqa: F401  (TEAM_LEADER_FIELD re-exported)
from .stamp import VN_TZ, DrawnSignature  # noqa: F401  (re-exported)

OFFICE_FIELD = "XacNhanCuaSo"
A4_WIDTH = 595.28


class SigningKey(Protocol):
    """What ``sign_pdf`` needs of a key: who it is, the certificate, a pyHanko signer."""

    identity: Identity
    certificate: x509.Certificate
    seal: bytes | None

    def pyhanko_signer(self) -> Any: ...


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    field_name: str
    signer_name: str
    signer_subject: str
    certificate_fingerprint: str
    signed_at: dt.datetime  # UTC

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def signature_fields(pdf: bytes) -> dict[str, tuple[bool, SignatureBox | None]]:
    """Signature fields of a PDF: name -> (already signed, where its widget is)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    pages = {}
    for index in range(int(reader.root["/Pages"]["/Count"])):
        ref = reader.find_page_for_modification(index)[0]
        pages[(ref.idnum, ref.generation)] = index
    out: dict[str, tuple[bool, SignatureBox | None]] = {}
    for name, value, ref in enumerate_sig_fields(reader, filled_status=None):
        field = ref.get_object()
        widget = field if "/Rect" in field else (field.get("/Kids") or [None])[0]
        box = None
        if widget is not None:
            widget = widget.get_object()
            rect = [float(v) for v in widget.get("/Rect", [0, 0, 0, 0])]
            page_ref = widget.raw_get("/P") if "/P" in widget else None
            page = pages.get((page_ref.idnum, page_ref.generation)) if page_ref is not None else None
            if page is not None and rect[2] - rect[0] > 1 and rect[3] - rect[1] > 1:
                box = SignatureBox(page, (rect[0], rect[1], rect[2], rect[3]))
        out[name] = (value is not None, box)
    return out


def free_field_name(pdf: bytes, base: str) -> str:
    """``base`` if it is free or an empty field; otherwise base2, base3 …"""
    fields = signature_fields(pdf)
    name, n = base, 2
    while name in fields and fields[name][0]:
        name, n = f"{base}{n}", n + 1
    return name




def _is_certified(pdf: bytes) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    perms = reader.root.get("/Perms")
    return perms is not None and "/DocMDP" in perms.get_object()


def sign_pdf(pdf: bytes, loaded: SigningKey, *, field_name: str,
             box: SignatureBox | None, reason: str, location: str,
             drawn: DrawnSignature | None = None, certify: bool | None = None) -> SignedPdf:
    """Append a PAdES B-B signature.

    An empty field called ``field_name`` (the layout leaves one at the team leader's box, the
    leader's signature leaves one for the office) is filled and keeps its place; otherwise a new
    field is made, visible in ``box`` when given, invisible without one.

    ``certify`` (default: when signing the team leader's field of an unsigned file) makes it a
    certification signature (DocMDP, fill forms only) and lays out the office's empty field in the
    same revision, over the left third of the leader's box. A certified file takes no new field:
    signing one anywhere but an empty laid-out field raises ``Locked``.

    ``drawn``: the signer's pad strokes, drawn in blue as the signature image. The office's field
    shows the key's ``seal`` image (red, at real size) when it has one.
    """
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    all_fields = signature_fields(pdf)
    existing = all_fields.get(field_name)
    if existing is not None and existing[0]:
        field_name = free_field_name(pdf, field_name)
        existing = all_fields.get(field_name)
    certified = _is_certified(pdf)
    if certified and existing is None:
        raise Locked(
            "Tài liệu đã được chứng thực khi Trưởng đoàn ký: không thể thêm chữ ký mới ngoài ô đã dành sẵn (ô này đã được ký).")
    if existing is not None:  # an empty field waiting for this signature: use its rectangle
        box = existing[1]
    if certify is None:
        certify = field_name == TEAM_LEADER_FIELD and not any(v[0] for v in all_fields.values())
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location, name=loaded.identity.name,
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    moment = dt.datetime.now(dt.UTC)
    ident = loaded.identity
    out = io.BytesIO()
    writer = signature_only_writer(io.BytesIO(pdf))
    if certify and box is not None and OFFICE_FIELD not in all_fields:
        writer_box = stamp.office_box(box.box, _page_width(pdf, box.page_index))
        fields.append_signature_field(
            writer, fields.SigFieldSpec(OFFICE_FIELD, on_page=box.page_index, box=writer_box))  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="sigbox-") as tmp:
        if box is not None:
            x1, y1, x2, y2 = box.box
            art = Path(tmp) / "appearance.pdf"
            if field_name.startswith(OFFICE_FIELD):
                org = ident.organisation if ident.organisation not in ident.name else ""
                lines = stamp.signer_lines(ident.name, "", org, moment)
                art.write_bytes(stamp.seal_appearance(loaded.seal, lines, x2 - x1, y2 - y1))
            else:
                lines = stamp.signer_lines(ident.name, ident.title, ident.organisation, moment)
                art.write_bytes(stamp.signer_appearance(drawn, lines, x2 - x1, y2 - y1))
            style = StaticStampStyle.from_pdf_file(str(art), border_width=0)
            spec = None if existing else fields.SigFieldSpec(field_name, on_page=box.page_index,
                                                             box=box.box)  # type: ignore[arg-type]
        else:
            style = None
            spec = None if existing else fields.SigFieldSpec(field_name)
        try:
            signer = loaded.pyhanko_signer()
            pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
            pdf_signer.sign_pdf(writer, output=out)
        except Exception as exc:  # pyHanko raises several types; the person needs one message
            logging.getLogger(__name__).exception("signing failed")
            raise UserError("Không ký được tài liệu: {exc}", exc=exc) from exc
        finally:
            close = getattr(loaded, "close", None)  # a token session ends with its signature
            if close is not None:
                close()
    cert = loaded.certificate
    return SignedPdf(
        pdf=out.getvalue(), field_name=field_name, signer_name=common_name(cert.subject),
        signer_subject=cert.subject.rfc4514_string(), certificate_fingerprint=fingerprint(cert),
        signed_at=moment,
    )


def signature_only_writer(stream: io.BytesIO):  # noqa: ANN201
    """An incremental writer that leaves /Info and the XMP metadata as they are: a signature
    revision holds the signature (and, for the certification, the office's empty field) and
    nothing else; ``pdf.verify`` is strict about it. pyHanko is imported here, not at module
    load, to keep the app's start-up light."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class SignatureOnlyWriter(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:  # pyHanko would stamp /ModDate and the XMP date
            return None

    return SignatureOnlyWriter(stream, strict=False)


def _page_width(pdf: bytes, page_index: int) -> float:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        page = reader.find_page_for_modification(page_index)[0].get_object()
        return float(page["/MediaBox"][2])
    except Exception:  # a page without its own MediaBox: the minutes are A4
        return A4_WIDTH
