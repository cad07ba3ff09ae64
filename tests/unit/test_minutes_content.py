"""The pure content of the minutes: Decree 30 wording, numbering and composition helpers."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from inspection_app.domain.minutes import (
    ChecklistSection,
    ItemResult,
    Outcome,
    Remedy,
    SignatureMark,
    SignerRole,
    closing_sentence,
    date_line,
    format_minutes_number,
    number_line,
    opening_sentence,
    refusal_text,
    remedy_sentence,
    roll_call_summary,
    roman,
    section_summary,
    strokes_from_lists,
    vn_date,
)
from inspection_app.domain.minutes_digest import normalized
from inspection_app.domain.roll_call import totals
from inspection_app.pdf.specimen import specimen_minutes


def test_date_line_follows_decree_30_leading_zeros():
    assert date_line("Tây Ninh", dt.date(2026, 7, 14)) == "Tây Ninh, ngày 14 tháng 7 năm 2026"
    # days below 10 and the months January and February take a leading zero
    assert vn_date(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vn_date(dt.date(2026, 1, 31)) == "ngày 31 tháng 01 năm 2026"
    assert vn_date(dt.date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
    assert vn_date(dt.date(2026, 12, 1)) == "ngày 01 tháng 12 năm 2026"


def test_minutes_number_line():
    assert number_line(12, "BB-SNV") == "Số: 12/BB-SNV"
    assert number_line(5, "BB-SNV") == "Số: 05/BB-SNV"
    assert number_line(123, "BB-ĐKT") == "Số: 123/BB-ĐKT"
    # no number yet (a draft, or no block reserved): a blank for the văn thư to fill in by hand
    assert format_minutes_number(None, "BB-SNV") == "\u00a0" * 8 + "/BB-SNV"


def test_closing_sentence_is_the_standard_wording():
    text = closing_sentence(dt.datetime(2026, 7, 14, 11, 30))
    assert text == ("Biên bản kết thúc lúc 11 giờ 30 phút cùng ngày, đã đọc lại cho các bên cùng "
                    "nghe, thống nhất và lập thành 02 bản, mỗi bên giữ 01 bản./.")
    later = closing_sentence(dt.datetime(2026, 7, 15, 0, 10), same_day=False)
    assert "lúc 00 giờ 10 phút ngày 15 tháng 7 năm 2026," in later


def test_opening_sentence():
    text = opening_sentence(dt.datetime(2026, 7, 14, 7, 5), "trụ sở UBND xã Tân Phú",
                            "Đoàn kiểm tra công vụ", "UBND xã Tân Phú")
    assert text.startswith("Hôm nay, vào lúc 07 giờ 05 phút, ngày 14 tháng 7 năm 2026, tại trụ sở")


def test_remedy_and_refusal_sentences():
    r = Remedy("Gửi văn bản xin lỗi.", dt.date(2026, 7, 24), dt.date(2026, 8, 15))
    assert remedy_sentence(r) == ("Gửi văn bản xin lỗi; thời hạn hoàn thành trước 24/07/2026; báo cáo "
                                  "kết quả khắc phục bằng văn bản về Đoàn trước 15/08/2026.")
    assert remedy_sentence(Remedy("Niêm yết lại")) == "Niêm yết lại."
    assert refusal_text("Không đồng ý.") == "(Từ chối ký. Lý do: Không đồng ý.)"
    assert refusal_text("  ") == "(Từ chối ký, không nêu lý do.)"


def test_item_results_and_body_selection():
    items = (
        ItemResult("1", "Đeo thẻ", Outcome.PASSED),
        ItemResult("2", "Biển cấm hút thuốc", Outcome.FAILED, note="Không có biển"),
        ItemResult("3", "Chỗ để xe", Outcome.NOT_APPLICABLE),
        ItemResult("4", "Số người có mặt", Outcome.VALUE, value="23/24"),
        ItemResult("5", "Trang phục", Outcome.PASSED, note="Một người mặc áo thun"),
    )
    section = ChecklistSection("vhcs", "1", "Văn hóa công sở", items)
    assert [i.item_id for i in section.body_items] == ["2", "5"]  # failed or noted
    assert items[3].result_text == "23/24"
    assert items[2].result_text == "Không áp dụng"
    assert section_summary(section) == ("Kiểm tra 5 nội dung: 2 đạt, 1 không đạt, 1 không áp dụng, "
                                        "1 ghi nhận số liệu.")


def test_roll_call_summary_counts_everyone_found_at_the_unit_as_present():
    t = totals(["present", "present", "late", "absent_excused", "absent_unexcused", "left_post", None], 7)
    assert roll_call_summary(t) == (
        "Tổng số theo danh sách: 7 người; có mặt: 4; đi muộn: 1; vắng có lý do: 1; vắng không lý do: 1; "
        "rời vị trí trong giờ làm việc: 1; chưa điểm danh: 1.")


def test_roman():
    assert [roman(i) for i in (1, 4, 5, 9, 12, 40)] == ["I", "IV", "V", "IX", "XII", "XL"]
    with pytest.raises(ValueError):
        roman(0)


def test_normalized_turns_every_string_into_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    content = specimen_minutes()
    content = type(content)(**{**content.__dict__, "unit_name": nfd,
                               "signatures": (SignatureMark(SignerRole.TEAM_LEADER, nfd),)})
    out = normalized(content)
    assert out.unit_name == "Nguyễn Thị Ánh Tuyết" and len(out.unit_name) == 20
    assert out.signatures[0].name == "Nguyễn Thị Ánh Tuyết"
    assert out.date == content.date  # non-strings untouched


def test_signature_mark_and_strokes():
    strokes = strokes_from_lists([[[0, 0], [10, 5]], [[3, 3]]])
    mark = SignatureMark(SignerRole.SECRETARY, "Đặng Minh Khôi", strokes, 600, 240)
    assert mark.has_drawing and mark.heading == "THƯ KÝ"
    assert not SignatureMark(SignerRole.SECRETARY, "X").has_drawing
    assert SignerRole.UNIT_REPRESENTATIVE.title == "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"


def test_specimen_content_is_consistent():
    heavy = specimen_minutes(heavy=True, photos=[f"/x/{i}.jpg" for i in range(40)])
    assert len(heavy.sections) == 5
    assert sum(len(s.body_items) for s in heavy.sections) == 40
    assert len(heavy.roll_call.rows) == 200 and len(heavy.sample.rows) == 30
    assert len(heavy.photos) == 40 and all(p.item_ref for p in heavy.photos)
