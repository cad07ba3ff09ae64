"""The store on both databases: schema upgrades, value types, and two devices' audit chains.

Complements ``test_store.py`` (which runs on both too) with what an office on PostgreSQL relies on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from inspection_app.domain.errors import UserError
from inspection_app.services.context import AppContext
from inspection_app.store import models as m
from inspection_app.store.audit import verify_chain
from inspection_app.store.migrations import SCHEMA_VERSION

pytestmark = pytest.mark.both_databases


def test_missing_columns_indexes_and_tables_come_back(ctx):
    with ctx.session() as s:
        unit = m.Unit(name="UBND phường An Tịnh")
        s.add(unit)
        s.flush()
        s.add(m.Visit(id="v-old", unit_id=unit.id, assessment="Đã có từ trước"))
    with ctx.engine.begin() as conn:  # as an older release would have left the schema
        conn.execute(text('ALTER TABLE visit DROP COLUMN unit_opinion'))
        conn.execute(text('DROP INDEX ix_finding_visit_kind'))
        conn.execute(text('DROP TABLE syncconflict'))
    ctx.close()
    again = AppContext.open(ctx.data_dir)
    added = again.upgrade_report["added"]
    assert {"visit.unit_opinion", "index ix_finding_visit_kind", "syncconflict"} <= set(added), added
    insp = inspect(again.engine)
    assert "ix_finding_visit_kind" in {i["name"] for i in insp.get_indexes("finding")}
    with again.session() as s:
        v = s.get(m.Visit, "v-old")
        assert v.assessment == "Đã có từ trước" and v.unit_opinion == ""
    again.close()
    third = AppContext.open(ctx.data_dir)
    assert third.upgrade_report["added"] == []
    third.close()


def test_database_from_a_newer_app_is_refused(ctx):
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE appmeta SET value = :v WHERE key = 'schema_version'"), {"v": str(SCHEMA_VERSION + 1)})
    ctx.close()
    with pytest.raises(UserError) as err:
        AppContext.open(ctx.data_dir)
    assert "newer" in err.value.en


def test_values_round_trip(ctx):
    ict = timezone(timedelta(hours=7))
    checklists = [{"id": "office_culture", "version": "1.0", "ghi chú": "Văn hóa công sở"}]
    with ctx.session() as s:
        unit = m.Unit(name="Trạm y tế xã Hòa Hội")
        s.add(unit)
        s.flush()
        v = m.Visit(unit_id=unit.id, arrival_at=datetime(2026, 1, 5, 7, 31, 12, 345678, tzinfo=ict),
                    decision_date=date(2026, 1, 2), checklists=checklists)
        s.add(v)
        s.flush()
        s.add(m.Photo(visit_id=v.id, sha256="a" * 64, original_path="p/o.jpg", report_path="p/r.jpg",
                      thumb_path="p/t.jpg", gps_lat=11.3101234567, gps_lon=106.0987654321, clock_skew=True))
    with ctx.session() as s:
        got = s.get(m.Visit, v.id)
        assert got.arrival_at == datetime(2026, 1, 5, 0, 31, 12, 345678, tzinfo=UTC)
        assert got.decision_date == date(2026, 1, 2) and got.checklists == checklists
        photo = s.exec(select(m.Photo)).one()
        assert (photo.gps_lat, photo.gps_lon, photo.clock_skew) == (11.3101234567, 106.0987654321, True)
        assert photo.captured_at is None and photo.caption == ""


def test_two_devices_on_one_database(ctx, tmp_path, monkeypatch):
    """Two reviewers' machines (two device ids) write the same visit on one shared database."""
    with ctx.session() as s:
        unit = m.Unit(name="Sở Xây dựng")
        s.add(unit)
        s.flush()
        visit = m.Visit(unit_id=unit.id)
        s.add(visit)
    other = AppContext.open(ctx.data_dir, actor="Người thứ hai")
    other.config.settings = other.config.settings.model_copy(update={"device_id": "office-2"})
    for i in range(3):
        for c in (ctx, other):
            with c.session() as s:
                s.add(m.Remedy(visit_id=visit.id, text=f"Yêu cầu {i} từ {c.settings.device_id}"))
    with ctx.session() as s:
        report = verify_chain(s, visit.id)
        devices = set(s.exec(select(m.AuditEvent.device_id).where(m.AuditEvent.visit_id == visit.id)))
    assert report.ok and devices == {ctx.settings.device_id, "office-2"}
    other.close()
