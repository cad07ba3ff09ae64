"""PAdES baseline B-B signatures (SHA-256) with pyHanko, with a visible box in our own font.

pyHanko's default text stamp writes the signer's name with a simple font and garbles Vietnamese
("þÿ D i g i t a l l y …"), so the visible box is drawn by reportlab with Liberation Serif into a
one-page PDF the size of the box, and pyHanko places that page as the field's appearance
(``StaticStampStyle.from_pdf_file``).

Every signature is an incremental update: the bytes signed before stay exactly as they were, so
the team leader's signature made on the tablet stays valid when the office adds its own later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from ..domain.errors import UserError
from . import fonts
from .keys import LoadedIdentity, common_name, fingerprint
from .layout import TEAM_LEADER_FIELD, SignatureBox  # noqa: F401  (TEAM_LEADER_FIELD re-exported)

#: Vietnam has had no daylight saving time since 1975; a fixed offset needs no tz database.
VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

OFFICE_FIELD = "XacNhanCuaSo"

BORDER = colors.Color(0.55, 0.05, 0.05)


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


def local_time_text(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%H:%M:%S, %d/%m/%Y")


def appearance_lines(loaded: LoadedIdentity, moment: dt.datetime, reason: str = "") -> list[str]:
    """What the visible box says, in Vietnamese."""
    ident = loaded.identity
    lines = [f"Ký bởi: {ident.name}"]
    who = ", ".join(p for p in (ident.title, ident.organisation) if p)
    if who:
        lines.append(who)
    lines.append(f"Thời gian ký: {local_time_text(moment)}")
    if reason:
        lines.append(f"Lý do: {reason}")
    return lines


def appearance_pdf(lines: Sequence[str], width: float, height: float,
                   heading: str = "ĐÃ KÝ SỐ") -> bytes:
    """A one-page PDF of exactly ``width`` × ``height`` points with the box's artwork."""
    fonts.register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1,
                      initialFontName=fonts.REGULAR)
    c.setStrokeColor(BORDER)
    c.setLineWidth(0.8)
    c.rect(0.8, 0.8, width - 1.6, height - 1.6)
    pad = 4.0
    # shrink the text until everything fits the box
    for size in (9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0):
        leading = size * 1.18
        wrapped = [w for line in lines
                   for w in simpleSplit(line, fonts.REGULAR, size, width - 2 * pad)]
        needed = leading * (len(wrapped) + 1) + 2 * pad
        if needed <= height:
            break
    c.setFillColor(BORDER)
    y = height - pad - size
    c.setFont(fonts.BOLD, size)
    c.drawString(pad, y, heading)
    c.setFillColor(colors.black)
    for line in wrapped:
        y -= leading
        if y < pad - 1:
            break
        c.setFont(fonts.REGULAR, size)
        c.drawString(pad, y, line)
    c.showPage()
    c.save()
    return buf.getvalue()


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


def sign_pdf(pdf: bytes, loaded: LoadedIdentity, *, field_name: str,
             box: SignatureBox | None, reason: str, location: str,
             heading: str = "ĐÃ KÝ SỐ") -> SignedPdf:
    """Append a PAdES B-B signature.

    An empty field called ``field_name`` (the layout leaves one at the team leader's box) is
    filled and keeps its place; otherwise a new field is made, visible in ``box`` when given,
    invisible without one.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    field_name = free_field_name(pdf, field_name)
    existing = signature_fields(pdf).get(field_name)
    if existing is not None:  # an empty field waiting for this signature: use its rectangle
        box = existing[1]
    registry = SimpleCertificateStore()
    registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in loaded.chain])
    signer = signers.SimpleSigner(
        signing_key=translate_pyca_cryptography_key_to_asn1(loaded.key),
        signing_cert=translate_pyca_cryptography_cert_to_asn1(loaded.certificate),
        cert_registry=registry,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location, name=loaded.identity.name,
    )
    moment = dt.datetime.now(dt.timezone.utc)
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="sigbox-") as tmp:
        if box is not None:
            x1, y1, x2, y2 = box.box
            art = Path(tmp) / "appearance.pdf"
            art.write_bytes(appearance_pdf(appearance_lines(loaded, moment, ""), x2 - x1, y2 - y1,
                                           heading))
            style = StaticStampStyle.from_pdf_file(str(art), border_width=0)
            spec = None if existing else fields.SigFieldSpec(field_name, on_page=box.page_index,
                                                             box=box.box)
        else:
            style = None
            spec = None if existing else fields.SigFieldSpec(field_name)
        pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
        try:
            pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=out)
        except Exception as exc:  # pyHanko raises several types; the person needs one message
            logging.getLogger(__name__).exception("signing failed")
            raise UserError(f"Không ký được tài liệu: {exc}", f"Could not sign the document: {exc}") from exc
    cert = loaded.certificate
    return SignedPdf(
        pdf=out.getvalue(), field_name=field_name, signer_name=common_name(cert.subject),
        signer_subject=cert.subject.rfc4514_string(), certificate_fingerprint=fingerprint(cert),
        signed_at=moment,
    )
