"""Draw :class:`~inspection_app.domain.report.ProvinceReport`: the Department's report to the provincial
People's Committee on public-service inspection, in the Decree 30/2020/NĐ-CP layout.

Header: the provincial People's Committee above the Department ("UBND TỈNH TÂY NINH" / "SỞ NỘI VỤ"),
"Số: …/BC-SNV", the place and date; "BÁO CÁO" and its summary line; "Kính gửi: Ủy ban nhân dân tỉnh …".
Body: I. units checked (with dates and minutes numbers), results, handling of results, comparison with
the previous period; II. strengths and shortcomings (typed text); III. proposals (typed text). Closing:
"Nơi nhận" ("- Như trên;" first) and the signer block (KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC, name). The pieces
are the team report's (``pdf.report``), so the two documents cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from inspection_app.locale import both

from ..domain.minutes import date_line, short_date
from ..domain.report import ProvinceReport, percent
from .layout import FRAME_WIDTH, _grid, _Header, _Rule, _styles, _x, write_atomic
from .report import (
    RenderedReport,
    _num,
    _sentence_rate,
    attendance_sentence,
    breakdown_tables,
    build_report_pdf,
    closing,
    handling_sentence,
    open_visits_note,
    overdue_table,
    remedies_sentence,
    violations_table,
)

MAX_UNITS = 60  # lines of the units table; the spreadsheet has them all


def _units_table(r: ProvinceReport, st) -> list[Flowable]:
    c = r.content
    if not c.visits:
        return [Paragraph("Trong kỳ không có cuộc kiểm tra nào đã kết thúc.", st.body)]
    rows = [["TT", "Cơ quan, đơn vị", "Ngày kiểm tra", "Số biên bản", "Số vi phạm"]]
    for i, v in enumerate(c.visits[:MAX_UNITS], 1):
        rows.append([str(i), Paragraph(_x(v.unit_name), st.cell_small), short_date(v.visit_date),
                     Paragraph(_x(v.minutes_number or "(chưa cấp số)"), st.cell_small),
                     _num(v.violations)])
    out: list[Flowable] = [Spacer(1, 4), _grid(rows, [9 * mm, FRAME_WIDTH - 96 * mm, 25 * mm, 40 * mm, 22 * mm],
                                               extra=[("ALIGN", (-1, 1), (-1, -1), "RIGHT")]),
                           Paragraph("Bảng 1. Các cơ quan, đơn vị được kiểm tra", st.note)]
    if len(c.visits) > MAX_UNITS:
        out.insert(-1, Paragraph(_x(f"(và {_num(len(c.visits) - MAX_UNITS)} lượt khác, chi tiết tại bảng tính kèm theo)"),
                                 st.note))
    return out


def _delta(now, before, rate: bool) -> str:
    if now is None or before is None:
        return "–"
    diff = now - before
    if rate:
        return ("+" if diff > 0 else "") + percent(diff) if diff else "0"
    return ("+" if diff > 0 else "") + _num(diff) if diff else "0"


def _comparison(r: ProvinceReport, st) -> list[Flowable]:
    now, before = r.content.totals, r.previous
    rows = [["Chỉ tiêu", "Kỳ này", "Kỳ trước", "Tăng (+) / giảm (-)"]]
    for label, attr, rate in (("Lượt kiểm tra", "visits", False), ("Tỷ lệ có mặt", "attendance_rate", True),
                              ("Tổng số vi phạm", "violations", False),
                              ("Vi phạm về giờ giấc", None, False),
                              ("Vi phạm về rượu, bia, thuốc lá", "alcohol_tobacco", False),
                              ("Tỷ lệ hồ sơ đúng hạn", "on_time_rate", True)):
        if attr is None:
            a = now.v_late + now.v_absent_unexcused + now.v_left_post
            b = before.v_late + before.v_absent_unexcused + before.v_left_post
        else:
            a, b = getattr(now, attr), getattr(before, attr)
        show = percent if rate else _num
        rows.append([Paragraph(_x(label), st.cell_small), show(a) if a is not None else "–",
                     show(b) if b is not None else "–", _delta(a, b, rate)])
    return [Paragraph(_x(f"Kỳ trước: từ ngày {short_date(r.previous_from)} đến ngày {short_date(r.previous_to)}."),
                      st.body),
            _grid(rows, [FRAME_WIDTH - 96 * mm, 30 * mm, 30 * mm, 36 * mm],
                  extra=[("ALIGN", (1, 1), (-1, -1), "RIGHT")]),
            Paragraph("Bảng 4. So sánh với kỳ trước", st.note)]


def _typed(text: str, st, empty: str) -> list[Flowable]:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return [Paragraph(_x(line), st.body) for line in lines] or [Paragraph(_x(empty), st.body)]


def _body(r: ProvinceReport, st) -> list[Flowable]:
    P = Paragraph
    c, t = r.content, r.content.totals
    period = f"từ ngày {short_date(c.date_from)} đến ngày {short_date(c.date_to)}"
    number = f"Số: {c.number or '……'}/BC-{c.department_code}"
    issuer = c.issuer.capitalize() if c.issuer.isupper() else c.issuer  # "SỞ NỘI VỤ" -> "Sở nội vụ"
    issuer = " ".join(w.capitalize() if i in (0, 1) else w for i, w in enumerate(issuer.split()))
    return [
        _Header(c.parent_agency.upper(), c.issuer.upper(), number, date_line(c.place, c.issued_on)),
        Spacer(1, 16),
        P("BÁO CÁO", st.title),
        P(_x(f"Kết quả kiểm tra công vụ {period}"), st.summary),
        Spacer(1, 3),
        _Rule(width=FRAME_WIDTH, length=45 * mm),
        P(_x(f"Kính gửi: {c.recipient}."), ParagraphStyle("to", parent=st.centred, spaceBefore=6)),
        P(_x(f"{issuer} báo cáo kết quả kiểm tra công vụ {period} như sau:"), st.body),
        P("I. KẾT QUẢ KIỂM TRA", st.heading),
        P("1. Các cơ quan, đơn vị được kiểm tra", st.subheading),
        P(_x(f"Trong kỳ, đã hoàn thành {_num(t.visits)} lượt kiểm tra tại {_num(c.units_visited)} cơ quan, đơn vị "
             f"({_num(c.planned_visits)} lượt theo kế hoạch, {_num(c.unannounced_visits)} lượt đột xuất)."), st.body),
        *open_visits_note(c, st),
        *_units_table(r, st),
        P("2. Kết quả kiểm tra", st.subheading),
        P(_x(attendance_sentence(t)), st.body),
        P(_x(f"Phát hiện {_num(t.violations)} vi phạm, gồm: "
             + ("; ".join(f"{k.label.lower()}: {_num(k.count)}" for k in c.by_kind if k.count) or "không có")
             + "."), st.body),
        P(_x(f"Kiểm tra {_num(t.office_culture_items)} nội dung văn hóa công sở, {_num(t.office_culture_failed)} "
             f"nội dung không đạt; kiểm tra {_num(t.dossiers_checked)} hồ sơ thủ tục hành chính, tỷ lệ giải quyết "
             f"đúng hạn (kể cả trước hạn): {_sentence_rate(t.on_time_rate)}."), st.body),
        *breakdown_tables(c, st, 2),
        *violations_table(c, st),
        P("3. Xử lý kết quả kiểm tra", st.subheading),
        P(_x(handling_sentence(c)), st.body),
        P(_x(remedies_sentence(c)), st.body),
        *overdue_table(c, st),
        P("4. So sánh với kỳ trước", st.subheading),
        *_comparison(r, st),
        P("II. ĐÁNH GIÁ", st.heading),
        P("1. Ưu điểm", st.subheading),
        *_typed(r.strengths, st, "(Chưa nhập nội dung.)"),
        P("2. Tồn tại, hạn chế", st.subheading),
        *_typed(r.shortcomings, st, "(Chưa nhập nội dung.)"),
        P("III. ĐỀ XUẤT, KIẾN NGHỊ", st.heading),
        *_typed(r.proposals, st, "(Chưa nhập nội dung.)"),
        closing(c, st),
    ]


def render_province_report(report: ProvinceReport) -> RenderedReport:
    c = report.content
    return build_report_pdf(_body(report, _styles()), c.date_from, c.date_to, c.issuer)


def write_province_report(report: ProvinceReport, path: Path) -> RenderedReport:
    rendered = render_province_report(report)
    write_atomic(Path(path), rendered.pdf, *both("báo cáo"))
    return rendered


__all__ = ["render_province_report", "write_province_report"]
