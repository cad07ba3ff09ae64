"""Violations as data (issue #12): one of each kind, recorded through the tablet's services, is counted
once on the dashboard and in both reports; an open visit is in neither total. Outcomes and the
year-end list. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from office_seed import VN
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from inspection_app.domain.checklist import AnswerType
from inspection_app.domain.errors import NotFound, ValidationFailed
from inspection_app.domain.violations import ViolationKind
from inspection_app.services import (
    checklists,
    findings,
    outcomes,
    photos,
    province_report,
    reports,
    review,
    roll_call,
    units,
    visit_close,
    visits,
)
from inspection_app.services.visits import ParticipantIn

pytestmark = pytest.mark.both_databases

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
TODAY = date(2026, 4, 5)
ITEM_FAILS = {("alcohol_tobacco", "at.no_drinking_hours"): "Phòng kế toán có bia trên bàn lúc 10 giờ.",
              ("alcohol_tobacco", "at.no_smoking_indoors"): "Hút thuốc lá trong phòng làm việc tầng 2.",
              ("office_culture", "oc.card_worn"): "Công chức một cửa không đeo thẻ."}


def _jpeg(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 40 % 256, 90, 120)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def office(ctx_factory):
    return ctx_factory("office", actor="Trần Thị Bình", device_id="tablet-1")


def _visit(ctx, unit_id, when, checklist_ids):
    return visits.create_visit(ctx, unit_id, kind="unannounced", decision_number="125/QĐ-SNV", arrival_at=when,
                               checklist_ids=checklist_ids,
                               team=[ParticipantIn("Trần Thị Bình", "leader", "Phó Giám đốc Sở Nội vụ"),
                                     ParticipantIn("Phạm Đức Anh", "secretary", "Chuyên viên")])


def _answer_all(ctx, visit_id, people, fails):
    for c in checklists.visit_checklists(ctx, visit_id):
        if c.scope != "visit":
            continue
        for item in c.items:
            value = {AnswerType.PASS_FAIL: "pass", AnswerType.COUNT: "0", AnswerType.TIME: "07:25",
                     AnswerType.TEXT: "Đạt yêu cầu"}.get(item.answer)
            if item.answer is AnswerType.CHOICE:
                value = item.choices[0].value
            if item.answer is AnswerType.PERSON:
                value = people[0]
            note = None
            if (c.id, item.id) in fails:
                value, note = "fail", fails[(c.id, item.id)]
                if item.on_fail.photo:
                    photos.add_photo(ctx, visit_id, _jpeg(len(item.id)), f"{item.id}.jpg", caption=note,
                                     checklist_id=c.id, item_id=item.id)
            checklists.record_answer(ctx, visit_id, c.id, item.id, value, note=note)


def _sign(ctx, visit_id):
    """As on site: the assessment and the end time first, the refusal, then the team signs that text."""
    from inspection_app.services import minutes_signatures
    from inspection_app.services.demo import signature_strokes

    visit = visits.get_visit(ctx, visit_id)
    visits.update_visit(ctx, visit_id, assessment="Đơn vị còn vi phạm về giờ giấc và thuốc lá.",
                        ended_at=visit.arrival_at + timedelta(hours=3))
    minutes_signatures.refuse(ctx, visit_id, "unit_representative", "Nguyễn Văn An", "Chưa thống nhất")
    minutes_signatures.sign(ctx, visit_id, "team_leader", "Trần Thị Bình", signature_strokes(1), 600, 240)
    minutes_signatures.sign(ctx, visit_id, "secretary", "Phạm Đức Anh", signature_strokes(2), 600, 240)


@pytest.fixture
def field(office):
    """One closed visit with one violation of each kind, recorded as an inspector would; one open visit."""
    unit = units.create_unit(office, "UBND xã Hòa Hội", kind="UBND cấp xã", parent_agency="UBND TỈNH TÂY NINH")
    staff = {name: units.add_staff(office, unit.id, name, "Chuyên viên", employment_type=kind).id
             for name, kind in (("Nguyễn Văn Muộn", "Công chức"), ("Lê Thị Vắng", "Viên chức"),
                                ("Trần Văn Rời", "Người lao động"), ("Tạ Văn Đức", "Công chức"),
                                ("Phan Văn Vape", "Cán bộ"), ("Đỗ Văn Trưởng", "Công chức"),
                                ("Võ Thị Khác", ""))}
    other = units.create_unit(office, "Trạm y tế xã Hòa Hội", kind="Đơn vị sự nghiệp")
    other_staff = units.add_staff(office, other.id, "Người Khác Đơn Vị").id
    v = _visit(office, unit.id, datetime(2026, 3, 10, 7, 40, tzinfo=VN),
               ["working_hours", "alcohol_tobacco", "office_culture", "leadership_duties"])
    roll_call.set_attendance(office, v.id, staff["Nguyễn Văn Muộn"], "late", "07:52")
    roll_call.set_attendance(office, v.id, staff["Lê Thị Vắng"], "absent_unexcused")
    roll_call.set_attendance(office, v.id, staff["Trần Văn Rời"], "left_post", None, "Đi chợ")
    for name in ("Tạ Văn Đức", "Phan Văn Vape", "Đỗ Văn Trưởng", "Võ Thị Khác"):
        roll_call.set_attendance(office, v.id, staff[name], "present")
    _answer_all(office, v.id, list(staff.values()), ITEM_FAILS)
    # The same violations again, as findings: each must still count once.
    findings.add_finding(office, v.id, "Ông Muộn đến lúc 07 giờ 52.", kind="late", people=[staff["Nguyễn Văn Muộn"]])
    smoker = findings.add_finding(office, v.id, "Ông Đức hút thuốc trong phòng làm việc.", "high", "alcohol_tobacco",
                                  "at.no_smoking_indoors", kind="tobacco", people=[staff["Tạ Văn Đức"]],
                                  explanation_requested=True)
    findings.add_finding(office, v.id, "03 công chức không đeo thẻ.", checklist_id="office_culture",
                         item_id="oc.card_worn", kind="office_culture")
    findings.add_finding(office, v.id, "Ông Vape dùng thuốc lá điện tử tại phòng họp.", kind="e_cigarette",
                         people=[staff["Phan Văn Vape"]])
    findings.add_finding(office, v.id, "Hồ sơ 000.00.12.H56-260301-0001 trả muộn, không có văn bản xin lỗi.",
                         kind="tthc_dossier")
    findings.add_finding(office, v.id, "Chưa xây dựng kế hoạch tự kiểm tra công vụ.", kind="head_duties",
                         people=[staff["Đỗ Văn Trưởng"]])
    findings.add_finding(office, v.id, "Sử dụng xe công vào việc riêng.", kind="other", people=[staff["Võ Thị Khác"]])
    findings.add_finding(office, v.id, "Phòng tiếp dân sạch sẽ.")  # not a violation
    with pytest.raises(ValidationFailed):  # a person of another unit
        findings.add_finding(office, v.id, "x", kind="other", people=[other_staff])
    with pytest.raises(ValidationFailed):  # an unknown kind
        findings.add_finding(office, v.id, "x", kind="smoking")
    with pytest.raises(ValidationFailed):  # an item without its checklist
        findings.add_finding(office, v.id, "x", item_id="oc.card_worn")
    _sign(office, v.id)
    visit_close.close_visit(office, v.id)
    # An open visit at the other unit, with violations of its own: in neither total.
    o = _visit(office, other.id, datetime(2026, 3, 20, 8, 0, tzinfo=VN), ["alcohol_tobacco"])
    roll_call.set_attendance(office, o.id, other_staff, "absent_unexcused")
    findings.add_finding(office, o.id, "Uống rượu", kind="alcohol", people=[other_staff])
    return {"visit": v.id, "open": o.id, "staff": staff, "unit": unit.id, "smoker_finding": smoker.id}


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(unicodedata.normalize("NFC", p.extract_text() or "") for p in reader.pages).split())


def test_each_kind_counted_once_everywhere(office, field):
    board = review.dashboard(office, *MARCH)
    t = board.totals
    assert t.visits == 1 and [o.visit_id for o in board.open_visits] == [field["open"]]
    assert {k.value: t.violations_of(k.value) for k in ViolationKind} == {k.value: 1 for k in ViolationKind}
    assert t.violations == len(ViolationKind)
    assert (t.roll_call, t.at_work, t.present, t.late) == (7, 5, 4, 1)  # "Có mặt" includes the late
    rec = review.visit_record(office, field["visit"])
    assert next(f for f in rec.findings if f.kind == "tobacco").people == ["Tạ Văn Đức"]
    page = review.visits_page(office, review.VisitFilters(violation_kind="e_cigarette"))
    assert [(r.id, r.violations) for r in page.rows] == [(field["visit"], len(ViolationKind))]

    team = reports.period_report(office, *MARCH, today=TODAY, signer_post="Phó Giám đốc Sở Nội vụ")
    assert {k.code: k.count for k in team.by_kind} == {k.value: 1 for k in ViolationKind}
    assert team.totals == t and len(team.violations) == len(ViolationKind)
    assert [v.unit_name for v in team.visits] == ["UBND xã Hòa Hội"]
    tobacco = next(v for v in team.violations if v.kind == "tobacco")
    assert tobacco.person == "Tạ Văn Đức" and "hút thuốc" in tobacco.description.lower()
    cats = {c.code: (c.count, c.extra) for c in team.by_category}
    assert cats["cong_chuc"] == (3, 3) and cats["vien_chuc"] == (1, 1) and cats["can_bo"] == (1, 1)
    assert cats["nguoi_lao_dong"] == (1, 1) and cats[""] == (1, 1)
    assert [(u.kind, u.units, u.visits, u.violations) for u in team.by_unit_kind] == [("UBND cấp xã", 1, 1, 10)]

    prov = province_report.province_report(office, *MARCH, today=TODAY, signer_name="Lê Văn Giám",
                                           strengths="Đơn vị chấp hành tốt giờ giấc.", shortcomings="=SUM(A1)",
                                           proposals="Tiếp tục kiểm tra đột xuất.")
    assert {k.code: k.count for k in prov.content.by_kind} == {k.value: 1 for k in ViolationKind}
    assert prov.content.totals.visits == 1 and prov.previous.visits == 0
    assert (prov.previous_from, prov.previous_to) == (date(2026, 2, 1), date(2026, 2, 28))

    pdf, xlsx, stem = reports.report_bytes(office, *MARCH, today=TODAY, signer_post="Phó Giám đốc Sở Nội vụ")
    text = _pdf_text(pdf)
    for expected in ("SỞ NỘI VỤ TỈNH TÂY NINH", "ĐOÀN KIỂM TRA CÔNG VỤ", "Số: ……/BC-ĐKTCV",
                     "Kính gửi: Giám đốc Sở Nội vụ", "Nơi nhận:", "- Như trên;", "- Lưu: VT, ĐKTCV.", "TRƯỞNG ĐOÀN",
                     "PHÓ GIÁM ĐỐC SỞ NỘI VỤ", "Trần Thị Bình", "Phát hiện 10 vi phạm",
                     "Có 1 lượt kiểm tra chưa kết thúc, không tính vào số liệu báo cáo"):
        assert expected in text, expected
    wb = load_workbook(io.BytesIO(xlsx))
    by_kind = {r[0]: r[1] for r in wb["Theo loại vi phạm"].iter_rows(min_row=2, values_only=True)}
    assert set(by_kind.values()) == {1} and len(by_kind) == len(ViolationKind)
    summary = {r[0]: r[1] for r in wb["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Lượt kiểm tra"] == 1 and summary["Có mặt"] == 5 and summary["Tổng số vi phạm"] == 10
    visits_sheet = list(wb["Lượt kiểm tra"].iter_rows(min_row=2, values_only=True))
    assert visits_sheet[0][4] == "Đã kết thúc" and field["visit"] not in str(visits_sheet)

    pdf, xlsx, _ = province_report.province_bytes(office, *MARCH, today=TODAY, signer_name="Lê Văn Giám",
                                                  shortcomings="=SUM(A1)")
    text = _pdf_text(pdf)
    for expected in ("UBND TỈNH TÂY NINH", "SỞ NỘI VỤ", "Số: ……/BC-SNV", "Kính gửi: Ủy ban nhân dân tỉnh Tây Ninh",
                     "- Như trên;", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Văn Giám", "So sánh với kỳ trước",
                     "Tồn tại, hạn chế", "=SUM(A1)"):
        assert expected in text, expected
    wb = load_workbook(io.BytesIO(xlsx))
    typed = {r[0]: r[1] for r in wb["Nhận xét, kiến nghị"].iter_rows(min_row=2, values_only=True)}
    cell = wb["Nhận xét, kiến nghị"]["B3"]
    assert typed["Tồn tại, hạn chế"] == "=SUM(A1)" and cell.data_type == "s" and cell.quotePrefix


def test_reports_refuse_a_period_not_ended_and_a_missing_signer(office, field):
    with pytest.raises(ValidationFailed) as exc:
        reports.period_report(office, date(2026, 4, 1), date(2026, 4, 30), today=TODAY)
    assert "chưa kết thúc" in exc.value.vi
    with pytest.raises(ValidationFailed):
        province_report.province_report(office, date(2026, 3, 1), TODAY, today=TODAY)
    with pytest.raises(ValidationFailed):
        reports.period_report(office, *MARCH, today=TODAY, signer_name="   ")
    with pytest.raises(ValidationFailed):
        reports.period_report(office, date(2026, 3, 31), date(2026, 3, 1), today=TODAY)


def test_outcomes_and_year_end_list(office, field, tmp_path):
    rows = outcomes.violations(office, *MARCH)
    assert len(rows) == len(ViolationKind) and all(r.handling == "none" for r in rows)
    smoker = next(r for r in rows if r.kind == "tobacco")
    assert smoker.category == "cong_chuc" and smoker.person == "Tạ Văn Đức"
    vid = field["visit"]
    with pytest.raises(ValidationFailed):  # discipline needs its decision
        outcomes.record_outcome(office, vid, "tobacco", smoker.subject, "reprimand", decided_on=date(2026, 3, 20),
                                today=TODAY)
    with pytest.raises(ValidationFailed):  # a date is required
        outcomes.record_outcome(office, vid, "tobacco", smoker.subject, "reminder", today=TODAY)
    with pytest.raises(ValidationFailed):  # not in the future
        outcomes.record_outcome(office, vid, "tobacco", smoker.subject, "reminder", decided_on=date(2026, 5, 1),
                                today=TODAY)
    with pytest.raises(ValidationFailed):  # not before the visit
        outcomes.record_outcome(office, vid, "tobacco", smoker.subject, "reminder", decided_on=date(2026, 3, 1),
                                today=TODAY)
    with pytest.raises(ValidationFailed) as refused:  # "sa thải" is for contract staff, not a công chức
        outcomes.record_outcome(office, vid, "tobacco", smoker.subject, "summary_dismissal",
                                decided_on=date(2026, 3, 20), document="1/QĐ", today=TODAY)
    assert "không áp dụng cho công chức" in refused.value.message("vi")  # the category named, in each language
    assert refused.value.message("en").endswith("does not apply to this staff category.")
    assert "{" not in refused.value.message("vi") + refused.value.message("en")
    with pytest.raises(ValidationFailed):  # unknown handling
        outcomes.record_outcome(office, vid, "tobacco", smoker.subject, "flogging", decided_on=date(2026, 3, 20),
                                today=TODAY)
    with pytest.raises(NotFound):
        outcomes.record_outcome(office, vid, "alcohol", smoker.subject, "reminder", decided_on=date(2026, 3, 20),
                                today=TODAY)
    with pytest.raises(ValidationFailed):  # the open visit takes no outcome yet
        outcomes.record_outcome(office, field["open"], "alcohol", "p:x", "reminder", decided_on=date(2026, 3, 25),
                                today=TODAY)
    item = next(r for r in rows if r.kind == "alcohol")
    assert item.subject == "i:alcohol_tobacco/at.no_drinking_hours" and item.staff_id is None
    with pytest.raises(ValidationFailed):  # discipline of nobody
        outcomes.record_outcome(office, vid, "alcohol", item.subject, "reprimand", decided_on=date(2026, 3, 20),
                                document="=2/QĐ", today=TODAY)
    done = outcomes.record_outcome(office, vid, "tobacco", smoker.subject, "reprimand", decided_on=date(2026, 3, 25),
                                   document="=Quyết định 15/QĐ-UBND ngày 25/3/2026", today=TODAY)
    assert done.handling_label == "Khiển trách" and done.discipline
    assert len(outcomes.violations(office, *MARCH, unhandled_only=True)) == len(ViolationKind) - 1
    team = reports.period_report(office, *MARCH, today=TODAY)
    assert {h.code: h.count for h in team.handling} == {"none": 9, "reprimand": 1}

    people, unit_rows = outcomes.year_end(office, 2026)
    duc = next(p for p in people if p.full_name == "Tạ Văn Đức")
    assert duc.disciplined and duc.violations == 1 and "Khiển trách" in duc.handlings
    assert [(u.unit_name, u.visits, u.violations, u.disciplined_people) for u in unit_rows] == [
        ("UBND xã Hòa Hội", 1, 10, 1)]
    data = outcomes.year_end_xlsx(office, 2026, tmp_path / "cuoi-nam.xlsx")
    ws = load_workbook(io.BytesIO(data))["Theo người"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "Tạ Văn Đức")
    cell = row[header.index("Hình thức xử lý")]
    assert cell.value.startswith("Khiển trách (=Quyết định") and cell.data_type == "s"
    assert row[header.index("Số vi phạm")].data_type == "n"


def test_people_of_a_finding_travel_in_a_bundle(ctx_factory, tmp_path):
    from inspection_app.services import bundles

    tablet = ctx_factory("tablet", backend="sqlite", device_id="tablet-a")
    office = ctx_factory("office2", device_id="office-1")
    unit = units.create_unit(tablet, "UBND xã Hòa Hội")
    a, b = (units.add_staff(tablet, unit.id, n).id for n in ("Tạ Văn Đức", "Lê Văn Bảy"))
    v = _visit(tablet, unit.id, datetime(2026, 3, 10, 8, 0, tzinfo=VN), ["alcohol_tobacco"])
    f = findings.add_finding(tablet, v.id, "Hai người hút thuốc trong phòng họp", kind="tobacco", people=[a, b])
    findings.update_finding(tablet, f.id, people=[b])  # corrected on the tablet: one person only
    with pytest.raises(NotFound):
        findings.update_finding(tablet, f.id, people=["no-such-person"])
    with pytest.raises(ValidationFailed):
        findings.update_finding(tablet, f.id, kind="smoking")
    assert findings.finding_people(tablet, v.id) == {f.id: [b]}
    from inspection_app.services import devices

    me = devices.own_device(tablet)  # the office enrolled this tablet (issue #10)
    devices.enrol_device(office, me.public_key, me.device_id, me.fingerprint, me.name)
    bundles.import_bundle(office, bundles.export_bundle(tablet, tmp_path / "b.iab").path)
    assert findings.finding_people(office, v.id) == {f.id: [b]}
