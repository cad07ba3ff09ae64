"""The home list read before the database opens (``services.home_list``, start-up: issue #17) is the list
``services.visits.list_visits`` gives, or nothing when it cannot be read that way."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from inspection_app.services import home_list, units, visits
from inspection_app.services.context import AppContext


@pytest.fixture
def filled(tmp_path):
    ctx = AppContext.open(tmp_path / "data")
    first = units.create_unit(ctx, "UBND xã Hòa Hội", kind="UBND xã")
    second = units.create_unit(ctx, "Trạm y tế phường Bến Thành", kind="Trạm y tế")
    arrival = datetime(2026, 11, 17, 1, 30, tzinfo=UTC)
    for n in range(12):
        visits.create_visit(ctx, (first if n % 2 else second).id, decision_number=f"{n}/QĐ-SNV",
                            arrival_at=arrival + timedelta(days=n) if n % 3 else None,
                            team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc")])
    expected = visits.list_visits(ctx)
    ctx.close()
    return tmp_path / "data", expected


def test_the_list_read_without_the_database_is_the_services_list(filled):
    data, expected = filled
    ctx = AppContext.open(data, defer=True)
    assert not ctx.db.opened
    assert home_list.recent_visits(ctx) == expected
    assert home_list.recent_visits(ctx, limit=5) == expected[:5]
    assert not ctx.db.opened  # read with sqlite3 alone
    ctx.engine  # noqa: B018
    assert home_list.recent_visits(ctx) is None  # once open, the service answers


def test_a_database_this_build_cannot_read_that_way_is_left_to_the_service(filled, tmp_path):
    data, _ = filled
    db = sqlite3.connect(data / "inspection.db")
    with db:  # as if written by another build
        db.execute("UPDATE alembic_version SET version_num = '0002'")
    db.close()
    assert home_list.recent_visits(AppContext.open(data, defer=True)) is None
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "inspection.db").write_bytes(b"not a database at all" * 100)
    assert home_list.recent_visits(AppContext.open(tmp_path / "broken", defer=True)) is None
    new = AppContext.open(tmp_path / "new", defer=True)
    assert home_list.recent_visits(new) == [] and not (tmp_path / "new" / "inspection.db").exists()


def test_a_database_from_a_newer_app_is_refused_on_first_use(filled):
    from inspection_app.domain.errors import UserError

    data, _ = filled
    db = sqlite3.connect(data / "inspection.db")
    with db:
        db.execute("UPDATE appmeta SET value = '99' WHERE key = 'schema_version'")
    db.close()
    ctx = AppContext.open(data, defer=True)
    with pytest.raises(UserError):
        ctx.engine  # noqa: B018
    with pytest.raises(UserError):  # and again: nothing was opened half-way
        ctx.engine  # noqa: B018
