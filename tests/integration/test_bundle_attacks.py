"""Issue #10: each attack on the office through a bundle file, as a test.

Each test here failed on the importer before this change (commit 1f54f43) and passes now; the
issue note lists each case's before and after. A forged bundle imports nothing and says why, in
Vietnamese and English; the staging folder is empty afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import stat
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from office_seed import files_dump, seed_visit, table_dump
from sqlalchemy import select
from test_bundles import _assert_refused, _forge, _manifest, _no_staging_left, ctx_factory, full_visit, office, tablet  # noqa: F401

from inspection_app.domain.errors import UserError
from inspection_app.services import bundles, devices
from inspection_app.store import models as m
from inspection_app.store.audit import event_hash, verify_chain
from inspection_app.sync import crypto, device_key

pytestmark = pytest.mark.both_databases


def _export(ctx, tmp_path, name="b.iab", **kw) -> Path:
    return bundles.export_bundle(ctx, tmp_path / name, **kw).path


def _signed_by(ctx, raw: bytes) -> bytes:
    return base64.b64encode(device_key.sign(device_key.load_or_create(ctx.data_dir), raw))


def _zip_with(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


# --- 1. planted paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("planted", ["keys/roots/x.pem", "checklists/x.yaml"])
def test_planted_path_goes_to_the_photo_store_only(tablet, office, tmp_path, planted):
    """A photo record naming keys/roots/x.pem (a stranger's CA) or checklists/x.yaml: the importer
    derives the place from the checked SHA-256; nothing appears under the named path."""
    v = seed_visit(tablet)
    payload = b"-----BEGIN CERTIFICATE-----\nMIIB...stranger's root...\n-----END CERTIFICATE-----\n"
    sha = hashlib.sha256(payload).hexdigest()
    (tablet.data_dir / planted).parent.mkdir(parents=True, exist_ok=True)
    (tablet.data_dir / planted).write_bytes(payload)
    with tablet.session() as s:
        s.add(m.Photo(visit_id=v.visit_id, sha256=sha, original_path=planted, report_path=planted,
                      thumb_path=planted, mime="image/jpeg", byte_size=len(payload)))
    report = bundles.import_bundle(office, _export(tablet, tmp_path))
    assert not report.unchanged
    assert not (office.data_dir / planted).exists()
    assert not (office.data_dir / planted.split("/")[0]).exists()
    with office.session() as s:
        photo = s.execute(select(m.Photo).where(m.Photo.visit_id == v.visit_id)).scalars().one()
    assert photo.original_path == f"photos/{sha[:2]}/{sha[2:]}.jpg"
    assert (office.data_dir / photo.original_path).read_bytes() == payload
    assert all(p.startswith(("photos/", "minutes/")) for p in files_dump(office))


# --- 2. rewritten chains, signed visits ------------------------------------------------------------------


def _append(manifest: dict, visit_id: str, device: str, actor: str, changes: list[tuple[str, str, str, dict]]):
    """Append events to the (visit, device) chain with correct hashes, as a forger would."""
    chain = sorted((e for e in manifest["audit_events"] if e["visit_id"] == visit_id and e["device_id"] == device),
                   key=lambda e: e["chain_index"])
    last = chain[-1]
    at = datetime.fromisoformat(last["at"])
    for i, (entity, entity_id, action, fields) in enumerate(changes, start=1):
        ev = {"event_id": f"forged-{i}-{entity_id[:8]}", "visit_id": visit_id, "device_id": device,
              "chain_index": last["chain_index"] + 1, "actor": actor,
              "at": (at + timedelta(minutes=i)).isoformat(), "entity": entity, "entity_id": entity_id,
              "action": action, "changes": fields, "prev_hash": last["hash"]}
        probe = dict(ev, at=datetime.fromisoformat(ev["at"]))
        ev["hash"] = event_hash(SimpleNamespace(**probe))
        manifest["audit_events"].append(ev)
        last = ev
    manifest["chain_heads"] = [h for h in manifest["chain_heads"]
                               if (h["visit_id"], h["device_id"]) != (visit_id, device)]
    manifest["chain_heads"].append({"visit_id": visit_id, "device_id": device, "chain_index": last["chain_index"],
                                    "hash": last["hash"]})
    manifest["chain_heads"].sort(key=lambda h: (h["visit_id"], h["device_id"]))


def test_forged_events_against_a_signed_visit_change_nothing(tablet, office, full_visit, tmp_path):
    """Events appended with correct hashes (an answer fail -> pass, status back to on site, a finding
    and its remedy deleted), records made to agree, signed by an enrolled tablet: the signed visit
    at the office stays as signed; the attempt is listed (who, when, what); the audit log stays intact."""
    good = _export(tablet, tmp_path)
    bundles.import_bundle(office, good)
    before = table_dump(office)
    manifest = _manifest(good)
    vid = full_visit.visit_id
    answer = next(r for r in manifest["records"]["answer"] if r["value"] == "fail")
    finding = manifest["records"]["finding"][0]
    remedy = manifest["records"]["remedy"][0]
    _append(manifest, vid, "tablet-a", "Kẻ giả mạo", [
        ("answer", answer["id"], "update", {"value": ["fail", "pass"]}),
        ("visit", vid, "update", {"status": ["signed", "on_site"]}),
        ("remedy", remedy["id"], "delete", {"text": [remedy["text"], None]}),
    ])
    answer["value"] = "pass"
    next(r for r in manifest["records"]["visit"] if r["id"] == vid)["status"] = "on_site"
    manifest["records"]["remedy"] = []
    for photo in manifest["records"]["photo"]:
        photo["finding_id"] = photo["finding_id"]
    bad = _forge(tablet, good, tmp_path / "forged.iab", manifest)
    report = bundles.import_bundle(office, bad)
    after = table_dump(office)
    for table in ("visit", "answer", "finding", "remedy", "photo", "minutesdocument", "auditevent"):
        if table == "auditevent":  # only the office's own note of the attempt is added
            assert [r for r in after[table] if r not in before[table]] and all(
                "syncimport" in r for r in after[table] if r not in before[table])
            continue
        assert after[table] == before[table], table
    assert finding["id"]
    what = {(c.entity, c.field) for c in report.conflicts}
    assert ("answer", "value") in what and ("visit", "status") in what and ("remedy", "") in what
    assert all(c.kind == "signed_visit" and c.kept == "local" for c in report.conflicts)
    status = next(c for c in report.conflicts if c.field == "status")
    assert status.incoming_by == "Kẻ giả mạo" and status.incoming_at is not None
    with office.session() as s:
        assert verify_chain(s).ok


def test_rewritten_chain_is_refused(tablet, office, full_visit, tmp_path):
    """An event the office already holds, edited and every later hash recomputed: refused."""
    good = _export(tablet, tmp_path)
    bundles.import_bundle(office, good)
    manifest = _manifest(good)
    vid = full_visit.visit_id
    chain = sorted((e for e in manifest["audit_events"] if e["visit_id"] == vid), key=lambda e: e["chain_index"])
    target = next(e for e in chain if e["entity"] == "finding")
    target["changes"]["description"] = [None, "Không có vi phạm"]
    rec = next(r for r in manifest["records"]["finding"] if r["id"] == target["entity_id"])
    rec["description"] = "Không có vi phạm"
    prev = target["prev_hash"]
    for ev in chain[chain.index(target):]:
        ev["prev_hash"] = prev
        ev["hash"] = event_hash(SimpleNamespace(**dict(ev, at=datetime.fromisoformat(ev["at"]))))
        prev = ev["hash"]
    manifest["chain_heads"] = [dict(h, hash=prev) if h["visit_id"] == vid else h for h in manifest["chain_heads"]]
    bad = _forge(tablet, good, tmp_path / "rewritten.iab", manifest)
    err = _assert_refused(office, bad)
    assert "rewritten" in err.en or "differs" in err.en


def test_second_tablet_editing_a_signed_visit_changes_nothing(ctx_factory, office, tmp_path):
    a = ctx_factory("tablet-a", backend="sqlite", device_id="tablet-a", actor="Lê Văn Cường")
    b = ctx_factory("tablet-b", backend="sqlite", device_id="tablet-b", actor="Đỗ Thị Dung")
    v = seed_visit(a, findings=[("tobacco", "Hút thuốc")], minutes=True, signed=True, status="signed",
                   remedies=[("Tháo gạt tàn", datetime(2026, 4, 30).date(), None)])
    bundles.import_bundle(b, _export(a, tmp_path, "a.iab"))
    bundles.import_bundle(office, _export(a, tmp_path, "a2.iab"))
    before = table_dump(office)
    with b.session() as s:  # no bad intent: B changes an answer of the visit it holds
        ans = s.get(m.Answer, v.answer_ids[("office_culture", "oc2")])
        ans.value = "pass"
        s.delete(s.get(m.Remedy, v.remedy_ids[0]))
    report = bundles.import_bundle(office, _export(b, tmp_path, "b.iab"))
    after = table_dump(office)
    for table in ("visit", "answer", "finding", "remedy"):
        assert after[table] == before[table], table
    changed = {(c.entity, c.field, c.incoming_by) for c in report.conflicts}
    assert ("answer", "value", "Đỗ Thị Dung") in changed and ("remedy", "", "Đỗ Thị Dung") in changed


# --- 3. records and files that disagree ------------------------------------------------------------------


def test_records_disagreeing_with_their_audit_log_are_refused(tablet, office, full_visit, tmp_path):
    good = _export(tablet, tmp_path)
    manifest = _manifest(good)
    answer = next(r for r in manifest["records"]["answer"] if r["value"] == "fail")
    answer["value"] = "pass"  # the record says pass; its own history says fail
    err = _assert_refused(office, _forge(tablet, good, tmp_path / "x.iab", manifest), "disagrees with its own audit log")
    assert "nhật ký" in err.vi
    # A record with no history at all (added to the manifest only).
    manifest = _manifest(good)
    manifest["records"]["remedy"].append(dict(manifest["records"]["remedy"][0], id="0" * 8 + "-added",
                                              text="Không cần khắc phục"))
    _assert_refused(office, _forge(tablet, good, tmp_path / "y.iab", manifest), "no history")


# --- 4. exhausting the office machine --------------------------------------------------------------------


def _deflate_zeros(total: int) -> tuple[bytes, int]:
    """A deflate stream of ``total`` zero bytes, built from one repeated full-flushed block
    (so a 4 GiB bomb costs a few MB and no time); and the CRC of the zeros."""
    step = 1 << 20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(step)) + comp.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    return block * (total // step) + end, 0


def _raw_zip(path: Path, name: str, data: bytes, size: int, crc: int, extra_entries=()) -> Path:
    """A zip with one deflated entry whose sizes are declared as given (ZIP64 when needed)."""
    name_b = name.encode()
    zip64 = struct.pack("<HHQQ", 1, 16, size, len(data))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                        len(name_b), len(zip64)) + name_b + zip64
    central_extra = struct.pack("<HHQQQ", 1, 24, size, len(data), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF,
                          0xFFFFFFFF, len(name_b), len(central_extra), 0, 0, 0, 0o100644 << 16,
                          0xFFFFFFFF) + name_b + central_extra
    cd_offset = len(local) + len(data)
    eocd64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central), cd_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, cd_offset + len(central), 1)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), cd_offset, 0)
    path.write_bytes(local + data + central + eocd64 + locator + eocd)
    return path


def test_zip_bomb_is_refused_from_the_directory_in_little_memory(office, tmp_path):
    """A 4 MB file whose manifest expands to 4 GiB: refused before decompressing, memory stays small."""
    data, crc = _deflate_zeros(4 << 30)
    bomb = _raw_zip(tmp_path / "bomb.iab", "manifest.json", data, 4 << 30, crc)
    assert bomb.stat().st_size < 8 << 20
    tracemalloc.start()
    try:
        err = _assert_refused(office, bomb, "too large")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, peak
    assert "quá lớn" in err.vi


def test_manifest_larger_than_declared_is_cut_at_the_declared_size(office, tmp_path):
    """The directory says 1 KiB, the stream holds 64 MiB of zeros: reading stops at the declared size."""
    data, _ = _deflate_zeros(64 << 20)
    lying = _raw_zip(tmp_path / "lying.iab", "manifest.json", data, 1024, 0)
    _assert_refused(office, lying, "damaged")


def test_256_mb_photo_is_refused(tablet, office, tmp_path):
    v = seed_visit(tablet)
    big = tablet.data_dir / "big.jpg"
    with open(big, "wb") as fh:  # sparse: 256 MiB that cost no disk
        fh.truncate(256 << 20)
    digest = hashlib.sha256()
    with open(big, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    sha = digest.hexdigest()
    rel = f"photos/{sha[:2]}/{sha[2:]}.jpg"
    (tablet.data_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    os.replace(big, tablet.data_dir / rel)
    with tablet.session() as s:
        s.add(m.Photo(visit_id=v.visit_id, sha256=sha, original_path=rel, report_path=rel, thumb_path=rel,
                      mime="image/jpeg", byte_size=256 << 20))
    err = _assert_refused(office, _export(tablet, tmp_path), "too large")
    assert "MiB" in err.en


def test_hostile_scrypt_header_is_refused_before_any_key_is_derived(office, tmp_path, monkeypatch):
    header = crypto._HEADER.pack(crypto.MAGIC, crypto.VERSION, 22, 32, 16, crypto.CHUNK, os.urandom(16),
                                 os.urandom(7), bytes(16))
    hostile = tmp_path / "hostile.iab"
    hostile.write_bytes(header + os.urandom(64))

    def never(*_a, **_k):
        raise AssertionError("scrypt was run with the bundle's parameters")

    monkeypatch.setattr(crypto, "Scrypt", never)
    err = _assert_refused(office, hostile, "encryption parameters", passphrase="pw")
    assert "N=2^22" in err.en and "tham số mã hóa" in err.vi.lower()


def test_duplicate_entry_names_are_refused(tablet, office, full_visit, tmp_path):
    good = _export(tablet, tmp_path)
    with zipfile.ZipFile(good) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    manifest = next(d for n, d in entries if n == "manifest.json")
    evil = json.loads(manifest)
    evil["records"]["answer"] = []
    raw = json.dumps(evil).encode()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate: that is the attack
        dup = _zip_with(tmp_path / "dup.iab", entries + [("manifest.json", raw)])
    _assert_refused(office, dup, "two entries named")


def test_symlink_and_unlisted_entries_are_refused(tablet, office, full_visit, tmp_path):
    good = _export(tablet, tmp_path)
    with zipfile.ZipFile(good) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    link = zipfile.ZipInfo("files/" + "a" * 64)
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    _assert_refused(office, _zip_with(tmp_path / "link.iab", entries + [(link, b"../../keys/roots/x.pem")]),
                    "symbolic link")
    _assert_refused(office, _zip_with(tmp_path / "extra.iab", entries + [("keys/roots/x.pem", b"pem")]),
                    "not allowed")
    _assert_refused(office, _zip_with(tmp_path / "extra2.iab", entries + [("files/" + "b" * 64, b"x")]),
                    "outside the manifest's list")


# --- 5. staging ---------------------------------------------------------------------------------------


_KILLER = """
import os, signal, sys
from inspection_app.services.context import AppContext
from inspection_app.services import bundles
from inspection_app.sync import crypto
real = crypto.decrypt_stream
def dying(src, dst, passphrase, **kw):
    class Half:
        written = 0
        def write(self, data):
            dst.write(data); dst.flush()
            Half.written += len(data)
            if Half.written > 10:
                os.kill(os.getpid(), signal.SIGKILL)
    real(src, Half(), passphrase, **kw)
crypto.decrypt_stream = dying
ctx = AppContext.open(sys.argv[1])
bundles.import_bundle(ctx, sys.argv[2], passphrase="pw")
"""


@pytest.mark.sqlite_only
def test_kill_during_encrypted_import_leaves_nothing_after_restart(tablet, ctx_factory, full_visit, tmp_path):
    office = ctx_factory("office-k", backend="sqlite", device_id="office-k")
    sealed = _export(tablet, tmp_path, passphrase="pw")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.run([sys.executable, "-c", _KILLER, str(office.data_dir), str(sealed)], env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    staging = office.data_dir / ".staging"
    left = [p for p in staging.rglob("*") if p.is_file()]
    assert any(p.name == "bundle.zip" for p in left)  # the decrypted part, only ever in the staging folder
    assert all(staging in p.parents for p in left)
    assert not [p for p in office.data_dir.iterdir() if p.name.startswith(".bundle-")]
    from inspection_app.services.context import AppContext
    AppContext.open(office.data_dir).close()  # the next start sweeps it
    assert not any(staging.iterdir())


def test_failed_import_leaves_no_staging(tablet, office, full_visit, tmp_path, monkeypatch):
    sealed = _export(tablet, tmp_path, passphrase="pw")

    def broken(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("inspection_app.sync.bundle_open._verify_zip", broken)
    with pytest.raises(KeyboardInterrupt):
        bundles.import_bundle(office, sealed, passphrase="pw")
    assert _no_staging_left(office)
    assert not list(tablet.data_dir.glob(".bundle-*")) and not any((tablet.data_dir / ".staging").iterdir())


# --- 6. devices ---------------------------------------------------------------------------------------


def test_unknown_device_is_refused_with_how_to_enrol(ctx_factory, office, tmp_path):
    stranger = ctx_factory("stranger", backend="sqlite", device_id="stranger", enrol=False)
    seed_visit(stranger)
    path = _export(stranger, tmp_path)
    err = _assert_refused(office, path, "not enrolled")
    own = devices.own_device(stranger)
    assert own.fingerprint in err.en and own.fingerprint in err.vi
    assert "Enrol device" in err.en and "Ghi danh thiết bị" in err.vi
    assert "inspection-app" not in err.en  # no command line on a screen
    assert err.details["public_key"] == own.public_key
    # Enrolling needs the code the tablet shows; a wrong one enrols nothing.
    with pytest.raises(UserError) as wrong:
        devices.enrol_from_bundle(office, path, "0000-0000-0000-0000", "Máy tính bảng 3")
    assert "does not match" in wrong.value.en
    assert devices.list_devices(office) == [d for d in devices.list_devices(office) if d.device_id != "stranger"]
    row = devices.enrol_from_bundle(office, path, own.fingerprint.lower().replace("-", " "), "Máy tính bảng 3")
    assert row.name == "Máy tính bảng 3" and row.fingerprint == own.fingerprint
    assert not bundles.import_bundle(office, path).unchanged
    devices.revoke_device(office, row.id)
    _assert_refused(office, _export(stranger, tmp_path, "again.iab"), "revoked")


def test_bad_signature_is_refused(tablet, office, full_visit, tmp_path):
    good = _export(tablet, tmp_path)
    manifest = _manifest(good)
    manifest["exported_by"] = "Người khác"
    bad = _forge(tablet, good, tmp_path / "unsigned-change.iab", manifest, sign=False)
    err = _assert_refused(office, bad, "signature is not valid")
    assert "chữ ký" in err.vi.lower()
    # Signed by a key the office does not know, while claiming the enrolled tablet's id.
    other = tmp_path / "other-key"
    other.mkdir()
    raw = json.dumps(dict(manifest, device=dict(manifest["device"], public_key=device_key.public_b64(
        device_key.load_or_create(other))))).encode()
    impostor = _forge(tablet, good, tmp_path / "impostor.iab",
                      replace={"manifest.json": raw,
                               "manifest.sig": base64.b64encode(device_key.sign(device_key.load_or_create(other), raw))})
    _assert_refused(office, impostor, "not enrolled")


def test_old_unsigned_format_is_refused(tablet, office, full_visit, tmp_path):
    good = _export(tablet, tmp_path)
    manifest = _manifest(good)
    manifest.pop("device")
    _assert_refused(office, _forge(tablet, good, tmp_path / "v1.iab", manifest, replace={"manifest.sig": None}),
                    "no device signature")


def test_device_key_file_is_private(tablet):
    own = devices.own_device(tablet)
    path = device_key.key_path(tablet.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert devices.own_device(tablet).fingerprint == own.fingerprint  # made once, then kept
    assert len(own.fingerprint) == 19 and own.fingerprint.count("-") == 3


def test_cli_says_why_a_forged_bundle_is_refused(tablet, office, full_visit, tmp_path, capsys):
    from inspection_app.cli import main

    good = _export(tablet, tmp_path)
    manifest = _manifest(good)
    manifest["exported_by"] = "Người khác"
    bad = _forge(tablet, good, tmp_path / "bad.iab", manifest, sign=False)
    assert main(["--data-dir", str(office.data_dir), "bundle", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Chữ ký của gói dữ liệu không đúng" in err and "signature is not valid" in err
    assert "Nothing was written" in err


# --- 7. two tablets, one unit, one visit -----------------------------------------------------------------


def test_two_tablets_same_unit_and_visit_give_one_of_each(ctx_factory, office, tmp_path):
    a = ctx_factory("tablet-a", backend="sqlite", device_id="tablet-a", actor="Lê Văn Cường")
    b = ctx_factory("tablet-b", backend="sqlite", device_id="tablet-b", actor="Đỗ Thị Dung")
    # The same unit set up on both tablets (each its own id), known by its code in the province's list.
    from office_seed import seed_unit
    unit_a = seed_unit(a, "UBND xã Tân Thành")
    unit_b = seed_unit(b, "UBND xã Tân Thành ")
    for ctx, (uid, _staff) in ((a, unit_a), (b, unit_b)):
        with ctx.session() as s:
            s.get(m.Unit, uid).code = "H56.12.03"
    v = seed_visit(a, unit=unit_a, findings=[("tobacco", "Hút thuốc trong phòng làm việc")],
                   remedies=[("Tháo gạt tàn", datetime(2026, 4, 30).date(), None)], photos=1)
    other = seed_visit(b, unit=unit_b, unit_name="UBND xã Tân Thành")  # B's own visit to the same unit
    bundles.import_bundle(b, _export(a, tmp_path, "hand-over.iab"))  # A hands the visit to B
    with b.session() as s:
        s.get(m.Finding, v.finding_ids[0]).explanation_requested = True
    bundles.import_bundle(office, _export(a, tmp_path, "a.iab"))
    bundles.import_bundle(office, _export(b, tmp_path, "b.iab"))
    with office.session() as s:
        units = s.execute(select(m.Unit).where(m.Unit.code == "H56.12.03")).scalars().all()
        assert len(units) == 1
        visits = s.execute(select(m.Visit)).scalars().all()
        assert {x.id for x in visits} == {v.visit_id, other.visit_id}
        assert {x.unit_id for x in visits} == {units[0].id}
        assert len(s.execute(select(m.Finding).where(m.Finding.kind == "tobacco")).scalars().all()) == 1
        assert len(s.execute(select(m.Remedy)).scalars().all()) == 1
        staff = s.execute(select(m.StaffMember).where(m.StaffMember.unit_id == units[0].id)).scalars().all()
        assert len(staff) == 4  # one roster: the same people are not listed twice
        assert s.get(m.Finding, v.finding_ids[0]).explanation_requested is True


# --- 8. conflicts in the reviewer's words --------------------------------------------------------------


def test_conflicts_read_in_the_reviewers_words(ctx_factory, office, tmp_path):
    import re

    from inspection_app.services import conflict_words

    a = ctx_factory("tablet-a", backend="sqlite", device_id="tablet-a", actor="Lê Văn Cường")
    b = ctx_factory("tablet-b", backend="sqlite", device_id="tablet-b", actor="Đỗ Thị Dung")
    v = seed_visit(a, answers={"alcohol_tobacco": {"at.no_drinking_hours": "pass"}})
    bundles.import_bundle(b, _export(a, tmp_path, "start.iab"))
    aid = v.answer_ids[("alcohol_tobacco", "at.no_drinking_hours")]
    with a.session() as s:
        s.get(m.Answer, aid).value = "fail"
    with b.session() as s:
        s.get(m.Answer, aid).value = "na"
    enrolled = {d.device_id: d for d in devices.list_devices(office)}
    bundles.import_bundle(office, _export(a, tmp_path, "a.iab"))
    report = bundles.import_bundle(office, _export(b, tmp_path, "b.iab"))
    views = conflict_words.describe(office, report.conflicts, "vi")
    assert len(views) == 1
    view = views[0]
    text = " | ".join(str(x) for x in view.__dict__.values())
    assert view.what.startswith("Không uống rượu") or "rượu" in view.what.lower(), view.what
    assert view.field == "Kết quả" and {view.here, view.incoming} == {"Không đạt", "Không áp dụng"}
    assert "Lê Văn Cường" in view.here_by and "Đỗ Thị Dung" in view.incoming_by
    assert enrolled["tablet-b"].name in view.incoming_by and enrolled["tablet-a"].name in view.here_by
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d$", view.incoming_by)
    assert "answer" not in text and "tablet-" not in text and not re.search(r"\d\d:\d\d:\d\d", text)
    en = conflict_words.describe(office, report.conflicts, "en")[0]
    assert en.field == "Result" and {en.here, en.incoming} == {"Fail", "Not applicable"}


def test_signer_by_name_and_title():
    from inspection_app.services.conflict_words import signer_text

    assert signer_text("CN=Trần Thị Bình,2.5.4.12=Trưởng đoàn,O=Sở Nội vụ") == "Trần Thị Bình, Trưởng đoàn"
    assert signer_text("title=Phó Trưởng đoàn, CN=Nguyễn Văn An") == "Nguyễn Văn An, Phó Trưởng đoàn"


def test_cli_enrols_a_device_by_its_fingerprint(ctx_factory, office, tmp_path, capsys):
    from inspection_app.cli import main

    stranger = ctx_factory("stranger", backend="sqlite", device_id="stranger", enrol=False)
    seed_visit(stranger)
    path = _export(stranger, tmp_path)
    office_dir = str(office.data_dir)
    assert main(["--data-dir", office_dir, "bundle", "import", str(path)]) == 2
    err = capsys.readouterr().err
    fp = devices.own_device(stranger).fingerprint
    assert fp in err and "devices enrol" in err
    assert main(["--data-dir", str(stranger.data_dir), "devices", "show"]) == 0
    assert fp in capsys.readouterr().out
    assert main(["--data-dir", office_dir, "devices", "enrol", str(path), "--fingerprint", "1234"]) == 2
    assert "does not match" in capsys.readouterr().err
    assert main(["--data-dir", office_dir, "devices", "enrol", str(path), "--fingerprint", fp,
                 "--name", "Máy tính bảng 3"]) == 0
    assert main(["--data-dir", office_dir, "bundle", "import", str(path)]) == 0
    assert "Máy tính bảng 3" in capsys.readouterr().out
    assert main(["--data-dir", office_dir, "devices", "list"]) == 0
    assert "Máy tính bảng 3" in capsys.readouterr().out


def test_units_with_the_same_name_are_offered_and_merged(ctx_factory, office, tmp_path):
    from office_seed import seed_unit

    from inspection_app.services import unit_merge

    a = ctx_factory("tablet-a", backend="sqlite", device_id="tablet-a")
    b = ctx_factory("tablet-b", backend="sqlite", device_id="tablet-b")
    va = seed_visit(a, unit_name="Trạm Y tế xã Tân Thành")
    vb = seed_visit(b, unit=seed_unit(b, "trạm y tế  xã Tân Thành"))
    bundles.import_bundle(office, _export(a, tmp_path, "a.iab"))
    bundles.import_bundle(office, _export(b, tmp_path, "b.iab"))
    groups = unit_merge.candidates(office)
    assert len(groups) == 1 and len(groups[0]) == 2
    keep, drop = groups[0]
    merged = unit_merge.merge_units(office, keep.id, drop.id)
    assert merged.visits == 2 and merged.staff == 8
    assert unit_merge.candidates(office) == []
    with office.session() as s:
        assert {s.get(m.Visit, v.visit_id).unit_id for v in (va, vb)} == {keep.id}
        assert s.get(m.Unit, drop.id) is None
        assert verify_chain(s).ok
    # A later bundle from B still names its own unit id: it lands on the kept unit, not a new copy.
    with b.session() as s:
        s.get(m.Unit, vb.unit_id).address = "Ấp 3, xã Tân Thành"
    bundles.import_bundle(office, _export(b, tmp_path, "b1.iab"))
    with office.session() as s:
        assert [u.id for u in s.execute(select(m.Unit)).scalars()] == [keep.id]
    with office.session() as s:
        s.get(m.Unit, keep.id).code = "H56.12.09"
    with b.session() as s:
        s.get(m.Unit, vb.unit_id).code = "H56.12.09"
        s.get(m.Visit, vb.visit_id).assessment = "Đơn vị chấp hành tốt."
    bundles.import_bundle(office, _export(b, tmp_path, "b2.iab"))
    with office.session() as s:
        assert len(s.execute(select(m.Unit)).scalars().all()) == 1
        assert s.get(m.Visit, vb.visit_id).unit_id == keep.id


def test_checklist_text_that_does_not_match_its_hash_is_refused(tablet, office, tmp_path):
    from office_seed import seed_unit

    from inspection_app.services import checklists, visits

    unit_id, _ = seed_unit(tablet)
    visit = visits.create_visit(tablet, unit_id, checklist_ids=["alcohol_tobacco"])
    checklists.record_answer(tablet, visit.id, "alcohol_tobacco", "at.no_drinking_hours", "pass")
    good = _export(tablet, tmp_path)
    manifest = _manifest(good)
    assert manifest["records"]["checklistsnapshot"]
    snap = manifest["records"]["checklistsnapshot"][0]
    snap["source_text"] = snap["source_text"].replace("Không uống rượu", "Được uống rượu")
    _assert_refused(office, _forge(tablet, good, tmp_path / "snap.iab", manifest), "does not match its hash")


# --- minutes numbers at the office (issue #11, point 1) ------------------------------------------------


def test_a_second_visit_with_a_number_the_office_holds_is_a_conflict(ctx_factory, office, tmp_path):
    """Two tablets that both issued 01/BB-SNV: the office registers the first and shows the second as a
    duplicate the reviewer must settle; the register never holds one number twice."""
    from inspection_app.services import conflict_words

    a = ctx_factory("tablet-a", backend="sqlite", device_id="tablet-a", actor="Lê Văn Cường")
    b = ctx_factory("tablet-b", backend="sqlite", device_id="tablet-b", actor="Đỗ Thị Dung")
    va = seed_visit(a, answers={"alcohol_tobacco": {"at.no_drinking_hours": "pass"}})
    vb = seed_visit(b, answers={"alcohol_tobacco": {"at.no_drinking_hours": "pass"}})
    for ctx, v in ((a, va), (b, vb)):
        with ctx.session() as s:
            s.get(m.Visit, v.visit_id).minutes_number = "01/BB-SNV"
    first = bundles.import_bundle(office, _export(a, tmp_path, "a.iab"))
    assert not [c for c in first.conflicts if c.kind == "duplicate_number"]
    second = bundles.import_bundle(office, _export(b, tmp_path, "b.iab"))
    dup = [c for c in second.conflicts if c.kind == "duplicate_number"]
    assert len(dup) == 1 and dup[0].entity_id == vb.visit_id
    with office.session() as s:
        held = s.execute(select(m.IssuedNumber).where(m.IssuedNumber.number == 1)).scalars().all()
        assert [h.visit_id for h in held] == [va.visit_id]
    view = [v for v in conflict_words.describe(office, second.conflicts, "vi") if "trùng" in v.kind]
    assert view and view[0].field == "Số biên bản"
    assert view[0].here.startswith("01/BB-SNV · UBND xã Tân Thành, 10/03/2026"), view[0].here  # who holds it
