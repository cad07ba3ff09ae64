"""sync.replay: records against the audit events a bundle carries (issue #10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inspection_app.sync.records import BundleRejected
from inspection_app.sync.replay import check_records_match_events

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def _ev(device: str, index: int, minutes: int, action: str, changes: dict, entity_id: str = "a1") -> dict:
    return {"event_id": f"{device}-{index}", "visit_id": "v1", "device_id": device, "chain_index": index,
            "actor": "", "at": T0 + timedelta(minutes=minutes), "entity": "answer", "entity_id": entity_id,
            "action": action, "changes": changes, "prev_hash": "", "hash": ""}


def _answer(value: str, answer_id: str = "a1") -> dict:
    return {"id": answer_id, "visit_id": "v1", "checklist_id": "office_culture", "checklist_version": "1.0",
            "item_id": "oc.card_worn", "value": value, "note": "", "answered_by": "", "answered_at": T0}


INSERT = {"visit_id": [None, "v1"], "checklist_id": [None, "office_culture"], "checklist_version": [None, "1.0"],
          "item_id": [None, "oc.card_worn"], "value": [None, "pass"], "answered_at": [None, T0.isoformat()]}


def test_a_later_change_on_a_tablet_whose_clock_is_behind_is_accepted():
    """B knew A's change (it imported it) and changed the field after it, with a clock 10 minutes
    behind: by time A's change looks later, but B's value is the record's, and it is accepted."""
    events = [_ev("A", 0, 0, "insert", INSERT), _ev("A", 1, 20, "update", {"value": ["pass", "fail"]}),
              _ev("B", 0, 12, "update", {"value": ["fail", "na"]})]
    check_records_match_events({"answer": [_answer("na")]}, events)
    check_records_match_events({"answer": [_answer("fail")]}, events)


def test_a_value_no_device_wrote_last_is_refused():
    events = [_ev("A", 0, 0, "insert", INSERT), _ev("A", 1, 20, "update", {"value": ["pass", "fail"]})]
    with pytest.raises(BundleRejected) as err:
        check_records_match_events({"answer": [_answer("pass")]}, events)  # superseded on the same device
    assert "disagrees with its own audit log" in err.value.en
    with pytest.raises(BundleRejected):
        check_records_match_events({"answer": [_answer("na")]}, events)  # never written


def test_same_item_under_two_ids_is_one_record_and_a_record_needs_history():
    events = [_ev("A", 0, 0, "insert", INSERT, "a1"),
              _ev("B", 0, 5, "insert", dict(INSERT, value=[None, "fail"]), "b1")]
    check_records_match_events({"answer": [_answer("fail", "a1")]}, events)
    with pytest.raises(BundleRejected) as err:
        check_records_match_events({"answer": [_answer("pass", "zz")]}, [])
    assert "no history" in err.value.en
