"""The auditable draw (ia-sample-v1): canonical frame, commitment, strata, sizes, re-draw."""

from __future__ import annotations

import hashlib
import inspect
import json
import random
import struct
from datetime import UTC, date, datetime

import pytest

from inspection_app.domain import sampling
from inspection_app.domain.errors import UserError, ValidationFailed
from inspection_app.domain.sampling import (
    ALGORITHM_VERSION,
    DossierRecord,
    DrawSpec,
    SampleDraw,
    SampleSize,
    allocate,
    build_frame,
    canonical_frame_text,
    commitment_of,
    draw_sample,
    new_seed,
    parse_seed,
    verify_draw,
)

SEED = bytes(range(32))
WHEN = datetime(2026, 7, 14, 9, 30, tzinfo=UTC)
DOMAINS = {"Hộ tịch": 40, "Đất đai": 25, "Chứng thực": 8, "Xây dựng": 2}


def make_records() -> list[DossierRecord]:
    records = []
    n = 0
    for domain, count in DOMAINS.items():
        for i in range(count):
            n += 1
            due = datetime(2025, 7, 1 + i % 28)
            returned = datetime(2025, 7, 1 + (i * 7) % 28, 15, 0)
            records.append(
                DossierRecord(
                    code=f"000.00.12.H56-2507{1 + i % 28:02d}-{n:04d}",
                    procedure_name=f"Thủ tục {i % 5}",
                    domain=domain,
                    received=datetime(2025, 6, 20, 8, 0),
                    due=due,
                    returned=returned if i % 9 else None,
                    row=n + 1,
                )
            )
    return records


def draw(records, spec=None, seed=SEED):
    return draw_sample(build_frame(records), seed, spec or DrawSpec(SampleSize.fixed(5)), drawn_at=WHEN, drawn_by="T")


# --- frame ----------------------------------------------------------------------------------------


def test_canonical_frame_text_format():
    text = canonical_frame_text(
        [
            DossierRecord("B-2", domain="Đất  đai ", received=datetime(2025, 7, 14, 8, 30, 0, 250)),
            DossierRecord("A-1", procedure_name="Khai\tsinh\n", status="Đã trả"),
        ]
    )
    lines = text.split("\n")
    assert lines[0] == "ia-frame-v1\tcode\tprocedure_code\tprocedure_name\tdomain\tchannel\treceived\tdue" \
        "\tfinished\treturned\tstatus\tprocessing_unit\tnote"
    assert lines[1] == "A-1\t\tKhai sinh\t\t\t\t\t\t\tĐã trả\t\t"
    assert lines[2] == "B-2\t\t\tĐất đai\t\t2025-07-14T08:30:00\t\t\t\t\t\t"
    assert lines[3] == "" and len(lines) == 4


def test_untidy_values_hash_like_their_canonical_form():
    import unicodedata

    tidy = [DossierRecord("A-1", procedure_name="Đăng ký khai sinh", domain="Hộ tịch", due=datetime(2025, 7, 14))]
    untidy = [DossierRecord("A-1", procedure_name=unicodedata.normalize("NFD", " Đăng  ký\tkhai sinh"),
                            domain="Hộ tịch ", due=datetime(2025, 7, 14, 0, 0, 0, 10), note="")]  # fmt: skip
    assert canonical_frame_text(untidy) == canonical_frame_text(tidy)
    assert untidy[0].canonical() == tidy[0]


def test_frame_hash_is_pinned():
    """A change here means a new algorithm version: recorded samples must stay verifiable."""
    frame = build_frame(make_records())
    # the specification, written out independently of the code
    lines = ["\t".join(["ia-frame-v1", *sampling.FRAME_FIELDS])]
    for r in sorted(make_records(), key=lambda r: r.code.encode()):
        values = [getattr(r, name) for name in sampling.FRAME_FIELDS]
        lines.append("\t".join(v.strftime("%Y-%m-%dT%H:%M:%S") if isinstance(v, datetime) else v or "" for v in values))
    assert frame.hash == hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()
    assert frame.hash == PINNED_FRAME_HASH


def test_row_order_and_source_rows_do_not_change_the_frame():
    records = make_records()
    shuffled = records[:]
    random.Random(7).shuffle(shuffled)
    renumbered = [DossierRecord(**{**{f: getattr(r, f) for f in sampling.FRAME_FIELDS}, "row": 1}) for r in shuffled]
    assert build_frame(records).hash == build_frame(shuffled).hash == build_frame(renumbered).hash


def test_any_field_change_changes_the_frame_hash():
    records = make_records()
    base = build_frame(records).hash
    changed = records[:]
    r = changed[10]
    changed[10] = DossierRecord(**{**{f: getattr(r, f) for f in sampling.FRAME_FIELDS}, "returned": datetime(2025, 7, 2)})
    assert build_frame(changed).hash != base
    assert build_frame(records[:-1]).hash != base


def test_frame_refuses_repeated_and_empty_codes():
    with pytest.raises(ValidationFailed) as exc:
        build_frame([DossierRecord("A"), DossierRecord("B"), DossierRecord("A")])
    assert exc.value.details["codes"] == ["A"]
    with pytest.raises(ValidationFailed):
        build_frame([DossierRecord(" A "), DossierRecord("A")])  # the same code once tidied
    for blank in ("", "  "):
        with pytest.raises(ValidationFailed):
            build_frame([DossierRecord("B"), DossierRecord(blank)])


def test_frame_records_are_canonical_so_strata_follow_the_hash():
    untidy = build_frame([DossierRecord(" A-1", domain="Hộ tịch "), DossierRecord("A-2", domain="Hộ  tịch")])
    tidy = build_frame([DossierRecord("A-1", domain="Hộ tịch"), DossierRecord("A-2", domain="Hộ tịch")])
    assert untidy.hash == tidy.hash and untidy.records == tidy.records
    assert draw(list(untidy.records)).strata == draw(list(tidy.records)).strata


# --- seed -----------------------------------------------------------------------------------------


def test_seed_and_commitment():
    seed = new_seed()
    assert len(seed) == 32 and seed != new_seed()
    assert commitment_of(seed) == hashlib.sha256(seed).hexdigest()
    assert parse_seed(seed.hex().upper()) == seed
    assert parse_seed("0x" + seed.hex()[:32] + " " + seed.hex()[32:]) == seed
    for bad in ("abc", "zz" * 32, "00" * 31):
        with pytest.raises(ValidationFailed):
            parse_seed(bad)


def test_seed_must_match_the_recorded_commitment():
    frame = build_frame(make_records())
    spec = DrawSpec(SampleSize.fixed(3))
    draw_sample(frame, SEED, spec, drawn_at=WHEN, drawn_by="T", commitment=commitment_of(SEED))
    with pytest.raises(ValidationFailed):
        draw_sample(frame, SEED, spec, drawn_at=WHEN, drawn_by="T", commitment=commitment_of(b"\1" * 32))
    with pytest.raises(ValidationFailed):
        draw_sample(frame, b"short", spec, drawn_at=WHEN, drawn_by="T")


# --- sizes and strata -----------------------------------------------------------------------------


def test_fixed_size_and_strata_smaller_than_their_size():
    result = draw(make_records(), DrawSpec(SampleSize.fixed(5)))
    by_key = {s.key: s for s in result.strata}
    assert [s.key for s in result.strata] == [("Chứng thực",), ("Hộ tịch",), ("Xây dựng",), ("Đất đai",)]
    assert by_key[("Hộ tịch",)].size == 5 and by_key[("Hộ tịch",)].population == 40
    small = by_key[("Xây dựng",)]
    assert small.population == 2 and small.target == 5 and small.size == 2  # taken whole
    assert len(result.codes) == 5 + 5 + 2 + 5 == len(set(result.codes))
    for stratum in result.strata:
        domains = {r.domain for r in make_records() if r.code in stratum.codes}
        assert domains == {stratum.key[0]}


def test_proportional_largest_remainder_with_minimum():
    # 75 dossiers, total 10: quotas 40→5.33, 25→3.33, 8→1.07, 2→0.27; floors give 9, and the seat
    # left goes to the largest remainder (400 mod 75 = 250 mod 75 = 25: a tie, the earlier stratum)
    assert allocate([40, 25, 8, 2], SampleSize.proportional(10, minimum=0)) == [6, 3, 1, 0]
    assert allocate([40, 25, 8, 2], SampleSize.proportional(10, minimum=2)) == [6, 3, 2, 2]
    assert allocate([40, 25, 8, 2], SampleSize.proportional(10, minimum=3)) == [6, 3, 3, 2]  # capped at N_s
    assert allocate([2, 8, 25, 40], SampleSize.proportional(10, minimum=0)) == [0, 1, 4, 5]  # tie: earlier
    assert allocate([5, 5], SampleSize.proportional(1, minimum=0)) == [1, 0]  # tie: earlier stratum
    assert allocate([3, 4], SampleSize.proportional(100)) == [3, 4]  # more than the frame: all
    assert allocate([7, 9], SampleSize.fixed(8)) == [7, 8]
    result = draw(make_records(), DrawSpec(SampleSize.proportional(10, minimum=2)))
    # strata in key order: Chứng thực 8, Hộ tịch 40, Xây dựng 2, Đất đai 25 → [1, 6, 0, 3] → min 2
    assert [s.size for s in result.strata] == [2, 6, 2, 3]
    assert [s.target for s in result.strata] == [2, 6, 2, 3]


def test_invalid_sizes():
    for make in (lambda: SampleSize.fixed(0), lambda: SampleSize.proportional(0), lambda: SampleSize.proportional(5, -1)):
        with pytest.raises(ValidationFailed):
            make()
    with pytest.raises(ValidationFailed):
        DrawSpec(SampleSize.fixed(1), by_timeliness=True)  # needs as_of


def test_strata_by_timeliness():
    spec = DrawSpec(SampleSize.fixed(2), by_timeliness=True, as_of=date(2025, 7, 20))
    result = draw(make_records(), spec)
    keys = {s.key for s in result.strata}
    assert ("Hộ tịch", "late") in keys and ("Hộ tịch", "early") in keys and ("Hộ tịch", "overdue") in keys
    assert all(len(k) == 2 for k in keys)
    assert sum(s.population for s in result.strata) == sum(DOMAINS.values())
    assert "Quá hạn / Late" in next(s for s in result.strata if s.key == ("Hộ tịch", "late")).label


# --- reproducibility ------------------------------------------------------------------------------


def test_redraw_is_equal_across_row_order_shuffles():
    records = make_records()
    spec = DrawSpec(SampleSize.proportional(12, minimum=1))
    first = draw(records, spec)
    for seed in range(5):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert draw(shuffled, spec).codes == first.codes


def test_different_seeds_give_different_samples():
    records = make_records()
    assert draw(records, seed=SEED).codes != draw(records, seed=bytes(32)).codes


def test_ranks_follow_the_documented_formula():
    records = make_records()
    frame = build_frame(records)
    result = draw(records, DrawSpec(SampleSize.fixed(4)))
    key = ("Hộ tịch",)
    s = "Hộ tịch".encode()

    def rank(code: str) -> bytes:
        c = code.encode()
        return hashlib.sha256(SEED + bytes.fromhex(frame.hash) + struct.pack(">I", len(s)) + s
                              + struct.pack(">I", len(c)) + c).digest()

    expected = sorted((r.code for r in records if r.domain == "Hộ tịch"), key=rank)[:4]
    assert list(next(st for st in result.strata if st.key == key).codes) == expected


def test_draw_is_pinned():
    result = draw(make_records(), DrawSpec(SampleSize.fixed(2)))
    assert result.algorithm_version == ALGORITHM_VERSION == "ia-sample-v1"
    assert list(result.codes) == PINNED_CODES


def test_no_use_of_the_random_module():
    source = inspect.getsource(sampling)
    assert "import random" not in source and "from random" not in source


def test_empty_frame_cannot_be_drawn():
    with pytest.raises(ValidationFailed) as exc:
        draw([])
    assert "không có hồ sơ" in exc.value.vi


def test_record_round_trip_and_verification():
    records = make_records()
    spec = DrawSpec(SampleSize.proportional(10, 2), by_timeliness=True, as_of=date(2025, 7, 20))
    recorded = draw(records, spec)
    stored = json.loads(json.dumps(recorded.to_dict()))
    again = SampleDraw.from_dict(stored)
    assert again == recorded
    result = verify_draw(build_frame(list(reversed(records))), again)
    assert result.matches and result.codes_match and result.frame_hash_matches and result.commitment_matches
    assert result.summary()[1].startswith("MATCH")


def test_a_changed_frame_is_detected_by_its_hash():
    records = make_records()
    recorded = draw(records)
    tampered = records[:]
    r = tampered[0]
    tampered[0] = DossierRecord(**{**{f: getattr(r, f) for f in sampling.FRAME_FIELDS}, "returned": datetime(2025, 7, 1)})
    result = verify_draw(build_frame(tampered), recorded)
    assert not result.matches and not result.frame_hash_matches
    assert result.recorded_frame_hash != result.actual_frame_hash
    vi, en = result.summary()
    assert "KHÔNG KHỚP" in vi and "frame" in en
    dropped = verify_draw(build_frame(records[1:]), recorded)
    assert not dropped.matches and not dropped.frame_hash_matches


def test_edited_codes_or_seed_are_detected():
    records = make_records()
    recorded = draw(records).to_dict()
    swapped = dict(recorded, strata=[dict(s) for s in recorded["strata"]])
    swapped["strata"][0]["codes"] = list(reversed(swapped["strata"][0]["codes"]))
    result = verify_draw(build_frame(records), SampleDraw.from_dict(swapped))
    assert not result.matches and not result.codes_match and result.frame_hash_matches
    other_seed = dict(recorded, seed=bytes(32).hex())
    result = verify_draw(build_frame(records), SampleDraw.from_dict(other_seed))
    assert not result.commitment_matches and not result.matches
    assert result.missing and result.unexpected


def test_unknown_algorithm_version_is_refused():
    recorded = draw(make_records()).to_dict()
    with pytest.raises(UserError):
        verify_draw(build_frame(make_records()), SampleDraw.from_dict(dict(recorded, algorithm_version="ia-sample-v9")))


PINNED_FRAME_HASH = "b1d1c11bba5c5f13ad5bd857e9f3562e7dbd7b374edc767fa917ebc0aefd5b7c"
PINNED_CODES = [
    "000.00.12.H56-250703-0068", "000.00.12.H56-250707-0072",  # Chứng thực
    "000.00.12.H56-250720-0020", "000.00.12.H56-250710-0038",  # Hộ tịch
    "000.00.12.H56-250702-0075", "000.00.12.H56-250701-0074",  # Xây dựng
    "000.00.12.H56-250722-0062", "000.00.12.H56-250710-0050",  # Đất đai
]  # fmt: skip
