"""Evidence photos of a visit: add, link, caption, list, remove.

A photo belongs to one visit and, first, to at most one thing in it: a checklist item, a finding, a
person on the unit's roster, or a sampled dossier. It can then be linked to further checklist items
or findings of the same visit (:func:`add_photo_link`, table ``photoextralink``, issue #13) without
becoming a second record: the close check counts it as evidence for each, and the minutes' annex
shows it once, naming everything it is evidence of. Its files are content-addressed under the data
directory (``media.storage``), so the same picture added to two visits is one set of files, and
added twice to one visit is one record: the second add says so and changes nothing.

Adding is slow (decoding, scaling, hashing, fsync): it runs synchronously here and the UI calls it
through ``asyncio.to_thread``. No database transaction is open during that work; the visit is
checked before it (to fail fast) and again in the short transaction that records the photo.

A locked visit (closed, signed, filed) refuses every change to its photos with
:class:`~inspection_app.domain.errors.Locked`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from inspection_app.locale import N_p, both

from ..domain.errors import NotFound, UserError, ValidationFailed
from ..domain.text import nfc
from ..media.ingest import DEFAULT_MAX_CLOCK_SKEW, VIETNAM_TZ, IngestedPhoto, ingest_bytes, ingest_path
from ..media.storage import PhotoStore, StoredPhoto
from ..store.models import DossierCheck, Finding, Photo, StaffMember, Visit
from ..store.photo_links import PhotoExtraLink
from . import checklists as checklist_service
from .common import get_or_404, visit_for_update
from .context import AppContext

log = logging.getLogger(__name__)

MAX_CAPTION = 500
FileKind = Literal["original", "report", "thumb"]

# Files are shared between visits; adding and removing must not interleave their check-then-act
# steps (e.g. "no record uses these files any more, delete them" against "files exist, record it").
_files_lock = threading.Lock()


@dataclass(frozen=True)
class PhotoLink:
    """What a photo is evidence of, besides its visit: one of these, or none."""

    checklist_id: str | None = None
    item_id: str | None = None
    finding_id: str | None = None
    staff_id: str | None = None
    dossier_check_id: str | None = None

    @classmethod
    def of(cls, photo: Photo) -> PhotoLink:
        return cls(photo.checklist_id, photo.item_id, photo.finding_id, photo.staff_id, photo.dossier_check_id)

    @property
    def kind(self) -> str:
        """One of item, finding, staff, dossier; empty for the visit as a whole."""
        return next((k for k, v in self._targets().items() if v), "")

    def _targets(self) -> dict[str, bool]:
        return {"item": bool(self.checklist_id or self.item_id), "finding": bool(self.finding_id),
                "staff": bool(self.staff_id), "dossier": bool(self.dossier_check_id)}


@dataclass(frozen=True)
class AddedPhoto:
    """The outcome of :func:`add_photo`."""

    photo: Photo
    duplicate: bool  # the visit already had this exact photo; nothing was added or changed
    clock_suspect: bool  # the capture time is far from the tablet's clock

    @property
    def id(self) -> str:
        return self.photo.id

    def notices(self) -> list[tuple[str, str]]:
        """Things to tell the user, as (Vietnamese, English)."""
        out = []
        if self.duplicate:
            out.append(both("Ảnh này đã có trong lượt kiểm tra; không thêm lần nữa."))
        if self.clock_suspect:
            out.append(both("Thời gian chụp ghi trong ảnh lệch nhiều so với đồng hồ máy tính bảng; hãy kiểm tra lại thời điểm chụp."))
        return out

    def message(self, lang: str = "vi") -> str:
        return " ".join(vi if lang == "vi" else en for vi, en in self.notices())


# --- adding ---------------------------------------------------------------------------------------


def add_photo(ctx: AppContext, visit_id: str, data: bytes | bytearray | str | os.PathLike[str],
              filename: str = "", *, caption: str = "", checklist_id: str | None = None,
              item_id: str | None = None, finding_id: str | None = None, staff_id: str | None = None,
              dossier_check_id: str | None = None, now: datetime | None = None,
              max_clock_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW) -> AddedPhoto:
    """Ingest a photo (bytes, or a file path) into a visit, linked and captioned.

    Raises PhotoRejected for a file that is not a usable photo, StorageError when the disk refuses,
    Locked for a locked visit, NotFound/ValidationFailed for a bad link.
    """
    link = PhotoLink(_opt(checklist_id), _opt(item_id), _opt(finding_id), _opt(staff_id), _opt(dossier_check_id))
    text = _caption(caption)
    with ctx.session() as s:  # fail fast, before the slow part
        _check_link(ctx, s, visit_for_update(s, visit_id), link)

    options: dict[str, Any] = {"now": now, "max_clock_skew": max_clock_skew}
    if isinstance(data, (bytes, bytearray, memoryview)):
        ingested = ingest_bytes(data, filename=filename, **options)
    else:
        ingested = ingest_path(data, **({"filename": filename} if filename else {}), **options)

    store = PhotoStore(ctx.data_dir)
    with _files_lock:
        existing = _find(ctx, visit_id, ingested.sha256)
        stored = store.put(ingested)  # also repairs missing or damaged files of an existing photo
        if existing is not None:
            return AddedPhoto(existing, duplicate=True, clock_suspect=existing.clock_skew)
        try:
            with ctx.session() as s:
                visit = visit_for_update(s, visit_id)  # it may have been locked meanwhile
                _check_link(ctx, s, visit, link)
                photo = _record(ctx, visit_id, ingested, stored, link, text)
                s.add(photo)
        except IntegrityError:
            # Added by another call between our check and our insert: the same photo, once.
            existing = _find(ctx, visit_id, ingested.sha256)
            if existing is None:
                raise
            return AddedPhoto(existing, duplicate=True, clock_suspect=existing.clock_skew)
        except BaseException:
            if not stored.already_stored:
                _remove_files_if_unused(ctx, stored.sha256, _paths(stored))
            raise
    return AddedPhoto(photo, duplicate=False, clock_suspect=photo.clock_skew)


def add_captured_photo(ctx: AppContext, visit_id: str, frame: bytes | bytearray, *,
                       now: datetime | None = None, **links: Any) -> AddedPhoto:
    """A frame taken with the in-app camera (``ui/widgets/camera.py``): JPEG bytes, ingested and
    stored exactly like a chosen photo, named ``camera-YYYYmmdd-HHMMSS.jpg`` by the tablet's clock.

    Same errors as :func:`add_photo` (an empty or damaged frame is a PhotoRejected).
    """
    from ..store.types import utcnow

    taken = now or utcnow()
    name = f"camera-{taken.astimezone(VIETNAM_TZ):%Y%m%d-%H%M%S}.jpg"
    return add_photo(ctx, visit_id, bytes(frame), name, now=now, **links)


def _record(ctx: AppContext, visit_id: str, ingested: IngestedPhoto, stored: StoredPhoto, link: PhotoLink,
            caption: str) -> Photo:
    meta = ingested.metadata
    return Photo(
        visit_id=visit_id, sha256=ingested.sha256, original_path=stored.original_path,
        report_path=stored.report_path, thumb_path=stored.thumb_path, mime=ingested.mime,
        width=ingested.width, height=ingested.height, byte_size=ingested.byte_size,
        captured_at=meta.captured_at, capture_offset=meta.capture_offset, device_make=meta.make,
        device_model=meta.model, gps_lat=meta.gps.lat if meta.gps else None,
        gps_lon=meta.gps.lon if meta.gps else None, ingested_at=meta.ingested_at,
        clock_skew=meta.clock_suspect, caption=caption, checklist_id=link.checklist_id,
        item_id=link.item_id, finding_id=link.finding_id, staff_id=link.staff_id,
        dossier_check_id=link.dossier_check_id, recorded_by=ctx.actor,
    )


# --- reading --------------------------------------------------------------------------------------


def list_photos(ctx: AppContext, visit_id: str, *, checklist_id: str | None = None, item_id: str | None = None,
                finding_id: str | None = None, staff_id: str | None = None,
                dossier_check_id: str | None = None) -> list[Photo]:
    """A visit's photos in the order they were added; optionally only those linked to one thing."""
    with ctx.session() as s:
        get_or_404(s, Visit, visit_id, *both("lượt kiểm tra"))
        q = select(Photo).where(Photo.visit_id == visit_id)
        for column, value in ((Photo.checklist_id, checklist_id), (Photo.item_id, item_id),
                              (Photo.finding_id, finding_id), (Photo.staff_id, staff_id),
                              (Photo.dossier_check_id, dossier_check_id)):
            if value is not None:
                q = q.where(column == value)
        return list(s.exec(q.order_by(col(Photo.ingested_at), col(Photo.created_at))))


def get_photo(ctx: AppContext, photo_id: str) -> Photo:
    with ctx.session() as s:
        return get_or_404(s, Photo, photo_id, *both(N_p("services.photos", "ảnh")))


def photo_file(ctx: AppContext, photo: Photo, kind: FileKind = "report") -> Path:
    """Absolute path of a photo's original, report copy or thumbnail."""
    relative = {"original": photo.original_path, "report": photo.report_path, "thumb": photo.thumb_path}[kind]
    return PhotoStore(ctx.data_dir).absolute(relative)


def thumbnail_bytes_many(ctx: AppContext, photo_ids: Iterable[str]) -> dict[str, bytes]:
    """Thumbnail bytes by photo id, for showing in the UI; a photo whose file is gone is left out."""
    ids = list(dict.fromkeys(photo_ids))
    if not ids:
        return {}
    with ctx.session() as s:
        rows = list(s.exec(select(Photo).where(col(Photo.id).in_(ids))))
    store = PhotoStore(ctx.data_dir)
    out: dict[str, bytes] = {}
    for photo in rows:
        try:
            out[photo.id] = store.read(photo.thumb_path)
        except (OSError, UserError) as exc:
            log.warning("thumbnail of photo %s unreadable: %s", photo.id, exc)
    return out


def verify_photos(ctx: AppContext, visit_id: str) -> list[Photo]:
    """The visit's photos whose original is missing or no longer hashes to its recorded SHA-256."""
    store = PhotoStore(ctx.data_dir)
    return [p for p in list_photos(ctx, visit_id) if not store.verify(p.original_path, p.sha256)]


# --- changing -------------------------------------------------------------------------------------


def set_caption(ctx: AppContext, photo_id: str, caption: str) -> Photo:
    text = _caption(caption)
    with ctx.session() as s:
        photo = get_or_404(s, Photo, photo_id, *both(N_p("services.photos", "ảnh")))
        visit_for_update(s, photo.visit_id)
        photo.caption = text
        s.add(photo)
        return photo


def link_photo(ctx: AppContext, photo_id: str, *, checklist_id: str | None = None, item_id: str | None = None,
               finding_id: str | None = None, staff_id: str | None = None,
               dossier_check_id: str | None = None) -> Photo:
    """Set what the photo is evidence of (replacing the previous link); no argument: the visit only."""
    link = PhotoLink(_opt(checklist_id), _opt(item_id), _opt(finding_id), _opt(staff_id), _opt(dossier_check_id))
    with ctx.session() as s:
        photo = get_or_404(s, Photo, photo_id, *both(N_p("services.photos", "ảnh")))
        _check_link(ctx, s, visit_for_update(s, photo.visit_id), link)
        photo.checklist_id, photo.item_id = link.checklist_id, link.item_id
        photo.finding_id, photo.staff_id = link.finding_id, link.staff_id
        photo.dossier_check_id = link.dossier_check_id
        s.add(photo)
        return photo


def add_photo_link(ctx: AppContext, photo_id: str, *, checklist_id: str | None = None,
                   item_id: str | None = None, finding_id: str | None = None) -> PhotoExtraLink:
    """Link a photo already in the visit to one more checklist item or finding (audited).

    Raises ValidationFailed when the target is neither an item nor a finding (or both), is not of the
    photo's visit, or the photo is already linked to it; Locked for a locked visit.
    """
    link = PhotoLink(_opt(checklist_id), _opt(item_id), _opt(finding_id))
    if link.kind not in ("item", "finding"):
        raise ValidationFailed("Chọn một mục kiểm tra hoặc một phát hiện để gắn thêm ảnh.")
    with ctx.session() as s:
        photo = get_or_404(s, Photo, photo_id, *both(N_p("services.photos", "ảnh")))
        _check_link(ctx, s, visit_for_update(s, photo.visit_id), link)
        if link in _links_of(s, photo):
            raise ValidationFailed("Ảnh này đã gắn với nội dung đó.")
        extra = PhotoExtraLink(visit_id=photo.visit_id, photo_id=photo.id, checklist_id=link.checklist_id,
                               item_id=link.item_id, finding_id=link.finding_id, recorded_by=ctx.actor)
        s.add(extra)
        return extra


def remove_photo_link(ctx: AppContext, link_id: str) -> None:
    """Undo :func:`add_photo_link` (the photo and its first link stay)."""
    with ctx.session() as s:
        extra = get_or_404(s, PhotoExtraLink, link_id, *both("liên kết ảnh"))
        visit_for_update(s, extra.visit_id)
        s.delete(extra)


def extra_links(ctx: AppContext, visit_id: str) -> dict[str, list[PhotoExtraLink]]:
    """The further links of the visit's photos, by photo id, in the order they were made."""
    with ctx.session() as s:
        rows = s.exec(select(PhotoExtraLink).where(col(PhotoExtraLink.visit_id) == visit_id)
                      .order_by(col(PhotoExtraLink.created_at))).all()
    out: dict[str, list[PhotoExtraLink]] = {}
    for r in rows:
        out.setdefault(r.photo_id, []).append(r)
    return out


def all_links(ctx: AppContext, visit_id: str) -> dict[str, list[PhotoLink]]:
    """Every link of each photo of the visit (its first link, then the further ones), by photo id;
    a photo linked to the visit only has none."""
    extras = extra_links(ctx, visit_id)
    out: dict[str, list[PhotoLink]] = {}
    for p in list_photos(ctx, visit_id):
        first = PhotoLink.of(p)
        out[p.id] = ([first] if first.kind else []) + [PhotoLink(e.checklist_id, e.item_id, e.finding_id)
                                                       for e in extras.get(p.id, [])]
    return out


def _links_of(s: Session, photo: Photo) -> list[PhotoLink]:
    rows = s.exec(select(PhotoExtraLink).where(PhotoExtraLink.photo_id == photo.id)).all()
    return [PhotoLink.of(photo), *(PhotoLink(r.checklist_id, r.item_id, r.finding_id) for r in rows)]


def remove_photo(ctx: AppContext, photo_id: str) -> None:
    """Remove a photo from its visit, with its further links; its files go too when no other visit uses them."""
    with _files_lock:
        with ctx.session() as s:
            photo = get_or_404(s, Photo, photo_id, *both(N_p("services.photos", "ảnh")))
            visit_for_update(s, photo.visit_id)
            sha, paths = photo.sha256, [photo.original_path, photo.report_path, photo.thumb_path]
            for extra in s.exec(select(PhotoExtraLink).where(PhotoExtraLink.photo_id == photo.id)).all():
                s.delete(extra)
            s.flush()
            s.delete(photo)
        try:
            _remove_files_if_unused(ctx, sha, paths)
        except UserError as exc:  # the record is gone; leftover files are harmless
            log.warning("files of removed photo %s kept: %s", photo_id, exc)


# --- helpers --------------------------------------------------------------------------------------


def _opt(value: str | None) -> str | None:
    value = (nfc(value) or "").strip() if value is not None else ""
    return value or None


def _caption(caption: str | None) -> str:
    text = " ".join((nfc(caption) or "").split())
    if len(text) > MAX_CAPTION:
        raise ValidationFailed("Chú thích ảnh dài quá {MAX_CAPTION} ký tự.", MAX_CAPTION=MAX_CAPTION)
    return text


def _find(ctx: AppContext, visit_id: str, sha256: str) -> Photo | None:
    with ctx.session() as s:
        return s.exec(select(Photo).where(Photo.visit_id == visit_id, Photo.sha256 == sha256)).first()


def _check_link(ctx: AppContext, s: Session, visit: Visit, link: PhotoLink) -> None:
    targets = [k for k, v in link._targets().items() if v]
    if len(targets) > 1:
        raise ValidationFailed(
            "Mỗi ảnh chỉ gắn với một nội dung: một mục kiểm tra, một phát hiện, một người hoặc một hồ sơ.")
    if link.checklist_id or link.item_id:
        if not (link.checklist_id and link.item_id):
            raise ValidationFailed("Cần cả bảng kiểm và mục kiểm tra.")
        ref = next((r for r in visit.checklists if r.get("id") == link.checklist_id), None)
        if ref is None:
            raise ValidationFailed("Bảng kiểm {checklist_id} không áp dụng cho lượt kiểm tra này.", checklist_id=link.checklist_id)
        checklist = checklist_service.checklist_version(ctx, s, link.checklist_id, ref["version"])
        try:
            checklist.item(link.item_id)
        except KeyError:
            raise NotFound("Không có mục {item_id} trong bảng kiểm.", item_id=link.item_id) from None
    if link.finding_id:
        finding = get_or_404(s, Finding, link.finding_id, *both("phát hiện"))
        if finding.visit_id != visit.id:
            raise ValidationFailed("Phát hiện này thuộc lượt kiểm tra khác.")
    if link.staff_id:
        staff = get_or_404(s, StaffMember, link.staff_id, *both("cán bộ"))
        if staff.unit_id != visit.unit_id:
            raise ValidationFailed("Người này không thuộc đơn vị được kiểm tra.")
    if link.dossier_check_id:
        check = get_or_404(s, DossierCheck, link.dossier_check_id, *both("hồ sơ kiểm tra"))
        if check.visit_id != visit.id:
            raise ValidationFailed("Hồ sơ này thuộc lượt kiểm tra khác.")


def _paths(stored: StoredPhoto) -> list[str]:
    return [stored.original_path, stored.report_path, stored.thumb_path]


def _remove_files_if_unused(ctx: AppContext, sha256: str, paths: list[str]) -> None:
    with ctx.session() as s:
        if s.exec(select(Photo.id).where(Photo.sha256 == sha256)).first() is not None:
            return
    PhotoStore(ctx.data_dir).remove(paths)


def clean_interrupted_writes(ctx: AppContext) -> int:
    """Remove temporary photo files that a crash or power loss left half-written (run at start-up)."""
    return PhotoStore(ctx.data_dir).sweep_temporary()
