import io
from datetime import UTC

import openpyxl
import pytest

from inspection_app.domain.errors import Locked, NotFound, ValidationFailed
from inspection_app.services import checklists, findings, roll_call, settings, units, visit_close, visits


def test_visit_setup_records_team_units_and_checklist_versions(ctx, visit):
    assert [c["id"] for c in visit.checklists] == ["working_hours", "office_culture"]
    assert all(c["version"] == "2.0" for c in visit.checklists)
    team = visits.participants(ctx, visit.id, "team")
    assert [(p.full_name, p.role) for p in team] == [("Nguyễn Thị Ánh Tuyết", "leader"), ("Phạm Đức Anh", "secretary")]
    assert visits.participants(ctx, visit.id, "unit")[0].role == "Chủ tịch UBND xã"
    assert [s.id for s in visits.list_visits(ctx)] == [visit.id]
    assert visits.list_visits(ctx)[0].unit_name == "UBND xã Thử Nghiệm"


def test_visit_setup_validation(ctx, unit_with_staff):
    unit, _ = unit_with_staff
    with pytest.raises(ValidationFailed):
        visits.create_visit(ctx, unit.id, checklist_ids=["no_such_list"])
    with pytest.raises(ValidationFailed):
        visits.create_visit(ctx, unit.id, team=[visits.ParticipantIn("A", "leader"), visits.ParticipantIn("B", "leader")])
    with pytest.raises(NotFound):
        visits.create_visit(ctx, "missing-unit")
    with pytest.raises(ValidationFailed):
        units.create_unit(ctx, "   ")


def test_answers_are_saved_at_once_and_checked(ctx, visit):
    checklists.record_answer(ctx, visit.id, "working_hours", "wh.attendance_method", " paper ")
    assert checklists.answers_for(ctx, visit.id)[("working_hours", "wh.attendance_method")].value == "paper"
    with pytest.raises(ValidationFailed) as exc:
        checklists.record_answer(ctx, visit.id, "working_hours", "wh.attendance_method", "sổ tay")
    assert "danh sách" in exc.value.vi and "choices" in exc.value.en
    with pytest.raises(ValidationFailed):
        checklists.record_answer(ctx, visit.id, "alcohol_tobacco", "at.no_ashtrays", "pass")  # not in this visit
    # a note alone leaves the value as it is
    checklists.record_answer(ctx, visit.id, "working_hours", "wh.attendance_method", note="Cổng chính")
    a = checklists.answers_for(ctx, visit.id)[("working_hours", "wh.attendance_method")]
    assert (a.value, a.note) == ("paper", "Cổng chính")
    assert visits.get_visit(ctx, visit.id).status == "on_site"
    done = {(p.checklist_id, p.section_id): p.answered for p in checklists.progress(ctx, visit.id)}
    assert done[("working_hours", "management")] == 1


def test_failed_item_needs_its_note_before_closing(ctx, visit):
    checklists.record_answer(ctx, visit.id, "working_hours", "wh.on_time", "fail")
    kinds = {(m.item_id, m.kind) for m in visit_close.missing_before_close(ctx, visit.id)}
    assert ("wh.on_time", "note") in kinds
    checklists.record_answer(ctx, visit.id, "working_hours", "wh.on_time", note="02 người đến muộn")
    kinds = {(m.item_id, m.kind) for m in visit_close.missing_before_close(ctx, visit.id)}
    assert ("wh.on_time", "note") not in kinds


def _answer_all(ctx, visit_id):
    for c in checklists.visit_checklists(ctx, visit_id):
        for item in c.items:
            value = {"pass_fail": "pass", "count": "0", "time": "07:30", "text": "ok"}.get(item.answer.value)
            value = value or item.choices[0].value
            checklists.record_answer(ctx, visit_id, c.id, item.id, value)


def test_close_requires_signatures_then_locks(ctx, visit):
    _answer_all(ctx, visit.id)
    missing = visit_close.missing_before_close(ctx, visit.id)
    assert {m.kind for m in missing} == {"signature"} and len(missing) == 3
    with pytest.raises(ValidationFailed) as exc:
        visit_close.close_visit(ctx, visit.id)
    assert len(exc.value.details["missing"]) == 3
    strokes = [[[10, 10], [50, 40], [90, 20]]]
    visits.save_signature(ctx, visit.id, "team_leader", "Nguyễn Thị Ánh Tuyết", strokes, 600, 240)
    visits.save_signature(ctx, visit.id, "secretary", "Phạm Đức Anh", strokes, 600, 240)
    with pytest.raises(ValidationFailed):  # the team cannot refuse its own minutes
        visits.refuse_signature(ctx, visit.id, "secretary", "Phạm Đức Anh", "Không đồng ý")
        visit_close.close_visit(ctx, visit.id)
    visits.save_signature(ctx, visit.id, "secretary", "Phạm Đức Anh", strokes, 600, 240)
    visits.refuse_signature(ctx, visit.id, "unit_representative", "Nguyễn Văn An", "Chưa thống nhất số liệu")
    # signatures not bound to the minutes' content (or given before the refusal changed it) are stale
    assert {m.kind for m in visit_close.missing_before_close(ctx, visit.id)} == {"signature"}
    from datetime import timedelta

    from inspection_app.services import minutes_signatures
    visits.update_visit(ctx, visit.id, assessment="Chấp hành tốt.",
                        ended_at=visits.get_visit(ctx, visit.id).arrival_at + timedelta(hours=2))
    strokes = [[[10, 10], [150, 80], [300, 20]]]
    minutes_signatures.sign(ctx, visit.id, "team_leader", "Nguyễn Thị Ánh Tuyết", strokes, 600, 240)
    minutes_signatures.sign(ctx, visit.id, "secretary", "Phạm Đức Anh", strokes, 600, 240)
    closed = visit_close.close_visit(ctx, visit.id)
    assert closed.status == "closed" and closed.closed_at is not None
    sigs = visits.list_signatures(ctx, visit.id)
    assert sigs["team_leader"].strokes == [[[10.0, 10.0], [150.0, 80.0], [300.0, 20.0]]]
    assert sigs["unit_representative"].refused and sigs["unit_representative"].refusal_reason
    with pytest.raises(Locked) as exc:
        checklists.record_answer(ctx, visit.id, "working_hours", "wh.on_time", "fail")
    assert "khóa" in exc.value.vi and "locked" in exc.value.en
    with pytest.raises(Locked):
        findings.add_finding(ctx, visit.id, "Muộn")
    with pytest.raises(Locked):
        visits.clear_signature(ctx, visit.id, "team_leader")


def test_empty_signature_is_refused(ctx, visit):
    with pytest.raises(ValidationFailed):
        visits.save_signature(ctx, visit.id, "team_leader", "A", [[[1, 1]]], 600, 240)


def test_findings_on_their_own_on_an_item_or_a_person(ctx, visit, unit_with_staff):
    _, people = unit_with_staff
    own = findings.add_finding(ctx, visit.id, "Không có hòm thư góp ý", "low", kind="office_culture")
    on_item = findings.add_finding(ctx, visit.id, "Không đeo thẻ", checklist_id="office_culture", item_id="oc.card_worn")
    on_person = findings.add_finding(ctx, visit.id, "Hút thuốc trong phòng", "high", staff_id=people[1].id,
                                     kind="tobacco", explanation_requested=True)
    assert on_person.recorded_by == "Nguyễn Thị Kiểm Tra" and on_person.recorded_at is not None
    assert [f.id for f in findings.list_findings(ctx, visit.id)] == [own.id, on_item.id, on_person.id]
    findings.update_finding(ctx, own.id, severity="medium")
    findings.delete_finding(ctx, on_item.id)
    assert len(findings.list_findings(ctx, visit.id)) == 2
    with pytest.raises(ValidationFailed):
        findings.add_finding(ctx, visit.id, " ")
    with pytest.raises(ValidationFailed):
        findings.add_finding(ctx, visit.id, "x", severity="catastrophic")


def test_roll_call_statuses_minutes_late_and_totals(ctx, visit, unit_with_staff):
    _, (a, b, c) = unit_with_staff
    roll_call.set_attendance(ctx, visit.id, a.id, "present")
    late = roll_call.set_attendance(ctx, visit.id, b.id, "late", "08:10")
    assert late.arrival_time == "08:10" and late.minutes_late > 0
    absent = roll_call.set_attendance(ctx, visit.id, c.id, "absent_excused", reason="Nghỉ phép",
                                      evidence="Đơn nghỉ phép được duyệt")
    assert absent.evidence == "Đơn nghỉ phép được duyệt"
    sheet = roll_call.roll_call_sheet(ctx, visit.id)
    assert (sheet.totals.roster, sheet.totals.present, sheet.totals.late, sheet.totals.absent_excused) == (3, 1, 1, 1)
    roll_call.set_attendance(ctx, visit.id, c.id, "absent_unexcused")  # changing one's mind replaces the entry
    sheet = roll_call.roll_call_sheet(ctx, visit.id)
    assert (sheet.totals.absent_excused, sheet.totals.absent_unexcused) == (0, 1)
    with pytest.raises(ValidationFailed):
        roll_call.set_attendance(ctx, visit.id, a.id, "late", "sáng")


def test_late_minutes_follow_the_configured_season(ctx, visit, unit_with_staff):
    _, (a, *_) = unit_with_staff
    s = settings.get_settings(ctx)
    for season in s.office_hours:
        season.morning_start = season.morning_start.replace(hour=8, minute=0)
    settings.save_settings(ctx, s)
    assert roll_call.set_attendance(ctx, visit.id, a.id, "late", "08:10").minutes_late == 10


def _xlsx(rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_roster_import_loads_good_rows_and_lists_bad_ones(ctx):
    unit = units.create_unit(ctx, "Trạm Y tế xã")
    data = _xlsx([["STT", "Họ và tên", "Chức danh", "Bộ phận"], [1, "Châu Thị Ngọc", "Trạm trưởng", "Trạm"],
                  [2, None, "Y sĩ", "Trạm"], [3, "Nguyễn Hữu Lộc", "Y sĩ", "Trạm"]])
    result = units.import_roster(ctx, unit.id, data, "roster.xlsx")
    assert len(result.people) == 2 and [p.row for p in result.problems] == [3]
    assert [p.full_name for p in units.list_staff(ctx, unit.id)] == ["Châu Thị Ngọc", "Nguyễn Hữu Lộc"]
    units.import_roster(ctx, unit.id, data, "roster.xlsx")  # the same file twice adds no one
    assert len(units.list_staff(ctx, unit.id)) == 2


def test_roster_with_missing_columns_or_wrong_encoding(ctx):
    unit = units.create_unit(ctx, "Đơn vị")
    with pytest.raises(ValidationFailed):
        units.import_roster(ctx, unit.id, "Chức vụ,Phòng\nA,B\n".encode(), "r.csv")
    with pytest.raises(ValidationFailed):
        units.import_roster(ctx, unit.id, b"", "r.csv")
    assert units.list_staff(ctx, unit.id) == []


def test_settings_round_trip_and_bad_values_keep_the_old(ctx):
    s = settings.get_settings(ctx)
    s.department.code = "SNV-TN"
    s.language = "en"
    settings.save_settings(ctx, s)
    from inspection_app.config import Config
    reread = Config.load(ctx.data_dir).settings
    assert reread.department.code == "SNV-TN" and reread.language == "en"
    with pytest.raises(ValidationFailed):
        settings.save_settings(ctx, {**reread.model_dump(), "language": "fr"})
    assert ctx.settings.language == "en"


def test_malformed_settings_file_is_reported(data_dir):
    from inspection_app.config import Config
    from inspection_app.domain.errors import UserError
    data_dir.mkdir(parents=True)
    (data_dir / "settings.yaml").write_text("department: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        Config.load(data_dir)
    assert "settings.yaml" in exc.value.vi


def test_photo_on_a_finding_about_the_item_counts_as_its_evidence(ctx, visit):
    from datetime import datetime

    from inspection_app.services import photos
    from inspection_app.services.demo import demo_photo

    checklists.record_answer(ctx, visit.id, "working_hours", "wh.no_leaving_post", "fail", note="Bỏ vị trí")
    gaps = {(m.item_id, m.kind) for m in visit_close.missing_before_close(ctx, visit.id)}
    assert ("wh.no_leaving_post", "photo") in gaps
    finding = findings.add_finding(ctx, visit.id, "Chuyên viên một cửa vắng mặt tại quầy", checklist_id="working_hours",
                                   item_id="wh.no_leaving_post")
    photos.add_photo(ctx, visit.id, demo_photo("Quầy một cửa bỏ trống", 3, datetime.now(UTC)), "q.jpg",
                     finding_id=finding.id)
    gaps = {(m.item_id, m.kind) for m in visit_close.missing_before_close(ctx, visit.id)}
    assert ("wh.no_leaving_post", "photo") not in gaps


def test_calendar_days_are_read_from_the_settings_screen_text(ctx):
    from datetime import date

    days = settings.parse_days("16/02/2026, 17/02/2026;\n16/02/2026")
    assert days == [date(2026, 2, 16), date(2026, 2, 17)]
    assert settings.format_days(days) == "16/02/2026, 17/02/2026"
    assert settings.parse_days("  ") == []
    with pytest.raises(ValidationFailed) as exc:
        settings.parse_days("16/02/2026, 30/02/2026")
    assert "30/02/2026" in exc.value.vi and "30/02/2026" in exc.value.en
    s = settings.get_settings(ctx)
    s.extra_days_off = days
    settings.save_settings(ctx, s)
    from inspection_app.config import Config
    assert Config.load(ctx.data_dir).settings.extra_days_off == days


def test_minutes_cannot_end_before_the_team_arrived(ctx, visit):
    from datetime import timedelta

    arrival = visits.get_visit(ctx, visit.id).arrival_at
    with pytest.raises(ValidationFailed) as exc:
        visits.update_visit(ctx, visit.id, ended_at=arrival - timedelta(hours=1))
    assert "trước giờ Đoàn đến" in exc.value.vi and "before the team arrived" in exc.value.en
    assert visits.get_visit(ctx, visit.id).ended_at is None
    visits.update_visit(ctx, visit.id, ended_at=arrival + timedelta(hours=2))


def test_the_departments_identity_is_asked_not_defaulted(tmp_path):
    """No place name is printed silently (issue #11): a new data directory has no province; the one
    typed is kept as typed, a centrally-run city says 'thành phố'."""
    from inspection_app.services.context import AppContext

    ctx = AppContext.open(tmp_path / "fresh")
    try:
        dept = ctx.settings.department
        assert dept.missing() and dept.parent_agency_line() == "" and dept.place_name() == ""
        with pytest.raises(ValidationFailed):
            settings.set_identity(ctx, "  ")
        with pytest.raises(ValidationFailed):
            settings.set_identity(ctx, "Hà Nội", "quận")
        settings.set_identity(ctx, "Hà  Nội", "Thành phố")
        dept = AppContext.open(tmp_path / "fresh").settings.department  # saved
        assert (dept.organisation_name(), dept.parent_agency_line(), dept.place_name()) == (
            "Sở Nội vụ thành phố Hà Nội", "UBND THÀNH PHỐ HÀ NỘI", "Hà Nội")
        assert not dept.missing()
    finally:
        ctx.close()


def test_team_title_keeps_proper_nouns(ctx):
    dept = ctx.settings.department
    dept.team_name = "ĐOÀN KIỂM TRA CÔNG VỤ SỞ NỘI VỤ TỈNH TÂY NINH"
    assert dept.team_title() == "Đoàn kiểm tra công vụ Sở Nội vụ tỉnh Tây Ninh"


def test_numbered_minutes_wait_for_the_identity(ctx):
    from inspection_app.services import demo, minutes

    demo.load_demo(ctx)
    ctx.settings.department.province = ""
    with pytest.raises(ValidationFailed) as exc:
        minutes.export_minutes(ctx, demo.finished_visit_id(ctx))
    assert "Cài đặt" in exc.value.vi and "Settings" in exc.value.en
