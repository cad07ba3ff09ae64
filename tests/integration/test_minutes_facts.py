"""The minutes on a real store: numbers from the records office, one source for each fact, figures
that agree with their annexes, times before the team's arrival (issue #11, points 1, 2 and 8)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from inspection_app.domain.checklist import AnswerType
from inspection_app.domain.errors import ValidationFailed
from inspection_app.domain.localtime import LOCAL_TZ
from inspection_app.domain.minutes_rules import BeforeArrival
from inspection_app.domain.sampling import SampleSize
from inspection_app.services import (
    checklists,
    minutes,
    minutes_signatures,
    numbering,
    roll_call,
    sampling,
    timeline,
    visit_close,
    visits,
)
from inspection_app.store.numbering import IssuedNumber

STROKES = [[[10, 10], [50, 40], [90, 15], [130, 45]], [[20, 60], [140, 62]]]
LONG_NOTE = ("Bộ phận một cửa không có công chức trực từ 07 giờ 30 đến 08 giờ 10; người dân phải chờ, "
             "không có số điện thoại đường dây nóng niêm yết; sổ góp ý ghi chép không đầy đủ. ") * 30
LONG_NOTE = LONG_NOTE[:4000]


def _pdftext(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed (poppler-utils, in the Makefile's sysdeps)")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          encoding="utf-8", check=True).stdout


# --- numbers from the văn thư -------------------------------------------------------------------------


@pytest.mark.both_databases
def test_two_tablets_with_reserved_blocks_never_collide(ctx):
    with ctx.session() as s:
        a = numbering.reserve_block(s, "BB-SNV", 2026, "tablet-a", 3, reserved_by="Văn thư")
        b = numbering.reserve_block(s, "BB-SNV", 2026, "tablet-b", 3)
        assert (a.first, a.last, b.first, b.last) == (1, 3, 4, 6)
        got_a = [numbering.issue_number(s, "BB-SNV", 2026, "tablet-a", f"va{i}") for i in range(4)]
        got_b = [numbering.issue_number(s, "BB-SNV", 2026, "tablet-b", f"vb{i}") for i in range(2)]
    assert got_a == [1, 2, 3, None]  # the block is used up: the fourth is left for the văn thư
    assert got_b == [4, 5]
    with ctx.session() as s:
        assert numbering.issue_number(s, "BB-SNV", 2026, "tablet-a", "va0") == 1  # a visit keeps its number
        assert numbering.remaining(s, "BB-SNV", 2026, "tablet-b") == 1
        nxt = numbering.reserve_block(s, "BB-SNV", 2026, "tablet-a", 5)
        assert nxt.first == 7  # after every reserved or issued number
        assert numbering.issue_number(s, "BB-SNV", 2027, "tablet-a", "vc") is None  # blocks are per year


@pytest.mark.both_databases
def test_the_register_refuses_a_number_it_holds(ctx):
    with ctx.session() as s:
        numbering.register_number(s, "BB-SNV", 2026, 12, "visit-1", "tablet-a")
        numbering.register_number(s, "BB-SNV", 2026, 12, "visit-1", "tablet-a")  # the same visit again: no-op
        assert numbering.number_taken(s, "BB-SNV", 2026, 12)
        assert numbering.number_taken(s, "BB-SNV", 2026, 12, visit_id="visit-2")
        assert not numbering.number_taken(s, "BB-SNV", 2026, 12, visit_id="visit-1")
        assert not numbering.number_taken(s, "BB-SNV", 2025, 12)
        with pytest.raises(ValidationFailed, match="12/BB-SNV"):
            numbering.register_number(s, "BB-SNV", 2026, 12, "visit-2", "tablet-b")
    with pytest.raises(IntegrityError):  # the database itself holds the rule (SQLite and PostgreSQL)
        with ctx.session() as s:
            s.add(IssuedNumber(code="BB-SNV", year=2026, number=12, visit_id="visit-3"))


@pytest.mark.both_databases
def test_a_block_typed_in_the_settings_is_checked(ctx):
    block = numbering.apply_block_from_settings(ctx, 2026, 41, 60)
    assert (block.first, block.last, block.device_id) == (41, 60, ctx.settings.device_id)
    assert numbering.apply_block_from_settings(ctx, 2026, 41, 60).id == block.id  # typed twice: one block
    for first, last, words in ((0, 5, "Số đầu phải từ 1"), (9, 3, "không lớn hơn số cuối"),
                               (50, 70, "trùng với khối 41–60"), (1, 9000, "quá lớn")):
        with pytest.raises(ValidationFailed, match=words):
            numbering.apply_block_from_settings(ctx, 2026, first, last)
    with ctx.session() as s:
        with pytest.raises(ValidationFailed):
            numbering.apply_block(s, "", 2026, "x", 1, 2, source="enrolment")
        with pytest.raises(ValidationFailed):
            numbering.reserve_block(s, "BB-SNV", 2026, "tablet-a", 0)
    [(listed, free)] = numbering.device_blocks(ctx)
    assert listed.id == block.id and free == 20


# --- a visit with a refusal, a late dossier and a 4,000-character note ---------------------------------


def _register_csv(today: date, rows: int = 12) -> str:
    out = ["TT,Mã hồ sơ,Tên TTHC,Mã TTHC,Lĩnh vực,Kênh thực hiện,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả,Trạng thái"]
    for n in range(rows):
        received = today - timedelta(days=60 - 2 * n)
        while received.weekday() >= 5:
            received -= timedelta(days=1)
        due = received + timedelta(days=7)
        while due.weekday() >= 5:
            due += timedelta(days=1)
        returned = due + timedelta(days=3 if n % 2 == 0 else 0)  # every other dossier is late
        while returned.weekday() >= 5:
            returned += timedelta(days=1)
        out.append(f"{n + 1},000.00.31.H56-{received:%y%m%d}-{n + 1:04d},Đăng ký khai sinh,1.001193,Hộ tịch,"
                   f"Trực tiếp,{received:%d/%m/%Y} 08:00,{due:%d/%m/%Y} 16:00,{returned:%d/%m/%Y} 15:00,"
                   f"Đã trả kết quả")
    return "\n".join(out) + "\n"


@pytest.fixture
def hard_visit(ctx, unit_with_staff, tmp_path):
    unit, people = unit_with_staff
    arrival = datetime(2026, 7, 14, 0, 35, tzinfo=UTC)  # 07:35 in Hồ Chí Minh City
    visit = visits.create_visit(
        ctx, unit.id, kind="unannounced", decision_number="125/QĐ-SNV", decision_date=date(2026, 7, 10),
        arrival_at=arrival,
        team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc Sở Nội vụ"),
              visits.ParticipantIn("Phạm Đức Anh", "secretary", "Chuyên viên")],
        unit_reps=[visits.ParticipantIn("Nguyễn Văn An", "Chủ tịch UBND xã")],
        checklist_ids=["working_hours", "office_culture"])
    visits.update_visit(ctx, visit.id, decision_issuer="Chủ tịch UBND tỉnh Tây Ninh", plan_number="18/KH-SNV",
                        plan_date=date(2026, 1, 15), plan_issuer="Sở Nội vụ")
    failed_once = False
    for checklist in checklists.visit_checklists(ctx, visit.id):
        if checklist.scope != "visit":
            continue
        for item in checklist.items:
            value = {AnswerType.PASS_FAIL: "pass", AnswerType.COUNT: "0", AnswerType.TIME: "07:25",
                     AnswerType.TEXT: "Đạt yêu cầu"}.get(item.answer)
            if item.answer is AnswerType.CHOICE:
                value = item.choices[0].value
            if item.answer is AnswerType.PERSON:
                value = people[0].id
            note = None
            if item.answer is AnswerType.PASS_FAIL and not failed_once:
                value, note, failed_once = "fail", LONG_NOTE, True
            checklists.record_answer(ctx, visit.id, checklist.id, item.id, value, note=note)
    roll_call.set_attendance(ctx, visit.id, people[0].id, "present")
    roll_call.set_attendance(ctx, visit.id, people[1].id, "late", "07:52")
    roll_call.set_attendance(ctx, visit.id, people[2].id, "absent_excused", None, "Đi công tác", "Giấy số 45")
    register_file = tmp_path / "so-theo-doi.csv"
    register_file.write_text(_register_csv(date(2026, 7, 14)), encoding="utf-8-sig")
    register = sampling.import_register(ctx, visit.id, register_file)
    sample_id, _ = sampling.draw_new_sample(ctx, register.id, SampleSize.fixed(8))
    checklist = sampling.dossier_checklist(ctx)
    for dossier in sampling.sampled_dossiers(ctx, sample_id):
        for item in checklist.items:
            if item.answer is AnswerType.PASS_FAIL:
                value = "pass"
            elif item.answer is AnswerType.COUNT:
                value = "0"
            else:
                value = dossier.timeliness.status.value if item.id == "td.timeliness" else item.choices[0].value
            sampling.record_dossier_check(ctx, dossier.check_id, item.id, value)
    visits.update_visit(ctx, visit.id, assessment="Đơn vị cơ bản chấp hành tốt.\n" + LONG_NOTE[:1500],
                        unit_opinion="", ended_at=arrival + timedelta(hours=3, minutes=45))
    minutes_signatures.refuse(ctx, visit.id, "unit_representative", "Nguyễn Văn An",
                              "Chưa thống nhất số liệu điểm danh")
    minutes_signatures.sign(ctx, visit.id, "team_leader", "Nguyễn Thị Ánh Tuyết", STROKES, 160, 80)
    minutes_signatures.sign(ctx, visit.id, "secretary", "Phạm Đức Anh", STROKES, 160, 80)
    return visit


def _between(text: str, start: str, end: str | None, after: int = 0) -> str:
    """The text from the heading ``start`` (searched from ``after``, past the body's own mentions
    of the annexes) to the heading ``end``."""
    a = text.index(start, after)
    return text[a:text.index(end, a + len(start)) if end else len(text)]


def test_every_figure_in_the_body_agrees_with_its_annex(ctx, hard_visit, tmp_path):
    content = minutes.build_content(ctx, hard_visit.id)
    assert any(r.status == "late" for r in content.sample.rows), "the register has late dossiers"
    out = tmp_path / "du-thao.pdf"
    result = minutes.export_minutes(ctx, hard_visit.id, out)
    assert result.draft
    text = _pdftext(out)
    flat = " ".join(text.split())
    annexes = flat.index("Phụ lục I KẾT QUẢ")
    body = flat[:annexes]

    # dossiers: counts by status in the body = rows with that status in Phụ lục III
    annex3 = _between(flat, "Phụ lục III", "Phụ lục IV", annexes)
    for word, code in (("Quá hạn", "late"), ("Đúng hạn", "on_time"), ("Trước hạn", "early")):
        n = sum(1 for r in content.sample.rows if r.status == code)
        match = re.search(rf"{word.lower()}: (\d+)", body)
        assert (int(match.group(1)) if match else 0) == n == annex3.count(word), word
    assert f"Đoàn chọn ngẫu nhiên {len(content.sample.rows)} hồ sơ" in body
    # the roll call: totals in the body = rows of Phụ lục II
    annex2 = _between(flat, "Phụ lục II", "Phụ lục III", annexes)
    totals = content.roll_call.totals
    assert f"đi muộn: {totals.late};" in body and annex2.count("Đi muộn") == totals.late == 1
    assert f"Tổng số theo danh sách: {totals.roster} người" in body
    # each checklist: "Kiểm tra N nội dung: a đạt, b không đạt" = the rows of Phụ lục I
    annex1 = _between(flat, "Phụ lục I KẾT QUẢ", "Phụ lục II", annexes)
    for section in content.sections:
        failed = sum(1 for i in section.items if i.outcome.value == "failed")
        assert f"Kiểm tra {len(section.items)} nội dung" in body
        if failed:
            assert f"{failed} không đạt" in body
    assert annex1.count("Không đạt") == sum(1 for s in content.sections for i in s.items
                                             if i.outcome.value == "failed")

    # one source for each fact: the arrival is the visit's, printed once
    assert "Thời điểm Đoàn đến: 07:35" in body
    assert body.count("07:35") == 1 and "vào lúc 07 giờ 35 phút" in body  # roll call and opening agree
    # the refusal: section V and the closing say so, and nobody "agreed"
    assert "từ chối ký biên bản, lý do: Chưa thống nhất số liệu điểm danh." in body
    assert "thống nhất và lập thành" not in body and body.rstrip().find("./.") > 0
    # the Decree 30 form: visit kind, issuers as data, Nơi nhận, annex headings with the issuer
    assert "tiến hành kiểm tra công vụ đột xuất tại" in body
    assert "của Chủ tịch UBND tỉnh Tây Ninh về việc thành lập" in body
    assert "Căn cứ Kế hoạch số 18/KH-SNV ngày 15 tháng 01 năm 2026 của Sở Nội vụ" in body
    assert "Nơi nhận: - UBND xã Thử Nghiệm; - Giám đốc Sở Nội vụ (để báo cáo); - Lưu: VT." in body
    assert "TRƯỞNG ĐOÀN PHÓ GIÁM ĐỐC SỞ NỘI VỤ" in body
    assert "Chủ tịch UBND xã, Chủ tịch UBND xã" not in body
    # plain words: the verification details are in their annex, not in the body
    for jargon in ("hạt giống", "SHA-256", "khung chọn mẫu", "stratum", "Trễ hạn"):
        assert jargon not in body, jargon
    annex4 = _between(flat, "Phụ lục IV", None, annexes)
    assert content.sample.seed_hex in annex4 and content.sample.frame_hash in annex4
    # the 4,000-character note is all there (the table row ran on over pages)
    assert " ".join(LONG_NOTE.split())[-200:] in flat


def test_the_office_fills_the_number_when_the_tablet_has_no_block(ctx, hard_visit, tmp_path):
    visit_close.close_visit(ctx, hard_visit.id)
    out = tmp_path / "bien-ban.pdf"
    result = minutes.export_minutes(ctx, hard_visit.id, out)
    assert result.number == "" and not result.draft
    assert visits.get_visit(ctx, hard_visit.id).minutes_number == ""
    first = _pdftext(out).split("\f")[0]
    assert "Số:" in first and "/BB-SNV" in first and not re.search(r"\d+/BB-SNV", first)


def test_a_change_after_signing_asks_for_the_signatures_again(ctx, hard_visit):
    states = minutes_signatures.signature_states(ctx, hard_visit.id)
    assert [states[r].state for r in ("team_leader", "secretary", "unit_representative")] == [
        "signed", "signed", "refused"]
    content = minutes.build_content(ctx, hard_visit.id)
    assert content.signature(content.signatures[1].role).strokes  # drawn while current
    minutes_content_before = minutes.current_digest(ctx, hard_visit.id)
    visits.update_visit(ctx, hard_visit.id, assessment="Đã sửa phần đánh giá sau khi ký.")
    assert minutes.current_digest(ctx, hard_visit.id) != minutes_content_before
    states = minutes_signatures.signature_states(ctx, hard_visit.id)
    assert states["team_leader"].state == states["secretary"].state == "stale"
    content = minutes.build_content(ctx, hard_visit.id)
    leader = next(m for m in content.signatures if m.role.value == "team_leader")
    assert leader.strokes == ()  # a stale signature is not printed under the new text
    with pytest.raises(ValidationFailed, match="phải ký lại"):
        visit_close.close_visit(ctx, hard_visit.id)


def test_signing_waits_for_the_conclusions_and_refuses_a_tap(ctx, visit):
    with pytest.raises(ValidationFailed, match="Đánh giá, kiến nghị"):
        minutes_signatures.sign(ctx, visit.id, "team_leader", "Nguyễn Thị Ánh Tuyết", STROKES, 160, 80)
    visits.update_visit(ctx, visit.id, assessment="Tốt.",
                        ended_at=visits.get_visit(ctx, visit.id).arrival_at + timedelta(hours=1))
    for strokes in ([[[50, 50]]], [[[50, 50]], [[80, 60]]], [[[50, 50], [51, 51], [50, 52]]]):
        with pytest.raises(ValidationFailed) as exc:
            minutes_signatures.sign(ctx, visit.id, "team_leader", "Nguyễn Thị Ánh Tuyết", strokes, 160, 80)
        assert "quá ngắn hoặc quá nhỏ" in exc.value.vi and "too short or too small" in exc.value.en
    with pytest.raises(ValidationFailed, match="120"):
        minutes_signatures.sign(ctx, visit.id, "team_leader", "A" * 121, STROKES, 160, 80)
    assert "team_leader" not in visits.list_signatures(ctx, visit.id)


def test_times_before_the_team_arrived_ask_for_confirmation(ctx, visit):
    # a morning arrival: a visit created near midnight would put "20 minutes earlier" on the day before
    visits.update_visit(ctx, visit.id, arrival_at=datetime(2026, 11, 17, 8, 30, tzinfo=LOCAL_TZ))
    arrival = visits.get_visit(ctx, visit.id).arrival_at
    local = timeline.team_arrival(ctx, visit.id)
    earlier = (local - timedelta(minutes=20)).strftime("%H:%M")
    with pytest.raises(BeforeArrival) as exc:
        timeline.check_roll_call_arrival(ctx, visit.id, earlier)
    assert exc.value.details["arrival"] == local.strftime("%H:%M") and "sớm hơn giờ Đoàn đến" in exc.value.vi
    timeline.check_roll_call_arrival(ctx, visit.id, earlier, confirmed=True)
    timeline.check_roll_call_arrival(ctx, visit.id, (local + timedelta(minutes=5)).strftime("%H:%M"))
    with pytest.raises(BeforeArrival):
        timeline.check_finding_time(ctx, visit.id, arrival - timedelta(minutes=1))
    timeline.check_finding_time(ctx, visit.id, arrival + timedelta(minutes=1))
    timeline.check_finding_time(ctx, visit.id, arrival - timedelta(minutes=1), confirmed=True)


def test_conclusions_keep_their_limit(ctx, visit):
    with pytest.raises(ValidationFailed) as exc:
        from inspection_app.services import minutes_content

        minutes_content.save_conclusion(ctx, visit.id, "unit_opinion", "x" * 4001)
    assert "4.000" in exc.value.vi and exc.value.details["limit"] == 4000
    assert visits.get_visit(ctx, visit.id).unit_opinion == ""  # nothing half-saved
