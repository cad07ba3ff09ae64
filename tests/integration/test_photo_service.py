"""The photo service on a real data directory and database: add, link, caption, list, remove, lock."""

from __future__ import annotations

import errno
import hashlib
import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from PIL import ExifTags, Image
from sqlmodel import select

from inspection_app.domain.errors import Locked, NotFound, StorageError, UserError, ValidationFailed
from inspection_app.media import storage as storage_mod
from inspection_app.media.ingest import PhotoRejected
from inspection_app.services import findings, photos, units
from inspection_app.services import visits as visit_service
from inspection_app.store.models import AuditEvent, Photo, Visit

NOW = datetime(2025, 3, 4, 3, 0, tzinfo=UTC)
ITEM = {"checklist_id": "working_hours", "item_id": "wh.on_time"}


def camera_photo(seed: int = 0, size=(2400, 1800), orientation: int = 6, heic: bool = False) -> bytes:
    """A camera-like JPEG (or HEIC); the noise is random, so every call gives a different photo."""
    img = Image.effect_noise(size, 30 + seed).convert("RGB")
    img.paste((200, 30 + seed, 30), (0, 0, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F], exif[0x0110] = "Samsung", "SM-X200"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[0x9003], sub[0x9011] = "2025:03:04 09:10:11", "+07:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (11.0, 18.0, 36.0), 3: "E", 4: (106.0, 6.0, 0.0)})
    out = io.BytesIO()
    if heic:
        img.save(out, "HEIF", exif=exif.tobytes(), quality=70)
    else:
        img.save(out, "JPEG", exif=exif, quality=88)
    return out.getvalue()


def files(ctx) -> list[str]:
    root = ctx.data_dir / "photos"
    return sorted(str(p.relative_to(ctx.data_dir)).replace(os.sep, "/") for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []


def lock(ctx, visit_id: str) -> None:
    with ctx.session() as s:
        v = s.get(Visit, visit_id)
        v.status = "closed"
        s.add(v)


def test_add_a_photo_linked_to_an_item(ctx, visit):
    data = camera_photo()
    added = photos.add_photo(ctx, visit.id, data, "IMG_0001.jpg", caption="Bàn tiếp dân không có người",
                             now=NOW, **ITEM)
    p = added.photo
    assert not added.duplicate and not added.clock_suspect and added.notices() == []
    assert added.id == p.id
    assert p.sha256 == hashlib.sha256(data).hexdigest()
    assert (p.width, p.height) == (1800, 2400)  # upright portrait
    assert (p.mime, p.byte_size) == ("image/jpeg", len(data))
    assert p.captured_at == datetime(2025, 3, 4, 2, 10, 11, tzinfo=UTC)
    assert (p.capture_offset, p.device_make, p.device_model) == ("+07:00", "Samsung", "SM-X200")
    assert p.gps_lat == pytest.approx(11.31) and p.gps_lon == pytest.approx(106.1)
    assert p.ingested_at == NOW and p.recorded_by == "Nguyễn Thị Kiểm Tra"
    assert (p.checklist_id, p.item_id, p.finding_id) == ("working_hours", "wh.on_time", None)
    assert photos.PhotoLink.of(p).kind == "item"

    # the stored original is byte for byte what was given; the copies are upright and small
    assert photos.photo_file(ctx, p, "original").read_bytes() == data
    report = Image.open(photos.photo_file(ctx, p, "report"))
    assert report.size == (1200, 1600)
    assert Image.open(photos.photo_file(ctx, p, "thumb")).size == (240, 320)
    assert files(ctx) == sorted([p.original_path, p.report_path, p.thumb_path])

    with ctx.session() as s:
        stored = s.get(Photo, p.id)
        assert stored.caption == "Bàn tiếp dân không có người"
        events = list(s.exec(select(AuditEvent).where(AuditEvent.entity == "photo")))
    assert [e.action for e in events] == ["insert"]
    assert events[0].changes["sha256"][1] == p.sha256


def test_caption_is_nfc_and_single_spaced(ctx, visit):
    added = photos.add_photo(ctx, visit.id, camera_photo(), caption="  Bàn  tiếp da\u0302\u0300n ", now=NOW)
    assert added.photo.caption == "Bàn tiếp dần"


def test_add_from_a_path(ctx, visit, tmp_path):
    path = tmp_path / "ảnh.heic"
    path.write_bytes(camera_photo(size=(800, 600), heic=True))  # HEIC encoding is slow: keep it small
    added = photos.add_photo(ctx, visit.id, path, now=NOW)
    assert added.photo.mime == "image/heic"
    assert added.photo.original_path.endswith(".heic")
    assert (added.photo.width, added.photo.height) == (600, 800)
    assert Image.open(photos.photo_file(ctx, added.photo, "report")).size == (600, 800)


def test_the_same_photo_twice_in_a_visit_is_stored_once_and_says_so(ctx, visit):
    data = camera_photo()
    first = photos.add_photo(ctx, visit.id, data, caption="một", now=NOW, **ITEM)
    before = files(ctx)
    again = photos.add_photo(ctx, visit.id, data, caption="hai", now=NOW)
    assert again.duplicate and again.photo.id == first.photo.id
    assert again.photo.caption == "một"  # nothing changed
    assert "đã có" in again.message("vi") and "already" in again.message("en")
    assert len(photos.list_photos(ctx, visit.id)) == 1
    assert files(ctx) == before


def test_the_same_photo_in_two_visits_shares_files_until_both_remove_it(ctx, visit, unit_with_staff):
    unit, _ = unit_with_staff
    other = visit_service.create_visit(ctx, unit.id, checklist_ids=["working_hours"])
    data = camera_photo()
    a = photos.add_photo(ctx, visit.id, data, now=NOW).photo
    b = photos.add_photo(ctx, other.id, data, now=NOW).photo
    assert a.id != b.id and a.original_path == b.original_path
    assert len(files(ctx)) == 3
    photos.remove_photo(ctx, a.id)
    assert len(files(ctx)) == 3 and photos.verify_photos(ctx, other.id) == []
    photos.remove_photo(ctx, b.id)
    assert files(ctx) == []


def test_links_to_finding_person_and_their_checks(ctx, visit, unit_with_staff):
    _, people = unit_with_staff
    finding = findings.add_finding(ctx, visit.id, "Cán bộ vắng mặt không lý do")
    f = photos.add_photo(ctx, visit.id, camera_photo(1), finding_id=finding.id, now=NOW).photo
    p = photos.add_photo(ctx, visit.id, camera_photo(2), staff_id=people[1].id, now=NOW).photo
    g = photos.add_photo(ctx, visit.id, camera_photo(3), now=NOW).photo
    assert photos.PhotoLink.of(f).kind == "finding" and photos.PhotoLink.of(p).kind == "staff"
    assert photos.PhotoLink.of(g).kind == ""
    assert [x.id for x in photos.list_photos(ctx, visit.id, finding_id=finding.id)] == [f.id]
    assert [x.id for x in photos.list_photos(ctx, visit.id, staff_id=people[1].id)] == [p.id]
    assert {x.id for x in photos.list_photos(ctx, visit.id)} == {f.id, p.id, g.id}

    moved = photos.link_photo(ctx, g.id, **ITEM)
    assert (moved.checklist_id, moved.item_id) == ("working_hours", "wh.on_time")
    assert [x.id for x in photos.list_photos(ctx, visit.id, **ITEM)] == [g.id]
    cleared = photos.link_photo(ctx, g.id)
    assert photos.PhotoLink.of(cleared).kind == ""


def test_bad_links_are_refused_before_any_work(ctx, visit, unit_with_staff, monkeypatch):
    _, people = unit_with_staff
    other_unit = units.create_unit(ctx, "UBND xã Khác")
    stranger = units.add_staff(ctx, other_unit.id, "Người Lạ")
    other_visit = visit_service.create_visit(ctx, other_unit.id, checklist_ids=["working_hours"])
    foreign_finding = findings.add_finding(ctx, other_visit.id, "Khác")

    def no_ingest(*a, **k):
        raise AssertionError("ingested although the link was bad")
    monkeypatch.setattr(photos, "ingest_bytes", no_ingest)

    cases = [
        ({"finding_id": "no-such-finding"}, NotFound),
        ({"finding_id": foreign_finding.id}, ValidationFailed),
        ({"staff_id": stranger.id}, ValidationFailed),
        ({"checklist_id": "working_hours", "item_id": "no.such.item"}, NotFound),
        ({"checklist_id": "tthc_dossiers", "item_id": "x"}, ValidationFailed),
        ({"item_id": "wh.on_time"}, ValidationFailed),
        ({**ITEM, "staff_id": people[0].id}, ValidationFailed),
    ]
    for link, error in cases:
        with pytest.raises(error) as excinfo:
            photos.add_photo(ctx, visit.id, b"unused", **link)
        assert excinfo.value.vi and excinfo.value.en and excinfo.value.vi != excinfo.value.en
    with pytest.raises(NotFound):
        photos.add_photo(ctx, "no-such-visit", b"unused")
    assert photos.list_photos(ctx, visit.id) == []


def test_caption_can_be_changed_and_is_bounded(ctx, visit):
    p = photos.add_photo(ctx, visit.id, camera_photo(), now=NOW).photo
    assert photos.set_caption(ctx, p.id, "Sổ theo dõi\u0300 giờ làm việc").caption == "Sổ theo dõì giờ làm việc"
    assert photos.get_photo(ctx, p.id).caption == "Sổ theo dõì giờ làm việc"
    with pytest.raises(ValidationFailed):
        photos.set_caption(ctx, p.id, "x" * 501)
    with pytest.raises(NotFound):
        photos.set_caption(ctx, "nope", "x")


def test_a_locked_visit_refuses_every_change(ctx, visit):
    p = photos.add_photo(ctx, visit.id, camera_photo(), caption="gốc", now=NOW, **ITEM).photo
    before = files(ctx)
    lock(ctx, visit.id)
    for change in (lambda: photos.add_photo(ctx, visit.id, camera_photo(5), now=NOW),
                   lambda: photos.set_caption(ctx, p.id, "sửa"),
                   lambda: photos.link_photo(ctx, p.id),
                   lambda: photos.remove_photo(ctx, p.id)):
        with pytest.raises(Locked) as excinfo:
            change()
        assert excinfo.value.vi != excinfo.value.en
    kept = photos.get_photo(ctx, p.id)
    assert (kept.caption, kept.item_id) == ("gốc", "wh.on_time")
    assert files(ctx) == before
    assert photos.list_photos(ctx, visit.id)[0].id == p.id  # reading is still fine
    assert photos.thumbnail_bytes_many(ctx, [p.id])


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"Day la van ban, khong phai anh" * 10, "not_image"),
    (camera_photo()[:30_000], "damaged"),
])
def test_bad_input_through_the_service_leaves_nothing_behind(ctx, visit, data, reason):
    with pytest.raises(PhotoRejected) as excinfo:
        photos.add_photo(ctx, visit.id, data, "IMG_9.jpg")
    assert excinfo.value.details["reason"] == reason
    assert isinstance(excinfo.value, UserError) and excinfo.value.vi != excinfo.value.en
    assert photos.list_photos(ctx, visit.id) == [] and files(ctx) == []


def test_disk_full_while_adding_keeps_everything_recorded_before(ctx, visit, monkeypatch):
    earlier = photos.add_photo(ctx, visit.id, camera_photo(1), now=NOW).photo
    before = {p: (ctx.data_dir / p).read_bytes() for p in files(ctx)}
    real_write = os.write

    def full(fd, data):
        if len(data) > 10_000:
            real_write(fd, bytes(data[:10_000]))
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(storage_mod.os, "write", full)
    with pytest.raises(StorageError) as excinfo:
        photos.add_photo(ctx, visit.id, camera_photo(2), now=NOW)
    monkeypatch.undo()
    assert "đầy" in excinfo.value.vi and "full" in excinfo.value.en
    assert [p.id for p in photos.list_photos(ctx, visit.id)] == [earlier.id]
    assert {p: (ctx.data_dir / p).read_bytes() for p in files(ctx)} == before
    assert not list(ctx.data_dir.rglob(".tmp-*"))
    assert photos.verify_photos(ctx, visit.id) == []


def test_capture_time_far_from_the_clock_is_flagged(ctx, visit):
    added = photos.add_photo(ctx, visit.id, camera_photo(), now=NOW + timedelta(days=30))
    assert added.clock_suspect and added.photo.clock_skew
    assert "đồng hồ" in added.message("vi") and "clock" in added.message("en")


def test_thumbnails_for_the_ui(ctx, visit):
    a = photos.add_photo(ctx, visit.id, camera_photo(1), now=NOW).photo
    b = photos.add_photo(ctx, visit.id, camera_photo(2), now=NOW).photo
    thumbs = photos.thumbnail_bytes_many(ctx, [a.id, b.id, "unknown"])
    assert set(thumbs) == {a.id, b.id}
    assert Image.open(io.BytesIO(thumbs[a.id])).size == (240, 320)
    photos.photo_file(ctx, b, "thumb").unlink()
    assert set(photos.thumbnail_bytes_many(ctx, [a.id, b.id])) == {a.id}
    assert photos.thumbnail_bytes_many(ctx, []) == {}


def test_verify_finds_a_changed_original(ctx, visit):
    data = camera_photo()
    p = photos.add_photo(ctx, visit.id, data, now=NOW).photo
    assert photos.verify_photos(ctx, visit.id) == []
    path = photos.photo_file(ctx, p, "original")
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    assert [x.id for x in photos.verify_photos(ctx, visit.id)] == [p.id]
    # adding the genuine photo again repairs the file and says it was already there
    again = photos.add_photo(ctx, visit.id, data, now=NOW)
    assert again.duplicate and photos.verify_photos(ctx, visit.id) == []


def test_half_written_photo_files_are_swept_at_start(ctx):
    import os
    import time

    from inspection_app.media.storage import PHOTOS_DIR, TMP_PREFIX
    from inspection_app.services.photos import clean_interrupted_writes

    shard = ctx.data_dir / PHOTOS_DIR / "ab"
    shard.mkdir(parents=True)
    stale, fresh = shard / f"{TMP_PREFIX}old", shard / f"{TMP_PREFIX}new"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    assert clean_interrupted_writes(ctx) == 1
    assert not stale.exists() and fresh.exists()
