"""The annexes of the minutes (Decree 30/2020, Phụ lục I, III.1): each starts on a new page with
"Phụ lục" and its number, its title, and a line naming the minutes' number, date and issuing body;
each is paged on its own. Tables are built from splittable cells so that a long note or name runs
on to the next page instead of failing the export."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..domain.minutes import (
    DossierRow,
    MinutesContent,
    PhotoEntry,
    format_minutes_number,
    roll_call_summary,
    roman,
    short_date,
)
from . import fonts
from .page import _FONT_ALL, ANNEX_TEMPLATE, FRAME_WIDTH, _cell, _grid, _Styles, _x
from .signature_block import _Centred


def _annex_heading(number: int, title: str, content: MinutesContent, st: _Styles) -> list[Flowable]:
    ref = (f"(Kèm theo Biên bản số {format_minutes_number(content.number, content.department.minutes_code)}"
           f" ngày {short_date(content.date)} của {content.issuer})")
    return [
        NextPageTemplate(ANNEX_TEMPLATE),
        PageBreak(),
        Paragraph(f"Phụ lục {roman(number)}", ParagraphStyle(  # Decree 30, PL I, III.1: 14 pt bold
            "annex_number", parent=st.centred_bold, fontSize=14, leading=17)),
        Paragraph(_x(title), st.centred_bold),
        Paragraph(_x(ref), st.centred_italic),
        Spacer(1, 8),
    ]


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
                _cell(item.result_text, st.cell, widths[2]),
                _cell(note, st.cell, widths[3]),
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
        rows.append([str(i), _cell(r.name, st.cell, widths[1]), _cell(r.position, st.cell, widths[2]),
                     _cell(r.status, st.cell, widths[3]), r.arrival, _cell(note, st.cell_small, widths[5])])
    out.append(_grid(rows, widths, extra=[("ALIGN", (4, 1), (4, -1), "CENTER"),
                                          ("FONT", (5, 1), (5, -1), fonts.REGULAR, st.cell_small.fontSize)]))
    return out


def _strata_words(strata: str) -> str:
    """The way the sample was spread, in words: the part before any technical size rule."""
    return strata.split(";", 1)[0].strip()


def _sample_annex(content: MinutesContent, st: _Styles) -> list[Flowable]:
    s = content.sample
    assert s is not None
    info_style = ParagraphStyle("sample_info", parent=st.cell, fontSize=11, leading=13.5)
    how = _strata_words(s.strata)
    out: list[Flowable] = [Paragraph(_x(
        f"Số hồ sơ trong sổ theo dõi: {s.frame_size}; số hồ sơ được chọn: {len(s.rows)}"
        + (f"; chọn {how}" if how else "") + "."), info_style), Spacer(1, 6)]
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
            Paragraph(_x(_timeliness_cell(r)), st.cell_small), Paragraph(_x(r.result), st.cell_small),
        ])
    out.append(_grid(rows, widths, extra=[("FONT", (0, 1), (0, -1), fonts.REGULAR, 9.5)]))
    return out


def _timeliness_cell(row: DossierRow) -> str:
    """The status word from the row's code (so it matches the body's counts), with its detail."""
    word = row.status_label
    if not word:
        return row.timeliness
    return row.timeliness if row.timeliness.startswith(word) else word


def _verification_annex(content: MinutesContent, st: _Styles) -> list[Flowable]:
    """What anyone needs to choose the same dossiers again, in plain words."""
    s = content.sample
    assert s is not None
    info_style = ParagraphStyle("verify_info", parent=st.cell, fontSize=11, leading=13.5)
    code_style = ParagraphStyle("verify_code", parent=st.cell, fontSize=9.5, leading=13.5)
    facts = [
        ("Dấu vân tay của sổ theo dõi được dùng để chọn (mã SHA-256 của tệp):", s.frame_hash),
        ("Mã niêm phong, ghi lại trước khi chọn:", s.commitment),
        ("Số ngẫu nhiên dùng để chọn, công bố sau khi niêm phong:", s.seed_hex),
        ("Phiên bản cách chọn:", s.algorithm_version),
    ]
    kv = Table([[Paragraph(_x(k), info_style), Paragraph(_x(v), code_style)] for k, v in facts],
               colWidths=[50 * mm, FRAME_WIDTH - 50 * mm])
    kv.setStyle(TableStyle([_FONT_ALL, ("LEFTPADDING", (0, 0), (-1, -1), 0),
                            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                            ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Paragraph(_x(
        "Các hồ sơ được chọn ngẫu nhiên theo cách có thể kiểm chứng lại. Trước khi chọn, Đoàn ghi lại "
        "mã niêm phong của số ngẫu nhiên; sau khi chọn, số ngẫu nhiên được công bố và ai cũng kiểm tra "
        "được rằng nó khớp với mã niêm phong. Dùng đúng sổ theo dõi có dấu vân tay dưới đây, số ngẫu "
        "nhiên và phiên bản cách chọn này, bất kỳ ai cũng chọn lại được đúng các hồ sơ đã kiểm tra."),
        info_style), Spacer(1, 6), kv]


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
    source: str  # a JPEG file: the report copy itself, or a smaller copy in the render's scratch folder
    width: int
    height: int


def _prepare_photo(path: str, scratch: str) -> _PreparedPhoto | None:
    """Make a photo ready for the annex as a JPEG *file* that reportlab embeds as it is (no decoding);
    None if it cannot be read (the caption says so). At most one decoded image per worker at a time."""
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
            fd, out = tempfile.mkstemp(suffix=".jpg", dir=scratch)
            with os.fdopen(fd, "wb") as fh:
                img.save(fh, "JPEG", quality=PHOTO_QUALITY)
            size = img.size
            img.close()
            return _PreparedPhoto(source=out, width=size[0], height=size[1])
    except Exception:  # missing, truncated, not an image: never stop the minutes for a photo
        return None


def _prepare_photos(photos: tuple[PhotoEntry, ...], scratch: str) -> list[_PreparedPhoto | None]:
    if not photos:
        return []
    workers = max(1, min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:  # Pillow releases the GIL
        return list(pool.map(lambda p: _prepare_photo(p.path, scratch), photos))


def _photo_cell(photo: PhotoEntry, prepared: _PreparedPhoto | None, st: _Styles) -> list[Flowable]:
    if prepared is None:
        name = Path(photo.path).name
        return [Paragraph(_x(f"[Không đọc được ảnh {photo.ref}: {name}]"), st.caption)]
    scale = min(PHOTO_BOX_W / prepared.width, PHOTO_BOX_H / prepared.height)
    image = _Centred(Image(prepared.source, lazy=2, width=prepared.width * scale,
                           height=prepared.height * scale), PHOTO_BOX_W, PHOTO_BOX_H)
    when = photo.taken_at.strftime("%H:%M %d/%m/%Y") if photo.taken_at else "không rõ"
    lines = [f"<b>Ảnh {_x(photo.ref)}.</b> {_x(photo.caption)}", f"Thời gian chụp: {when}"]
    if photo.item_ref:
        lines.append(f"Nội dung: {_x(photo.item_ref)}")
    return [image, Spacer(1, 3)] + [Paragraph(line, st.caption) for line in lines]


def _photo_annex(content: MinutesContent, st: _Styles, scratch: str) -> list[Flowable]:
    """Two photos a row; each goes to the PDF from a file, so the render holds no decoded image."""
    prepared = _prepare_photos(content.photos, scratch)
    cells = [_photo_cell(p, q, st) for p, q in zip(content.photos, prepared)]
    rows = [cells[i:i + 2] + ([[]] if i + 1 >= len(cells) else []) for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[FRAME_WIDTH / 2] * 2)
    table.setStyle(TableStyle([
        _FONT_ALL,
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    return [table]

