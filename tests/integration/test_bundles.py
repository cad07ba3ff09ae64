"""Visit bundles: export, verified all-or-nothing import, merge of two tablets' edits.

The office database is parametrised over SQLite and PostgreSQL; tablets are always SQLite.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from office_seed import VN, files_dump, seed_visit, table_dump
from sqlalchemy import select

from inspection_app.domain.errors import UserError
from inspection_app.services import bundles, devices
from inspection_app.store import models as m
from inspection_app.store.audit import verify_chain
from inspection_app.store.migrations import SCHEMA_VERSION
from inspection_app.sync import crypto, device_key
from inspection_app.sync.records import AUDIT_SKIP, AUDIT_TABLE, dump_row, ordered_tables

pytestmark = pytest.mark.both_databases


def _records(ctx, visit_ids) -> dict[str, dict[str, dict]]:
    """Bundle tables' rows (as JSON-ready dicts) keyed by primary key."""
    out = {}
    with ctx.session() as s:
        for table in ordered_tables():
            pk = list(table.primary_key.columns)[0]
            out[table.name] = {r[pk.name]: dump_row(table, dict(r)) for r in s.execute(select(table)).mappings()}
        events = s.execute(select(AUDIT_TABLE).where(AUDIT_TABLE.c.visit_id.in_(visit_ids))).mappings()
        out["auditevent"] = {e["event_id"]: dump_row(AUDIT_TABLE, dict(e), skip=AUDIT_SKIP) for e in events
                             if e["entity"] != "syncimport"}
    return out


def _rewrite_zip(src: Path, dst: Path, replace: dict[str, bytes | None]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in replace:
                data = replace[info.filename]
                if data is None:
                    continue
            else:
                data = zin.read(info)
            zout.writestr(info.filename, data)
        for name, data in replace.items():
            if data is not None and name not in zin.namelist():
                zout.writestr(name, data)


def _manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def _office_layout(tablet, visit) -> dict[str, bytes]:
    """The tablet's files under the names an importer gives them (minutes by their SHA-256)."""
    return {(f"minutes/{visit.visit_id}/{hashlib.sha256(v).hexdigest()}.pdf" if k.startswith("minutes/") else k): v
            for k, v in files_dump(tablet).items()}


def _no_staging_left(ctx) -> bool:
    staging = ctx.data_dir / ".staging"
    return not [p for p in ctx.data_dir.iterdir() if p.name.startswith(".bundle-")] and \
        not (staging.is_dir() and any(staging.iterdir()))


@pytest.fixture
def ctx_factory(ctx_factory):
    """Contexts that know each other: every device is enrolled at every other (``enrol=False``: a
    device nobody has enrolled, and that enrols nobody)."""
    known: list = []

    def make(*args, enrol: bool = True, **kwargs):
        ctx = ctx_factory(*args, **kwargs)
        if enrol:
            me = devices.own_device(ctx)
            for other in known:
                them = devices.own_device(other)
                devices.enrol_device(other, me.public_key, me.device_id, me.fingerprint, me.name)
                devices.enrol_device(ctx, them.public_key, them.device_id, them.fingerprint, them.name)
            known.append(ctx)
        return ctx

    return make


@pytest.fixture
def tablet(ctx_factory):
    return ctx_factory("tablet-a", backend="sqlite", actor="Lê Văn Cường", device_id="tablet-a")


@pytest.fixture
def office(ctx_factory):
    return ctx_factory("office", actor="Phạm Thu Hà", device_id="office-1")


@pytest.fixture
def full_visit(tablet):
    return seed_visit(tablet, findings=[("alcohol", "Uống rượu bia trong giờ làm việc"), ("tobacco", "Hút thuốc")],
                      roll_call=["present", "late", "absent_unexcused", "absent_excused"],
                      timeliness=["early", "on_time", "late"], photos=3,
                      remedies=[("Niêm yết thủ tục hành chính", date(2026, 4, 30), None)], minutes=True, signed=True,
                      status="signed")


# --- round trip -------------------------------------------------------------------------------------


def test_round_trip_equality(tablet, office, full_visit, tmp_path):
    second = seed_visit(tablet, unit_name="Trạm y tế xã Tân Thành", photos=1)
    result = bundles.export_bundle(tablet, tmp_path / "b.iab")
    assert result.visit_ids and set(result.visit_ids) == {full_visit.visit_id, second.visit_id}
    # one entry per distinct content: 3 + 1 photos (the seeded thumbnails are the same bytes), 1 PDF
    assert result.files == 3 + 1 + 1

    report = bundles.import_bundle(office, result.path)
    assert not report.unchanged and set(report.changed_visit_ids) == set(result.visit_ids)
    assert report.conflicts == []
    assert report.inserted["photo"] == 4 and report.files_added == 3 * 2 + 2 + 1

    ids = result.visit_ids
    office_rows, tablet_rows = _records(office, ids), _records(tablet, ids)
    # The minutes file sits where the office derives it from its SHA-256, whatever the tablet called it.
    for row in tablet_rows["minutesdocument"].values():
        row["file_path"] = f"minutes/{row['visit_id']}/{row['sha256']}.pdf"
    assert office_rows == tablet_rows
    assert files_dump(office) == _office_layout(tablet, full_visit)
    with office.session() as s:
        assert verify_chain(s).ok
        imports = s.execute(select(m.AuditEvent).where(m.AuditEvent.entity == "syncimport")).scalars().all()
        assert {e.visit_id for e in imports} == set(ids)
        assert all(e.device_id == "office-1" and e.action == "import" for e in imports)
        assert s.execute(select(m.SyncImport)).scalars().one().source_device_id == "tablet-a"
    assert _no_staging_left(office)


def test_export_selected_visits_only(tablet, office, full_visit, tmp_path):
    other = seed_visit(tablet, unit_name="Phòng Văn hóa")
    result = bundles.export_bundle(tablet, tmp_path / "one.iab", visit_ids=[other.visit_id])
    manifest = _manifest(result.path)
    assert manifest["visit_ids"] == [other.visit_id]
    assert {v["id"] for v in manifest["records"]["visit"]} == {other.visit_id}
    assert manifest["schema_version"] == SCHEMA_VERSION and manifest["device_id"] == "tablet-a"
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])


def test_double_import_changes_nothing(tablet, office, full_visit, tmp_path):
    result = bundles.export_bundle(tablet, tmp_path / "b.iab")
    bundles.import_bundle(office, result.path)
    before, files_before = table_dump(office), files_dump(office)
    again = bundles.import_bundle(office, result.path)
    assert again.unchanged and again.import_id is None and again.conflicts == []
    assert table_dump(office) == before
    assert files_dump(office) == files_before
    # A fresh export of the same, unchanged visits is just as idempotent.
    fresh = bundles.export_bundle(tablet, tmp_path / "b2.iab")
    assert bundles.import_bundle(office, fresh.path).unchanged
    assert table_dump(office) == before


def test_encrypted_round_trip_and_wrong_passphrase(tablet, office, full_visit, tmp_path):
    result = bundles.export_bundle(tablet, tmp_path / "b.iab", passphrase="mật khẩu đoàn 2026")
    raw = result.path.read_bytes()
    assert raw.startswith(crypto.MAGIC) and b"manifest.json" not in raw and result.encrypted
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["b.iab"]  # no plain copy left beside it
    assert not list(tablet.data_dir.glob(".bundle-export-*"))
    before = table_dump(office)
    with pytest.raises(crypto.BadPassphrase) as err:
        bundles.import_bundle(office, result.path, passphrase="sai mật khẩu")
    assert "passphrase" in err.value.en.lower() and "mật khẩu" in err.value.vi.lower()
    with pytest.raises(crypto.BadPassphrase):
        bundles.import_bundle(office, result.path)  # none given
    assert table_dump(office) == before and _no_staging_left(office)
    report = bundles.import_bundle(office, result.path, passphrase="mật khẩu đoàn 2026")
    assert not report.unchanged and report.files_added == len(files_dump(tablet))


def test_encryption_detects_damage_in_every_chunk(tmp_path):
    import io

    plain = bytes(range(256)) * 20_000  # ~5 MB: several chunks
    sealed = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(plain), sealed, "pw")
    data = sealed.getvalue()
    out = io.BytesIO()
    crypto.decrypt_stream(io.BytesIO(data), out, "pw")
    assert out.getvalue() == plain
    for bad in (data[: len(data) - 100], data[: crypto.HEADER_SIZE + (1 << 20) + 16],
                data[:2_000_000] + bytes([data[2_000_000] ^ 1]) + data[2_000_001:]):
        with pytest.raises(crypto.DamagedBundle):
            crypto.decrypt_stream(io.BytesIO(bad), io.BytesIO(), "pw")


# --- refusals: nothing written ----------------------------------------------------------------------


def _assert_refused(office, path, *words, passphrase=None):
    before, files_before = table_dump(office), files_dump(office)
    with pytest.raises(UserError) as err:
        bundles.import_bundle(office, path, passphrase=passphrase)
    text = (err.value.en + " " + err.value.vi).lower()
    for word in words:
        assert word.lower() in text, text
    assert "nothing was written" in err.value.en.lower() or "nothing" in err.value.en.lower()
    assert table_dump(office) == before and files_dump(office) == files_before
    assert _no_staging_left(office)
    return err.value


def _forge(tablet, good: Path, dst: Path, manifest: dict | None = None,
           replace: dict[str, bytes | None] | None = None, sign: bool = True) -> Path:
    """A copy of ``good`` with a new manifest and entries replaced; signed again with the tablet's
    own key when ``sign`` (what a device that signs whatever it is given would send)."""
    replace = dict(replace or {})
    if manifest is not None:
        raw = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
        replace["manifest.json"] = raw
        if sign:
            key = device_key.load_or_create(tablet.data_dir)
            replace["manifest.sig"] = base64.b64encode(device_key.sign(key, raw))
    _rewrite_zip(good, dst, replace)
    return dst


def _file_of(manifest: dict, table: str, column: str) -> dict:
    return next(f for f in manifest["files"] if any(u[0] == table and u[2] == column for u in f["uses"]))


def test_tampered_photo_is_refused(tablet, office, full_visit, tmp_path):
    good = bundles.export_bundle(tablet, tmp_path / "b.iab").path
    manifest = _manifest(good)
    photo = _file_of(manifest, "photo", "original_path")
    with zipfile.ZipFile(good) as zf:
        data = bytearray(zf.read("files/" + photo["sha256"]))
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    bad = _forge(tablet, good, tmp_path / "tampered.iab", replace={"files/" + photo["sha256"]: bytes(data)})
    _assert_refused(office, bad, "sha-256", photo["uses"][0][1])


def test_adjusted_photo_hash_is_refused(tablet, office, full_visit, tmp_path):
    """Attack: other photo bytes, with the manifest's hash adjusted to them (signed again)."""
    good = bundles.export_bundle(tablet, tmp_path / "b.iab").path
    manifest = _manifest(good)
    photo = _file_of(manifest, "photo", "original_path")
    other = b"\xff\xd8 not the photo that was taken \xff\xd9"
    old_sha = photo["sha256"]
    photo["sha256"], photo["size"] = hashlib.sha256(other).hexdigest(), len(other)
    bad = _forge(tablet, good, tmp_path / "adjusted.iab", manifest,
                 {"files/" + old_sha: None, "files/" + photo["sha256"]: other})
    _assert_refused(office, bad, "does not hash to the sha-256 in its record")


def test_truncated_bundle_is_refused(tablet, office, full_visit, tmp_path):
    good = bundles.export_bundle(tablet, tmp_path / "b.iab").path
    raw = good.read_bytes()
    cut = tmp_path / "cut.iab"
    cut.write_bytes(raw[: len(raw) * 2 // 3])
    _assert_refused(office, cut, "damaged or incomplete")
    sealed = bundles.export_bundle(tablet, tmp_path / "s.iab", passphrase="pw").path
    raw = sealed.read_bytes()
    cut.write_bytes(raw[: len(raw) - 40])
    _assert_refused(office, cut, "truncated", passphrase="pw")


def test_missing_file_is_refused(tablet, office, full_visit, tmp_path):
    good = bundles.export_bundle(tablet, tmp_path / "b.iab").path
    pdf = _file_of(_manifest(good), "minutesdocument", "file_path")
    bad = _forge(tablet, good, tmp_path / "missing.iab", replace={"files/" + pdf["sha256"]: None})
    _assert_refused(office, bad, "lacks the file")
    # Also when the manifest forgets the file but a record still names it.
    manifest = _manifest(good)
    manifest["files"] = [f for f in manifest["files"] if f["sha256"] != pdf["sha256"]]
    bad = _forge(tablet, good, tmp_path / "missing2.iab", manifest, {"files/" + pdf["sha256"]: None})
    _assert_refused(office, bad, "lacks the file", "minutesdocument")


def test_newer_schema_is_refused(tablet, office, full_visit, tmp_path):
    good = bundles.export_bundle(tablet, tmp_path / "b.iab").path
    manifest = _manifest(good)
    manifest["schema_version"] = SCHEMA_VERSION + 1
    bad = _forge(tablet, good, tmp_path / "newer.iab", manifest)
    _assert_refused(office, bad, "newer version", "update the app")


def test_edited_audit_log_and_bad_values_are_refused(tablet, office, full_visit, tmp_path):
    good = bundles.export_bundle(tablet, tmp_path / "b.iab").path
    manifest = _manifest(good)
    ev = next(e for e in manifest["audit_events"] if e["entity"] == "finding")
    ev["changes"]["description"] = [None, "Không có vi phạm"]
    bad = _forge(tablet, good, tmp_path / "edited.iab", manifest)
    _assert_refused(office, bad, "audit log")

    manifest = _manifest(good)
    manifest["records"]["finding"][0]["occurred_at"] = "yesterday"
    bad = _forge(tablet, good, tmp_path / "value.iab", manifest)
    _assert_refused(office, bad, "finding.occurred_at")


def test_not_a_bundle_is_refused(office, tmp_path):
    junk = tmp_path / "junk.iab"
    junk.write_bytes(b"hello")
    _assert_refused(office, junk, "not a zip")


def test_export_refuses_missing_local_files(tablet, full_visit, tmp_path):
    photo = next((tablet.data_dir / "photos").rglob("*.thumb.jpg"))
    photo.unlink()
    with pytest.raises(UserError) as err:
        bundles.export_bundle(tablet, tmp_path / "b.iab")
    assert "missing" in err.value.en and not (tmp_path / "b.iab").exists()


# --- two tablets, one visit --------------------------------------------------------------------------


def test_two_tablets_merge_with_conflict_listed(ctx_factory, office, tmp_path):
    a = ctx_factory("tablet-a", backend="sqlite", actor="Lê Văn Cường", device_id="tablet-a")
    b = ctx_factory("tablet-b", backend="sqlite", actor="Đỗ Thị Dung", device_id="tablet-b")
    v = seed_visit(a, findings=[("tobacco", "Hút thuốc trong phòng làm việc")], photos=1,
                   answers={"office_culture": {"oc1": "pass"}})
    # The leader's tablet hands the visit to the member's tablet.
    start = bundles.export_bundle(a, tmp_path / "start.iab")
    assert not bundles.import_bundle(b, start.path).unchanged

    finding_id = v.finding_ids[0]

    # Tablet A edits the finding first and fills in the assessment.
    with a.session() as s:
        f = s.get(m.Finding, finding_id)
        f.description = "Hút thuốc lá trong phòng tiếp dân"
        f.occurred_at = datetime(2026, 3, 10, 8, 40, tzinfo=VN)
        s.get(m.Visit, v.visit_id).assessment = "Đơn vị chấp hành tương đối tốt."
    # Tablet B edits the same description later, and records things of its own.
    with b.session() as s:
        s.get(m.Finding, finding_id).description = "Hút thuốc lá trong phòng tiếp công dân (2 người)"
        s.get(m.Finding, finding_id).explanation_requested = True
        s.add(m.Answer(visit_id=v.visit_id, checklist_id="office_culture", checklist_version="1.0",
                       item_id="oc2", value="fail", note="Không đeo thẻ"))
        s.add(m.Remedy(visit_id=v.visit_id, text="Tháo gạt tàn khỏi phòng họp", deadline=date(2026, 4, 15)))

    # Both tablets answered the same new item, under different ids (A first, B later).
    with a.session() as s:
        s.add(m.Answer(visit_id=v.visit_id, checklist_id="office_culture", checklist_version="1.0",
                       item_id="oc3", value="pass"))
    with b.session() as s:
        s.add(m.Answer(visit_id=v.visit_id, checklist_id="office_culture", checklist_version="1.0",
                       item_id="oc3", value="fail", note="Phòng làm việc bừa bộn"))

    bundle_a = bundles.export_bundle(a, tmp_path / "a.iab").path
    bundle_b = bundles.export_bundle(b, tmp_path / "b.iab").path
    bundles.import_bundle(office, bundle_a)
    report = bundles.import_bundle(office, bundle_b)

    with office.session() as s:
        f = s.get(m.Finding, finding_id)
        assert f.description == "Hút thuốc lá trong phòng tiếp công dân (2 người)"  # B's later change
        assert f.explanation_requested is True  # only B changed it
        assert f.occurred_at == datetime(2026, 3, 10, 8, 40, tzinfo=VN)  # only A changed it
        assert s.get(m.Visit, v.visit_id).assessment == "Đơn vị chấp hành tương đối tốt."
        oc = {a_.item_id: a_ for a_ in s.execute(select(m.Answer).where(m.Answer.visit_id == v.visit_id)).scalars()}
        assert set(oc) == {"oc1", "oc2", "oc3"}
        assert oc["oc3"].value == "fail"  # B answered later
        assert len(s.execute(select(m.Remedy)).scalars().all()) == 1
        assert verify_chain(s).ok  # both tablets' chains coexist, intact

    by_field = {(c.entity, c.field): c for c in report.conflicts}
    assert set(by_field) == {("finding", "description"), ("answer", "value")}, by_field
    desc = by_field[("finding", "description")]
    assert desc.kind == "field" and desc.kept == "incoming" and desc.basis == "audit"
    assert desc.local_value == "Hút thuốc lá trong phòng tiếp dân"
    assert desc.incoming_value == "Hút thuốc lá trong phòng tiếp công dân (2 người)"
    assert desc.local_device == "tablet-a" and desc.incoming_device == "tablet-b"
    assert desc.local_at < desc.incoming_at and desc.visit_id == v.visit_id
    assert [c.id for c in bundles.list_conflicts(office, visit_id=v.visit_id)] == \
        [c.id for c in sorted(report.conflicts, key=lambda c: (c.created_at, c.entity, c.field))]

    # The same merge in the other order reaches the same values.
    other = ctx_factory("office-2", device_id="office-2")
    bundles.import_bundle(other, bundle_b)
    bundles.import_bundle(other, bundle_a)
    with other.session() as s:
        assert s.get(m.Finding, finding_id).description == "Hút thuốc lá trong phòng tiếp công dân (2 người)"
        assert s.get(m.Finding, finding_id).occurred_at == datetime(2026, 3, 10, 8, 40, tzinfo=VN)
    # And re-importing either bundle changes nothing.
    before = table_dump(office)
    again = bundles.import_bundle(office, bundle_a)
    assert again.unchanged, (again.inserted, again.updated, again.deleted, again.events_added, again.files_added, [(c.entity, c.field, c.kind, c.local_value, c.incoming_value, c.basis) for c in again.conflicts])
    assert bundles.import_bundle(office, bundle_b).unchanged
    assert table_dump(office) == before

    # The reviewer puts A's wording back: an ordinary, audited change.
    row = bundles.resolve_conflict(office, desc.id, use="local")
    assert row.resolution == "kept_local" and row.resolved_by == "Phạm Thu Hà"
    with office.session() as s:
        assert s.get(m.Finding, finding_id).description == "Hút thuốc lá trong phòng tiếp dân"
        assert verify_chain(s).ok
    assert desc.id not in {c.id for c in bundles.list_conflicts(office)}


def test_signed_minutes_are_never_altered(ctx_factory, office, tmp_path):
    a = ctx_factory("tablet-a", backend="sqlite", device_id="tablet-a")
    b = ctx_factory("tablet-b", backend="sqlite", device_id="tablet-b", actor="Đỗ Thị Dung")
    v = seed_visit(a, minutes=True, signed=False, status="closed")
    bundles.import_bundle(b, bundles.export_bundle(a, tmp_path / "start.iab").path)
    # A signs; B, unaware, renumbers its unsigned copy and replaces its file.
    with a.session() as s:
        doc = s.get(m.MinutesDocument, v.minutes_ids[0])
        doc.signed, doc.signed_at, doc.signer_subject = True, datetime.now(UTC), "CN=Trần Thị Bình"
    pdf_b = b"%PDF-1.7\n% B's edited copy\n%%EOF\n"
    with b.session() as s:
        doc = s.get(m.MinutesDocument, v.minutes_ids[0])
        rel = f"minutes/{v.visit_id}/b-copy.pdf"
        (b.data_dir / rel).write_bytes(pdf_b)
        doc.number, doc.byte_size, doc.file_path = "06/BB-SNV", len(pdf_b), rel
        doc.sha256 = hashlib.sha256(pdf_b).hexdigest()
    bundles.import_bundle(office, bundles.export_bundle(a, tmp_path / "a.iab").path)
    before, files_before = table_dump(office), files_dump(office)

    report = bundles.import_bundle(office, bundles.export_bundle(b, tmp_path / "b.iab").path)
    after = table_dump(office)
    for table in ("minutesdocument", "visit", "answer", "finding", "remedy"):
        assert after[table] == before[table], table
    assert files_dump(office) == files_before
    listed = {c.field for c in report.conflicts if c.kind in ("signed_visit", "signed_minutes")}
    assert {"number", "sha256", "byte_size"} <= listed
    assert all(c.kept == "local" for c in report.conflicts)
    number = next(c for c in report.conflicts if c.field == "number")
    assert number.incoming_by == "Đỗ Thị Dung" and number.incoming_device == "tablet-b" and number.incoming_at
    with pytest.raises(UserError):
        bundles.resolve_conflict(office, report.conflicts[0].id, use="incoming")


def test_deletion_travels_unless_changed_here(ctx_factory, office, tmp_path):
    a = ctx_factory("tablet-a", backend="sqlite", device_id="tablet-a")
    v = seed_visit(a, findings=[("alcohol", "Có mùi rượu"), ("tobacco", "Gạt tàn trên bàn")])
    bundles.import_bundle(office, bundles.export_bundle(a, tmp_path / "1.iab").path)
    with a.session() as s:
        s.delete(s.get(m.Finding, v.finding_ids[0]))
        s.delete(s.get(m.Finding, v.finding_ids[1]))
    with office.session() as s:  # the office edits the second finding meanwhile
        s.get(m.Finding, v.finding_ids[1]).severity = "high"
    report = bundles.import_bundle(office, bundles.export_bundle(a, tmp_path / "2.iab").path)
    with office.session() as s:
        assert s.get(m.Finding, v.finding_ids[0]) is None
        assert s.get(m.Finding, v.finding_ids[1]) is not None
    assert report.deleted == {"finding": 1}
    assert [(c.kind, c.entity_id, c.kept) for c in report.conflicts] == [("deleted", v.finding_ids[1], "local")]


def test_same_file_path_with_other_content_is_kept_aside(ctx_factory, office, tmp_path):
    a = ctx_factory("tablet-a", backend="sqlite", device_id="tablet-a")
    v = seed_visit(a, minutes=True)
    rel = f"minutes/{v.visit_id}/v1.pdf"
    target = office.data_dir / rel
    target.parent.mkdir(parents=True)
    target.write_bytes(b"something else the office keeps here")
    bundles.import_bundle(office, bundles.export_bundle(a, tmp_path / "1.iab").path)
    assert target.read_bytes() == b"something else the office keeps here"
    with office.session() as s:
        doc = s.get(m.MinutesDocument, v.minutes_ids[0])
        assert doc.file_path != rel and (office.data_dir / doc.file_path).read_bytes() == \
            (a.data_dir / rel).read_bytes()


# --- the command line ----------------------------------------------------------------------------------


def test_cli_export_import(tablet, office, full_visit, tmp_path, monkeypatch, capsys):
    from inspection_app.cli import main

    monkeypatch.setenv("TEAM_PASS", "bí mật")
    out = tmp_path / "cli.iab"
    assert main(["--data-dir", str(tablet.data_dir), "bundle", "export", "--out", str(out),
                 "--visit", full_visit.visit_id, "--passphrase-env", "TEAM_PASS"]) == 0
    assert crypto.is_encrypted(out.read_bytes()[:8])
    office_dir = str(office.data_dir)
    assert main(["--data-dir", office_dir, "bundle", "import", str(out), "--passphrase-env", "TEAM_PASS"]) == 0
    assert "1 visits changed" in capsys.readouterr().out
    assert main(["--data-dir", office_dir, "bundle", "import", str(out), "--passphrase-env", "TEAM_PASS"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    monkeypatch.setenv("TEAM_PASS", "sai")
    assert main(["--data-dir", office_dir, "bundle", "import", str(out), "--passphrase-env", "TEAM_PASS"]) == 2
    assert "wrong passphrase" in capsys.readouterr().err.lower()
    monkeypatch.delenv("TEAM_PASS")
    assert main(["--data-dir", office_dir, "bundle", "import", str(out), "--passphrase-env", "TEAM_PASS"]) == 2
    assert "TEAM_PASS" in capsys.readouterr().err


def test_files_placed_across_disks(tablet, office, full_visit, tmp_path, monkeypatch):
    """A data directory whose photos live on a shared folder: a rename across disks fails (EXDEV)."""
    import errno
    import os

    real = os.replace

    def replace(src, dst):
        if ".bundle-" in str(src):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst)

    monkeypatch.setattr("inspection_app.sync.merge.os.replace", replace)
    result = bundles.export_bundle(tablet, tmp_path / "b.iab")
    assert bundles.import_bundle(office, result.path).files_added == len(files_dump(tablet))
    assert files_dump(office) == _office_layout(tablet, full_visit)
    assert not list(office.data_dir.rglob("*.part"))


def test_failure_after_files_are_placed_leaves_nothing(tablet, office, full_visit, tmp_path, monkeypatch):
    result = bundles.export_bundle(tablet, tmp_path / "b.iab")
    before, files_before = table_dump(office), files_dump(office)

    def broken(*_a, **_k):
        raise RuntimeError("power cut")

    monkeypatch.setattr("inspection_app.sync.merge.audit.chain", broken)
    with pytest.raises(RuntimeError):
        bundles.import_bundle(office, result.path)
    assert table_dump(office) == before and files_dump(office) == files_before
    assert _no_staging_left(office)
    monkeypatch.undo()
    assert not bundles.import_bundle(office, result.path).unchanged
