"""Drafts of typed text (services.drafts) and editing a visit's set-up until it is locked."""

from __future__ import annotations

from datetime import date

import pytest

from inspection_app.domain.errors import UserError, ValidationFailed
from inspection_app.services import checklists, drafts, units, visits
from inspection_app.services.context import AppContext
from inspection_app.store import audit
from inspection_app.store.models import VisitStatus


@pytest.fixture
def ctx(tmp_path):
    c = AppContext.open(tmp_path / "data", actor="Nguyễn Thị Ánh Tuyết")
    yield c
    c.close()


def make_visit(ctx, checklist_ids=("office_culture",)):
    unit = units.create_unit(ctx, "UBND xã Hòa Hội", kind="UBND xã")
    return visits.create_visit(
        ctx, unit.id, decision_number="125/QĐ-SNV", decision_date=date(2026, 7, 10),
        checklist_ids=list(checklist_ids),
        team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc"),
              visits.ParticipantIn("Phạm Đức Anh", "secretary")],
        unit_reps=[visits.ParticipantIn("Nguyễn Văn Hùng", "Chủ tịch UBND xã")])


def test_a_draft_is_kept_as_typed_replaced_and_discarded(ctx, tmp_path):
    scope = drafts.visit_scope("v1")
    assert drafts.get_draft(ctx, scope, "finding:new") is None
    drafts.save_draft(ctx, scope, "finding:new", {"description": "Không đeo thẻ", "severity": "high"})
    drafts.save_draft(ctx, scope, "finding:new", {"description": "Không đeo thẻ công chức", "severity": "high"})
    ctx.close()
    again = AppContext.open(tmp_path / "data")  # a restart reads it back
    try:
        assert drafts.get_draft(again, scope, "finding:new") == {"description": "Không đeo thẻ công chức",
                                                                 "severity": "high"}
        assert list(drafts.drafts_in(again, scope, "finding:")) == ["finding:new"]
        assert drafts.discard_draft(again, scope, "finding:new") is True
        assert drafts.get_draft(again, scope, "finding:new") is None
        assert drafts.discard_draft(again, scope, "finding:new") is False
    finally:
        again.close()


def test_an_emptied_form_leaves_no_draft_and_an_overlong_field_is_refused(ctx):
    drafts.save_draft(ctx, "settings", "settings", {"department": "Sở Nội vụ"})
    drafts.save_draft(ctx, "settings", "settings", {"department": "", "team": [], "flag": False})
    assert drafts.get_draft(ctx, "settings", "settings") is None
    with pytest.raises(UserError) as err:
        drafts.save_draft(ctx, "settings", "settings", {"department": "x" * (drafts.MAX_FIELD + 1)})
    assert "quá dài" in err.value.message("vi")
    with pytest.raises(TypeError):
        drafts.save_draft(ctx, "settings", "settings", {"when": date(2026, 1, 1)})


def test_the_set_up_draft_moves_to_the_new_visit(ctx):
    drafts.save_draft(ctx, drafts.NEW_SETUP, "setup", {"decision_number": "125/QĐ-SNV"})
    assert drafts.move_drafts(ctx, drafts.NEW_SETUP, drafts.visit_scope("v9")) == 1
    assert drafts.get_draft(ctx, drafts.visit_scope("v9"), "setup") == {"decision_number": "125/QĐ-SNV"}
    assert drafts.drafts_in(ctx, drafts.NEW_SETUP) == {}


def _edit(ctx, visit, **changes):
    people = visits.participants(ctx, visit.id)
    team = [visits.ParticipantIn(p.full_name, p.role, p.position, id=p.id) for p in people if p.side == "team"]
    reps = [visits.ParticipantIn(p.full_name, p.role, p.position, id=p.id) for p in people if p.side == "unit"]
    args = dict(kind=visit.kind, decision_number=visit.decision_number, decision_date=visit.decision_date,
                place=visit.place, arrival_at=visit.arrival_at, team=team, unit_reps=reps,
                checklist_ids=[c["id"] for c in visit.checklists])
    args.update(changes)
    return visits.update_setup(ctx, visit.id, **args)


def test_set_up_is_corrected_after_the_start_and_each_change_is_audited(ctx):
    visit = make_visit(ctx)
    people = visits.participants(ctx, visit.id)
    leader = next(p for p in people if p.role == "leader")
    team = [visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc Sở", id=leader.id),
            visits.ParticipantIn("Lê Văn Cường", "member", "Chuyên viên")]  # the secretary left out: removed
    before = {p.id for p in people}
    updated = _edit(ctx, visit, decision_number="126/QĐ-SNV", team=team,
                    checklist_ids=["office_culture", "working_hours"])
    assert updated.decision_number == "126/QĐ-SNV"
    assert [c["id"] for c in visits.get_visit(ctx, visit.id).checklists] == ["office_culture", "working_hours"]
    now = {(p.side, p.role, p.full_name, p.position) for p in visits.participants(ctx, visit.id)}
    assert now == {("team", "leader", "Nguyễn Thị Ánh Tuyết", "Phó Giám đốc Sở"),
                   ("team", "member", "Lê Văn Cường", "Chuyên viên"),
                   ("unit", "Chủ tịch UBND xã", "Nguyễn Văn Hùng", "")}
    assert leader.id in {p.id for p in visits.participants(ctx, visit.id)}  # edited, not replaced
    with ctx.session() as s:
        events = audit.history(s, visit.id)
    changed = [(e.entity, e.action, e.changes) for e in events if e.seq and e.entity in ("visit", "participant")]
    assert any(ent == "visit" and act == "update" and ch.get("decision_number") == ["125/QĐ-SNV", "126/QĐ-SNV"]
               for ent, act, ch in changed)
    assert any(ent == "participant" and act == "delete" for ent, act, _ in changed)
    assert any(ent == "participant" and act == "update" and "position" in ch for ent, act, ch in changed)
    assert all(e.actor == "Nguyễn Thị Ánh Tuyết" for e in events)
    assert before - {p.id for p in visits.participants(ctx, visit.id)}  # the secretary is gone


def test_an_answered_checklist_cannot_be_removed_and_a_locked_visit_cannot_be_edited(ctx):
    visit = make_visit(ctx, ("office_culture", "working_hours"))
    item = checklists.visit_checklists(ctx, visit.id)[0].items[0]
    checklists.record_answer(ctx, visit.id, "office_culture", item.id, value="pass" if
                             item.answer.value == "pass_fail" else None, note="x")
    with pytest.raises(ValidationFailed) as err:
        _edit(ctx, visit, checklist_ids=["working_hours"])
    assert "đã có câu trả lời" in err.value.message("vi")
    _edit(ctx, visit, checklist_ids=["office_culture"])  # the unanswered one can go
    with pytest.raises(ValidationFailed):
        _edit(ctx, visit, checklist_ids=[])
    with ctx.session() as s:
        v = s.get(type(visit), visit.id)
        v.status = VisitStatus.CLOSED.value
        s.add(v)
    with pytest.raises(UserError):
        _edit(ctx, visits.get_visit(ctx, visit.id), decision_number="999")


def test_the_steps_of_a_visit_follow_what_is_recorded(ctx):
    from inspection_app.services import roll_call

    visit = make_visit(ctx)
    steps = {s.key: s for s in visits.visit_steps(ctx, visit.id)}
    assert list(steps) == list(visits.STEPS)
    assert (steps["setup"].state, steps["checklist"].state, steps["signatures"].done) == ("done", "todo", 0)
    lists = checklists.visit_checklists(ctx, visit.id)
    first = lists[0].items[0]
    checklists.record_answer(ctx, visit.id, lists[0].id, first.id, value="pass")
    staff = units.add_staff(ctx, visit.unit_id, "Võ Minh Tuấn", "Chuyên viên")
    roll_call.set_attendance(ctx, visit.id, staff.id, "present")
    visits.save_signature(ctx, visit.id, "team_leader", LEADER_NAME, [[[0, 0], [10, 10]]], 520, 200)
    steps = {s.key: s for s in visits.visit_steps(ctx, visit.id)}
    assert steps["checklist"].state == "partial" and steps["checklist"].done == 1
    assert (steps["roll-call"].state, steps["roll-call"].done, steps["roll-call"].total) == ("done", 1, 1)
    assert (steps["signatures"].state, steps["signatures"].done) == ("partial", 1)
    assert steps["close"].state == "todo"


LEADER_NAME = "Nguyễn Thị Ánh Tuyết"
