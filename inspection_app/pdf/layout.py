"""Draw :class:`~inspection_app.domain.minutes.MinutesContent` as an A4 PDF (Decree 30/2020).

Geometry follows Appendix I of Decree 30/2020/NĐ-CP: A4 portrait, margins top/bottom 20 mm,
left 30 mm, right 15 mm; the agency block and the document number top left, the national title
and motto top right, each name centred in its column with a solid rule under the issuing body
(half its width) and under the motto (its full width); page numbers centred in the top margin
from page 2 on. Body text is 13 pt with 6 pt between paragraphs and a 1 cm first-line indent.

The header and the signature blocks are drawn by small flowables of our own rather than tables,
because their positions matter: the two header columns share baselines, and the team leader's
block leaves an empty rectangle where pyHanko later places the visible digital signature. The
layout returns that rectangle (page index and box in PDF points) with the PDF bytes.

Handwritten signatures are drawn as vector paths from the pad strokes, never as images: they stay
sharp, weigh a few hundred bytes, and cannot be lifted as a picture.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..domain.errors import storage_error
from ..domain.minutes import (
    ChecklistSection,
    MinutesContent,
    PhotoEntry,
    SignatureMark,
    SignerRole,
    format_minutes_number,
    normalized,
    refusal_text,
    remedy_sentence,
    roll_call_summary,
    roman,
    section_summary,
    short_date,
)
from . import fonts

rl_config.useA85 = 0  # ASCII85 adds a quarter to every stream for nothing

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

BODY_SIZE = 13
BODY_LEADING = 16  # about 1.2 lines: "single to 1.5 line spacing"
PARAGRAPH_SPACE = 6
HEADER_SIZE = 12.5  # agency names and national title: 12–13 pt
MOTTO_SIZE = 13
TABLE_SIZE = 10.5

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


@dataclass(frozen=True)
class RenderedMinutes:
    pdf: bytes
    page_count: int
    signature_boxes: dict[str, SignatureBox]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


# --- styles -----------------------------------------------------------------------------------


@dataclass
class _Styles:
    body: ParagraphStyle
    plain: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    title: ParagraphStyle
    summary: ParagraphStyle
    note: ParagraphStyle
    centred: ParagraphStyle
    centred_bold: ParagraphStyle
    centred_italic: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_small: ParagraphStyle
    caption: ParagraphStyle


def _styles() -> _Styles:
    fonts.register_fonts()
    body = ParagraphStyle(
        "body", fontName=fonts.REGULAR, fontSize=BODY_SIZE, leading=BODY_LEADING,
        alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceBefore=PARAGRAPH_SPACE, spaceAfter=0,
    )
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=fonts.REGULAR, fontSize=TABLE_SIZE,
                          leading=TABLE_SIZE * 1.2, alignment=TA_LEFT)
    return _Styles(
        body=body,
        plain=plain,
        heading=ParagraphStyle("heading", parent=plain, fontName=fonts.BOLD, spaceBefore=10,
                               keepWithNext=1, alignment=TA_LEFT),
        subheading=ParagraphStyle("subheading", parent=plain, fontName=fonts.BOLD,
                                  keepWithNext=1, alignment=TA_LEFT, firstLineIndent=10 * mm),
        title=ParagraphStyle("title", parent=plain, fontName=fonts.BOLD, fontSize=14, leading=17,
                             alignment=TA_CENTER, spaceBefore=0),
        summary=ParagraphStyle("summary", parent=plain, fontName=fonts.BOLD, fontSize=14,
                               leading=17, alignment=TA_CENTER, spaceBefore=0),
        note=ParagraphStyle("note", parent=plain, fontName=fonts.ITALIC, alignment=TA_CENTER),
        centred=ParagraphStyle("centred", parent=plain, alignment=TA_CENTER, spaceBefore=0),
        centred_bold=ParagraphStyle("centred_bold", parent=plain, fontName=fonts.BOLD,
                                    alignment=TA_CENTER, spaceBefore=0),
        centred_italic=ParagraphStyle("centred_italic", parent=plain, fontName=fonts.ITALIC,
                                      alignment=TA_CENTER, spaceBefore=0),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=fonts.BOLD,
                                 alignment=TA_CENTER),
        cell_small=ParagraphStyle("cell_small", parent=cell, fontSize=9.5, leading=11.4),
        caption=ParagraphStyle("caption", parent=cell, fontSize=11, leading=13.2,
                               alignment=TA_CENTER),
    )


#: every table names our font, or reportlab emits its default (unembedded) Helvetica
_FONT_ALL = ("FONT", (0, 0), (-1, -1), fonts.REGULAR, TABLE_SIZE)


def _x(text: str) -> str:
    """Escape user text for reportlab's paragraph markup; keep line breaks."""
    return escape(text).replace("\n", "<br/>")


# --- the header (agency block | national title) ------------------------------------------------


class _Header(Flowable):
    """Decree 30 header: two columns whose lines share baselines, with the rules under the
    issuing body and under the motto."""

    MOTTO = "Độc lập - Tự do - Hạnh phúc"
    NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"

    def __init__(self, parent_body: str, issuing_body: str, number: str, date_line: str):
        super().__init__()
        self.parent_body = parent_body
        self.issuing_body = issuing_body
        self.number = number
        self.date_line = date_line
        right_need = max(
            stringWidth(self.NATION, fonts.BOLD, HEADER_SIZE),
            stringWidth(self.MOTTO, fonts.BOLD, MOTTO_SIZE),
            stringWidth(date_line, fonts.ITALIC, BODY_SIZE),
        ) + 4 * mm
        self.right_width = min(max(right_need, 0.58 * FRAME_WIDTH), FRAME_WIDTH - 55 * mm)
        self.left_width = FRAME_WIDTH - self.right_width
        wrap_at = self.left_width - 2 * mm
        self.left_regular = _lines(parent_body, fonts.REGULAR, HEADER_SIZE, wrap_at)
        self.left_bold = _lines(issuing_body, fonts.BOLD, HEADER_SIZE, wrap_at)
        self.step = HEADER_SIZE * 1.2
        rows_left = len(self.left_regular) + len(self.left_bold)
        self.rows = max(rows_left, 2)
        self.height = self.step * self.rows + 6 + 8 + BODY_SIZE * 1.2 + 2

    def wrap(self, avail_width, avail_height):  # noqa: ANN001
        return FRAME_WIDTH, self.height

    def draw(self) -> None:
        c = self.canv
        top = self.height - HEADER_SIZE  # first baseline
        lc = self.left_width / 2
        rc = self.left_width + self.right_width / 2
        # left: parent body (upright), issuing body (bold), rule 1/3 of the bold line
        y = top
        for line in self.left_regular:
            c.setFont(fonts.REGULAR, HEADER_SIZE)
            c.drawCentredString(lc, y, line)
            y -= self.step
        widest = 0.0
        for line in self.left_bold:
            c.setFont(fonts.BOLD, HEADER_SIZE)
            c.drawCentredString(lc, y, line)
            widest = max(widest, stringWidth(line, fonts.BOLD, HEADER_SIZE))
            last_left = y
            y -= self.step
        # right: national title and motto, on the same baselines as the first two left lines
        c.setFont(fonts.BOLD, HEADER_SIZE)
        c.drawCentredString(rc, top, self.NATION)
        motto_y = top - self.step
        c.setFont(fonts.BOLD, MOTTO_SIZE)
        c.drawCentredString(rc, motto_y, self.MOTTO)
        c.setLineWidth(0.6)
        rule_y = min(last_left, motto_y) - 5.5
        motto_w = stringWidth(self.MOTTO, fonts.BOLD, MOTTO_SIZE)
        c.line(rc - motto_w / 2, motto_y - 5.5, rc + motto_w / 2, motto_y - 5.5)
        rule = widest / 2  # Decree 30: 1/3 to 1/2 of the issuing body's line
        c.line(lc - rule / 2, last_left - 5.5, lc + rule / 2, last_left - 5.5)
        # number (left) and place/date (right) share one baseline under the rules
        base = rule_y - 6 - BODY_SIZE
        c.setFont(fonts.REGULAR, BODY_SIZE)
        c.drawCentredString(lc, base, self.number)
        c.setFont(fonts.ITALIC, BODY_SIZE)
        c.drawCentredString(rc, base, self.date_line)


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    out: list[str] = []
    for part in text.split("\n"):
        out.extend(simpleSplit(part.strip(), font, size, width) or [""])
    return out


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
            y = self.height / 2 + (len(lines) - 1) * 7 - 4
            for line in lines[:4]:
                c.drawCentredString(self.width / 2, y, line)
                y -= 14
            return
        if not mark.has_drawing:
            return
        points = [p for s in mark.strokes for p in s]
        min_x = min(p[0] for p in points)
        max_x = max(p[0] for p in points)
        min_y = min(p[1] for p in points)
        max_y = max(p[1] for p in points)
        span_x = max(max_x - min_x, 1e-6)
        span_y = max(max_y - min_y, 1e-6)
        pad = 2.0
        # keep the aspect ratio; never enlarge beyond 1.6x the pad's own scale (a dot stays a dot)
        pad_scale = min(self.width / mark.pad_width, self.height / mark.pad_height)
        scale = min((self.width - 2 * pad) / span_x, (self.height - 2 * pad) / span_y,
                    pad_scale * 1.6)
        off_x = (self.width - span_x * scale) / 2
        off_y = (self.height - span_y * scale) / 2
        c.saveState()
        c.setStrokeColor(INK)
        c.setFillColor(INK)
        c.setLineWidth(1.1)
        c.setLineCap(1)
        c.setLineJoin(1)
        path = c.beginPath()
        for stroke in mark.strokes:
            if not stroke:
                continue
            pts = [(off_x + (x - min_x) * scale, off_y + (max_y - y) * scale) for x, y in stroke]
            if len(pts) == 1:  # a dot
                path.circle(pts[0][0], pts[0][1], 0.6)
                continue
            path.moveTo(*pts[0])
            for px, py in pts[1:]:
                path.lineTo(px, py)
        c.drawPath(path, stroke=1, fill=0)
        c.restoreState()


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
    cells: list[Flowable] = [
        Paragraph(_x(heading), st.centred_bold),
        Paragraph("(Ký, ghi rõ họ tên)", ParagraphStyle("hint", parent=st.centred_italic,
                                                         fontSize=12, leading=14)),
        _DrawnSignature(mark, width - 6 * mm),
    ]
    cells.append(slot if slot is not None else Spacer(width, DIGITAL_BOX_HEIGHT))
    cells.append(Paragraph(_x(mark.name) if mark else "", st.centred_bold))
    return cells


def _signature_blocks(content: MinutesContent, st: _Styles, sink: dict[str, SignatureBox]
                      ) -> list[Flowable]:
    half = FRAME_WIDTH / 2
    slot = _Centred(
        _DigitalSignatureSlot(TEAM_LEADER_BOX, sink, DIGITAL_BOX_WIDTH, DIGITAL_BOX_HEIGHT), half)
    left = _signature_column(content.signature(SignerRole.UNIT_REPRESENTATIVE),
                             SignerRole.UNIT_REPRESENTATIVE, st, half, None)
    right = _signature_column(content.signature(SignerRole.TEAM_LEADER),
                              SignerRole.TEAM_LEADER, st, half, slot)
    table = Table([[left, right]], colWidths=[half, half])
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
        col = [c for c in col if not isinstance(c, Spacer)]
        inner = Table([[col]], colWidths=[half])
        inner.setStyle(TableStyle([_FONT_ALL, ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        out += [Spacer(1, 10), inner]
    return out


# --- body ------------------------------------------------------------------------------------------


def _body(content: MinutesContent, st: _Styles, annex_of: dict[str, str],
          sink: dict[str, SignatureBox]) -> list[Flowable]:
    P = Paragraph
    story: list[Flowable] = [
        _Header(content.department.parent_body.upper(), content.department.issuing_body.upper(),
                content.number_line, content.date_line),
        Spacer(1, 16),
        P("BIÊN BẢN", st.title),
        P(_x(content.summary), st.summary),
        _Rule(width=FRAME_WIDTH, length=45 * mm),
    ]
    if content.version > 1:
        story.append(P(_x(f"(Bản đính chính lần {content.version - 1}; thay thế phiên bản "
                          f"{content.version - 1} của biên bản này. Lý do đính chính: "
                          f"{content.correction_reason or 'không ghi'}.)"), st.note))
    for line in content.legal_basis:
        story.append(P(_x(line), st.body))
    story.append(P(_x(content.opening), st.body))

    # I. participants
    story.append(P("I. THÀNH PHẦN", st.heading))
    story.append(P(_x(f"1. {content.team_name}:"), st.subheading))
    team = [", ".join(x for x in (m.name, m.position, m.role) if x) for m in content.team]
    for i, line in enumerate(team):
        story.append(P(_x(f"- {line}{';' if i < len(team) - 1 else '.'}"), st.body))
    story.append(P(_x(f"2. Đại diện {content.unit_name}:"), st.subheading))
    reps = [", ".join(x for x in (r.name, r.position) if x) for r in content.unit_representatives]
    for i, line in enumerate(reps):
        story.append(P(_x(f"- {line}{';' if i < len(reps) - 1 else '.'}"), st.body))
    if not content.unit_representatives:
        story.append(P("- Không có đại diện đơn vị tham dự.", st.body))

    # II. contents and results
    story.append(P("II. NỘI DUNG VÀ KẾT QUẢ KIỂM TRA", st.heading))
    n = 0
    for section in content.sections:
        n += 1
        story += _section_body(n, section, st, annex_of.get("items", ""))
    if content.other_findings:
        n += 1
        story.append(P(_x(f"{n}. Các phát hiện khác"), st.subheading))
        for finding in content.other_findings:
            story.append(P(_x(f"- {finding}"), st.body))
    if content.roll_call is not None:
        n += 1
        rc = content.roll_call
        story.append(P(_x(f"{n}. Kết quả điểm danh"), st.subheading))
        intro = f"Thời điểm Đoàn đến: {rc.team_arrival}. " if rc.team_arrival else ""
        method = f"Hình thức theo dõi thời gian làm việc: {rc.method}. " if rc.method else ""
        ref = f" (chi tiết tại {annex_of['roll_call']})" if "roll_call" in annex_of else ""
        story.append(P(_x(intro + method + roll_call_summary(rc.totals).rstrip(".") + ref + "."),
                       st.body))
    if content.sample is not None:
        n += 1
        s = content.sample
        story.append(P(_x(f"{n}. Kiểm tra hồ sơ thủ tục hành chính theo mẫu"), st.subheading))
        ref = f" (chi tiết tại {annex_of['sample']})" if "sample" in annex_of else ""
        late = sum(1 for r in s.rows if r.timeliness.lower().startswith("trễ"))
        failed = sum(1 for r in s.rows if r.result.lower().startswith("không đạt"))
        story.append(P(_x(
            f"Đoàn chọn ngẫu nhiên {len(s.rows)} hồ sơ trong tổng số {s.frame_size} hồ sơ của sổ "
            f"theo dõi; số hồ sơ quá hạn: {late}; số hồ sơ có nội dung không đạt: {failed}{ref}."
        ), st.body))

    # III–V
    story.append(P("III. ĐÁNH GIÁ CHUNG", st.heading))
    story += _paragraphs(content.assessment, st.body, "Không có.")
    story.append(P("IV. YÊU CẦU KHẮC PHỤC", st.heading))
    if content.remedies:
        for i, remedy in enumerate(content.remedies, 1):
            story.append(P(_x(f"{i}. {remedy_sentence(remedy)}"), st.body))
    else:
        story.append(P("Không có yêu cầu khắc phục.", st.body))
    story.append(P("V. Ý KIẾN CỦA ĐƠN VỊ ĐƯỢC KIỂM TRA", st.heading))
    story += _paragraphs(content.unit_opinion, st.body, "Không có ý kiến.")

    closing = P(_x(content.closing), st.body)
    story.append(KeepTogether([closing] + _signature_blocks(content, st, sink)))
    return story


def _section_body(n: int, section: ChecklistSection, st: _Styles, annex: str) -> list[Flowable]:
    out: list[Flowable] = [Paragraph(_x(f"{n}. {section.title}"), st.subheading)]
    summary = section_summary(section)
    if section.summary.strip():
        summary += " " + section.summary.strip()
    if annex:
        summary = summary.rstrip(".") + f" (chi tiết tại {annex})."
    out.append(Paragraph(_x(summary), st.body))
    for item in section.body_items:
        parts = [f"- {item.text.rstrip('.:;')}: {item.result_text or 'ghi nhận'}"]
        if item.note.strip():
            parts.append(item.note.strip().rstrip("."))
        text = ". ".join(parts) + "."
        if item.legal_basis:
            text += f" Căn cứ: {item.legal_basis.rstrip('.')}."
        if item.photo_refs:
            text += f" (Ảnh {', '.join(item.photo_refs)})"
        out.append(Paragraph(_x(text), st.body))
    return out


def _paragraphs(text: str, style: ParagraphStyle, empty: str) -> list[Flowable]:
    parts = [p.strip() for p in text.splitlines() if p.strip()]
    return [Paragraph(_x(p), style) for p in (parts or [empty])]


class _Rule(Flowable):
    """A short centred rule (under the summary line, Decree 30)."""

    def __init__(self, width: float, length: float):
        super().__init__()
        self.width, self.length, self.height = width, length, 10

    def wrap(self, avail_width, avail_height):  # noqa: ANN001
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setLineWidth(0.6)
        x = (self.width - self.length) / 2
        self.canv.line(x, self.height - 5, x + self.length, self.height - 5)


# --- annexes ---------------------------------------------------------------------------------------


def _annex_heading(number: int, title: str, content: MinutesContent, st: _Styles) -> list[Flowable]:
    ref = (f"(Kèm theo Biên bản số {format_minutes_number(content.number, content.department.minutes_code)}"
           f" ngày {short_date(content.date)})")
    return [
        PageBreak(),
        Paragraph(f"Phụ lục {roman(number)}", st.centred_bold),
        Paragraph(_x(title), st.centred_bold),
        Paragraph(_x(ref), st.centred_italic),
        Spacer(1, 8),
    ]


def _grid(data: list[list], widths: list[float], header_rows: int = 1,
          extra: list | None = None) -> Table:
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, TABLE_SIZE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(0.92, 0.92, 0.92)),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
    ]
    table.setStyle(TableStyle([_FONT_ALL] + style + (extra or [])))
    return table


def _items_annex(content: MinutesContent, st: _Styles) -> list[Flowable]:
    out: list[Flowable] = []
    widths = [w * mm for w in (12, 62, 24, 37, 30)]
    head = [Paragraph(h, st.cell_bold) for h in ("TT", "Nội dung kiểm tra", "Kết quả", "Ghi chú",
                                                  "Căn cứ")]
    for n, section in enumerate(content.sections, 1):
        out.append(CondPageBreak(40 * mm))
        out.append(Paragraph(_x(f"{n}. {section.title}"), ParagraphStyle(
            "annex_section", parent=st.heading, spaceBefore=8, spaceAfter=4)))
        rows: list[list] = [head]
        for i, item in enumerate(section.items, 1):
            note = item.note
            if item.photo_refs:
                note = (note + " " if note else "") + f"(Ảnh {', '.join(item.photo_refs)})"
            rows.append([
                str(i),
                Paragraph(_x(item.text), st.cell),
                Paragraph(_x(item.result_text), st.cell),
                Paragraph(_x(note), st.cell),
                Paragraph(_x(item.legal_basis), st.cell_small),
            ])
        out.append(_grid(rows, widths))
    return out


def _roll_call_annex(content: MinutesContent, st: _Styles) -> list[Flowable]:
    rc = content.roll_call
    assert rc is not None
    out: list[Flowable] = [Paragraph(_x(roll_call_summary(rc.totals)), st.plain), Spacer(1, 6)]
    widths = [w * mm for w in (11, 45, 38, 27, 15, 29)]
    head = [Paragraph(h, st.cell_bold)
            for h in ("TT", "Họ và tên", "Chức vụ", "Tình trạng", "Giờ đến", "Ghi chú")]
    rows: list[list] = [head]
    for i, r in enumerate(rc.rows, 1):
        note = r.reason
        if r.minutes_late:
            note = f"Muộn {r.minutes_late} phút" + (f"; {note}" if note else "")
        if r.note:
            note = f"{note}; {r.note}" if note else r.note
        rows.append([str(i), Paragraph(_x(r.name), st.cell), Paragraph(_x(r.position), st.cell),
                     Paragraph(_x(r.status), st.cell), r.arrival, Paragraph(_x(note), st.cell_small)])
    out.append(_grid(rows, widths, extra=[("ALIGN", (4, 1), (4, -1), "CENTER")]))
    return out


def _sample_annex(content: MinutesContent, st: _Styles) -> list[Flowable]:
    s = content.sample
    assert s is not None
    info_style = ParagraphStyle("sample_info", parent=st.cell, fontSize=11, leading=13.5)
    hash_style = ParagraphStyle("sample_hash", parent=st.cell, fontSize=9.5, leading=13.5)
    out: list[Flowable] = [Paragraph(_x(
        f"Số hồ sơ trong khung mẫu (sổ theo dõi): {s.frame_size}; số hồ sơ được chọn: {len(s.rows)}"
        + (f"; phân tầng: {s.strata}" if s.strata else "") + "."), info_style), Spacer(1, 4)]
    facts = [
        ("Mã băm khung mẫu (SHA-256):", s.frame_hash),
        ("Mã kiểm chứng (ghi trước khi chọn):", s.commitment),
        ("Giá trị khởi tạo ngẫu nhiên:", s.seed_hex),
        ("Phiên bản thuật toán:", s.algorithm_version),
    ]
    kv = Table([[Paragraph(_x(k), info_style), Paragraph(_x(v), hash_style)] for k, v in facts],
               colWidths=[54 * mm, FRAME_WIDTH - 54 * mm])
    kv.setStyle(TableStyle([_FONT_ALL, ("LEFTPADDING", (0, 0), (-1, -1), 0),
                            ("TOPPADDING", (0, 0), (-1, -1), 1),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                            ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out += [kv, Spacer(1, 4), Paragraph(
        "Mã kiểm chứng được ghi trước khi chọn mẫu. Với sổ theo dõi có cùng mã băm, giá trị khởi tạo "
        "và phiên bản thuật toán trên, bất kỳ ai cũng chọn lại được đúng các hồ sơ này.",
        info_style), Spacer(1, 6)]
    code_w = max([stringWidth(r.code, fonts.REGULAR, 9.5) for r in s.rows] + [30 * mm]) + 8
    code_w = min(code_w, 50 * mm)
    rest = FRAME_WIDTH - 8 * mm - code_w - (19 + 19 + 17 + 22) * mm
    widths = [8 * mm, code_w, rest, 19 * mm, 19 * mm, 17 * mm, 22 * mm]
    head = [Paragraph(h, st.cell_bold) for h in (
        "TT", "Mã hồ sơ", "Thủ tục", "Lĩnh vực", "Nhận / Hẹn trả / Trả", "Tiến độ", "Kết quả")]
    rows: list[list] = [head]
    for i, r in enumerate(s.rows, 1):
        dates = "<br/>".join(short_date(d) or "—" for d in (r.received, r.due, r.returned))
        rows.append([
            str(i), Paragraph(_x(r.code), st.cell_small), Paragraph(_x(r.procedure), st.cell_small),
            Paragraph(_x(r.domain), st.cell_small), Paragraph(dates, st.cell_small),
            Paragraph(_x(r.timeliness), st.cell_small), Paragraph(_x(r.result), st.cell_small),
        ])
    out.append(_grid(rows, widths, extra=[("FONT", (0, 1), (0, -1), fonts.REGULAR, 9.5)]))
    return out


PHOTO_BOX_W = 78 * mm
PHOTO_BOX_H = 62 * mm
#: Photos in the annex are printed 78 mm wide: 1000 px is ~325 dpi there. A 1600 px report copy
#: is decoded at half scale (libjpeg's DCT scaling, a few ms) and re-encoded, which keeps the
#: minutes of a 40-photo visit near 3 MB instead of 12. The evidence itself is the original in
#: the photo store, identified by its SHA-256; the annex is a picture of it.
PHOTO_MAX_EDGE = 1000
PHOTO_DRAFT_EDGE = 800
PHOTO_QUALITY = 80


@dataclass(frozen=True)
class _PreparedPhoto:
    source: object  # a file path (JPEG passed through) or a BytesIO with a re-encoded JPEG
    width: int
    height: int


def _prepare_photo(path: str) -> _PreparedPhoto | None:
    """Make a photo ready for the annex; None if it cannot be read (the caption says so)."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    try:
        with PILImage.open(path) as im:
            w, h = im.size
            orientation = im.getexif().get(0x0112, 1)
            if (im.format == "JPEG" and max(w, h) <= PHOTO_MAX_EDGE and orientation == 1
                    and im.mode in ("RGB", "L")):
                return _PreparedPhoto(source=str(path), width=w, height=h)
            scale = PHOTO_DRAFT_EDGE / max(w, h)
            if im.format == "JPEG" and scale < 1:
                im.draft("RGB", (max(1, round(w * scale)), max(1, round(h * scale))))
            img = ImageOps.exif_transpose(im)
            if img.mode != "RGB":
                img = img.convert("RGB")
            if max(img.size) > PHOTO_MAX_EDGE:
                img.thumbnail((PHOTO_MAX_EDGE, PHOTO_MAX_EDGE), PILImage.Resampling.BICUBIC)
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=PHOTO_QUALITY)
            buf.seek(0)
            return _PreparedPhoto(source=buf, width=img.width, height=img.height)
    except Exception:  # missing, truncated, not an image: never stop the minutes for a photo
        return None


def _prepare_photos(photos: tuple[PhotoEntry, ...]) -> list[_PreparedPhoto | None]:
    if not photos:
        return []
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:  # Pillow releases the GIL
        return list(pool.map(_prepare_photo, [p.path for p in photos]))


def _photo_cell(photo: PhotoEntry, prepared: _PreparedPhoto | None, st: _Styles) -> list[Flowable]:
    if prepared is None:
        name = Path(photo.path).name
        return [Paragraph(_x(f"[Không đọc được ảnh {photo.ref}: {name}]"), st.caption)]
    scale = min(PHOTO_BOX_W / prepared.width, PHOTO_BOX_H / prepared.height)
    image = _Centred(Image(prepared.source, width=prepared.width * scale,
                           height=prepared.height * scale), PHOTO_BOX_W, PHOTO_BOX_H)
    when = photo.taken_at.strftime("%H:%M %d/%m/%Y") if photo.taken_at else "không rõ"
    lines = [f"<b>Ảnh {_x(photo.ref)}.</b> {_x(photo.caption)}", f"Thời gian chụp: {when}"]
    if photo.item_ref:
        lines.append(f"Nội dung: {_x(photo.item_ref)}")
    return [image, Spacer(1, 3)] + [Paragraph(line, st.caption) for line in lines]


def _photo_annex(content: MinutesContent, st: _Styles) -> list[Flowable]:
    prepared = _prepare_photos(content.photos)
    cells = [_photo_cell(p, q, st) for p, q in zip(content.photos, prepared)]
    rows = [cells[i:i + 2] + ([[]] if i + 1 >= len(cells) else []) for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[FRAME_WIDTH / 2] * 2)
    table.setStyle(TableStyle([
        _FONT_ALL,
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    return [table]


# --- document --------------------------------------------------------------------------------------


def _page_number(canvas, doc) -> None:  # noqa: ANN001
    """Decree 30: Arabic page numbers centred in the top margin, not on the first page."""
    canvas.saveState()
    canvas.setFont(fonts.REGULAR, BODY_SIZE)
    canvas.drawCentredString(MARGIN_LEFT + FRAME_WIDTH / 2, PAGE_HEIGHT - MARGIN_TOP / 2 - 4,
                             str(canvas.getPageNumber()))
    canvas.restoreState()


def _no_page_number(canvas, doc) -> None:  # noqa: ANN001
    return None


class _Doc(BaseDocTemplate):
    def __init__(self, out, **kw):  # noqa: ANN001
        super().__init__(out, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, **kw)
        frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, FRAME_WIDTH,
                      PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate("first", frames=[frame], onPage=_no_page_number, autoNextPageTemplate="later"),
            PageTemplate("later", frames=[frame], onPage=_page_number),
        ])


def annex_plan(content: MinutesContent) -> list[tuple[str, str]]:
    """The annexes this content needs, in order: (key, title)."""
    plan = []
    if content.sections:
        plan.append(("items", "KẾT QUẢ KIỂM TRA CHI TIẾT THEO TỪNG NỘI DUNG"))
    if content.roll_call is not None:
        plan.append(("roll_call", "DANH SÁCH ĐIỂM DANH"))
    if content.sample is not None:
        plan.append(("sample", "DANH SÁCH HỒ SƠ THỦ TỤC HÀNH CHÍNH ĐƯỢC CHỌN KIỂM TRA"))
    if content.photos:
        plan.append(("photos", "HÌNH ẢNH"))
    return plan


def render_minutes(content: MinutesContent, *, signature_fields: bool = True) -> RenderedMinutes:
    """Lay out the minutes; return the PDF bytes, the page count and the signature boxes.

    With ``signature_fields`` the reserved boxes become empty signature fields in the PDF, so a
    stored file can be signed later (on this tablet or in any PDF reader) without knowing the
    layout that made it.
    """
    content = normalized(content)
    st = _styles()
    plan = annex_plan(content)
    annex_of = {key: f"Phụ lục {roman(i)}" for i, (key, _) in enumerate(plan, 1)}
    sink: dict[str, SignatureBox] = {}
    story = _body(content, st, annex_of, sink)
    builders: dict[str, Callable[[MinutesContent, _Styles], list[Flowable]]] = {
        "items": _items_annex, "roll_call": _roll_call_annex, "sample": _sample_annex,
        "photos": _photo_annex,
    }
    for i, (key, title) in enumerate(plan, 1):
        story += _annex_heading(i, title, content, st)
        story += builders[key](content, st)

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
        append_signature_field(writer, SigFieldSpec(name, on_page=box.page_index, box=box.box))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_minutes(content: MinutesContent, path: Path) -> RenderedMinutes:
    """Render and write atomically (a temporary file renamed into place)."""
    rendered = render_minutes(content)
    write_atomic(path, rendered.pdf, "biên bản", "the minutes")
    return rendered


def write_atomic(path: Path, data: bytes, what_vi: str, what_en: str) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise storage_error(exc, what_vi, what_en) from exc


__all__ = [
    "DIGITAL_BOX_HEIGHT", "DIGITAL_BOX_WIDTH", "MARGIN_BOTTOM", "MARGIN_LEFT", "MARGIN_RIGHT",
    "MARGIN_TOP", "RenderedMinutes", "SignatureBox", "TEAM_LEADER_BOX", "TEAM_LEADER_FIELD",
    "add_signature_fields",
    "annex_plan", "render_minutes", "write_atomic", "write_minutes",
]

