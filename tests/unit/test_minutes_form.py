"""The minutes' Decree 30 form, plain words, signatures bound to content, and any real text rendering
(issue #11, points 2–4, 7, 8; issue #13, point 8). Pure content and PDF, no database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from pdf_checks import flat, pdffonts, pdftotext

from inspection_app.domain.errors import UserError, ValidationFailed
from inspection_app.domain.minutes import (
    DossierRow,
    Outcome,
    SignatureMark,
    SignerRole,
    closing_sentence,
    distinct_parts,
    dossier_counts,
    opening_sentence,
    recipients_lines,
    sample_sentence,
)
from inspection_app.domain.minutes_digest import content_digest
from inspection_app.domain.minutes_rules import LIMITS, check_length, signature_problem
from inspection_app.pdf import fonts
from inspection_app.pdf.layout import render_minutes, unprintable
from inspection_app.pdf.specimen import signature_strokes, specimen_minutes

END = dt.datetime(2026, 7, 14, 11, 20)


def test_a_refusal_changes_the_closing_and_nobody_agreed():
    mark = SignatureMark(SignerRole.UNIT_REPRESENTATIVE, "Trần Văn Đức", refused=True,
                         refusal_reason="Không đồng ý với mục III.")
    text = closing_sentence(END, refusal=mark, unit_name="UBND xã Tân Phú")
    assert "thống nhất" not in text and text.endswith("./.")
    assert "Đại diện UBND xã Tân Phú (Trần Văn Đức) từ chối ký biên bản, lý do: Không đồng ý với mục III." in text
    assert "có chữ ký của các thành viên Đoàn kiểm tra" in text
    silent = closing_sentence(END, refusal=dataclasses.replace(mark, refusal_reason=""))
    assert "không nêu lý do" in silent


def test_copies_set_by_the_office():
    assert "lập thành 02 bản, mỗi bên giữ 01 bản./." in closing_sentence(END, 2)
    assert "lập thành 03 bản, đơn vị được kiểm tra giữ 01 bản, Đoàn kiểm tra giữ 02 bản./." in closing_sentence(END, 3)


def test_visit_kind_in_the_opening():
    start = dt.datetime(2026, 7, 14, 7, 35)
    assert "tiến hành kiểm tra công vụ đột xuất tại" in opening_sentence(start, "trụ sở", "Đoàn", "UBND xã", "unannounced")
    assert "tiến hành kiểm tra công vụ theo kế hoạch tại" in opening_sentence(start, "trụ sở", "Đoàn", "UBND xã", "planned")
    assert "tiến hành kiểm tra công vụ tại" in opening_sentence(start, "trụ sở", "Đoàn", "UBND xã")


def test_a_position_is_printed_once():
    assert distinct_parts("Chủ tịch UBND phường", "Chủ tịch UBND phường") == "Chủ tịch UBND phường"
    assert distinct_parts("Chủ tịch", "Chủ tịch UBND phường") == "Chủ tịch UBND phường"
    assert distinct_parts("Nguyễn Văn A", "", "Thành viên") == "Nguyễn Văn A, Thành viên"
    assert distinct_parts("Chánh Văn phòng", "chánh văn phòng") == "Chánh Văn phòng"


def test_recipients_end_with_the_records_office_and_the_drafting_unit():
    assert recipients_lines("UBND xã Tân Phú", "Giám đốc Sở Nội vụ", "CCVC") == (
        "UBND xã Tân Phú;", "Giám đốc Sở Nội vụ (để báo cáo);", "Lưu: VT, CCVC.")
    assert recipients_lines("UBND xã Tân Phú", "", "")[-1] == "Lưu: VT."


def _row(status: str, label: str) -> DossierRow:
    return DossierRow("c", "p", "d", None, None, None, label, "Đạt", status=status)


def test_dossier_counts_come_from_the_status_never_the_label():
    rows = [_row("late", "Trễ hạn"), _row("late", "bất kỳ"), _row("on_time", "Đúng hạn"), _row("", "Quá hạn")]
    assert dossier_counts(rows) == [("Đúng hạn", 1), ("Quá hạn", 2), ("Không xác định", 1)]
    sample = specimen_minutes().sample
    text = sample_sentence(sample, "Phụ lục III")
    late = sum(1 for r in sample.rows if r.status == "late")
    assert f"quá hạn: {late}" in text and "hạt giống" not in text and "khung" not in text


def test_the_digest_follows_what_is_printed_but_not_the_number():
    base = specimen_minutes()
    digest = content_digest(base)
    assert content_digest(dataclasses.replace(base, number=13, version=2)) == digest
    redrawn = tuple(dataclasses.replace(m, strokes=signature_strokes(99)) for m in base.signatures)
    assert content_digest(dataclasses.replace(base, signatures=redrawn)) == digest  # drawings are not content
    assert content_digest(dataclasses.replace(base, assessment=base.assessment + " Thêm.")) != digest
    refused = specimen_minutes(unit_refuses=True)
    assert content_digest(dataclasses.replace(refused, unit_opinion=base.unit_opinion)) != digest


def test_a_tap_a_double_tap_and_a_wiggle_are_not_signatures():
    for strokes in ([[[10, 10]]], [[[10, 10]], [[12, 11]]], [[[300, 100], [302, 101], [300, 103], [303, 100]]],
                    [[[10, 100], [300, 100]]], []):
        problem = signature_problem(strokes, 520, 200)
        assert isinstance(problem, ValidationFailed), strokes
    assert "40%" in signature_problem([[[10, 10]]], 520, 200).vi
    assert signature_problem(signature_strokes(5), 600, 240) is None
    assert signature_problem([[[10, 10], [150, 80], [300, 20]]], 520, 200) is None


def test_input_limits_name_the_field_and_the_limit():
    assert check_length("note", "x" * LIMITS["note"]) == "x" * LIMITS["note"]
    with pytest.raises(ValidationFailed) as exc:
        check_length("note", "x" * (LIMITS["note"] + 1))
    assert "Ghi chú dài 4.001 ký tự, vượt giới hạn 4.000 ký tự" in exc.value.vi
    assert exc.value.details == {"field": "note", "limit": 4000}


def test_body_says_how_dossiers_were_chosen_and_the_details_go_to_an_annex(tmp_path):
    content = specimen_minutes()
    path = tmp_path / "m.pdf"
    path.write_bytes(render_minutes(content).pdf)
    text = flat(pdftotext(path))
    body = text[:text.index("Phụ lục I KẾT QUẢ")]
    for word in ("hạt giống", "Hạt giống", "cam kết SHA-256", "Cam kết hạt giống", "SHA-256", "khung chọn mẫu", "khung mẫu", "stratum",
                 "Trễ hạn", "Phó trưởng đoàn", "khoá"):
        assert word not in text if word != "SHA-256" else word not in body, word
    assert "Đoàn chọn ngẫu nhiên 8 hồ sơ trong tổng số 137 hồ sơ của sổ theo dõi" in body
    assert "(Kèm theo Biên bản số 12/BB-SNV ngày 14/07/2026 của Đoàn kiểm tra công vụ của Sở Nội vụ)" in text
    verification = text[text.index("THÔNG TIN ĐỂ KIỂM CHỨNG"):]
    assert content.sample.seed_hex in verification and content.sample.commitment in verification


def _with_long_text(content, text: str):
    s0 = content.sections[0]
    items = (dataclasses.replace(s0.items[0], outcome=Outcome.FAILED, note=text),) + s0.items[1:]
    rows = content.roll_call.rows
    rows = (dataclasses.replace(rows[0], name="Nguyễn Thị Hồng Nhung Phương Thảo " * 6, reason=text),) + rows[1:]
    return dataclasses.replace(
        content, sections=(dataclasses.replace(s0, items=items),) + content.sections[1:],
        roll_call=dataclasses.replace(content.roll_call, rows=rows), assessment=text, unit_opinion=text)


@pytest.mark.parametrize("length", [1500, 4000])
def test_long_notes_names_and_reasons_run_on_instead_of_failing(tmp_path, length):
    text = ("Công chức không có mặt tại bộ phận một cửa, người dân phải chờ lâu. " * 80)[:length]
    content = _with_long_text(specimen_minutes(unit_refuses=True), text)
    rendered = render_minutes(content)  # reportlab's LayoutError would be raised here
    path = tmp_path / "long.pdf"
    path.write_bytes(rendered.pdf)
    assert " ".join(text.split())[-120:] in flat(pdftotext(path))


def test_symbols_come_from_the_fallback_font_and_are_never_blank(tmp_path):
    content = dataclasses.replace(specimen_minutes(), assessment="Đạt ✓ các nội dung; xếp loại ★★; α → β.")
    path = tmp_path / "symbols.pdf"
    path.write_bytes(render_minutes(content).pdf)
    assert "Đạt ✓ các nội dung; xếp loại ★★; α → β." in flat(pdftotext(path))
    names = {f["name"].split("+")[-1] for f in pdffonts(path)}
    assert "DejaVuSans" in names and "LiberationSerif" in names
    assert (fonts.font_dir() / "LICENSE-DejaVuSans.txt").is_file()


def test_characters_no_font_has_are_named_before_export():
    content = dataclasses.replace(specimen_minutes(), unit_opinion="Treo biển 🚭 và chữ 福 ở sảnh.")
    assert unprintable(content) == [("V. Ý kiến của đơn vị được kiểm tra", "V. Opinion of the unit", ["🚭", "福"])]
    with pytest.raises(UserError) as exc:
        render_minutes(content)
    assert "“🚭” (U+1F6AD)" in exc.value.vi and "“福” (U+798F)" in exc.value.vi
    assert "V. Ý kiến của đơn vị được kiểm tra" in exc.value.vi and "V. Opinion of the unit" in exc.value.en
    assert unprintable(specimen_minutes()) == []


def test_fallback_markup_escapes_and_wraps_only_what_the_body_font_lacks():
    assert fonts.markup("a < b & c\nd") == "a &lt; b &amp; c<br/>d"
    assert fonts.markup("Đạt ✓✓ tốt") == f'Đạt <font name="{fonts.FALLBACK}">✓✓</font> tốt'
    assert fonts.missing_glyphs("Tiếng Việt ✓ 福") == ["福"]
