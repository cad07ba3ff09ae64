"""The frame's fast paths agree with the rules they shortcut (domain/sampling_frame.py)."""

from __future__ import annotations

import sys
import unicodedata
from datetime import datetime

import pytest

from inspection_app.domain.sampling import (
    DossierRecord,
    build_frame,
    canonical_frame_text,
)
from inspection_app.domain.sampling_frame import all_canonical_texts, canonical_text

WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


@pytest.mark.parametrize("space", WHITESPACE, ids=lambda s: f"U+{ord(s):04X}")
def test_every_whitespace_character_but_the_space_is_seen_by_the_joined_check(space):
    values = {"A-1", f"A{space}2", "Hộ tịch"}
    assert all_canonical_texts(values) == all(canonical_text(v) == v for v in values)
    assert all_canonical_texts({"A-1", "Hộ tịch"}) is True


@pytest.mark.parametrize(
    "values",
    [
        {"A-1", " A-2"},  # a space at the start of a value
        {"A-1 ", "A-2"},  # at the end
        {"A-1", "A  2"},  # two in a row
        {"A-1", ""},  # an empty value is None in canonical form
        {"A-1", "A\x002"},  # a NUL inside a value must not pass for a separator (refused: the slow path decides)
        {"A-1", unicodedata.normalize("NFD", "Hộ tịch")},  # not NFC
        {"A-1", "x\u200b  y"},  # an unprintable character beside two spaces: searched, not assumed
        {"A-1", "x\u200b\ty"},  # beside a tab
        {"A-1", 5},  # not text
    ],
)
def test_the_joined_check_never_passes_a_value_canonical_text_would_change(values):
    assert all_canonical_texts(values) is False
    assert all_canonical_texts(values - {"A-1"}) is False or all(canonical_text(v) == v for v in values - {"A-1"})


def test_the_joined_check_takes_canonical_values_and_nothing_else():
    assert all_canonical_texts([]) is True
    assert all_canonical_texts(["Hộ tịch", "x\u200by", "000.00.12.H56-250714-0031"]) is True
    assert all_canonical_texts(["\u0301", "A"]) is True  # canonical_text keeps a lone combining mark


def test_a_record_is_compared_without_its_row_number():
    a = DossierRecord("A-1", domain="Hộ tịch", row=2)
    b = DossierRecord("A-1", domain="Hộ tịch", row=9)
    assert a == b and hash(a) == hash(b) and (a != b) is False
    assert a != DossierRecord("A-1", domain="Đất đai", row=2)
    assert a.row == 2 and a.stratum_domain == "Hộ tịch"


def test_the_frame_text_built_by_columns_is_the_one_the_specification_gives():
    """One record per shape the column builder treats differently: missing values, repeated and
    unique date-times, text columns with and without gaps."""
    records = [
        DossierRecord(f"C-{i:03d}", procedure_name="Khai sinh" if i % 3 else None, domain="Hộ tịch",
                      received=datetime(2025, 7, 14, 8, i % 60), due=datetime(2025, 7, 20) if i % 4 else None,
                      returned=datetime(2025, 7, 18, 9, 0, 0) if i % 2 else None, note="ghi chú" if i == 5 else None)
        for i in range(40)
    ]  # fmt: skip
    lines = [("ia-frame-v1\tcode\tprocedure_code\tprocedure_name\tdomain\tchannel\treceived\tdue\tfinished\treturned"
              "\tstatus\tprocessing_unit\tnote")]  # fmt: skip
    for r in sorted(records, key=lambda r: r.code):
        values = [r.code, r.procedure_code, r.procedure_name, r.domain, r.channel,
                  *(v.isoformat() if v else None for v in (r.received, r.due, r.finished, r.returned)),
                  r.status, r.processing_unit, r.note]  # fmt: skip
        lines.append("\t".join(v or "" for v in values))
    expected = "\n".join(lines) + "\n"
    assert canonical_frame_text(records) == expected
    assert canonical_frame_text([]) == lines[0] + "\n"
    assert build_frame(records).hash == build_frame(reversed(records)).hash


def test_the_frame_of_canonical_columns_is_the_frame_build_frame_makes():
    from inspection_app.domain.sampling_frame import frame_of_canonical

    records = [
        DossierRecord(f"C-{(i * 37) % 50:03d}", procedure_code="1.0001" if i % 2 else None, domain="Đất đai",
                      due=datetime(2025, 7, 20, 17, 0), finished=datetime(2025, 7, 19, i % 24, 0), row=i + 2)
        for i in range(50)
    ]  # fmt: skip
    columns = list(zip(*records))[:12]
    built, fast = build_frame(records), frame_of_canonical(records, columns)
    assert fast.hash == built.hash and fast.records == built.records
    assert [r.row for r in fast.records] == [r.row for r in built.records]
    with pytest.raises(Exception, match="trùng"):
        frame_of_canonical([*records, records[0]], list(zip(*[*records, records[0]]))[:12])
    assert frame_of_canonical(records, columns, codes_unique=True) == built
    # The codes and domains it keeps for the first draw are the records' own, in frame order.
    assert fast.code_keys == built.code_keys and fast.by_domain == built.by_domain
    texts = [None] * 7 + [[f"2025-07-19T{r.finished.hour:02d}:00:00" for r in records]]
    assert frame_of_canonical(records, columns, texts=texts).hash == built.hash  # frame texts given for one field
    blank = [*records, DossierRecord("", domain="Đất đai")]
    with pytest.raises(Exception, match="không có mã"):
        frame_of_canonical(blank, list(zip(*blank))[:12], codes_unique=True)


def test_a_frame_derived_ahead_draws_what_a_fresh_one_draws():
    from datetime import UTC, date

    from inspection_app.domain.sampling import DrawSpec, SampleSize, draw_sample

    records = [DossierRecord(f"C-{i:03d}", domain=("Hộ tịch", "Đất đai", None)[i % 3], due=datetime(2025, 7, 10 + i % 9),
                             returned=datetime(2025, 7, 12, 9) if i % 4 else None) for i in range(90)]  # fmt: skip
    seed, when = bytes(range(32)), datetime(2026, 7, 1, tzinfo=UTC)
    for spec in (DrawSpec(SampleSize.fixed(4)), DrawSpec(SampleSize.fixed(3), by_timeliness=True, as_of=date(2025, 7, 15))):
        fresh, ahead = build_frame(records), build_frame(records).derive()
        assert draw_sample(ahead, seed, spec, drawn_at=when, drawn_by="x") == draw_sample(
            fresh, seed, spec, drawn_at=when, drawn_by="x")


def test_the_strata_grouped_by_numbers_are_the_ones_each_record_gives():
    """by_domain, by_domain_status and due_days as the rules give them record by record: no domain,
    no due date, finished but not returned, returned early, on time and late, dates without a time."""
    from datetime import date

    from inspection_app.domain.sampling_frame import Frame
    from inspection_app.domain.timeliness import result_day_of, status_of

    records = []
    for i in range(120):
        due = None if i % 7 == 0 else datetime(2025, 7, 10 + i % 5, 17)
        finished = datetime(2025, 7, 8 + i % 9, 10, i % 60) if i % 3 else None
        returned = (datetime(2025, 7, 9 + i % 8, 15) if i % 5 == 1 else date(2025, 7, 12 + i % 3)) if i % 2 else None
        records.append(DossierRecord(f"C-{i:03d}", domain=("Hộ tịch", None, "Đất đai", "Y tế")[i % 4] if i % 11 else None,
                                     due=due, finished=finished, returned=returned))  # fmt: skip
    frame = Frame(tuple(sorted(records, key=lambda r: r.code)), "0" * 64)
    expected_days = tuple(r.due.date() if r.due else None for r in frame.records)
    by_domain: dict[str, list[int]] = {}
    by_status: dict[str, dict[object, list[int]]] = {}
    for index, (record, due) in enumerate(zip(frame.records, expected_days)):
        status = status_of(due, result_day_of(record.returned, record.finished)[0])
        by_domain.setdefault(record.domain or "", []).append(index)
        by_status.setdefault(record.domain or "", {}).setdefault(status, []).append(index)
    assert frame.due_days == expected_days
    assert frame.by_domain == by_domain and list(frame.by_domain) == list(by_domain)
    assert frame.by_domain_status == by_status
    assert len({s for groups in by_status.values() for s in groups}) >= 4  # the classes this test meant to reach


def test_a_recorded_draw_with_unknown_strata_is_refused_naming_them():
    from inspection_app.domain.errors import ValidationFailed
    from inspection_app.domain.sampling_params import spec_from_dict

    with pytest.raises(ValidationFailed) as refused:
        spec_from_dict({"strata_by": ["unit"], "size": {}})
    assert refused.value.message("vi") == "Cách phân nhóm không hợp lệ: ('unit',)."
    assert refused.value.message("en") == "Invalid strata: ('unit',)."
