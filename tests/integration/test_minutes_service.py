"""The minutes service on a real store: draft, number, sign (locks), countersign, correction, verify."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from inspection_app.domain.checklist import AnswerType
from inspection_app.domain.errors import Locked, NotFound, UserError, ValidationFailed
from inspection_app.pdf import keyfiles, keys
from inspection_app.services import (
    checklists,
    findings,
    minutes,
    minutes_signatures,
    numbering,
    photos,
    roll_call,
    visit_close,
    visits,
)
from inspection_app.store.models import MinutesDocument, Remedy, Visit, VisitStatus

PASS = "mat-khau-thu-nghiem"
STROKES = [[[10, 10], [50, 40], [90, 15], [130, 45]], [[20, 60], [140, 62]]]
FAILED_ITEM = ("office_culture", "oc.card_worn")  # on fail: a note is required


def _pdftext(path) -> str:
    if shutil.which("pdftotext") is None:  # the Makefile installs poppler-utils; CI must have it
        if os.environ.get("CI"):
            pytest.fail("pdftotext is not installed")
        pytest.skip("pdftotext is not installed")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, encoding="utf-8", check=True).stdout
    return " ".join(out.split())


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (180, 40, 40)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _complete(ctx, visit_id: str, people) -> None:
    """Answer every item, one failure with a note and a photo, a roll call, signatures."""
    for checklist in checklists.visit_checklists(ctx, visit_id):
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
            if (checklist.id, item.id) == FAILED_ITEM:
                value, note = "fail", "Bà Trần Thị Bình không đeo thẻ công chức khi tiếp dân."
            checklists.record_answer(ctx, visit_id, checklist.id, item.id, value, note=note)
    photos.add_photo(ctx, visit_id, _jpeg(), "the.jpg", caption="Công chức không đeo thẻ",
                     checklist_id=FAILED_ITEM[0], item_id=FAILED_ITEM[1])
    roll_call.set_attendance(ctx, visit_id, people[0].id, "present")
    roll_call.set_attendance(ctx, visit_id, people[1].id, "late", "07:52")
    roll_call.set_attendance(ctx, visit_id, people[2].id, "absent_excused", None, "Đi công tác",
                             "Giấy đi công tác số 45")
    findings.add_finding(ctx, visit_id, "Phòng tiếp dân không có sổ góp ý.")
    with ctx.session() as s:
        s.add(Remedy(visit_id=visit_id, text="Chấn chỉnh việc đeo thẻ công chức",
                     deadline=date(2026, 8, 1), report_due=date(2026, 8, 15)))
    arrival = visits.get_visit(ctx, visit_id).arrival_at
    visits.update_visit(ctx, visit_id, assessment="Đơn vị cơ bản chấp hành tốt kỷ luật hành chính.",
                        unit_opinion="Đơn vị thống nhất với nội dung biên bản.",
                        ended_at=arrival + timedelta(hours=3))
    # the unit's refusal first: it changes section V and the closing, which the team then signs
    minutes_signatures.refuse(ctx, visit_id, "unit_representative", "Nguyễn Văn An",
                              "Chưa thống nhất số liệu điểm danh")
    minutes_signatures.sign(ctx, visit_id, "team_leader", "Nguyễn Thị Ánh Tuyết", STROKES, 160, 80)
    minutes_signatures.sign(ctx, visit_id, "secretary", "Phạm Đức Anh", STROKES, 160, 80)


@pytest.fixture
def team_keys(ctx):
    keys.init_pilot(ctx.data_dir, "Sở Nội vụ tỉnh Tây Ninh",
                    [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn"), ("Văn phòng Sở Nội vụ", "Văn thư")], PASS)
    return ctx.data_dir


@pytest.fixture
def number_block(ctx, visit):
    """The records office reserved numbers 1–20 of BB-SNV for this tablet (typed in its settings)."""
    year = visits.get_visit(ctx, visit.id).arrival_at.year
    return numbering.apply_block_from_settings(ctx, year, 1, 20)


@pytest.fixture
def complete_visit(ctx, visit, unit_with_staff):
    _, people = unit_with_staff
    _complete(ctx, visit.id, people)
    return visit


def test_open_visit_gives_an_unnumbered_draft(ctx, complete_visit, tmp_path):
    out = tmp_path / "draft.pdf"
    result = minutes.export_minutes(ctx, complete_visit.id, out)
    assert result.draft and result.number == "" and out.is_file()
    text = _pdftext(out)
    assert "Số:" in text and "/BB-SNV" in text and "……" not in text  # blank: the văn thư writes it
    assert minutes.list_versions(ctx, complete_visit.id) == []  # nothing stored for a draft
    assert visits.get_visit(ctx, complete_visit.id).minutes_number == ""


def test_content_from_the_store(ctx, complete_visit):
    content = minutes.build_content(ctx, complete_visit.id)
    assert content.department.minutes_code == "BB-SNV"
    assert content.summary == "Kiểm tra công vụ tại UBND xã Thử Nghiệm"
    assert content.legal_basis[0].startswith("Căn cứ Quyết định số 125/QĐ-SNV")
    assert [m.role for m in content.team] == ["Trưởng đoàn", "Thư ký"]
    failed = [i for s in content.sections for i in s.body_items]
    assert [i.item_id for i in failed] == ["oc.card_worn"]
    assert failed[0].photo_refs == ("A1",) and "không đeo thẻ" in failed[0].note
    assert content.photos[0].item_ref.startswith("2.1 ")  # checklist 2, item 1, as in annex I
    assert content.photos[0].caption == "Công chức không đeo thẻ"
    assert content.roll_call.totals.roster == 3 and content.roll_call.totals.late == 1
    assert content.other_findings == ("Phòng tiếp dân không có sổ góp ý.",)
    assert content.remedies[0].deadline == date(2026, 8, 1)
    unit_sig = content.signature(content.signatures[0].role)
    assert unit_sig.refused and unit_sig.refusal_reason == "Chưa thống nhất số liệu điểm danh"


def test_sign_closes_numbers_locks_and_verifies(ctx, complete_visit, team_keys, number_block, tmp_path):
    out = tmp_path / "signed.pdf"
    result = minutes.sign_minutes(ctx, complete_visit.id, PASS, out=out)
    year = visits.get_visit(ctx, complete_visit.id).arrival_at.year
    assert result.signed and result.version == 1 and result.number == "01/BB-SNV"
    visit = visits.get_visit(ctx, complete_visit.id)
    assert visit.status == VisitStatus.SIGNED.value and visit.locked
    assert visit.minutes_number == "01/BB-SNV"
    doc = minutes.latest_version(ctx, complete_visit.id)
    assert doc.signed and doc.sha256 == result.sha256 and "Nguyễn Thị Ánh Tuyết" in doc.signer_subject
    assert ctx.path(doc.file_path).read_bytes() == out.read_bytes()
    # the signed visit refuses changes
    with pytest.raises(Locked):
        visits.update_visit(ctx, complete_visit.id, assessment="đổi")
    with pytest.raises(Locked):
        minutes.sign_minutes(ctx, complete_visit.id, PASS)
    check = minutes.verify_minutes(ctx, out)
    assert check.ok and check.stored is not None and check.stored.version == 1
    (sig,) = check.report.signatures
    assert sig.signer_name == "Nguyễn Thị Ánh Tuyết" and sig.trusted
    text = _pdftext(out)
    assert "Số: 01/BB-SNV" in text and "Nguyễn Thị Ánh Tuyết - Trưởng đoàn" in text
    assert "(Từ chối ký. Lý do: Chưa thống nhất số liệu điểm danh.)" in text
    assert "Phòng tiếp dân không có sổ góp ý." in text
    # exporting again gives the same stored, signed file
    again = minutes.export_minutes(ctx, complete_visit.id, tmp_path / "again.pdf")
    assert again.sha256 == result.sha256 and again.signed
    assert year >= 2024


def test_wrong_passphrase_leaves_the_minutes_unsigned(ctx, complete_visit, team_keys):
    with pytest.raises(UserError):
        minutes.sign_minutes(ctx, complete_visit.id, "sai-mat-khau")
    doc = minutes.latest_version(ctx, complete_visit.id)
    assert doc is not None and not doc.signed  # closed and stored, waiting for the signature
    assert visits.get_visit(ctx, complete_visit.id).status == VisitStatus.CLOSED.value


def test_incomplete_visit_cannot_be_signed(ctx, visit, team_keys):
    with pytest.raises(ValidationFailed):
        minutes.sign_minutes(ctx, visit.id, PASS)
    assert minutes.list_versions(ctx, visit.id) == []


def test_office_countersigns_later(ctx, complete_visit, team_keys, tmp_path):
    first = minutes.sign_minutes(ctx, complete_visit.id, PASS)
    filed = minutes.countersign_minutes(ctx, complete_visit.id, PASS, out=tmp_path / "filed.pdf")
    assert visits.get_visit(ctx, complete_visit.id).status == VisitStatus.FILED.value
    assert (tmp_path / "filed.pdf").read_bytes().startswith(ctx.path(
        minutes.list_versions(ctx, complete_visit.id)[0].file_path).read_bytes()[:100])
    check = minutes.verify_minutes(ctx, tmp_path / "filed.pdf")
    assert check.ok, check.report.all_problems()
    leader, office = check.report.signatures
    assert leader.intact and leader.trusted and office.signer_name == "Văn phòng Sở Nội vụ"
    assert filed.sha256 != first.sha256
    assert ctx.path(first.path.relative_to(ctx.data_dir)).is_file()  # the team leader's file stays


def test_correction_makes_a_new_version_and_keeps_the_old(ctx, complete_visit, team_keys, tmp_path):
    v1 = minutes.sign_minutes(ctx, complete_visit.id, PASS)
    v1_bytes = v1.path.read_bytes()
    with pytest.raises(ValidationFailed):
        minutes.begin_correction(ctx, complete_visit.id, "   ")
    minutes.begin_correction(ctx, complete_visit.id, "Sửa ý kiến của đơn vị")
    assert not visits.get_visit(ctx, complete_visit.id).locked  # editable again
    with pytest.raises(ValidationFailed):
        minutes.begin_correction(ctx, complete_visit.id, "lần nữa")  # one correction at a time
    visits.update_visit(ctx, complete_visit.id, unit_opinion="Đơn vị đề nghị bổ sung ý kiến về điểm danh.")
    # the drawn signatures were given on the old text: they must be given again before closing
    states = minutes_signatures.signature_states(ctx, complete_visit.id)
    assert states["team_leader"].state == states["secretary"].state == minutes_signatures.STALE
    with pytest.raises(ValidationFailed, match="phải ký lại"):
        visit_close.close_visit(ctx, complete_visit.id)
    minutes_signatures.sign(ctx, complete_visit.id, "team_leader", "Nguyễn Thị Ánh Tuyết", STROKES, 160, 80)
    minutes_signatures.sign(ctx, complete_visit.id, "secretary", "Phạm Đức Anh", STROKES, 160, 80)
    v2 = minutes.sign_minutes(ctx, complete_visit.id, PASS, out=tmp_path / "v2.pdf")
    assert v2.version == 2 and v2.number == v1.number and v2.signed
    versions = minutes.list_versions(ctx, complete_visit.id)
    assert [(d.version, d.signed) for d in versions] == [(1, True), (2, True)]
    assert versions[0].sha256 == v1.sha256 and v1.path.read_bytes() == v1_bytes
    assert versions[1].reason == "Sửa ý kiến của đơn vị"
    text = _pdftext(tmp_path / "v2.pdf")
    assert "Lý do đính chính: Sửa ý kiến của đơn vị." in text
    assert "Đơn vị đề nghị bổ sung ý kiến về điểm danh." in text
    assert minutes.verify_minutes(ctx, tmp_path / "v2.pdf").ok


def test_tampered_stored_file_is_refused(ctx, complete_visit, team_keys):
    result = minutes.sign_minutes(ctx, complete_visit.id, PASS)
    data = bytearray(result.path.read_bytes())
    data[5000] ^= 1
    result.path.write_bytes(bytes(data))
    with pytest.raises(UserError) as err:
        minutes.export_minutes(ctx, complete_visit.id)
    assert "mã băm" in err.value.vi
    assert not minutes.verify_minutes(ctx, result.path).ok


def test_numbers_per_code_and_year_are_never_reused(ctx):
    with ctx.session() as s:
        got = [minutes.allocate_number(s, "BB-SNV", 2026) for _ in range(3)]
    with ctx.session() as s:
        got.append(minutes.allocate_number(s, "BB-SNV", 2026))
        other_year = minutes.allocate_number(s, "BB-SNV", 2027)
        other_code = minutes.allocate_number(s, "BB-ĐKT", 2026)
    assert got == [1, 2, 3, 4] and other_year == 1 and other_code == 1
    # a transaction that rolls back gives its number back only if nothing was committed
    with pytest.raises(RuntimeError):
        with ctx.session() as s:
            minutes.allocate_number(s, "BB-SNV", 2026)
            raise RuntimeError("abandoned")
    with ctx.session() as s:
        assert minutes.allocate_number(s, "BB-SNV", 2026) == 5


def test_concurrent_allocation_gives_distinct_numbers(ctx):
    results: list[int] = []
    errors: list[BaseException] = []

    def take():
        try:
            for _ in range(5):
                with ctx.session() as s:
                    results.append(minutes.allocate_number(s, "BB-SNV", 2030))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == list(range(1, 21))


def test_second_visit_gets_the_next_number(ctx, complete_visit, team_keys, number_block, unit_with_staff):
    unit, people = unit_with_staff
    minutes.sign_minutes(ctx, complete_visit.id, PASS)
    other = visits.create_visit(
        ctx, unit.id, decision_number="126/QĐ-SNV",
        team=[visits.ParticipantIn("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc"),
              visits.ParticipantIn("Phạm Đức Anh", "secretary", "Chuyên viên")],
        unit_reps=[visits.ParticipantIn("Nguyễn Văn An", "Chủ tịch UBND xã")],
        checklist_ids=["working_hours", "office_culture"])
    _complete(ctx, other.id, people)
    second = minutes.sign_minutes(ctx, other.id, PASS)
    assert second.number == "02/BB-SNV"
    with ctx.session() as s:
        assert s.get(Visit, other.id).minutes_number == "02/BB-SNV"
        assert len(s.exec(select(MinutesDocument)).all()) == 2


# --- the command line ------------------------------------------------------------------------------


def _cli(*argv: str) -> int:
    from inspection_app.cli import main

    return main(list(argv))


def _append_page(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Page"),
        generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
        generic.NameObject("/Contents"): w.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 0 0 50 50 re f")),
        generic.NameObject("/Resources"): generic.DictionaryObject(),
    })
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_cli_keys_export_sign_verify(ctx, complete_visit, number_block, tmp_path, monkeypatch, capsys):
    data = str(ctx.data_dir)
    monkeypatch.setenv("TEST_PASS", PASS)
    assert _cli("--data-dir", data, "keys", "init", "--passphrase-env", "TEST_PASS") == 0
    out = capsys.readouterr().out
    assert "THÍ ĐIỂM" in out and "NOT certificates from a licensed certification authority" in out
    assert "Nguyễn Thị Ánh Tuyết (Trưởng đoàn)" in out and "Văn phòng Sở Nội vụ (Văn thư)" in out

    draft = tmp_path / "draft.pdf"
    assert _cli("--data-dir", data, "export-minutes", complete_visit.id, "--out", str(draft)) == 0
    assert "dự thảo" in capsys.readouterr().out and draft.is_file()

    signed = tmp_path / "signed.pdf"
    assert _cli("--data-dir", data, "export-minutes", complete_visit.id, "--out", str(signed), "--sign",
                "--passphrase-env", "TEST_PASS") == 0
    assert "01/BB-SNV" in capsys.readouterr().out

    assert _cli("--data-dir", data, "verify", str(signed)) == 0
    out = capsys.readouterr().out
    assert "HỢP LỆ" in out and "Nguyễn Thị Ánh Tuyết" in out and "RESULT: VALID" in out

    filed = tmp_path / "filed.pdf"
    assert _cli("--data-dir", data, "export-minutes", complete_visit.id, "--out", str(filed),
                "--countersign", "--passphrase-env", "TEST_PASS") == 0
    capsys.readouterr()
    code = _cli("--data-dir", data, "verify", str(filed))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[2] XacNhanCuaSo: HỢP LỆ" in out and "chỉ thêm chữ ký vào ô đã dành sẵn" in out
    assert "Tin cậy qua CA gốc" in out and "SHA-256" in out

    flipped = bytearray(signed.read_bytes())
    flipped[flipped.index(b"stream", 2000) + 60] ^= 1
    (tmp_path / "flipped.pdf").write_bytes(bytes(flipped))
    assert _cli("--data-dir", data, "verify", str(tmp_path / "flipped.pdf")) == 1
    assert "sai mã băm" in capsys.readouterr().out

    (tmp_path / "added.pdf").write_bytes(_append_page(signed.read_bytes()))
    assert _cli("--data-dir", data, "--lang", "en", "verify", str(tmp_path / "added.pdf")) == 1
    assert "changed after signing" in capsys.readouterr().out

    # another machine without this department's root: unknown signer
    assert _cli("--data-dir", str(tmp_path / "elsewhere"), "verify", str(signed)) == 1
    assert "không được tin cậy" in capsys.readouterr().out
    # ... unless the root is given
    root = ctx.data_dir / "keys" / "root-ca.pem"
    assert _cli("--data-dir", str(tmp_path / "elsewhere"), "verify", str(signed), "--root", str(root)) == 0


def test_cli_needs_a_passphrase_without_a_terminal(ctx, complete_visit, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = _cli("--data-dir", str(ctx.data_dir), "keys", "init", "--member", "A B:Trưởng đoàn")
    assert code == 2
    assert "--passphrase-env" in capsys.readouterr().err
    monkeypatch.delenv("NOPE", raising=False)
    assert _cli("--data-dir", str(ctx.data_dir), "export-minutes", complete_visit.id, "--out",
                str(tmp_path / "x.pdf"), "--sign", "--passphrase-env", "NOPE") == 2


def test_cli_keys_import_and_list(ctx, tmp_path, monkeypatch, capsys):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    other = tmp_path / "ca"
    keys.init_pilot(other, "Cơ quan khác", [("Lê Văn Phúc", "Chuyên viên")], PASS)
    loaded = keys.load_identity(other, keys.find_identity(other), PASS)
    p12 = tmp_path / "phuc.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"x", loaded.key, loaded.certificate, list(loaded.chain),
        serialization.BestAvailableEncryption(b"p12-pass")))
    monkeypatch.setenv("P12_PASS", "p12-pass")
    data = str(ctx.data_dir)
    assert _cli("--data-dir", data, "keys", "import", str(p12), "--passphrase-env", "P12_PASS") == 0
    out = capsys.readouterr().out
    assert "Lê Văn Phúc" in out and "CHƯA tin cậy" in out and "SHA-256" in out  # offered, not trusted
    root = tmp_path / "root.pem"
    root.write_bytes(keyfiles.root_cert_path(other).read_bytes())
    assert _cli("--data-dir", data, "keys", "trust", str(root)) == 2  # no terminal, no --yes: refused
    assert "xác nhận" in capsys.readouterr().err
    assert _cli("--data-dir", data, "keys", "trust", str(root), "--yes") == 0
    out = capsys.readouterr().out
    assert keys.fingerprint(loaded.chain[0]).upper()[:2] + ":" in out
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    assert _cli("--data-dir", data, "keys", "trust", str(root)) == 1  # answered no
    assert _cli("--data-dir", data, "keys", "list") == 0
    assert "CA cấp / CA-issued" in capsys.readouterr().out
    monkeypatch.setenv("P12_PASS", "wrong")
    assert _cli("--data-dir", data, "keys", "import", str(p12), "--passphrase-env", "P12_PASS") == 2


def test_leader_without_a_key_is_not_signed_for_by_someone_else(ctx, complete_visit):
    keys.init_pilot(ctx.data_dir, "Sở Nội vụ tỉnh Tây Ninh", [("Người Khác", "Trưởng đoàn")], PASS)
    with pytest.raises(NotFound) as err:
        minutes.sign_minutes(ctx, complete_visit.id, PASS)
    assert "Nguyễn Thị Ánh Tuyết" in err.value.vi
    # choosing a key explicitly is allowed (e.g. a deputy signing for the leader)
    result = minutes.sign_minutes(ctx, complete_visit.id, PASS, identity="Người Khác")
    assert result.signed
