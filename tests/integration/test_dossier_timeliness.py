"""A sampled dossier's timeliness is computed from the register and only confirmed, or overridden with
a reason (issue #13, "ask once"): stored as the check's answer, audited, listed by the close check
when unexplained, and printed in the minutes' dossier annex and counted in the body as recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspection_app.domain.errors import ValidationFailed
from inspection_app.domain.sampling import SampleSize
from inspection_app.services import dossier_checks, minutes, sampling, visit_close
from inspection_app.store.audit import history
from inspection_app.store.models import DossierCheck

pytestmark = pytest.mark.both_databases

LATE, PENDING = "000.00.31.H56-260701-0001", "000.00.31.H56-260702-0002"


@pytest.fixture
def dossiers(ctx, visit, tmp_path):
    """Two sampled dossiers: one returned two working days after its due date (late), one not yet
    returned and not yet due (the register cannot say)."""
    due_later = date.today() + timedelta(days=40)
    path = tmp_path / "so-theo-doi.csv"
    path.write_text(
        "TT,Mã hồ sơ,Tên TTHC,Lĩnh vực,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả,Trạng thái\n"
        f"1,{LATE},Chứng thực bản sao,Chứng thực,01/07/2026 08:10,06/07/2026 16:00,08/07/2026 15:30,Đã trả kết quả\n"
        f"2,{PENDING},Đăng ký khai sinh,Hộ tịch,02/07/2026 08:10,{due_later:%d/%m/%Y} 16:00,,Đang xử lý\n",
        encoding="utf-8")
    register = sampling.import_register(ctx, visit.id, path)
    sample_id, _ = sampling.draw_new_sample(ctx, register.id, SampleSize.fixed(2))
    return {d.code: d for d in sampling.sampled_dossiers(ctx, sample_id)}, sample_id


def _again(ctx, sample_id):
    return {d.code: d for d in sampling.sampled_dossiers(ctx, sample_id)}


def test_the_computed_timeliness_is_confirmed_and_the_confirmation_is_audited(ctx, visit, dossiers):
    by_code, sample_id = dossiers
    late = by_code[LATE]
    assert (late.computed_timeliness, late.timeliness.working_days, late.timeliness_state) == ("late", 2, "unconfirmed")
    dossier_checks.confirm_timeliness(ctx, late.check_id)
    late = _again(ctx, sample_id)[LATE]
    assert (late.recorded_timeliness, late.timeliness_state, late.timeliness_reason) == ("late", "confirmed", "")
    with ctx.session() as s:
        check = s.get(DossierCheck, late.check_id)
        assert check.timeliness == "late"
        events = [e for e in history(s, visit.id) if e.entity == "dossiercheck" and e.entity_id == late.check_id]
    last = events[-1]
    assert last.actor == ctx.actor and last.action == "update"
    assert last.changes["answers"][1] == {"td.timeliness": "late"}


def test_an_override_needs_a_reason_and_keeps_it(ctx, visit, dossiers):
    by_code, sample_id = dossiers
    late = by_code[LATE]
    with pytest.raises(ValidationFailed, match="cần ghi lý do") as err:
        dossier_checks.override_timeliness(ctx, late.check_id, "on_time", "   ")
    assert "a reason for the change is needed" in err.value.en
    with pytest.raises(ValidationFailed, match="Lựa chọn không có"):
        dossier_checks.override_timeliness(ctx, late.check_id, "soon", "x")
    with pytest.raises(ValidationFailed, match="Lý do dài quá"):
        dossier_checks.override_timeliness(ctx, late.check_id, "on_time", "x" * 1001)
    assert _again(ctx, sample_id)[LATE].recorded_timeliness is None  # nothing was stored
    dossier_checks.override_timeliness(ctx, late.check_id, "on_time",
                                       "Trả đúng hẹn; sổ ghi ngày trả theo ngày cập nhật hệ thống")
    late = _again(ctx, sample_id)[LATE]
    assert (late.recorded_timeliness, late.timeliness_state) == ("on_time", "overridden")
    assert late.timeliness_reason == "Trả đúng hẹn; sổ ghi ngày trả theo ngày cập nhật hệ thống"
    with ctx.session() as s:
        assert s.get(DossierCheck, late.check_id).timeliness == "on_time"
        changes = [e.changes for e in history(s, visit.id) if e.entity_id == late.check_id][-1]
    assert changes["notes"][1]["td.timeliness"].startswith("Trả đúng hẹn")
    # confirming afterwards goes back to the register's value and drops the reason
    dossier_checks.confirm_timeliness(ctx, late.check_id)
    late = _again(ctx, sample_id)[LATE]
    assert (late.recorded_timeliness, late.timeliness_reason, late.timeliness_state) == ("late", "", "confirmed")


def test_the_generic_item_path_follows_the_same_rule(ctx, dossiers):
    by_code, sample_id = dossiers
    late = by_code[LATE]
    with pytest.raises(ValidationFailed, match="cần ghi lý do"):
        sampling.record_dossier_check(ctx, late.check_id, "td.timeliness", "early")
    sampling.record_dossier_check(ctx, late.check_id, "td.timeliness", "early", note="Theo phiếu kiểm soát")
    assert _again(ctx, sample_id)[LATE].timeliness_state == "overridden"


def test_a_dossier_the_register_cannot_judge_is_set_with_a_reason_not_confirmed(ctx, dossiers):
    by_code, sample_id = dossiers
    pending = by_code[PENDING]
    assert pending.computed_timeliness is None and pending.timeliness.status.value == "pending"
    with pytest.raises(ValidationFailed, match="không cho biết kết quả thời hạn") as err:
        dossier_checks.confirm_timeliness(ctx, pending.check_id)
    assert "choose it and give a reason" in err.value.en
    dossier_checks.override_timeliness(ctx, pending.check_id, "on_time", "Đã trả kết quả ngày 03/07, sổ chưa cập nhật")
    assert _again(ctx, sample_id)[PENDING].timeliness_state == "overridden"


def test_the_close_check_lists_an_answer_that_differs_from_the_register_without_a_reason(ctx, visit, dossiers):
    by_code, _ = dossiers
    late = by_code[LATE]

    def mine():
        return [m for m in visit_close.missing_before_close(ctx, visit.id)
                if m.checklist_id == "tthc_dossiers" and m.item_id == "td.timeliness" and m.kind == "note"]

    dossier_checks.confirm_timeliness(ctx, late.check_id)
    assert mine() == []
    with ctx.session() as s:  # as an older app version or a hand-edited bundle would have left it
        check = s.get(DossierCheck, late.check_id)
        check.answers = {**check.answers, "td.timeliness": "early"}
        s.add(check)
    [gap] = mine()
    assert LATE in gap.vi and "chưa ghi lý do" in gap.vi and LATE in gap.en


def test_the_minutes_print_and_count_the_recorded_timeliness(ctx, visit, dossiers):
    by_code, _ = dossiers
    dossier_checks.override_timeliness(ctx, by_code[LATE].check_id, "on_time", "Sổ ghi sai ngày trả.")
    rows = {r.code: r for r in minutes.build_content(ctx, visit.id).sample.rows}
    assert rows[LATE].status == "on_time"
    assert rows[LATE].timeliness == ("Đúng hạn (sửa khi kiểm tra; theo sổ theo dõi: quá hạn (2 ngày làm việc); "
                                     "lý do: Sổ ghi sai ngày trả)")
    assert rows[PENDING].timeliness == "Đang xử lý (trong hạn) (chưa xác nhận)"
    dossier_checks.confirm_timeliness(ctx, by_code[LATE].check_id)
    content = minutes.build_content(ctx, visit.id)
    rows = {r.code: r for r in content.sample.rows}
    assert (rows[LATE].status, rows[LATE].timeliness) == ("late", "Quá hạn (2 ngày làm việc)")
    from inspection_app.domain.minutes import sample_sentence

    assert "quá hạn: 1" in sample_sentence(content.sample)


def test_the_printed_annex_shows_the_override_and_its_reason_and_agrees_with_the_body(ctx, visit, dossiers, tmp_path):
    import re
    import shutil
    import subprocess

    by_code, _ = dossiers
    dossier_checks.override_timeliness(ctx, by_code[LATE].check_id, "on_time", "Sổ ghi sai ngày trả.")
    dossier_checks.override_timeliness(ctx, by_code[PENDING].check_id, "on_time", "Đã trả ngày 03/07.")
    out = tmp_path / "du-thao.pdf"
    minutes.export_minutes(ctx, visit.id, out)
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed (poppler-utils, in the Makefile's sysdeps)")
    flat = " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    body, annexes = flat[:flat.index("Phụ lục I ")], flat[flat.index("Phụ lục I "):]
    assert "lý do: Sổ ghi sai ngày trả" in annexes and "theo sổ theo dõi: quá hạn" in annexes
    assert re.search(r"đúng hạn: 2", body) and not re.search(r"quá hạn: \d", body)
