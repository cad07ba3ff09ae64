from pathlib import Path

import pytest

from inspection_app.domain.checklist import (AnswerType, is_failed, missing_evidence, normalise_value,
                                             parse_checklist)
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
        assert 8 <= len(c.items) <= 15, c.id
        for item in c.items:
            assert item.legal_basis and item.legal_basis[0].document
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
    (extra / "office_culture.yaml").write_text(shipped.replace('version: "1.0"', 'version: "1.1"'), encoding="utf-8")
    assert service.load_catalogue(ctx).checklists["office_culture"].version == "1.1"


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
