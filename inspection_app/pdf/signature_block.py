"""The signature blocks of the minutes: drawn (pad) signatures, refusals, and the empty rectangle
left for the team leader's visible digital signature.

The blocks are small flowables of our own rather than tables, because their positions matter: the
team leader's block leaves an empty rectangle where pyHanko later places the visible digital
signature, and the layout returns that rectangle (page index and box in PDF points).

Handwritten signatures are drawn as vector paths from the pad strokes, never as images: they stay
sharp, weigh a few hundred bytes, and cannot be lifted as a picture.

Signer block (Decree 30/2020, Phụ lục I, II.7.c): a team using the Department's seal prints the team
title and, under it, the signer's post in the Department ("TRƯỞNG ĐOÀN" / "PHÓ GIÁM ĐỐC SỞ NỘI VỤ").
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..domain.minutes import MinutesContent, SignatureMark, SignerRole, refusal_text
from . import fonts
from .page import _FONT_ALL, FRAME_WIDTH, _lines, _Styles, _x
from .strokes import draw_strokes

#: the visible digital signature of the team leader, in PDF points
DIGITAL_BOX_WIDTH = 62 * mm
DIGITAL_BOX_HEIGHT = 22 * mm
#: the area for the drawn (pad) signature in each signature block
DRAWN_AREA_HEIGHT = 20 * mm

INK = colors.Color(0.05, 0.12, 0.45)  # signatures in blue-black ink, as on paper

TEAM_LEADER_BOX = "team_leader"
#: the empty signature field left at the team leader's box, filled later by ``signing.sign_pdf``
TEAM_LEADER_FIELD = "TruongDoan"
SIGNATURE_FIELDS = {TEAM_LEADER_BOX: TEAM_LEADER_FIELD}


@dataclass(frozen=True)
class SignatureBox:
    """Where a visible signature goes: 0-based page index and (x1, y1, x2, y2) in points."""

    page_index: int
    box: tuple[float, float, float, float]



# --- signatures ----------------------------------------------------------------------------------


class _DrawnSignature(Flowable):
    """The pad strokes as vector paths, fitted into the area, or a refusal and its reason."""

    def __init__(self, mark: SignatureMark | None, width: float, height: float = DRAWN_AREA_HEIGHT):
        super().__init__()
        self.mark = mark
        self.width = width
        self.height = height

    def wrap(self, avail_width, avail_height):  # noqa: ANN001
        return self.width, self.height

    def draw(self) -> None:
        mark = self.mark
        if mark is None:
            return
        c = self.canv
        if mark.refused:
            c.setFont(fonts.ITALIC, 11.5)
            lines = _lines(refusal_text(mark.refusal_reason), fonts.ITALIC, 11.5, self.width - 4)
            if len(lines) > 4:  # never cut the reason: it is printed whole in section V and the closing
                lines = _lines("(Từ chối ký; lý do ghi tại mục V.)", fonts.ITALIC, 11.5, self.width - 4)
            y = self.height / 2 + (len(lines) - 1) * 7 - 4
            for line in lines:
                c.drawCentredString(self.width / 2, y, line)
                y -= 14
            return
        if not mark.has_drawing:
            return
        # keep the aspect ratio; never enlarge beyond 1.6x the pad's own scale (a dot stays a dot)
        draw_strokes(self.canv, mark.strokes, mark.pad_width, mark.pad_height, 0, 0, self.width, self.height,
                     color=INK, margin=2.0, max_enlarge=1.6)


class _DigitalSignatureSlot(Flowable):
    """An empty rectangle reserved for the visible digital signature; records where it lands."""

    def __init__(self, name: str, sink: dict[str, SignatureBox], width: float, height: float):
        super().__init__()
        self.name = name
        self.sink = sink
        self.width = width
        self.height = height

    def wrap(self, avail_width, avail_height):  # noqa: ANN001
        return self.width, self.height

    def draw(self) -> None:
        x1, y1 = self.canv.absolutePosition(0, 0)
        x2, y2 = self.canv.absolutePosition(self.width, self.height)
        self.sink[self.name] = SignatureBox(
            page_index=self.canv.getPageNumber() - 1,
            box=(round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2)),
        )


class _Centred(Flowable):
    """Centre a fixed-size flowable in a wider column (and in a taller box, if ``height``)."""

    def __init__(self, inner: Flowable, width: float, height: float | None = None):
        super().__init__()
        self.inner = inner
        self.width = width
        self.box_height = height

    def wrap(self, avail_width, avail_height):  # noqa: ANN001
        w, h = self.inner.wrap(self.width, avail_height)
        self.inner_w, self.inner_h = w, h
        self.height = max(h, self.box_height or 0)
        return self.width, self.height

    def draw(self) -> None:
        self.inner.drawOn(self.canv, (self.width - self.inner_w) / 2,
                          (self.height - self.inner_h) / 2)


def _signature_column(mark: SignatureMark | None, role: SignerRole, st: _Styles, width: float,
                      slot: Flowable | None) -> list[Flowable]:
    heading = mark.heading if mark else role.title
    cells: list[Flowable] = [Paragraph(_x(heading), st.centred_bold)]
    if mark is not None and mark.post.strip():  # the post in the Department under the team title
        cells.append(Paragraph(_x(mark.post.strip().upper()), st.centred_bold))
    cells += [
        Paragraph("(Ký, ghi rõ họ tên)", ParagraphStyle("hint", parent=st.centred_italic,
                                                         fontSize=12, leading=14)),
        _DrawnSignature(mark, width - 6 * mm),
    ]
    cells.append(slot if slot is not None else Spacer(width, DIGITAL_BOX_HEIGHT))
    return cells


def _name(mark: SignatureMark | None, st: _Styles) -> Paragraph:
    return Paragraph(_x(mark.name) if mark else "", st.centred_bold)


def _signature_blocks(content: MinutesContent, st: _Styles, sink: dict[str, SignatureBox]
                      ) -> list[Flowable]:
    half = FRAME_WIDTH / 2
    slot = _Centred(
        _DigitalSignatureSlot(TEAM_LEADER_BOX, sink, DIGITAL_BOX_WIDTH, DIGITAL_BOX_HEIGHT), half)
    unit = content.signature(SignerRole.UNIT_REPRESENTATIVE)
    leader = content.signature(SignerRole.TEAM_LEADER)
    left = _signature_column(unit, SignerRole.UNIT_REPRESENTATIVE, st, half, None)
    right = _signature_column(leader, SignerRole.TEAM_LEADER, st, half, slot)
    # the names share a row, so they stay on one line whatever stands above them
    table = Table([[left, right], [_name(unit, st), _name(leader, st)]], colWidths=[half, half])
    table.setStyle(TableStyle([
        _FONT_ALL,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    out: list[Flowable] = [Spacer(1, 8), table]
    secretary = content.signature(SignerRole.SECRETARY)
    if secretary is not None:
        col = _signature_column(secretary, SignerRole.SECRETARY, st, half, None)
        col = [c for c in col if not isinstance(c, Spacer)] + [_name(secretary, st)]
        inner = Table([[col]], colWidths=[half])
        inner.setStyle(TableStyle([_FONT_ALL, ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        out += [Spacer(1, 10), inner]
    return out

