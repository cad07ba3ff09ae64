import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlmodel import select

from inspection_app.store.audit import verify_chain
from inspection_app.store.models import Answer, AuditEvent, Unit, Visit

pytestmark = pytest.mark.both_databases  # the store runs on SQLite (tablets) and PostgreSQL (offices)


@pytest.mark.sqlite_only
def test_sqlite_pragmas(ctx):
    with ctx.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_uuid_keys_nfc_text_and_utc_times(ctx):
    nfd = unicodedata.normalize("NFD", "UBND xã Hòa Hội")
    with ctx.session() as s:
        unit = Unit(name=nfd)
        s.add(unit)
    assert len(unit.id) == 36 and unit.id.count("-") == 4
    with ctx.session() as s:
        stored = s.get(Unit, unit.id)
        assert stored.name == unicodedata.normalize("NFC", nfd) != nfd
        assert stored.created_at.tzinfo == UTC
    ict = timezone(timedelta(hours=7))
    with ctx.session() as s:
        v = Visit(unit_id=unit.id, arrival_at=datetime(2026, 7, 14, 7, 40, tzinfo=ict))
        s.add(v)
    with ctx.session() as s:
        assert s.get(Visit, v.id).arrival_at == datetime(2026, 7, 14, 0, 40, tzinfo=UTC)
    with ctx.engine.connect() as conn:  # stored as UTC wall-clock time (text in SQLite, timestamp in PostgreSQL)
        raw = conn.exec_driver_sql("select arrival_at from visit").scalar()
    assert str(raw).startswith("2026-07-14 00:40")


def test_naive_datetimes_are_refused(ctx):
    with pytest.raises(Exception):
        with ctx.session() as s:
            s.add(Unit(name="x", created_at=datetime(2026, 1, 1)))


def test_foreign_keys_are_enforced(ctx):
    with pytest.raises(Exception):
        with ctx.session() as s:
            s.add(Visit(unit_id="no-such-unit"))


def test_every_change_of_a_visit_is_audited(ctx, visit):
    from inspection_app.services import checklists

    checklists.record_answer(ctx, visit.id, "working_hours", "wh.on_time", "pass")
    checklists.record_answer(ctx, visit.id, "working_hours", "wh.on_time", "fail", note="Đến muộn")
    with ctx.session() as s:
        events = list(s.exec(select(AuditEvent).where(AuditEvent.visit_id == visit.id).order_by(AuditEvent.seq)))
    answer_events = [e for e in events if e.entity == "answer"]
    assert [e.action for e in answer_events] == ["insert", "update"]
    assert answer_events[1].changes["value"] == ["pass", "fail"]
    assert answer_events[1].changes["note"] == ["", "Đến muộn"]
    assert answer_events[1].actor == "Nguyễn Thị Kiểm Tra"
    assert answer_events[1].device_id == ctx.settings.device_id
    chain = [e for e in events if e.device_id == ctx.settings.device_id]
    assert [e.chain_index for e in chain] == list(range(len(chain)))
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:]))
    with ctx.session() as s:
        assert verify_chain(s).ok


def test_audit_chain_names_the_first_edited_event(ctx, visit):
    from inspection_app.services import checklists

    for value in ("pass", "fail", "na"):
        checklists.record_answer(ctx, visit.id, "working_hours", "wh.on_time", value)
    with ctx.session() as s:
        events = list(s.exec(select(AuditEvent).order_by(AuditEvent.seq)))
        target = events[-2]
    with ctx.engine.begin() as conn:  # someone edits the log behind the app's back
        conn.execute(text("UPDATE auditevent SET changes = :c WHERE seq = :s"),
                     {"c": '{"value": ["pass", "pass"]}', "s": target.seq})
    with ctx.session() as s:
        report = verify_chain(s)
    assert not report.ok
    assert report.first_broken_seq == target.seq
    assert "edited" in report.reason


def test_audit_chain_detects_a_removed_event(ctx, visit):
    from inspection_app.services import checklists

    for value in ("pass", "fail", "na"):
        checklists.record_answer(ctx, visit.id, "working_hours", "wh.on_time", value)
    with ctx.session() as s:
        events = list(s.exec(select(AuditEvent).where(AuditEvent.entity == "answer").order_by(AuditEvent.seq)))
    with ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM auditevent WHERE seq = :s"), {"s": events[1].seq})
    with ctx.session() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken_seq == events[2].seq


def test_answers_are_unique_per_item(ctx, visit):
    with pytest.raises(Exception):
        with ctx.session() as s:
            for _ in range(2):
                s.add(Answer(visit_id=visit.id, checklist_id="working_hours", checklist_version="1.0",
                             item_id="wh.on_time", value="pass"))
