"""People as they are in the roster (issue 13 point 7): the row is the person, never the folded name.

The three files of the issue: Hương/Hường, namesakes in two departments, and Hoà/Hòa (two tone-mark
styles of one name) load five, five and one person.
"""

import csv
import io

import openpyxl
import pytest

from inspection_app.domain.collation import name_sort_key, sort_key
from inspection_app.domain.text import unify_tone_marks
from inspection_app.services import roll_call, units


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ["STT", "Họ và tên", "Chức vụ", "Phòng ban"]
HUONG = [HEADER,
         ["1", "Nguyễn Thị Hương", "Chuyên viên", "Văn phòng"],
         ["2", "Nguyễn Thị Hường", "Chuyên viên", "Văn phòng"],
         ["3", "Nguyễn Thị Hưởng", "Chuyên viên", "Văn phòng"],
         ["4", "Nguyễn Thị Huong", "Chuyên viên", "Văn phòng"],
         ["5", "Nguyễn Thị Hướng", "Chuyên viên", "Văn phòng"]]  # fmt: skip
NAMESAKES = [HEADER,
             ["1", "Trần Văn Nam", "Chuyên viên", "Văn phòng"],
             ["2", "Trần Văn Nam", "Chuyên viên", "Địa chính"],
             ["3", "Lê Thị Lan", "Chuyên viên", "Tư pháp"],
             ["4", "Lê Thị Lan", "Công chức", "Tư pháp"],
             ["5", "Phạm Minh Đức", "Chủ tịch", "Lãnh đạo"]]  # fmt: skip
HOA = [HEADER,
       ["1", "Lê Thị Hoà", "Chuyên viên", "Văn phòng"],
       ["2", "Lê Thị Hòa", "Chuyên viên", "Văn phòng"]]  # fmt: skip


@pytest.fixture
def unit(ctx):
    return units.create_unit(ctx, "UBND xã Kiểm Thử")


@pytest.mark.parametrize("encode", [csv_bytes, xlsx_bytes])
@pytest.mark.parametrize("rows,expected", [(HUONG, 5), (NAMESAKES, 5), (HOA, 1)], ids=["huong", "namesakes", "hoa"])
def test_rosters_load_five_five_and_one_person(ctx, unit, rows, expected, encode):
    parsed = units.import_roster(ctx, unit.id, encode(rows), "roster." + ("csv" if encode is csv_bytes else "xlsx"))
    people = units.list_staff(ctx, unit.id)
    assert len(parsed.people) == len(people) == expected
    if rows is HOA:
        assert [p.full_name for p in people] == ["Lê Thị Hòa"]  # one style, the glossary's
        assert [p.row for p in parsed.problems] == [3] and "repeats row 2" in parsed.problems[0].en
    else:
        assert parsed.problems == []
        assert [(p.full_name, p.department) for p in people] == [(r[1], r[3]) for r in rows[1:]]  # file order
    units.import_roster(ctx, unit.id, encode(rows), "again.csv" if encode is csv_bytes else "again.xlsx")
    assert len(units.list_staff(ctx, unit.id)) == expected  # the same file again adds nobody


def test_staff_code_is_the_identity_when_the_file_has_one(ctx, unit):
    rows = [["Mã cán bộ", "Họ và tên", "Chức vụ"], ["CB01", "Trần Văn Nam", "Chuyên viên"],
            ["CB02", "Trần Văn Nam", "Chuyên viên"], ["CB02", "Trần Văn Nam B", "Chuyên viên"]]  # fmt: skip
    parsed = units.import_roster(ctx, unit.id, csv_bytes(rows), "r.csv")
    assert [p.staff_code for p in parsed.people] == ["CB01", "CB02"]
    assert [p.row for p in parsed.problems] == [4] and "CB02" in parsed.problems[0].vi
    # A later roster renames CB01 and moves CB02: the same two people, updated.
    later = [["Mã cán bộ", "Họ và tên", "Chức vụ"], ["CB02", "Trần Văn Nam", "Phó Chủ tịch"],
             ["CB01", "Trần Văn Nam Anh", "Chuyên viên"]]  # fmt: skip
    units.import_roster(ctx, unit.id, csv_bytes(later), "r.csv")
    assert [(p.staff_code, p.full_name, p.position) for p in units.list_staff(ctx, unit.id)] == [
        ("CB02", "Trần Văn Nam", "Phó Chủ tịch"), ("CB01", "Trần Văn Nam Anh", "Chuyên viên")]


def test_roster_is_shown_in_the_file_order_or_in_vietnamese_order(ctx, unit):
    rows = [HEADER, ["1", "Vũ Văn Yên", "", "Văn phòng"], ["2", "Đỗ Thị Ánh", "", "Địa chính"],
            ["3", "Bùi Văn Đức", "", "Văn phòng"], ["4", "Lê Văn Dũng", "", "Tư pháp"]]  # fmt: skip
    units.import_roster(ctx, unit.id, csv_bytes(rows), "r.csv")
    added = units.add_staff(ctx, unit.id, "Ngô Thị Thuỷ")  # by hand: after the file's rows, one tone style
    assert added.full_name == "Ngô Thị Thủy"
    names = lambda order: [p.full_name for p in units.list_staff(ctx, unit.id, order=order)]  # noqa: E731
    assert names("file") == ["Vũ Văn Yên", "Đỗ Thị Ánh", "Bùi Văn Đức", "Lê Văn Dũng", "Ngô Thị Thủy"]
    assert names("name") == ["Đỗ Thị Ánh", "Lê Văn Dũng", "Bùi Văn Đức", "Ngô Thị Thủy", "Vũ Văn Yên"]
    assert [p.department for p in units.list_staff(ctx, unit.id, order="department")] == [
        "", "Địa chính", "Tư pháp", "Văn phòng", "Văn phòng"]


def test_a_roster_with_the_name_in_two_columns(ctx, unit):
    rows = [["STT", "Họ và tên đệm", "Tên", "Chức vụ"], ["1", "Nguyễn Thị", "Hương", "Chuyên viên"],
            ["2", "Trần Văn", "Hương", "Chuyên viên"], ["3", "Lê Thị", "Hoà", "Văn thư"]]  # fmt: skip
    parsed = units.import_roster(ctx, unit.id, csv_bytes(rows), "r.csv")
    assert [p.full_name for p in parsed.people] == ["Nguyễn Thị Hương", "Trần Văn Hương", "Lê Thị Hòa"]


def test_vietnamese_sort_key():
    words = ["Yến", "Ánh", "Ân", "An", "Ăn", "Đào", "Dung", "Hương", "Hường", "Hưởng", "Huy", "Hoa", "Hòa"]
    assert sorted(words, key=sort_key) == ["An", "Ánh", "Ăn", "Ân", "Dung", "Đào", "Hoa", "Hòa", "Huy", "Hương",
                                           "Hường", "Hưởng", "Yến"]  # fmt: skip
    assert sorted(["Địa chính", "Văn phòng"], key=sort_key) == ["Địa chính", "Văn phòng"]
    assert name_sort_key("Lê Thị Hoà") == name_sort_key("Lê Thị Hòa")


@pytest.mark.parametrize("old,new", [("Hoà", "Hòa"), ("khoẻ", "khỏe"), ("Thuỷ", "Thủy"), ("HOẠ", "HỌA"),
                                     ("toả", "tỏa"), ("khoá", "khóa")])  # fmt: skip
def test_tone_marks_unified_to_the_glossary_style(old, new):
    assert unify_tone_marks(old) == new


@pytest.mark.parametrize("word", ["quý", "Quỳnh", "Hoàng", "ngoài", "Huỳnh", "thuở", "Hòa", "Thụy"])
def test_tone_marks_left_alone_where_both_styles_agree(word):
    assert unify_tone_marks(word) == word


def test_roll_call_sheet_follows_the_file_order(ctx, unit):
    from inspection_app.services import visits

    units.import_roster(ctx, unit.id, csv_bytes(NAMESAKES), "r.csv")
    visit = visits.create_visit(ctx, unit.id, checklist_ids=["working_hours"])
    sheet = roll_call.roll_call_sheet(ctx, visit.id)
    assert [(r.staff.full_name, r.staff.department) for r in sheet.rows] == [(r[1], r[3]) for r in NAMESAKES[1:]]
