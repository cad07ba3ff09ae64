"""The sampling service end to end: import, commit, draw, check, verify from the file."""

from __future__ import annotations

import csv
import random
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from inspection_app.domain.errors import Locked, NotFound, ValidationFailed
from inspection_app.domain.sampling import SampleSize, commitment_of
from inspection_app.domain.timeliness import Timeliness
from inspection_app.services import sampling
from inspection_app.services.demo import demo_register_csv
from inspection_app.store.audit import history
from inspection_app.store.models import Dossier, DossierCheck, Register, Sample, Visit

HEADER = ["STT", "Mã hồ sơ", "Tên thủ tục hành chính", "LĨNH VỰC", "Chủ hồ sơ", "Số điện thoại",
          "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Trạng thái"]  # fmt: skip
DOMAINS = ["Hộ tịch", "Đất đai", "Chứng thực"]


def register_rows(n: int = 60) -> list[list[str]]:
    rows = []
    for i in range(n):
        received = datetime(2025, 1, 13 + i % 10, 8, 30)
        due = datetime(2025, 1, 24)  # the Friday before Tết 2025
        returned = [datetime(2025, 1, 24, 16, 0), datetime(2025, 2, 3, 9, 0), datetime(2025, 1, 22, 10, 0)][i % 3]
        rows.append([str(i + 1), f"000.00.12.H56-2501{13 + i % 10:02d}-{i:04d}", f"Thủ tục {i % 4}",
                     DOMAINS[i % 3 if i < 50 else 0], f"Công dân {i}", "0912345678",
                     received.strftime("%d/%m/%Y %H:%M"), due.strftime("%d/%m/%Y"),
                     returned.strftime("%d/%m/%Y %H:%M"), "Đã trả kết quả"])  # fmt: skip
    rows.append(["61", "", "Thiếu mã", "Hộ tịch", "", "", "", "", "", ""])
    return rows


def write_csv(path, rows, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


@pytest.fixture
def register_file(tmp_path):
    return write_csv(tmp_path / "so_theo_doi.csv", register_rows())


def test_preview_stores_nothing(ctx, register_file):
    preview = sampling.preview_register(register_file)
    assert preview.result.rows_read == 61 and len(preview.result.records) == 60
    assert [b.row for b in preview.result.bad_rows] == [62]
    assert dict(preview.domains) == {"Hộ tịch": 27, "Đất đai": 17, "Chứng thực": 16}
    with ctx.session() as s:
        assert s.exec(select(Register)).first() is None


def test_import_keeps_only_what_the_check_needs(ctx, visit, register_file):
    summary = sampling.import_register(ctx, visit.id, register_file)
    assert summary.row_count == 60 and summary.bad_row_count == 1
    assert summary.problems[0]["row"] == 62 and summary.problems[0]["en"]
    assert {m["field"] for m in summary.mapping["mapped"]} >= {"code", "domain", "due", "returned"}
    assert {i["header"] for i in summary.mapping["ignored"] if i["reason"] == "personal"} == {"Chủ hồ sơ", "Số điện thoại"}
    with ctx.session() as s:
        dossiers = list(s.exec(select(Dossier)))
    assert len(dossiers) == 60
    assert not any("0912345678" in repr(d) or "Công dân" in repr(d) for d in dossiers)
    # the stored register is the same frame as the file, after the trip through UTC
    sampling.forget_frames()
    stored = sampling.load_frame(ctx, summary.id)
    assert stored.hash == summary.frame_hash == sampling.preview_register(register_file).frame_hash
    assert stored.records[0].received == datetime(2025, 1, 13, 8, 30)  # local wall-clock time, as in the file
    first = next(d for d in dossiers if d.code == stored.records[0].code)
    assert first.received_at == datetime(2025, 1, 13, 1, 30, tzinfo=UTC)  # stored in UTC
    assert [r.id for r in sampling.list_registers(ctx, visit.id)] == [summary.id]


def test_commitment_is_recorded_before_the_draw(ctx, visit, register_file):
    reg = sampling.import_register(ctx, visit.id, register_file)
    prepared = sampling.prepare_sample(ctx, reg.id, SampleSize.fixed(4), by_timeliness=True, as_of=date(2025, 3, 1))
    assert prepared.commitment == commitment_of(prepared.seed)
    assert "seed" not in repr(prepared)
    with ctx.session() as s:
        sample = s.get(Sample, prepared.sample_id)
        assert sample.commitment == prepared.commitment and sample.seed_hex == "" and sample.drawn_at is None
        assert sample.frame_hash == reg.frame_hash
    [summary] = sampling.list_samples(ctx, visit.id)
    assert not summary.drawn and summary.seed_hex == ""
    result = sampling.draw_sample(ctx, prepared)
    assert result.seed == prepared.seed.hex()
    with ctx.session() as s:
        sample = s.get(Sample, prepared.sample_id)
        assert sample.seed_hex == prepared.seed.hex() and sample.drawn_by == ctx.actor
        events = [(e.entity, e.action, sorted(e.changes)) for e in history(s, visit.id) if e.entity == "sample"]
    # the audit log shows the commitment inserted first, the seed revealed after
    assert events[0][1] == "insert" and "commitment" in events[0][2] and "seed_hex" not in events[0][2]
    assert events[1][1] == "update" and "seed_hex" in events[1][2]
    with pytest.raises(ValidationFailed):
        sampling.draw_sample(ctx, prepared)  # only once


def test_draw_records_strata_and_checks(ctx, visit, register_file):
    reg = sampling.import_register(ctx, visit.id, register_file)
    sample_id, result = sampling.draw_new_sample(ctx, reg.id, SampleSize.fixed(5))
    assert len(result.codes) == 15
    dossiers = sampling.sampled_dossiers(ctx, sample_id)
    assert [d.code for d in dossiers] == list(result.codes)
    assert {d.stratum for d in dossiers} == {("Hộ tịch",), ("Đất đai",), ("Chứng thực",)}
    late = [d for d in dossiers if d.timeliness.status is Timeliness.LATE]
    assert late and all(d.timeliness.working_days == 1 for d in late)  # over Tết 2025
    assert all(d.apology_flagged for d in late)
    assert not any(d.apology_flagged for d in dossiers if d.timeliness.status is not Timeliness.LATE)
    with ctx.session() as s:
        assert s.get(Visit, visit.id).status == "on_site"
    assert sampling.recorded_draw(ctx, sample_id) == result


def test_dossier_checks_with_notes(ctx, visit, register_file):
    reg = sampling.import_register(ctx, visit.id, register_file)
    sample_id, _ = sampling.draw_new_sample(ctx, reg.id, SampleSize.fixed(2), by_timeliness=True, as_of=date(2025, 3, 1))
    late = next(d for d in sampling.sampled_dossiers(ctx, sample_id) if d.timeliness.status is Timeliness.LATE)
    sampling.record_dossier_check(ctx, late.check_id, "td.control_slip", "pass")
    sampling.record_dossier_check(ctx, late.check_id, "td.apology_letter", "fail", note="Không có Mẫu 04")
    sampling.record_dossier_check(ctx, late.check_id, "td.supplement_requests", "2")
    sampling.set_dossier_note(ctx, late.check_id, "Hồ sơ lưu tại bộ phận một cửa")
    again = next(d for d in sampling.sampled_dossiers(ctx, sample_id) if d.check_id == late.check_id)
    assert again.answers == {"td.control_slip": "pass", "td.apology_letter": "fail", "td.supplement_requests": "2"}
    assert again.notes == {"td.apology_letter": "Không có Mẫu 04"} and again.note.startswith("Hồ sơ")
    assert again.apology_flagged
    with ctx.session() as s:
        check = s.get(DossierCheck, late.check_id)
        assert (check.checklist_id, check.checklist_version) == ("tthc_dossiers", "2.0")
    sampling.record_dossier_check(ctx, late.check_id, "td.apology_letter", "pass")
    assert not next(d for d in sampling.sampled_dossiers(ctx, sample_id) if d.check_id == late.check_id).apology_flagged
    with pytest.raises(ValidationFailed):
        sampling.record_dossier_check(ctx, late.check_id, "td.control_slip", "maybe")
    with pytest.raises(NotFound):
        sampling.record_dossier_check(ctx, late.check_id, "td.nonexistent", "pass")
    minutes = sampling.minutes_sample(ctx, visit.id)
    assert minutes.seed_hex and minutes.commitment and minutes.frame_hash == reg.frame_hash
    assert len(minutes.rows) == len(sampling.sampled_dossiers(ctx, sample_id))
    row = next(r for r in minutes.rows if r.code == late.code)
    assert row.result.startswith("Không đạt") and "Quá hạn" in row.timeliness


def test_verify_from_the_file_alone(ctx, visit, register_file, tmp_path):
    reg = sampling.import_register(ctx, visit.id, register_file)
    sample_id, result = sampling.draw_new_sample(ctx, reg.id, SampleSize.proportional(9, minimum=2))
    assert sampling.verify_sample(ctx, sample_id, register_file).matches
    # the same register re-exported in another row order and encoding still verifies
    shuffled = register_rows()
    random.Random(3).shuffle(shuffled)
    other = write_csv(tmp_path / "reexport.csv", shuffled, encoding="utf-16")
    assert sampling.verify_sample(ctx, sample_id, other).matches
    # a register edited after the draw does not
    edited = register_rows()
    edited[0][8] = "24/01/2025 08:00"
    changed = sampling.verify_sample(ctx, sample_id, write_csv(tmp_path / "edited.csv", edited))
    assert not changed.matches and not changed.frame_hash_matches


def test_upload_read_in_memory_and_verified_from_the_stored_frame(ctx, visit, register_file):
    data = register_file.read_bytes()
    preview = sampling.preview_register_file(data, "so_theo_doi.csv")
    reg = sampling.import_register(ctx, visit.id, preview=preview)
    sample_id, _ = sampling.draw_new_sample(ctx, reg.id, SampleSize.fixed(2))
    sampling.forget_frames()  # as after a restart: the stored frame, checked against its hash
    assert sampling.verify_sample(ctx, sample_id).matches
    # Nothing of the holders' columns anywhere under the data directory.
    for path in ctx.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"0912345678" not in content and "Công dân 1".encode() not in content, path
    assert sampling.preview_register_file(register_file, "x.csv").frame_hash == preview.frame_hash  # a device path


def test_register_copies_kept_by_earlier_versions_are_removed_at_start(tmp_path):
    from inspection_app.services.context import AppContext

    kept = tmp_path / "data" / "uploads" / "registers" / "0123456789abcdef" / "so_theo_doi.csv"
    kept.parent.mkdir(parents=True)
    kept.write_text("Mã hồ sơ,Số điện thoại\nH-1,0912345678\n")
    photo = tmp_path / "data" / "uploads" / "photos" / "a.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"jpeg")
    AppContext.open(tmp_path / "data").close()
    assert not (tmp_path / "data" / "uploads" / "registers").exists() and photo.exists()
    assert sampling.remove_kept_uploads(tmp_path / "data") == 0


def test_locked_visit_refuses_imports_and_draws(ctx, visit, register_file):
    reg = sampling.import_register(ctx, visit.id, register_file)
    with ctx.session() as s:
        v = s.get(Visit, visit.id)
        v.status = "closed"
        s.add(v)
    with pytest.raises(Locked):
        sampling.import_register(ctx, visit.id, register_file)
    with pytest.raises(Locked):
        sampling.prepare_sample(ctx, reg.id, SampleSize.fixed(2))


def test_empty_register_cannot_be_sampled(ctx, visit, tmp_path):
    with pytest.raises(ValidationFailed) as exc:  # a header alone is named as such
        sampling.import_register(ctx, visit.id, write_csv(tmp_path / "empty.csv", []))
    assert "only its header row" in exc.value.en
    unreadable = [[""] * (len(HEADER) - 1) + ["no code"]]
    reg = sampling.import_register(ctx, visit.id, write_csv(tmp_path / "bad.csv", unreadable))
    assert reg.row_count == 0 and reg.bad_row_count == 1
    with pytest.raises(ValidationFailed):
        sampling.prepare_sample(ctx, reg.id, SampleSize.fixed(2))


def test_tampered_stored_register_is_refused(ctx, visit, register_file):
    reg = sampling.import_register(ctx, visit.id, register_file)
    with ctx.session() as s:
        d = s.exec(select(Dossier)).first()
        d.domain = "Khác"
        s.add(d)
    sampling.forget_frames()  # as after a restart: the frame is read back from the store
    with pytest.raises(ValidationFailed) as exc:
        sampling.prepare_sample(ctx, reg.id, SampleSize.fixed(2))
    assert "hash" in exc.value.en


# --- the CLI --------------------------------------------------------------------------------------


def test_cli_import_draw_show_and_verify(ctx, visit, register_file, data_dir, tmp_path, capsys):
    from inspection_app.cli import main

    assert main(["--data-dir", str(data_dir), "import-register", visit.id, str(register_file), "--dry-run"]) == 0
    assert "Dòng / row 62" in capsys.readouterr().out
    assert sampling.list_registers(ctx, visit.id) == []
    assert main(["--data-dir", str(data_dir), "import-register", visit.id, str(register_file)]) == 0
    [reg] = sampling.list_registers(ctx, visit.id)
    record = tmp_path / "record.json"
    assert main(["--data-dir", str(data_dir), "sample", "draw", reg.id, "--total", "8", "--minimum", "2",
                 "--record", str(record)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert out.index("commitment (before the draw)") < out.index("Hạt giống / seed")
    [sample] = sampling.list_samples(ctx, visit.id)
    drawn = sampling.recorded_draw(ctx, sample.id)
    assert main(["--data-dir", str(data_dir), "sample", "show", sample.id]) == 0
    assert drawn.seed in capsys.readouterr().out

    # anyone, with the file and what the minutes print, and no database
    args = ["sample", "verify", "--register", str(register_file), "--seed", drawn.seed, "--total", "8",
            "--minimum", "2", "--frame-hash", drawn.frame_hash, "--commitment", drawn.commitment]  # fmt: skip
    assert main(args + ["--codes", ",".join(reversed(drawn.codes))]) == 0
    assert "MATCH" in capsys.readouterr().out
    assert main(args + ["--codes", ",".join(drawn.codes[1:])]) == 1
    assert "MISMATCH" in capsys.readouterr().out
    assert main(["sample", "verify", "--register", str(register_file), "--record", str(record)]) == 0
    assert main(["--data-dir", str(data_dir), "sample", "verify", "--register", str(register_file),
                 "--sample-id", sample.id]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "sample", "verify", "--sample-id", sample.id]) == 0  # the stored frame
    assert "MATCH" in capsys.readouterr().out
    assert main(["sample", "verify", "--seed", drawn.seed, "--total", "8"]) == 2  # no file, no recorded sample
    edited_rows = register_rows()
    edited_rows[5][3] = "Đất đai"
    edited = write_csv(tmp_path / "edited.csv", edited_rows)
    capsys.readouterr()
    assert main(["sample", "verify", "--register", str(edited), "--record", str(record)]) == 1
    assert "frame (register) has changed" in capsys.readouterr().out
    assert main(["sample", "verify", "--register", str(register_file)]) == 2  # nothing to re-draw with
    assert main(["sample", "verify", "--register", str(register_file), "--seed", "00", "--per-stratum", "2"]) == 2


def test_sampled_dossiers_must_be_checked_before_the_visit_closes(ctx, visit, tmp_path):
    """A failed dossier item that requires a note or photo blocks closing, as a visit item does."""
    from inspection_app.services import visit_close

    path = tmp_path / "register.csv"
    path.write_text(demo_register_csv(date(2026, 11, 2), rows=12), encoding="utf-8")
    register = sampling.import_register(ctx, visit.id, path)
    sample_id, _ = sampling.draw_new_sample(ctx, register.id, SampleSize.fixed(1))
    dossiers = sampling.sampled_dossiers(ctx, sample_id)
    kinds = {m.kind for m in visit_close.missing_before_close(ctx, visit.id) if m.checklist_id == "tthc_dossiers"}
    assert kinds == {"unanswered"}
    first = dossiers[0]
    for item in sampling.dossier_checklist(ctx).items:
        value = {"pass_fail": "pass", "count": "0"}.get(item.answer.value) or item.choices[0].value
        note = None
        if item.id == "td.timeliness":  # confirmed as computed, or set with a reason (issue #13)
            value = first.computed_timeliness or "on_time"
            note = None if value == first.computed_timeliness else "Theo phiếu kiểm soát"
        sampling.record_dossier_check(ctx, first.check_id, item.id, value, note=note)
    sampling.record_dossier_check(ctx, first.check_id, "td.control_slip", "fail")
    gaps = [m for m in visit_close.missing_before_close(ctx, visit.id) if m.checklist_id == "tthc_dossiers"]
    mine = [m for m in gaps if first.code in m.vi]
    assert {m.kind for m in mine} == {"note", "photo"}
    assert all(first.code in m.en for m in mine)
    sampling.record_dossier_check(ctx, first.check_id, "td.control_slip", note="Phiếu kiểm soát thiếu chữ ký")
    mine = [m for m in visit_close.missing_before_close(ctx, visit.id) if first.code in m.vi]
    assert {m.kind for m in mine} == {"photo"}
