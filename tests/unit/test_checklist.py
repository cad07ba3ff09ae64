from pathlib import Path

import pytest

from inspection_app.domain.answers import is_failed, missing_evidence, normalise_value
from inspection_app.domain.checklist import AnswerType, Citations
from inspection_app.domain.checklist_parse import parse_checklist
from inspection_app.services import checklists as service

SHIPPED = sorted(Path(service.SHIPPED_DIR).glob("*.yaml"))

MINIMAL = """\
id: sample
version: "1.0"
title: {vi: "Mẫu", en: "Sample"}
sections:
  - id: s1
    title: {vi: "Phần 1", en: "Part 1"}
    items:
      - id: a.one
        text: {vi: "Mục một", en: "Item one"}
        answer: pass_fail
        legal_basis:
          - {document: "Luật 44/2019/QH14", article: "Điều 5"}
        on_fail: {note: true, photo: true}
      - id: a.two
        text: {vi: "Mục hai", en: "Item two"}
        answer: count
        max_ok: 0
        legal_basis:
          - {document: "Nghị định 117/2020/NĐ-CP"}
"""


def test_five_shipped_checklists_validate_with_real_content():
    good, problems = service.check_files(SHIPPED)
    assert problems == []
    ids = {c.id for c in good}
    assert ids == {"working_hours", "alcohol_tobacco", "office_culture", "leadership_duties", "tthc_dossiers"}
    for c in good:
        assert 7 <= len(c.items) <= 15, c.id
        for item in c.items:
            # format 2: every reference points into the checklist's own register of documents
            assert item.legal_basis and all(b.structured and b.resolved for b in item.legal_basis), item.id
            assert item.text.vi != item.text.en


def test_minimal_checklist_parses():
    checklist, problems = parse_checklist(MINIMAL, "x.yaml")
    assert problems == []
    assert [i.id for i in checklist.items] == ["a.one", "a.two"]
    assert checklist.key == "sample@1.0"


def test_malformed_yaml_reports_the_line():
    text = MINIMAL.replace('title: {vi: "Phần 1", en: "Part 1"}', 'title: {vi: "Phần 1", en: "Part 1"')
    checklist, problems = parse_checklist(text, "broken.yaml")
    assert checklist is None
    assert len(problems) == 1
    assert problems[0].source == "broken.yaml"
    assert problems[0].line in (6, 7)
    assert "YAML" in problems[0].message


def test_unknown_answer_type_names_file_line_and_field():
    text = MINIMAL.replace("answer: count", "answer: stopwatch")
    _, problems = parse_checklist(text, "c.yaml")
    assert len(problems) == 1
    p = problems[0]
    assert (p.source, p.line, p.field) == ("c.yaml", 16, "sections[0].items[1].answer")
    assert "pass_fail" in p.message
    assert str(p).startswith("c.yaml:16: sections[0].items[1].answer:")


def test_duplicate_item_ids_are_located_on_the_second_one():
    text = MINIMAL.replace("id: a.two", "id: a.one")
    _, problems = parse_checklist(text, "d.yaml")
    assert len(problems) == 1
    assert problems[0].field == "sections[0].items[1].id"
    assert problems[0].line == 14
    assert "duplicate" in problems[0].message


def test_missing_and_unknown_fields():
    text = MINIMAL.replace('        legal_basis:\n          - {document: "Nghị định 117/2020/NĐ-CP"}\n', "")
    text = text.replace("max_ok: 0", "max_ok: 0\n        colour: red")
    _, problems = parse_checklist(text, "e.yaml")
    fields = {p.field: p for p in problems}
    assert "sections[0].items[1].legal_basis" in fields
    assert "sections[0].items[1].colour" in fields
    assert fields["sections[0].items[1].colour"].line == 18


def test_choice_item_needs_choices():
    text = MINIMAL.replace("answer: count\n        max_ok: 0", "answer: choice")
    _, problems = parse_checklist(text, "f.yaml")
    assert problems and "two choices" in problems[0].message


def test_not_a_mapping_and_empty_file():
    assert parse_checklist("- a\n- b\n", "g.yaml")[1][0].line == 1
    assert parse_checklist("", "h.yaml")[1]


def test_broken_file_never_stops_the_others(ctx):
    extra = ctx.data_dir / "checklists"
    extra.mkdir()
    (extra / "broken.yaml").write_text("id: [oops\n", encoding="utf-8")
    (extra / "sample.yaml").write_text(MINIMAL, encoding="utf-8")
    cat = service.load_catalogue(ctx)
    assert "sample" in cat.checklists and "working_hours" in cat.checklists
    assert [p.source for p in cat.problems] == [str(extra / "broken.yaml")]


def test_higher_version_in_data_dir_wins(ctx):
    extra = ctx.data_dir / "checklists"
    extra.mkdir()
    shipped = (service.SHIPPED_DIR / "office_culture.yaml").read_text(encoding="utf-8")
    (extra / "office_culture.yaml").write_text(shipped.replace('version: "2.0"', 'version: "2.1"'), encoding="utf-8")
    assert service.load_catalogue(ctx).checklists["office_culture"].version == "2.1"


def test_answer_values_are_checked_by_type():
    checklist, _ = parse_checklist(MINIMAL, "x.yaml")
    one, two = checklist.items
    assert normalise_value(one, "fail") == "fail"
    with pytest.raises(ValueError):
        normalise_value(one, "maybe")
    assert normalise_value(two, " 3 ") == "3"
    with pytest.raises(ValueError):
        normalise_value(two, "-1")
    assert normalise_value(two, "") is None
    assert is_failed(two, "1") and not is_failed(two, "0")
    req = missing_evidence(one, "fail", "", 0)
    assert req.needs_note and req.needs_photo
    assert missing_evidence(one, "fail", "ghi chú", 1) is None
    assert missing_evidence(one, "pass", "", 0) is None


def test_time_answers():
    text = MINIMAL.replace("answer: count\n        max_ok: 0", 'answer: time\n        latest_ok: "07:30"')
    checklist, problems = parse_checklist(text, "t.yaml")
    assert problems == []
    item = checklist.items[1]
    assert item.answer is AnswerType.TIME
    assert normalise_value(item, "7:45") == "07:45"
    assert is_failed(item, "07:45") and not is_failed(item, "07:30")
    with pytest.raises(ValueError):
        normalise_value(item, "25:00")


# --- the register of legal documents and citations (issue #11, point 6) --------------------------------

REGISTER = """
id: reg
version: "2.0"
title: {vi: "Thử", en: "Test"}
documents:
  luat-09:
    type: Luật
    number: 09/2012/QH13
    date: 2012-06-18
    issuer: Quốc hội
    title: Phòng, chống tác hại của thuốc lá
    verified: true
  ct-26:
    type: Chỉ thị
    number: 26/CT-TTg
    date: 2016-09-05
    issuer: Thủ tướng Chính phủ
    title: về việc tăng cường kỷ luật, kỷ cương trong các cơ quan hành chính nhà nước các cấp
    verified: true
    always_date: true
  tt-03:
    type: Thông tư
    number: 03/2025/TT-VPCP
    issuer: Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ
    title: quy định biểu mẫu
sections:
  - id: s
    title: {vi: "Phần", en: "Part"}
    items:
      - id: a
        text: {vi: "Không hút thuốc", en: "No smoking"}
        answer: pass_fail
        violation_kind: tobacco
        legal_basis:
          - {doc: luat-09, point: a, clause: 2, article: 11, verified: true}
          - {doc: ct-26, section: 2}
      - id: b
        text: {vi: "Mục hai", en: "Item two"}
        answer: pass_fail
        legal_basis:
          - {doc: luat-09, article: 14, verified: true}
          - {doc: ct-26, section: 1, verified: true}
          - {doc: tt-03, form: "04", verified: true}
"""


def test_citation_is_smallest_unit_first_and_in_full_at_first_mention():
    c, problems = parse_checklist(REGISTER, "reg.yaml")
    assert problems == [] and c is not None
    cites = Citations()
    first = [cites.cite(b) for b in c.item("a").legal_basis]
    again = [cites.cite(b) for b in c.item("b").legal_basis]
    assert first == [
        "điểm a khoản 2 Điều 11 Luật Phòng, chống tác hại của thuốc lá số 09/2012/QH13 ngày 18 tháng 6 năm 2012 "
        "của Quốc hội",
        "mục 2 Chỉ thị số 26/CT-TTg ngày 05 tháng 9 năm 2016 của Thủ tướng Chính phủ về việc tăng cường kỷ luật, "
        "kỷ cương trong các cơ quan hành chính nhà nước các cấp",
    ]
    # later mentions: a law by type and name; Chỉ thị 26/CT-TTg always with its date (another one exists, 2024)
    assert again[0] == "Điều 14 Luật Phòng, chống tác hại của thuốc lá"
    assert again[1] == "mục 1 Chỉ thị số 26/CT-TTg ngày 05 tháng 9 năm 2016"
    assert again[2].startswith("Mẫu số 04 kèm theo Thông tư số 03/2025/TT-VPCP của Bộ trưởng")
    assert c.item("a").violation_kind == "tobacco"


def test_unverified_references_are_listed():
    c, _ = parse_checklist(REGISTER, "reg.yaml")
    listed = c.unverified()
    assert ("documents.tt-03", "Thông tư số 03/2025/TT-VPCP của Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ quy định biểu mẫu") in listed
    assert [w for w, _ in listed if not w.startswith("documents.")] == ["a"]  # a's Chỉ thị reference


def test_reference_to_a_document_not_in_the_register_is_located():
    text = REGISTER.replace("{doc: ct-26, section: 2}", "{doc: ct-99, section: 2}")
    c, problems = parse_checklist(text, "reg.yaml")
    assert c is None
    assert len(problems) == 1
    p = problems[0]
    assert p.field == "sections[0].items[0].legal_basis[1].doc"
    assert p.line == text.splitlines().index("          - {doc: ct-99, section: 2}") + 1
    assert "ct-99" in p.message


def test_a_location_is_a_number_or_a_letter_not_a_topic():
    text = REGISTER.replace("{doc: ct-26, section: 2}", "{doc: ct-26, article: Xử lý kỷ luật}")
    c, problems = parse_checklist(text, "reg.yaml")
    assert c is None and "number or a letter" in problems[0].message


def test_a_verified_document_must_be_complete():
    text = REGISTER.replace("    issuer: Quốc hội\n", "")
    c, problems = parse_checklist(text, "reg.yaml")
    assert c is None and "number, issuer and title" in problems[0].message


def test_legacy_references_still_parse_and_cite_in_vietnamese_order():
    """Visits store the text of the checklist they used: format 1 snapshots must keep rendering."""
    c, problems = parse_checklist(MINIMAL.replace('{document: "Nghị định 117/2020/NĐ-CP"}',
                                                  '{document: "Luật 44/2019/QH14", article: "Điều 5 khoản 5"}'), "old.yaml")
    assert problems == []
    assert c.items[1].legal_basis[0].cite() == "khoản 5 Điều 5 Luật 44/2019/QH14"


def test_both_reference_forms_at_once_are_refused():
    text = REGISTER.replace("{doc: ct-26, section: 2}", "{doc: ct-26, document: Chỉ thị 26}")
    c, problems = parse_checklist(text, "reg.yaml")
    assert c is None and "either 'doc'" in problems[0].message


def test_two_files_must_agree_on_a_document(tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(REGISTER, encoding="utf-8")
    b.write_text(REGISTER.replace("id: reg", "id: reg2").replace("date: 2012-06-18", "date: 2012-06-19"),
                 encoding="utf-8")
    good, problems = service.check_files([a, b])
    assert len(good) == 2
    assert [p.field for p in problems] == ["documents.luat-09"]


def test_shipped_citations_follow_the_checked_articles():
    """DOMAIN.md, "Checked in 2026-11": the articles verified or corrected."""
    good, _ = service.check_files(SHIPPED)
    by_id = {item.id: item for c in good for item in c.items}
    cite = lambda item_id: [b.cite() for b in by_id[item_id].legal_basis if b.verified]  # noqa: E731
    assert cite("oc.card_worn") == ["Điều 7 Quyết định số 129/2007/QĐ-TTg"]
    assert cite("oc.parking") == ["Điều 16 Quyết định số 129/2007/QĐ-TTg"]
    assert cite("at.no_smoking_indoors") == ["điểm a khoản 2 Điều 11 Luật Phòng, chống tác hại của thuốc lá"]
    assert cite("at.head_measures") == ["Điều 6 Luật Phòng, chống tác hại của thuốc lá",
                                        "Điều 14 Luật Phòng, chống tác hại của thuốc lá"]
    assert cite("at.no_drinking_hours") == ["khoản 5 Điều 5 Luật Phòng, chống tác hại của rượu, bia"]
    assert "Điều 26a Nghị định số 117/2020/NĐ-CP" in cite("at.no_e_cigarettes")
    assert by_id["at.no_e_cigarettes"].violation_kind == "e_cigarette"
    # Chỉ thị 10/CT-TTg is about harassment, not the quality of advice (use Nghị định 335/2025)
    assert all(b.doc != "ct-10-2019" for b in by_id["ld.advice_quality"].legal_basis)
    # the team's arrival and the roll-call counts are not typed into a checklist any more
    assert not {"wh.arrival_time", "wh.headcount_roster", "wh.headcount_present", "wh.late_count"} & set(by_id)
