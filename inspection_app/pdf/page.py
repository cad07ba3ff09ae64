"""Page furniture of the minutes (Decree 30/2020/NĐ-CP, Phụ lục I): page geometry, paragraph
styles, the two-column header, rules, table grids, the document template and its page numbers.

Geometry: A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm; the agency block and the
document number top left, the national title and motto top right, each name centred in its column
with a solid rule under the issuing body (half its width) and under the motto (its full width).
Body text is 13 pt with 6 pt between paragraphs and a 1 cm first-line indent.

Page numbers: centred in the top margin from page 2 on; each annex is paged on its own (Phụ lục I,
III.1): an annex starts on the :data:`ANNEX_TEMPLATE` page template, which restarts the count (its
first page carries no number, like the first page of the minutes).

Styles and fonts are prepared once per process (:func:`styles`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from ..fsutil import atomic_write
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


@functools.lru_cache(maxsize=1)
def _styles() -> _Styles:
    """The paragraph styles, built once per process (the fonts are registered on first use)."""
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
    """Escape user text for reportlab's paragraph markup; keep line breaks; draw the characters the
    body font lacks from the fallback font (``fonts.markup``)."""
    return fonts.markup(text)



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



def _cell(text: str, style: ParagraphStyle, width: float) -> str | Paragraph:
    """A table cell: the plain string when it fits on one line of the column in the body font
    (several times faster to lay out than a paragraph: the 200-row roll call is mostly such
    cells), else a splittable Paragraph. The column's FONT style must match ``style``."""
    if not text:
        return ""
    if ("\n" not in text and style.fontName == fonts.REGULAR and fonts.body_can_draw(text)
            and stringWidth(text, fonts.REGULAR, style.fontSize) <= width - 6):  # 3 pt padding each side
        return text
    return Paragraph(_x(text), style)


def _grid(data: list[list], widths: list[float], header_rows: int = 1,
          extra: list | None = None) -> Table:
    # splitInRow: a row taller than what is left of the page (a 4,000-character note) continues on
    # the next page instead of failing the export with a LayoutError
    table = Table(data, colWidths=widths, repeatRows=header_rows, splitInRow=1)
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


# --- document and page numbers -------------------------------------------------------------------


#: the page template that starts an annex: ``NextPageTemplate(ANNEX_TEMPLATE)`` before its page break
ANNEX_TEMPLATE = "annex"


def _first_page(canvas, doc) -> None:  # noqa: ANN001
    """The first page of the minutes, or of an annex, carries no number; the count restarts."""
    doc.page_base = canvas.getPageNumber() - 1


def _page_number(canvas, doc) -> None:  # noqa: ANN001
    """Decree 30: Arabic page numbers centred in the top margin from the second page of the
    minutes and of each annex on (each annex is paged on its own, Phụ lục I, III.1)."""
    canvas.saveState()
    canvas.setFont(fonts.REGULAR, BODY_SIZE)
    canvas.drawCentredString(MARGIN_LEFT + FRAME_WIDTH / 2, PAGE_HEIGHT - MARGIN_TOP / 2 - 4,
                             str(canvas.getPageNumber() - doc.page_base))
    canvas.restoreState()


class _Doc(BaseDocTemplate):
    def __init__(self, out, **kw):  # noqa: ANN001
        super().__init__(out, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, **kw)
        self.page_base = 0
        frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, FRAME_WIDTH,
                      PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate("first", frames=[frame], onPage=_first_page, autoNextPageTemplate="later"),
            PageTemplate("later", frames=[frame], onPage=_page_number),
            PageTemplate(ANNEX_TEMPLATE, frames=[frame], onPage=_first_page, autoNextPageTemplate="later"),
        ])


# The PDFs are written by the one atomic write (inspection_app/fsutil.py), under the name the pdf modules use.
write_atomic = atomic_write
