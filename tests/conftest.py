"""Shared fixtures: a fresh data directory and an opened services context per test."""

from __future__ import annotations

import os
import shutil

import pytest

from inspection_app.services.context import AppContext

IN_CI = bool(os.environ.get("CI"))


def require_tool(name: str) -> str:
    """Path of a system tool. Missing in CI is a failure (the Makefile installs it), locally a skip."""
    path = shutil.which(name)
    if path:
        return path
    if IN_CI:
        pytest.fail(f"{name} is not installed; `make test` installs it through apt-get")
    pytest.skip(f"{name} not installed (run `make sysdeps`)")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("INSPECTION_APP_DATA_DIR", str(d))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return d


@pytest.fixture
def ctx(data_dir):
    context = AppContext.open(data_dir, actor="Nguyễn Thị Kiểm Tra")
    context.settings.department.province = "Tây Ninh"  # the identity a department gives at first start
    context.config.save()
    yield context
    context.close()


@pytest.fixture
def unit_with_staff(ctx):
    from inspection_app.services import units

    unit = units.create_unit(ctx, "UBND xã Thử Nghiệm", kind="UBND xã")
    people = [units.add_staff(ctx, unit.id, name, position)
              for name, position in [("Nguyễn Văn An", "Chủ tịch"), ("Trần Thị Bình", "Chuyên viên"),
                                     ("Lê Văn Cường", "Chuyên viên")]]
    return unit, people


@pytest.fixture
def visit(ctx, unit_with_staff):
    from inspection_app.services import visits

    unit, _ = unit_with_staff
    return visits.create_visit(
        ctx, unit.id, decision_number="125/QĐ-SNV",
        team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc"),
              visits.ParticipantIn("Phạm Đức Anh", "secretary", "Chuyên viên")],
        unit_reps=[visits.ParticipantIn("Nguyễn Văn An", "Chủ tịch UBND xã")],
        checklist_ids=["working_hours", "office_culture"])
