"""The office review services: visits table, full record, dashboard, remedies; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from office_seed import VN, seed_unit, seed_visit

from inspection_app.domain.errors import NotFound, ValidationFailed
from inspection_app.domain.report import percent
from inspection_app.services import bundles, review

pytestmark = pytest.mark.both_databases


@pytest.fixture
def office(ctx_factory):
    return ctx_factory("office", actor="Phạm Thu Hà", device_id="office-1")


@pytest.fixture
def seeded(office):
    """Three units, five visits over March and April 2026 (local time)."""
    tan_thanh = seed_unit(office, "UBND xã Tân Thành", staff=4)
    tram = seed_unit(office, "Trạm y tế phường Hòa Thành", staff=2)
    so = seed_unit(office, "Sở Tài chính", staff=3)
    v1 = seed_visit(office, unit=tan_thanh, when=datetime(2026, 3, 2, 7, 45, tzinfo=VN),
                    roll_call=["present", "late", "absent_unexcused", "absent_excused"],
                    answers={"office_culture": {"oc1": "pass", "oc2": "fail", "oc3": "fail", "oc4": "na"},
                             "alcohol_tobacco": {"at1": "fail", "at2": "pass"}},
                    findings=[("alcohol", "Uống bia buổi trưa"), ("tobacco", "Hút thuốc trong phòng"), ("", "Khác")],
                    timeliness=["early", "on_time", "late", "late"],
                    remedies=[("Chấn chỉnh giờ giấc", date(2026, 3, 31), None),
                              ("Niêm yết thủ tục", date(2026, 5, 30), None)],
                    minutes=True, signed=True, status="signed")
    # 31 March 20:30 UTC is 1 April 03:30 in Viet Nam: an April visit.
    v2 = seed_visit(office, unit=tan_thanh, when=datetime(2026, 3, 31, 20, 30, tzinfo=UTC),
                    roll_call=["present", "present", "present", "left_post"],
                    answers={"office_culture": {"oc1": "pass"}}, findings=[("tobacco", "Gạt tàn trong phòng họp")],
                    timeliness=["on_time"], status="closed")
    v3 = seed_visit(office, unit=tram, when=datetime(2026, 3, 20, 14, 0, tzinfo=VN), roll_call=["present", "absent_unexcused"],
                    answers={"working_hours": {"wh1": "pass"}}, remedies=[("Bố trí người trực", date(2026, 4, 10), date(2026, 4, 12))],
                    status="filed")
    v4 = seed_visit(office, unit=so, when=datetime(2026, 4, 15, 8, 0, tzinfo=VN), roll_call=["present"] * 3,
                    answers={"tthc_dossiers": {"d1": "pass"}}, status="on_site")
    v5 = seed_visit(office, unit=so, when=datetime(2026, 6, 1, 8, 0, tzinfo=VN), roll_call=[], answers={},
                    status="draft")
    return {"tan_thanh": tan_thanh[0], "tram": tram[0], "so": so[0], "v": [v1, v2, v3, v4, v5]}


def _ids(page) -> list[str]:
    return [r.id for r in page.rows]


def test_visits_table_filters_search_and_pages(office, seeded):
    v1, v2, v3, v4, v5 = seeded["v"]
    today = date(2026, 4, 20)
    page = review.visits_page(office, today=today)
    assert page.total == 5 and _ids(page) == [v5.visit_id, v4.visit_id, v2.visit_id, v3.visit_id, v1.visit_id]
    first = page.rows[-1]
    assert (first.unit_name, first.visit_date, first.findings, first.violations, first.open_remedies,
            first.overdue_remedies, first.status) == ("UBND xã Tân Thành", date(2026, 3, 2), 3, 4, 2, 1, "signed")
    # 4 violations, each once: late and absent (roll call), alcohol and tobacco (findings)
    assert page.rows[2].visit_date == date(2026, 4, 1)

    F = review.VisitFilters
    assert set(_ids(review.visits_page(office, F(unit_id=seeded["tan_thanh"])))) == {v1.visit_id, v2.visit_id}
    march = review.visits_page(office, F(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)))
    assert set(_ids(march)) == {v1.visit_id, v3.visit_id}
    assert _ids(review.visits_page(office, F(status="filed"))) == [v3.visit_id]
    assert set(_ids(review.visits_page(office, F(checklist_id="office_culture")))) == {v1.visit_id, v2.visit_id}
    assert _ids(review.visits_page(office, F(checklist_id="tthc_dossiers"))) == [v4.visit_id]
    assert set(_ids(review.visits_page(office, F(violation_kind="tobacco")))) == {v1.visit_id, v2.visit_id}
    assert _ids(review.visits_page(office, F(violation_kind="alcohol", unit_id=seeded["tan_thanh"]))) == [v1.visit_id]
    # Search ignores case and diacritics in unit names.
    assert _ids(review.visits_page(office, F(search="tram y te"))) == [v3.visit_id]
    assert set(_ids(review.visits_page(office, F(search="TÂN THÀNH")))) == {v1.visit_id, v2.visit_id}
    assert review.visits_page(office, F(search="125/QĐ")).total == 5
    assert review.visits_page(office, F(search="100%_")).total == 0

    p0 = review.visits_page(office, page=0, page_size=2)
    p2 = review.visits_page(office, page=2, page_size=2)
    assert p0.pages == 3 and len(p0.rows) == 2 and _ids(p2) == [v1.visit_id]

    opts = review.filter_options(office)
    assert [n for _, n in opts.units] == ["Sở Tài chính", "Trạm y tế phường Hòa Thành", "UBND xã Tân Thành"]
    assert opts.statuses == ["draft", "on_site", "closed", "signed", "filed"]
    assert opts.violation_kinds[:5] == ["late", "absent_unexcused", "left_post", "alcohol", "tobacco"]
    assert {"office_culture", "working_hours"} <= set(opts.checklists)
    assert (opts.first_date, opts.last_date) == (date(2026, 3, 2), date(2026, 6, 1))


def test_visit_record_is_complete(office, seeded):
    v1 = seeded["v"][0]
    rec = review.visit_record(office, v1.visit_id, today=date(2026, 4, 20))
    assert rec.unit.name == "UBND xã Tân Thành" and rec.status == "signed" and rec.visit_date == date(2026, 3, 2)
    assert rec.decision_number == "125/QĐ-SNV"
    assert [p.full_name for p in rec.participants] == ["Trần Thị Bình"]
    assert {a.item_id: a.value for a in rec.answers["office_culture"]} == {"oc1": "pass", "oc2": "fail", "oc3": "fail",
                                                                           "oc4": "na"}
    assert sorted(f.kind for f in rec.findings) == ["", "alcohol", "tobacco"]
    assert rec.roll_call_totals.roster == 4 and rec.roll_call_totals.absent_unexcused == 1
    assert {a.status for a in rec.roll_call} == {"present", "late", "absent_unexcused", "absent_excused"}
    assert len(rec.dossiers) == 4 and len(rec.samples) == 1
    assert len(rec.minutes) == 1
    mins = rec.minutes[0]
    assert mins.signed and mins.file_present and mins.file_intact and mins.path.is_file()
    assert [r.overdue for r in rec.remedies] == [True, False]
    assert rec.audit.chain_ok and rec.audit.events > 10 and rec.audit.devices == ["office-1"]
    mins.path.write_bytes(b"altered")
    assert not review.visit_record(office, v1.visit_id).minutes[0].file_intact
    with pytest.raises(NotFound):
        review.visit_record(office, "no-such-visit")


def test_dashboard_by_unit_and_month(office, seeded):
    d = review.dashboard(office, date(2026, 3, 1), date(2026, 4, 30))
    t = d.totals
    # Only finished visits count: v4 is still on site (listed apart), the June draft is outside the period.
    assert t.visits == 3
    assert [(o.visit_id, o.status) for o in d.open_visits] == [(seeded["v"][3].visit_id, "on_site")]
    assert (t.roll_call, t.present, t.late, t.absent_excused, t.absent_unexcused, t.left_post) == (10, 5, 1, 1, 2, 1)
    assert t.attendance_rate == pytest.approx(6 / 10)
    assert (t.v_late, t.v_absent_unexcused, t.v_left_post, t.violations) == (1, 2, 1, 7)
    assert (t.alcohol, t.tobacco, t.alcohol_tobacco, t.alcohol_tobacco_items_failed) == (1, 2, 3, 1)
    assert (t.office_culture_items, t.office_culture_failed) == (4, 2)
    assert (t.dossiers_checked, t.dossiers_in_time, t.dossiers_late) == (5, 3, 2)
    assert t.on_time_rate == pytest.approx(0.6) and percent(t.on_time_rate) == "60,0%"
    assert [mo.month for mo in d.by_month] == ["2026-03", "2026-04"]
    march, april = (mo.metrics for mo in d.by_month)
    assert (march.visits, april.visits) == (2, 1)
    assert (march.tobacco, april.tobacco) == (1, 1)
    assert d.by_month[1].label == "04/2026"
    units = {u.unit_name: u.metrics for u in d.by_unit}
    assert list(units) == ["Trạm y tế phường Hòa Thành", "UBND xã Tân Thành"]
    assert units["UBND xã Tân Thành"].visits == 2
    assert units["UBND xã Tân Thành"].absent_unexcused == 1
    assert units["Trạm y tế phường Hòa Thành"].attendance_rate == 0.5
    assert units["Trạm y tế phường Hòa Thành"].on_time_rate is None and percent(None) == "–"
    assert d.by_unit_month[(seeded["tan_thanh"], "2026-04")].left_post == 1
    one = review.dashboard(office, unit_id=seeded["so"])
    assert one.totals.visits == 0 and one.by_unit == [] and len(one.open_visits) == 2
    assert review.dashboard(office, date(2027, 1, 1), date(2027, 12, 31)).totals.visits == 0


def test_remedies_follow_up(office, seeded):
    today = date(2026, 4, 20)
    rows = review.remedies(office, today=today)
    assert [r.text for r in rows] == ["Chấn chỉnh giờ giấc", "Bố trí người trực", "Niêm yết thủ tục"]
    overdue = rows[0]
    assert overdue.overdue and overdue.days_overdue == 20 and overdue.unit_name == "UBND xã Tân Thành"
    assert rows[1].status == "reported" and rows[1].reported_late and not rows[1].overdue
    assert [r.text for r in review.remedies(office, today=today, overdue_only=True)] == ["Chấn chỉnh giờ giấc"]
    assert [r.text for r in review.remedies(office, today=today, unit_id=seeded["tram"])] == ["Bố trí người trực"]

    with pytest.raises(ValidationFailed):
        review.record_report_back(office, overdue.id, date(2026, 4, 18), "   ", today=today)
    with pytest.raises(ValidationFailed):
        review.record_report_back(office, overdue.id, date(2026, 5, 1), "Đã chấn chỉnh", today=today)
    with pytest.raises(ValidationFailed):
        review.accept_remedy(office, overdue.id, today=today)
    done = review.record_report_back(office, overdue.id, date(2026, 4, 18), "Đã chấn chỉnh, có biên bản họp",
                                     today=today)
    assert done.status == "reported" and not done.overdue and done.reported_late
    accepted = review.accept_remedy(office, overdue.id, today=today)
    assert accepted.status == "done" and accepted.reviewed_by == "Phạm Thu Hà"
    assert review.remedies(office, today=today, overdue_only=True) == []
    # The follow-up of a signed visit is recorded in its audit log.
    from inspection_app.store.audit import history
    with office.session() as s:
        events = [e for e in history(s, seeded["v"][0].visit_id) if e.entity == "remedy" and e.action == "update"]
    assert events[-1].changes["status"] == ["reported", "done"]


def test_imported_visit_opens_in_review(ctx_factory, office, tmp_path):
    tablet = ctx_factory("tablet", backend="sqlite", device_id="tablet-a")
    v = seed_visit(tablet, findings=[("alcohol", "Có mùi rượu")], photos=2, minutes=True, signed=True, status="signed")
    from inspection_app.services import devices  # the office enrols the tablet once (issue #10)
    me = devices.own_device(tablet)
    devices.enrol_device(office, me.public_key, me.device_id, me.fingerprint, "Máy tính bảng 1")
    bundles.import_bundle(office, bundles.export_bundle(tablet, tmp_path / "b.iab").path)
    page = review.visits_page(office)
    assert _ids(page) == [v.visit_id] and page.rows[0].violations == 1
    rec = review.visit_record(office, v.visit_id)
    assert rec.minutes[0].file_intact and all(p.thumb.is_file() for p in rec.photos)
    assert rec.audit.chain_ok and rec.audit.devices == ["office-1", "tablet-a"]


def test_tallies_follow_every_change_whoever_writes(office, seeded):
    """The dashboard adds up per-visit tallies; database triggers forget a tally when its sources change,
    also for bulk statements that bypass the app's sessions (a bundle merge, a script)."""
    from sqlalchemy import delete, insert, update

    from inspection_app.store import models as m
    from inspection_app.store.office import visit_tally

    v2 = seeded["v"][1]
    before = review.dashboard(office, date(2026, 3, 1), date(2026, 4, 30)).totals
    with office.session() as s:
        assert s.execute(select_count(visit_tally)).scalar_one() == 3  # one row per counted visit
    with office.session(raw=True) as s:
        s.execute(insert(m.Finding.__table__), [{"id": "bulk-f1", "visit_id": v2.visit_id, "description": "Uống rượu",
                                                 "severity": "medium", "kind": "alcohol", "explanation_requested": False,
                                                 "place": "", "recorded_by": "", "recorded_at": datetime.now(UTC),
                                                 "created_at": datetime.now(UTC),
                                                 "updated_at": datetime.now(UTC)}])
    after = review.dashboard(office, date(2026, 3, 1), date(2026, 4, 30)).totals
    assert (after.alcohol, after.findings) == (before.alcohol + 1, before.findings + 1)
    with office.session(raw=True) as s:
        s.execute(delete(m.Finding.__table__).where(m.Finding.id == "bulk-f1"))
        s.execute(update(m.RollCallEntry.__table__).where(m.RollCallEntry.visit_id == v2.visit_id,
                                                          m.RollCallEntry.status == "left_post").values(status="late"))
    again = review.dashboard(office, date(2026, 3, 1), date(2026, 4, 30)).totals
    assert (again.alcohol, again.left_post, again.late, again.v_late) == (before.alcohol, 0, before.late + 1,
                                                                          before.v_late + 1)
    with office.session(raw=True) as s:  # the visit moves to May: out of the period
        s.execute(update(m.Visit.__table__).where(m.Visit.id == v2.visit_id)
                  .values(arrival_at=datetime(2026, 5, 5, 1, 0, tzinfo=UTC)))
    assert review.dashboard(office, date(2026, 3, 1), date(2026, 4, 30)).totals.visits == before.visits - 1
    assert [mo.month for mo in review.dashboard(office).by_month] == ["2026-03", "2026-05"]


def select_count(table):
    from sqlalchemy import func, select

    return select(func.count()).select_from(table)


def test_a_table_filtered_by_violation_kind_pages_in_the_table_order(office, seeded):
    """The kind filter reads its pages from the tallies' index on the visit's moment: the same visits in
    the same order as the whole table (newest first, equal moments by id), also after a visit moves."""
    from sqlalchemy import update

    from inspection_app.store import models as m

    v1, v2 = seeded["v"][:2]
    same = datetime(2026, 5, 4, 9, 0, tzinfo=VN)  # three visits at one moment: the order falls to their ids
    tied = [seed_visit(office, unit_name=f"UBND xã Cùng Giờ {i}", when=same, findings=[("tobacco", "Hút thuốc")],
                       status="closed") for i in range(3)]
    smokers = {v1.visit_id, v2.visit_id, *(v.visit_id for v in tied)}
    F = review.VisitFilters

    def check() -> None:
        whole = [vid for vid in _ids(review.visits_page(office, page_size=500)) if vid in smokers]
        paged = []
        for n in range(3):
            page = review.visits_page(office, F(violation_kind="tobacco"), page=n, page_size=2)
            assert page.total == len(smokers)
            paged += _ids(page)
        assert paged == whole

    check()
    assert _ids(review.visits_page(office, F(violation_kind="tobacco"), page_size=3)) == \
        sorted(v.visit_id for v in tied)
    with office.session(raw=True) as s:  # v1 moves after the others: its tally row forgets its moment
        s.execute(update(m.Visit.__table__).where(m.Visit.id == v1.visit_id)
                  .values(arrival_at=datetime(2026, 5, 4, 3, 0, tzinfo=UTC)))
    check()
    assert _ids(review.visits_page(office, F(violation_kind="tobacco"), page_size=1)) == [v1.visit_id]
    assert review.visits_page(office, F(violation_kind="no-such-kind")).total == 0
