"""Draw :class:`~inspection_app.domain.minutes.MinutesContent` as an A4 PDF (Decree 30/2020).

The minutes are assembled here from their parts: page furniture (``pdf.page``), the body
(``pdf.minutes_body``), the signature blocks (``pdf.signature_block``) and the annexes
(``pdf.annexes``). :func:`render_minutes` returns the PDF bytes, the page count and where the
visible digital signature goes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.platypus import Flowable

from inspection_app.domain.errors import Phrase
from inspection_app.locale import N_p, both

from ..domain.errors import UserError
from ..domain.minutes import MinutesContent, format_minutes_number, roman
from ..domain.minutes_digest import normalized
from . import fonts
from .annexes import (  # noqa: F401  (re-exported)
    PHOTO_MAX_EDGE,
    _annex_heading,
    _items_annex,
    _photo_annex,
    _roll_call_annex,
    _sample_annex,
    _verification_annex,
)
from .minutes_body import _body
from .page import (  # noqa: F401  (re-exported: pdf.report draws its pages with these)
    BODY_SIZE,
    FRAME_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    TABLE_SIZE,
    _Doc,
    _grid,
    _Header,
    _Rule,
    _Styles,
    _styles,
    _x,
    write_atomic,
)
from .signature_block import (  # noqa: F401  (re-exported)
    DIGITAL_BOX_HEIGHT,
    DIGITAL_BOX_WIDTH,
    SIGNATURE_FIELDS,
    TEAM_LEADER_BOX,
    TEAM_LEADER_FIELD,
    SignatureBox,
)


@dataclass(frozen=True)
class RenderedMinutes:
    pdf: bytes
    page_count: int
    signature_boxes: dict[str, SignatureBox]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()



def annex_plan(content: MinutesContent) -> list[tuple[str, str]]:
    """The annexes this content needs, in order: (key, title)."""
    plan = []
    if content.sections:
        plan.append(("items", "KẾT QUẢ KIỂM TRA CHI TIẾT THEO TỪNG NỘI DUNG"))
    if content.roll_call is not None:
        plan.append(("roll_call", "DANH SÁCH ĐIỂM DANH"))
    if content.sample is not None:
        plan.append(("sample", "DANH SÁCH HỒ SƠ THỦ TỤC HÀNH CHÍNH ĐƯỢC CHỌN KIỂM TRA"))
        plan.append(("verification", "THÔNG TIN ĐỂ KIỂM CHỨNG VIỆC CHỌN HỒ SƠ"))
    if content.photos:
        plan.append(("photos", "HÌNH ẢNH"))
    return plan


#: where a field's text appears in the minutes, to name it in a refusal
_FIELD_PLACES = {
    "assessment": both("III. Đánh giá chung"),
    "unit_opinion": both(N_p("pdf.layout", "V. Ý kiến của đơn vị được kiểm tra")),
    "remedies": both("IV. Yêu cầu khắc phục"),
    "sections": both("Nội dung kiểm tra và ghi chú"),
    "other_findings": both("Các phát hiện khác"),
    "roll_call": both("Danh sách điểm danh"),
    "sample": both(N_p("pdf.layout", "Hồ sơ thủ tục hành chính")),
    "photos": both("Chú thích ảnh"),
    "team": both("Thành phần Đoàn"),
    "unit_representatives": both(N_p("pdf.layout", "Đại diện đơn vị")),
    "signatures": both("Chữ ký, từ chối ký"),
}


def unprintable(content: MinutesContent) -> list[tuple[str, str, list[str]]]:
    """Characters no shipped font can draw, per place: [(place vi, place en, characters)]."""
    found: dict[str, list[str]] = {}

    def walk(value, top: str) -> None:  # noqa: ANN001
        if isinstance(value, str):
            for ch in fonts.missing_glyphs(value):
                if ch not in found.setdefault(top, []):
                    found[top].append(ch)
        elif isinstance(value, tuple | list):
            for v in value:
                walk(v, top)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if f.name not in ("path", "sha256", "strokes"):
                    walk(getattr(value, f.name), top)

    for f in dataclasses.fields(content):
        walk(getattr(content, f.name), f.name)
    out = []
    for key, chars in found.items():
        if chars:
            vi, en = _FIELD_PLACES.get(key, both("Phần đầu biên bản"))
            out.append((vi, en, chars))
    return out


def check_printable(content: MinutesContent) -> None:
    """Refuse, before any layout, content with characters that would print blank (issue #11.8).

    Raises UserError naming each character (and its code point) and the part of the minutes it is in.
    """
    problems = unprintable(content)
    if not problems:
        return

    def chars(cs: list[str]) -> str:
        return ", ".join(f"“{c}” (U+{ord(c):04X})" for c in cs)

    raise UserError(
        "Biên bản có ký tự không in được bằng phông chữ của ứng dụng, sẽ bị để trống: {value}. Hãy thay các ký tự này bằng chữ (ví dụ “cấm hút thuốc” thay cho biểu tượng) rồi xuất lại.", value=Phrase("; ".join(f"{vi}: {chars(cs)}" for vi, _, cs in problems), "; ".join(f"{en}: {chars(cs)}" for _, en, cs in problems)))


def render_minutes(content: MinutesContent, *, signature_fields: bool = True) -> RenderedMinutes:
    """Lay out the minutes; return the PDF bytes, the page count and the signature boxes.

    With ``signature_fields`` the reserved boxes become empty signature fields in the PDF, so a
    stored file can be signed later (on this tablet or in any PDF reader) without knowing the
    layout that made it.
    """
    content = normalized(content)
    check_printable(content)
    st = _styles()
    plan = annex_plan(content)
    annex_of = {key: f"Phụ lục {roman(i)}" for i, (key, _) in enumerate(plan, 1)}
    sink: dict[str, SignatureBox] = {}
    story = _body(content, st, annex_of, sink)
    with tempfile.TemporaryDirectory(prefix="bien-ban-") as scratch:  # smaller photo copies, as files
        builders: dict[str, Callable[[MinutesContent, _Styles], list[Flowable]]] = {
            "items": _items_annex, "roll_call": _roll_call_annex, "sample": _sample_annex,
            "photos": lambda c, s: _photo_annex(c, s, scratch), "verification": _verification_annex,
        }
        for i, (key, title) in enumerate(plan, 1):
            story += _annex_heading(i, title, content, st)
            story += builders[key](content, st)
        return _build(content, story, sink, signature_fields)


def _build(content: MinutesContent, story: list[Flowable], sink: dict[str, SignatureBox],
           signature_fields: bool) -> RenderedMinutes:

    number = format_minutes_number(content.number, content.department.minutes_code)
    buf = io.BytesIO()
    doc = _Doc(
        buf,
        title=f"Biên bản {number}",
        author=content.department.issuing_body,
        subject=content.summary,
        creator="inspection-app",
        producer="inspection-app (reportlab)",
        lang="vi-VN",
        invariant=bool(os.environ.get("INSPECTION_APP_INVARIANT_PDF")),
        initialFontName=fonts.REGULAR,  # else reportlab references an unembedded Helvetica
        initialFontSize=BODY_SIZE,
    )
    doc.build(story)
    pdf = buf.getvalue()
    if signature_fields and sink:
        pdf = add_signature_fields(pdf, {SIGNATURE_FIELDS[k]: v for k, v in sink.items()
                                         if k in SIGNATURE_FIELDS})
    return RenderedMinutes(pdf=pdf, page_count=doc.page, signature_boxes=dict(sink))


def add_signature_fields(pdf: bytes, fields: dict[str, SignatureBox]) -> bytes:
    """Append empty signature fields (an incremental update; nothing drawn)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name, box in fields.items():
        append_signature_field(writer, SigFieldSpec(name, on_page=box.page_index, box=box.box))  # type: ignore[arg-type]  # floats are fine
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_minutes(content: MinutesContent, path: Path) -> RenderedMinutes:
    """Render and write atomically (a temporary file renamed into place)."""
    rendered = render_minutes(content)
    write_atomic(path, rendered.pdf, *both("biên bản"))
    return rendered



__all__ = [
    "DIGITAL_BOX_HEIGHT", "DIGITAL_BOX_WIDTH", "MARGIN_BOTTOM", "MARGIN_LEFT", "MARGIN_RIGHT",
    "MARGIN_TOP", "RenderedMinutes", "SignatureBox", "TEAM_LEADER_BOX", "TEAM_LEADER_FIELD",
    "add_signature_fields",
    "annex_plan", "render_minutes", "write_atomic", "write_minutes",
]
