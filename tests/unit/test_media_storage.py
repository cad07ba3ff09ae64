"""Content-addressed, atomic photo storage: layout, deduplication, and a disk that fills up."""

from __future__ import annotations

import errno
import hashlib
import io
import os
from datetime import UTC, datetime

import pytest
from PIL import Image

from inspection_app.domain.errors import StorageError, ValidationFailed
from inspection_app.fsutil import atomic_write
from inspection_app.media import storage as storage_mod
from inspection_app.media.ingest import ingest_bytes
from inspection_app.media.storage import PhotoStore, photo_paths

NOW = datetime(2025, 3, 4, 3, 0, tzinfo=UTC)


def photo_bytes(seed: int = 0, size=(1800, 1200), quality=90) -> bytes:
    img = Image.effect_noise(size, 40 + seed).convert("RGB")
    img.paste((seed * 40 % 256, 100, 50), (0, 0, 200, 200))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def files_under(root) -> list[str]:
    return sorted(str(p.relative_to(root)).replace(os.sep, "/") for p in root.rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path):
    return PhotoStore(tmp_path)


def test_layout_is_content_addressed(store, tmp_path):
    photo = ingest_bytes(photo_bytes(), now=NOW)
    stored = store.put(photo)
    sha = photo.sha256
    assert stored.original_path == f"photos/{sha[:2]}/{sha[2:]}.jpg"
    assert stored.report_path == f"photos/{sha[:2]}/{sha[2:]}.report.jpg"
    assert stored.thumb_path == f"photos/{sha[:2]}/{sha[2:]}.thumb.jpg"
    assert not stored.already_stored and stored.byte_size == len(photo.original)
    assert files_under(tmp_path) == sorted([stored.original_path, stored.report_path, stored.thumb_path])
    # the original hashes to what was ingested, byte for byte
    assert hashlib.sha256((tmp_path / stored.original_path).read_bytes()).hexdigest() == sha
    assert store.verify(stored.original_path, sha)
    assert store.read(stored.report_path) == photo.report.data
    assert store.read(stored.thumb_path) == photo.thumbnail.data


def test_the_same_photo_twice_is_stored_once_and_says_so(store, tmp_path):
    data = photo_bytes()
    first = store.put(ingest_bytes(data, now=NOW))
    mtimes = {p: (tmp_path / p).stat().st_mtime_ns for p in files_under(tmp_path)}
    second = store.put(ingest_bytes(data, now=NOW))
    assert second.already_stored and not first.already_stored
    assert second.original_path == first.original_path
    assert {p: (tmp_path / p).stat().st_mtime_ns for p in files_under(tmp_path)} == mtimes


def test_a_damaged_stored_original_is_replaced_by_the_verified_bytes(store, tmp_path):
    data = photo_bytes()
    stored = store.put(ingest_bytes(data, now=NOW))
    (tmp_path / stored.original_path).write_bytes(data[:1000])
    assert not store.verify(stored.original_path, stored.sha256)
    again = store.put(ingest_bytes(data, now=NOW))
    assert not again.already_stored
    assert store.verify(stored.original_path, stored.sha256)


def test_original_serving_as_report_copy_is_not_written_twice(store, tmp_path):
    img = Image.new("RGB", (300, 200), (10, 120, 200))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=20)
    photo = ingest_bytes(out.getvalue(), now=NOW)
    assert photo.report_is_original
    stored = store.put(photo)
    assert stored.report_path == stored.original_path
    assert len(files_under(tmp_path)) == 2


def test_paths_outside_the_photos_folder_are_refused(store):
    for bad in ("../settings.yaml", "photos/../../etc/passwd", "/etc/passwd", "inspection.db",
                "photos\\..\\x", ""):
        with pytest.raises(ValidationFailed):
            store.absolute(bad)


def test_photo_paths_want_a_real_hash():
    with pytest.raises(ValueError):
        photo_paths("../../x" + "0" * 57, ".jpg")


def test_remove_deletes_files_and_the_empty_folder(store, tmp_path):
    stored = store.put(ingest_bytes(photo_bytes(), now=NOW))
    store.remove([stored.original_path, stored.report_path, stored.thumb_path, stored.thumb_path])
    assert files_under(tmp_path) == []
    assert not (tmp_path / stored.original_path).parent.exists()
    store.remove([stored.original_path])  # already gone: fine


def test_sweep_removes_only_old_temporary_files(store, tmp_path):
    folder = tmp_path / "photos" / "ab"
    folder.mkdir(parents=True)
    old, new = folder / ".tmp-old.jpg", folder / ".tmp-new.jpg"
    old.write_bytes(b"half")
    new.write_bytes(b"half")
    os.utime(old, (0, 0))
    assert store.sweep_temporary() == 1
    assert not old.exists() and new.exists()


# --- the disk runs out -------------------------------------------------------------------------------


class DiskFillsUp:
    """os.write that accepts ``room`` more bytes, writes what fits, then fails with ENOSPC."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real = os.write

    def __call__(self, fd, data):
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = self.real(fd, bytes(data[: self.room]))
        self.room -= n
        return n


def test_disk_full_mid_write_leaves_no_partial_file_and_keeps_earlier_photos(store, tmp_path, monkeypatch):
    earlier = store.put(ingest_bytes(photo_bytes(seed=1), now=NOW))
    before = {p: (tmp_path / p).read_bytes() for p in files_under(tmp_path)}

    photo = ingest_bytes(photo_bytes(seed=2), now=NOW)
    monkeypatch.setattr(storage_mod.os, "write", DiskFillsUp(room=len(photo.original) // 2))
    with pytest.raises(StorageError) as excinfo:
        store.put(photo)
    monkeypatch.undo()

    err = excinfo.value
    assert err.details["errno"] == errno.ENOSPC
    assert "đầy" in err.vi and "full" in err.en and err.vi != err.en
    # nothing half-written, no temporary file, the earlier photo untouched
    assert {p: (tmp_path / p).read_bytes() for p in files_under(tmp_path)} == before
    assert not list(tmp_path.rglob(".tmp-*"))
    assert store.verify(earlier.original_path, earlier.sha256)


@pytest.mark.parametrize("fail_on", ["report", "thumb"])
def test_disk_full_on_a_derived_copy_removes_what_this_call_wrote(store, tmp_path, monkeypatch, fail_on):
    photo = ingest_bytes(photo_bytes(seed=3), now=NOW)
    room = len(photo.original) + (photo.report.byte_size if fail_on == "thumb" else 0) + 10
    monkeypatch.setattr(storage_mod.os, "write", DiskFillsUp(room=room))
    with pytest.raises(StorageError):
        store.put(photo)
    monkeypatch.undo()
    assert files_under(tmp_path) == []
    # and once there is room again, the same photo stores completely
    stored = store.put(photo)
    assert store.verify(stored.original_path, photo.sha256)
    assert len(files_under(tmp_path)) == 3


def test_fsync_failure_is_a_storage_error_too(store, tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(storage_mod.os, "fsync", broken_fsync)
    with pytest.raises(StorageError) as excinfo:
        store.put(ingest_bytes(photo_bytes(), now=NOW))
    monkeypatch.undo()
    assert excinfo.value.details["errno"] == errno.EIO
    assert files_under(tmp_path) == []


def test_atomic_write_keeps_the_old_content_when_replacing_fails(tmp_path, monkeypatch):
    target = tmp_path / "photos" / "x.bin"
    atomic_write(target, b"old content")
    monkeypatch.setattr(storage_mod.os, "write", DiskFillsUp(room=3))
    with pytest.raises(StorageError):
        atomic_write(target, b"new content that does not fit", "ảnh", "the photo")
    monkeypatch.undo()
    assert target.read_bytes() == b"old content"
    assert [p.name for p in target.parent.iterdir()] == ["x.bin"]


def test_read_only_folder_is_a_storage_error(tmp_path, monkeypatch):
    def no_dirs(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(storage_mod.Path, "mkdir", no_dirs)
    with pytest.raises(StorageError) as excinfo:
        PhotoStore(tmp_path).put(ingest_bytes(photo_bytes(), now=NOW))
    assert excinfo.value.vi and excinfo.value.en
