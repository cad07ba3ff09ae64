"""The body of the minutes: header, title, legal basis, opening, sections I–V, closing and the
signature blocks (Decree 30/2020/NĐ-CP; Mẫu 1.9 of Phụ lục III for the biên bản form)."""

from __future__ import annotations

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from ..domain.minutes import (
    ChecklistSection,
    MinutesContent,
    distinct_parts,
    refusal_sentence,
    remedy_sentence,
    roll_call_summary,
    sample_sentence,
    section_summary,
)
from . import fonts
from .page import FRAME_WIDTH, _Header, _Rule, _Styles, _x
from .signature_block import SignatureBox, _signature_blocks


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
    basis = ParagraphStyle("basis", parent=st.body, fontName=fonts.ITALIC)  # Căn cứ: italic (PL I, II.6.a)
    for line in content.legal_basis:
        story.append(P(_x(line), basis))
    story.append(P(_x(content.opening), st.body))

    # I. participants
    story.append(P("I. THÀNH PHẦN", st.heading))
    story.append(P(_x(f"1. {content.team_name}:"), st.subheading))
    team = [distinct_parts(m.name, m.position, m.role) for m in content.team]
    for i, line in enumerate(team):
        story.append(P(_x(f"- {line}{';' if i < len(team) - 1 else '.'}"), st.body))
    story.append(P(_x(f"2. Đại diện {content.unit_name}:"), st.subheading))
    reps = [distinct_parts(r.name, r.position) for r in content.unit_representatives]
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
        refs = " và ".join(annex_of[k] for k in ("sample", "verification") if k in annex_of)
        story.append(P(_x(sample_sentence(s, refs)), st.body))

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
    refusal = content.refusal
    story += _paragraphs(content.unit_opinion, st.body, "" if refusal else "Không có ý kiến.")
    if refusal is not None:
        who = f"Đại diện {content.unit_name}" + (f" ({refusal.name})" if refusal.name else "")
        story.append(P(_x(f"{who} {refusal_sentence(refusal.refusal_reason)}"), st.body))

    closing = P(_x(content.closing), st.body)
    story.append(KeepTogether([closing] + _signature_blocks(content, st, sink) + _recipients(content, st)))
    return story


def _recipients(content: MinutesContent, st: _Styles) -> list[Flowable]:
    """"Nơi nhận:" (12 pt bold italic) and its list (11 pt), bottom left (Decree 30, PL I, II.9)."""
    if not content.recipients:
        return []
    head = ParagraphStyle("recipients_head", parent=st.plain, fontName=fonts.BOLD_ITALIC, fontSize=12,
                          leading=14, spaceBefore=10, alignment=TA_LEFT)
    line = ParagraphStyle("recipients", parent=st.plain, fontSize=11, leading=13, spaceBefore=0,
                          alignment=TA_LEFT)
    return [Paragraph("Nơi nhận:", head)] + [Paragraph(_x(f"- {r}"), line) for r in content.recipients]


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
    parts = [p.strip() for p in text.splitlines() if p.strip()] or ([empty] if empty else [])
    return [Paragraph(_x(p), style) for p in parts]

