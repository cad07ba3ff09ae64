"""Evidence photos: from the bytes an inspector hands us to an upright report copy and a thumbnail.

This module is pure image processing: bytes in, a typed :class:`IngestedPhoto` out. It writes
nothing (``media.storage`` does) and knows no database.

Why it looks the way it does:

- The original is evidence. It is kept byte for byte and identified by its SHA-256; every derived
  image is made from it and can be made again.
- Tablets shoot 12-megapixel photos and the minutes need 1600 px. A JPEG is decoded at reduced
  scale (Pillow's *draft* mode: libjpeg scales while it decodes, 1/2, 1/4 or 1/8), so a 4000×3000
  photo is decoded as 2000×1500 and never exists at full size in memory. Other formats are decoded
  in full, within the pixel limit below.
- Cameras store pixels as the sensor saw them and record the rotation in the EXIF *Orientation*
  tag. Most PDF writers and many viewers ignore the tag, which is how portraits end up sideways in
  other tools' minutes. The derived copies are therefore rotated for real and carry orientation 1.
  HEIF files carry their rotation in the container; libheif applies it while decoding and
  pillow-heif resets the EXIF tag, so nothing is rotated twice.
- Untrusted input must fail with a message a person can act on, quickly, and never take the app
  down: a file that only claims to be an image, one cut short by a failed copy, one of zero bytes,
  and images whose header promises more pixels than a tablet can hold (a *decompression bomb*: a
  few kilobytes of PNG can declare 10 gigapixels). The pixel count is checked from the header,
  before any decoding.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import threading
import warnings
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from inspection_app.domain.errors import Phrase

from ..domain.errors import UserError
from ..domain.text import nfc
from .exif import _metadata
from .pixels import (
    _encode_report,
    _fit,
    _make_thumbnail,
    _orientation,
    _pool,
    _scale_upright,
    _to_8bit,
    _upright_size,
)
from .records import (
    DEFAULT_MAX_CLOCK_SKEW,
    FORMATS,
    MAX_FILE_BYTES,
    REPORT_LONG_EDGE,
    VIETNAM_TZ,
    IngestedPhoto,
    PhotoRejected,
    Rendition,
)

# --- limits and settings, deliberately chosen ----------------------------------------------------

#: The largest image we decode, in pixels. 60 MP covers every phone and tablet camera in normal
#: use (12, 48 and 50 MP sensors) and keeps a full decode of a non-JPEG under ~240 MB. Pillow's
#: process-wide limit is set to the same value: Pillow itself warns above it and refuses above
#: twice it; we refuse above it, from the header, before decoding.
MAX_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


_OPENERS = ["JPEG", "PNG", "WEBP", "HEIF"]  # Pillow's JPEG opener returns MPO files itself


try:  # HEIC/HEIF needs the optional extra `inspection-app[heic]` (no Android wheel of pillow-heif)
    import pillow_heif
except ImportError:  # pragma: no cover - exercised by tests that hide the module
    pillow_heif = None  # type: ignore[assignment]  # the optional extra is absent: None says so below
    _OPENERS.remove("HEIF")  # Pillow refuses a format name it has no opener for
else:
    pillow_heif.register_heif_opener()


# Leading bytes of the formats we accept: a file that starts like one of them but does not open is
# a damaged image, not "not an image".
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")

# Image formats we recognise but do not take, by their leading bytes: named as such in the refusal
# (TIFF: TIFF 6.0 §2 header "II*\0" / "MM\0*"; GIF: "GIF87a" / "GIF89a"; BMP: "BM").
_OTHER_FORMATS = ((b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
                  (b"BM", "BMP"))  # fmt: skip


def _other_format(data: bytes) -> str | None:
    return next((name for magic, name in _OTHER_FORMATS if data.startswith(magic)), None)


# --- public entry points -------------------------------------------------------------------------


def ingest_path(path: str | os.PathLike, **options: Any) -> IngestedPhoto:
    """Read a photo file and ingest it (see :func:`ingest_bytes`)."""
    p = Path(path)
    name = nfc(p.name) or ""
    limit = options.get("max_bytes", MAX_FILE_BYTES)
    try:
        size = p.stat().st_size
        if size > limit:
            raise _too_big_file(name, size, limit)
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise PhotoRejected("Không tìm thấy tệp ảnh “{name}”.", name=name,
                            reason="missing", path=str(p)) from exc
    except IsADirectoryError as exc:
        raise PhotoRejected("“{name}” là một thư mục, không phải tệp ảnh.", name=name, reason="not_image", path=str(p)) from exc
    except OSError as exc:
        raise UserError("Không đọc được tệp ảnh “{name}”: {value}.", name=name, value=exc.strerror or exc,
                        reason="unreadable", path=str(p)) from exc
    options.setdefault("filename", name)
    return ingest_bytes(data, **options)


def ingest_bytes(
    data: bytes | bytearray | memoryview,
    *,
    filename: str = "",
    now: datetime | None = None,
    max_clock_skew: timedelta = DEFAULT_MAX_CLOCK_SKEW,
    local_tz: tzinfo = VIETNAM_TZ,
    max_bytes: int = MAX_FILE_BYTES,
) -> IngestedPhoto:
    """Verify a photo, read its metadata and make its upright report copy and thumbnail.

    ``now`` is the device clock (defaults to the current time); ``local_tz`` is assumed for an
    EXIF capture time that has no offset. Raises :class:`PhotoRejected` for anything that is not a
    usable photo; nothing is written anywhere.
    """
    data = bytes(data)
    name = nfc(filename) or ""
    ingested_at = (now or datetime.now(UTC)).astimezone(UTC)
    if not data:
        raise _reject("empty", name)
    if len(data) > max_bytes:
        raise _too_big_file(name, len(data), max_bytes)

    digest = _pool().submit(_sha256, data)  # hashlib releases the GIL: overlaps the decode

    img = _open(data, name)
    fmt = img.format or ""
    stored_w, stored_h = img.size
    try:
        exif = img.getexif()  # a PNG keeps eXIf after the pixels: this may decode it (size checked)
        orientation = _orientation(img, exif)
        source_mode = img.mode
        long_edge = max(stored_w, stored_h)
        target = _fit((stored_w, stored_h), REPORT_LONG_EDGE)
        if fmt in ("JPEG", "MPO"):
            # Decode at 1/2, 1/4 or 1/8 scale (never below the target), and for a colour JPEG
            # straight to YCbCr: the copies are JPEGs again, so libjpeg's colour conversion would be
            # undone by the encoder. Scaling and rotating work the same on YCbCr pixels.
            img.draft("YCbCr" if img.mode == "RGB" else None,
                      target if long_edge > REPORT_LONG_EDGE else None)
        img.load()
        icc = img.info.get("icc_profile")
        img, conversions, icc = _to_8bit(img, icc)
    except PhotoRejected:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, ZeroDivisionError) as exc:
        raise _reject("damaged", name, detail=str(exc)) from exc
    except MemoryError as exc:
        raise _reject("too_many_pixels", name, w=stored_w, h=stored_h) from exc

    # HEIF pixels come out of libheif already upright.
    upright = _scale_upright(img, target, 1 if fmt == "HEIF" else orientation)
    del img

    thumb_future = _pool().submit(_make_thumbnail, upright)
    metadata = _metadata(exif, orientation, ingested_at, max_clock_skew, local_tz)
    report_bytes, report_is_original = _encode_report(
        upright, data, fmt, orientation, source_mode, icc, metadata)
    mime, ext = FORMATS[fmt]
    if fmt == "HEIF" and pillow_heif is not None:
        mime = pillow_heif.get_file_mimetype(data) or mime
    if report_is_original:
        report = Rendition(data, upright.width, upright.height, mime, ext)
    else:
        report = Rendition(report_bytes, upright.width, upright.height)
    width, height = _upright_size(stored_w, stored_h, orientation, fmt)
    return IngestedPhoto(
        original=data, sha256=digest.result(), format=fmt, mime=mime, ext=ext, width=width,
        height=height, source_mode=source_mode, metadata=metadata, report=report,
        thumbnail=thumb_future.result(), report_is_original=report_is_original,
        conversions=tuple(conversions),
    )


# --- opening and checking ------------------------------------------------------------------------

_open_lock = threading.Lock()


def _open(data: bytes, name: str) -> Image.Image:
    """Open (header only) and refuse what we will not decode."""
    try:
        # Pillow signals "more pixels than MAX_IMAGE_PIXELS" with a warning; make it a refusal.
        # catch_warnings changes process-wide state, hence the lock (opening reads only a header).
        with _open_lock, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=_OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _reject("too_many_pixels", name, **_declared_size(data)) from exc
    except UnidentifiedImageError as exc:
        if pillow_heif is None and _looks_like_heif(data):
            raise _reject("heic_unsupported", name) from exc
        other = _other_format(data)
        if other is not None:
            raise _reject("unsupported_format", name, format=other) from exc
        raise _reject("damaged" if _looks_like_supported(data) else "not_image", name) from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
        raise _reject("damaged", name, detail=str(exc)) from exc
    if img.format not in FORMATS:  # pragma: no cover - formats= already restricts this
        raise _reject("not_image", name)
    w, h = img.size
    if w <= 0 or h <= 0:
        raise _reject("damaged", name)
    if w * h > MAX_PIXELS:  # our own check, whatever the process-wide Pillow setting is now
        raise _reject("too_many_pixels", name, w=w, h=h)
    return img


def _looks_like_supported(data: bytes) -> bool:
    head = data[:16]
    if any(head.startswith(m) for m in _MAGIC):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    return head[4:8] == b"ftyp"  # ISO BMFF: HEIC/HEIF


#: ISO BMFF brands of HEIF still images (ISO/IEC 23008-12 and its HEVC/AV1 profiles).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


def _looks_like_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _declared_size(data: bytes) -> dict[str, int]:
    """Width and height from a PNG header, for the message when Pillow refused before we could ask."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return {"w": w, "h": h}
    return {}


# --- errors ---------------------------------------------------------------------------------------


def _reject(reason: str, name: str, **details: Any) -> PhotoRejected:
    vi_name = f"“{name}”" if name else "này"
    en_name = f"“{name}”" if name else ""
    if reason == "empty":
        return PhotoRejected(
            "Tệp ảnh {name} trống (0 byte). Hãy chụp hoặc chọn lại ảnh.", name=Phrase(vi_name, en_name),
            reason=reason, **details)
    if reason == "not_image":
        return PhotoRejected(
            "Tệp {name} không phải là ảnh. Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC.", name=Phrase(vi_name, en_name),
            reason=reason, **details)
    if reason == "heic_unsupported":
        return PhotoRejected(
            "Ảnh {name} ở định dạng HEIC, mà bản cài đặt này không đọc được. Hãy đặt máy chụp lưu ảnh dạng JPEG (“Tương thích nhất”), hoặc nhập ảnh này tại máy tính văn phòng.", name=Phrase(vi_name, en_name),
            reason=reason, **details)
    if reason == "unsupported_format":
        fmt = details.get("format", "")
        return PhotoRejected(
            "Ảnh {name} ở định dạng {fmt}, ứng dụng không nhận định dạng này. Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC: hãy lưu lại ảnh thành JPEG hoặc PNG rồi chọn lại.", name=Phrase(vi_name, en_name), fmt=fmt,
            reason=reason, **details)
    if reason == "damaged":
        return PhotoRejected(
            "Ảnh {name} bị hỏng hoặc chưa được chép hết (tệp bị cắt cụt). Hãy chép lại ảnh từ máy chụp.", name=Phrase(vi_name, en_name),
            reason=reason, **details)
    if reason == "too_many_pixels":
        w, h = details.get("w"), details.get("h")
        size = f"{w}×{h}, " if w and h else ""
        limit = MAX_PIXELS // 1_000_000
        return PhotoRejected(
            "Ảnh {name} quá lớn ({size}tối đa {limit} triệu điểm ảnh) nên không được mở, để máy không bị treo. Hãy chụp ở độ phân giải thông thường.", name=Phrase(vi_name, en_name), size=size, limit=limit,
            reason=reason, **details)
    raise ValueError(reason)  # pragma: no cover - programming error


def _too_big_file(name: str, size: int, limit: int) -> PhotoRejected:
    vi_name = f"“{name}”" if name else "này"
    en_name = f"“{name}” " if name else ""
    mb, max_mb = size / 1_048_576, limit / 1_048_576
    return PhotoRejected(
        "Tệp ảnh {name} quá lớn ({mb:.0f} MB; tối đa {max_mb:.0f} MB).", name=Phrase(vi_name, en_name), mb=mb, max_mb=max_mb,
        reason="file_too_large", size=size, limit=limit)


# --- helpers --------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


