"""The little logic of the office review screens, and the bundle helpers they call."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from inspection_app.domain.errors import UserError
from inspection_app.services import bundles, review, roll_call
from inspection_app.services.context import AppContext
from inspection_app.ui.enum_labels import enum_label
from inspection_app.ui.i18n import LABELS
from inspection_app.ui.views import registry
from inspection_app.ui.views.review_common import PERIODS, period_range
from inspection_app.ui.views.review_dashboard import COLUMNS, bar_fraction, fmt_month


@pytest.mark.parametrize("key, today, expected", [
    ("all", date(2026, 11, 23), (None, None)),
    ("this_month", date(2026, 2, 14), (date(2026, 2, 1), date(2026, 2, 28))),
    ("this_month", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ("last_month", date(2026, 1, 5), (date(2025, 12, 1), date(2025, 12, 31))),
    ("last_month", date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
    ("this_quarter", date(2026, 11, 23), (date(2026, 10, 1), date(2026, 12, 31))),
    ("this_quarter", date(2026, 2, 1), (date(2026, 1, 1), date(2026, 3, 31))),
    ("this_year", date(2026, 7, 1), (date(2026, 1, 1), date(2026, 12, 31))),
])
def test_period_range(key, today, expected):
    assert period_range(key, today) == expected


def test_bar_fraction_is_clamped_and_empty_for_missing_values():
    assert bar_fraction(None, 1.0) == 0.0
    assert bar_fraction(3, 0) == 0.0
    assert bar_fraction(0.786, 1.0) == pytest.approx(0.786)
    assert bar_fraction(5, 4) == 1.0
    assert bar_fraction(2, 4) == 0.5


def test_month_label_and_columns_have_labels():
    assert fmt_month("2026-03") == "03/2026"
    assert all(col.label_key in LABELS for col in COLUMNS)


def test_office_labels_are_merged_and_bilingual():
    assert all(LABELS[enum_label("of.period", p)][1] for p in PERIODS)


def test_review_routes():
    assert registry.ROUTES["/review"].__name__ == "ReviewVisitsScreen"
    for route in ("/review/dashboard", "/review/remedies", "/review/bundles"):
        assert route in registry.ROUTES
    m = registry.REVIEW_VISIT_ROUTE.match("/review/visits/769f19b8-d2b7-487e-ac53-e690fad4af5e")
    assert m and m["visit_id"] == "769f19b8-d2b7-487e-ac53-e690fad4af5e"
    assert registry.REVIEW_VISIT_ROUTE.match("/visits/abc/checklist") is None


def test_bundle_helpers_export_into_exports_and_import_bytes(ctx, visit, unit_with_staff, tmp_path):
    _, people = unit_with_staff
    roll_call.set_attendance(ctx, visit.id, people[1].id, "absent_unexcused")
    result = bundles.export_to_data_dir(ctx, [visit.id], now=datetime(2026, 11, 23, 9, 30))
    assert result.path == ctx.data_dir / "exports" / "goi-kiem-tra-20261123-093000-1-luot.iab"
    assert result.path.is_file() and result.visit_ids == [visit.id]

    office = AppContext.open(tmp_path / "office", actor="Văn phòng Sở")
    try:
        from inspection_app.services import devices  # the office enrols the tablet once (issue #10)
        me = devices.own_device(ctx)
        devices.enrol_device(office, me.public_key, me.device_id, me.fingerprint, "Máy tính bảng 1")
        with pytest.raises(UserError):
            bundles.import_bundle_data(office, b"not a bundle", "hong.iab")
        report = bundles.import_bundle_data(office, result.path.read_bytes(), result.path.name)
        assert report.file_name == result.path.name and report.inserted.get("visit") == 1
        kept = list((office.data_dir / "imports").glob("*/" + result.path.name))
        assert len(kept) == 1 and kept[0].read_bytes() == result.path.read_bytes()
        again = bundles.import_bundle_data(office, result.path.read_bytes(), result.path.name)
        assert again.unchanged
        rows = review.visits_page(office).rows
        assert [r.id for r in rows] == [visit.id]
        assert review.visit_record(office, visit.id).roll_call_totals.absent_unexcused == 1
    finally:
        office.close()
