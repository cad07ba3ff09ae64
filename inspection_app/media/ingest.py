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
import math
import os
import struct
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

from ..domain.errors import UserError, ValidationFailed
from ..domain.text import nfc

# --- limits and settings, deliberately chosen ----------------------------------------------------

#: The largest image we decode, in pixels. 60 MP covers every phone and tablet camera in normal
#: use (12, 48 and 50 MP sensors) and keeps a full decode of a non-JPEG under ~240 MB. Pillow's
#: process-wide limit is set to the same value: Pillow itself warns above it and refuses above
#: twice it; we refuse above it, from the header, before decoding.
MAX_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

#: The largest file we read. A 48 MP HEIC is ~15 MB and a 12 MP JPEG ~5 MB.
MAX_FILE_BYTES = 100 * 1024 * 1024

REPORT_LONG_EDGE = 1600
REPORT_QUALITY = 82
THUMB_LONG_EDGE = 320
THUMB_QUALITY = 78

#: A capture time further than this from the tablet's clock at ingest is flagged.
DEFAULT_MAX_CLOCK_SKEW = timedelta(hours=24)

#: Cameras write local wall-clock time; without an EXIF offset we assume Vietnam (UTC+7, no DST).
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")

#: Pillow's format name -> (MIME type, file extension of the stored original).
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "MPO": ("image/jpeg", ".jpg"),  # a JPEG with extra frames (many cameras); read as JPEG
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "HEIF": ("image/heic", ".heic"),  # HEIC/HEIF from iPads and phones, through pillow-heif
}
_OPENERS = ["JPEG", "PNG", "WEBP", "HEIF"]  # Pillow's JPEG opener returns MPO files itself

# Downscaling filter: Pillow's BOX is area averaging when reducing (each output pixel is the
# weighted mean of the source pixels it covers), the classic filter for shrinking photos: no
# aliasing, no ringing. After a draft decode the remaining factor is small (1.25 for 4000 px), where
# the sharper windowed filters (Hamming, bicubic) look the same on a page and cost twice as much.
_RESAMPLE = Image.Resampling.BOX
# Shrink by the largest whole factor first with Image.reduce (a fast box average), then resample the
# rest: for the box filter the result is the same average, at a fraction of the cost.
_GAP = 1.0

try:  # HEIC/HEIF needs the optional extra `inspection-app[heic]` (no Android wheel of pillow-heif)
    import pillow_heif
except ImportError:  # pragma: no cover - exercised by tests that hide the module
    pillow_heif = None
    _OPENERS.remove("HEIF")  # Pillow refuses a format name it has no opener for
else:
    pillow_heif.register_heif_opener()

_TAG_ORIENTATION = 0x0112
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_TAG_DATETIME = 0x0132
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_DATETIME_DIGITIZED = 0x9004
_TAG_OFFSET_TIME = 0x9010
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_TAG_OFFSET_TIME_DIGITIZED = 0x9012

# EXIF orientation -> the transposition that makes the stored pixels upright.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,  # 90° clockwise
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,  # 90° counter-clockwise
}
_SWAPS_AXES = {5, 6, 7, 8}

# Leading bytes of the formats we accept: a file that starts like one of them but does not open is
# a damaged image, not "not an image".
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")

# Image formats we recognise but do not take, by their leading bytes: named as such in the refusal
# (TIFF: TIFF 6.0 §2 header "II*\0" / "MM\0*"; GIF: "GIF87a" / "GIF89a"; BMP: "BM").
_OTHER_FORMATS = ((b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
                  (b"BM", "BMP"))  # fmt: skip


def _other_format(data: bytes) -> str | None:
    return next((name for magic, name in _OTHER_FORMATS if data.startswith(magic)), None)


# --- what crosses the boundary -------------------------------------------------------------------


@dataclass(frozen=True)
class GPS:
    lat: float  # decimal degrees, north positive
    lon: float  # decimal degrees, east positive
    altitude_m: float | None = None


@dataclass(frozen=True)
class PhotoMetadata:
    """What the photo says about itself, and the tablet's clock when it was ingested."""

    ingested_at: datetime  # the device clock at ingest, aware UTC
    captured_at: datetime | None = None  # aware UTC; from EXIF DateTimeOriginal
    captured_local: datetime | None = None  # naive, the camera's wall clock as written
    capture_offset: str = ""  # EXIF OffsetTimeOriginal ("+07:00"); "" when the camera wrote none
    make: str = ""
    model: str = ""
    gps: GPS | None = None
    orientation: int = 1  # EXIF orientation as found in the file (1-8)
    clock_skew: timedelta | None = None  # ingested_at - captured_at
    clock_suspect: bool = False  # |clock_skew| above the limit given to ingest

    @property
    def offset_assumed(self) -> bool:
        """True when captured_at was converted with the assumed local zone, not an EXIF offset."""
        return self.captured_at is not None and not self.capture_offset


@dataclass(frozen=True)
class Rendition:
    """A derived image: the report copy or the thumbnail."""

    data: bytes = field(repr=False)
    width: int
    height: int
    mime: str = "image/jpeg"
    ext: str = ".jpg"

    @property
    def byte_size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class IngestedPhoto:
    original: bytes = field(repr=False)  # exactly the bytes given
    sha256: str  # of ``original``, lower-case hex
    format: str  # Pillow's name: JPEG, MPO, PNG, WEBP, HEIF
    mime: str
    ext: str  # extension for the stored original, with the dot
    width: int  # upright, i.e. after orientation
    height: int
    source_mode: str  # Pillow mode as decoded (RGB, L, CMYK, I;16 …)
    metadata: PhotoMetadata
    report: Rendition
    thumbnail: Rendition
    report_is_original: bool = False  # the original serves as the report copy (see _encode_report)
    conversions: tuple[str, ...] = ()  # e.g. ("CMYK->RGB",), for the record

    @property
    def byte_size(self) -> int:
        return len(self.original)


class PhotoRejected(ValidationFailed):
    """A file refused as an evidence photo; ``details["reason"]`` says why, for code."""


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
        raise PhotoRejected(f"Không tìm thấy tệp ảnh “{name}”.", f"The photo file “{name}” was not found.",
                            reason="missing", path=str(p)) from exc
    except IsADirectoryError as exc:
        raise PhotoRejected(f"“{name}” là một thư mục, không phải tệp ảnh.",
                            f"“{name}” is a folder, not a photo file.", reason="not_image", path=str(p)) from exc
    except OSError as exc:
        raise UserError(f"Không đọc được tệp ảnh “{name}”: {exc.strerror or exc}.",
                        f"Could not read the photo file “{name}”: {exc.strerror or exc}.",
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
    ingested_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
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


# --- pixels ---------------------------------------------------------------------------------------


def _fit(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """The size within a long_edge box, aspect kept; never larger than the image (no upscaling)."""
    w, h = size
    if max(w, h) <= long_edge:
        return w, h
    scale = long_edge / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _orientation(img: Image.Image, exif: Image.Exif) -> int:
    value = exif.get(_TAG_ORIENTATION, 1)
    if img.format == "HEIF":  # pillow-heif reset the tag to 1 after libheif applied the rotation
        value = img.info.get("original_orientation") or value
    try:
        value = int(value)
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


def _upright_size(w: int, h: int, orientation: int, fmt: str) -> tuple[int, int]:
    """Size of the original once upright (HEIF sizes already are)."""
    if fmt != "HEIF" and orientation in (5, 6, 7, 8):
        return h, w
    return w, h


def _to_8bit(img: Image.Image, icc: bytes | None) -> tuple[Image.Image, list[str], bytes | None]:
    """Bring any decoded mode to 8-bit L or RGB, which JPEG and every PDF reader take."""
    mode = img.mode
    if mode in ("RGB", "L", "YCbCr"):  # YCbCr: a colour JPEG decoded without conversion
        return img, [], icc
    if mode == "CMYK":
        return _cmyk_to_rgb(img, icc), ["CMYK->RGB"], None
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit samples: scale 0..65535 to 0..255 (a plain convert would clip everything above 255).
        if mode != "I":
            img = img.convert("I")
        return img.point(lambda v: v * (1 / 256)).convert("L"), [f"{mode}->L"], icc
    if mode == "F":
        return img.convert("L"), ["F->L"], icc
    if mode == "1":
        return img.convert("L"), ["1->L"], icc
    if mode in ("P", "PA", "RGBA", "RGBa", "LA", "La"):
        # JPEG has no transparency: show transparent parts on white, as a page would.
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background, [f"{mode}->RGB"], icc if mode.startswith("RGB") else None
    return img.convert("RGB"), [f"{mode}->RGB"], None


def _cmyk_to_rgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            out = ImageCms.profileToProfile(img, src, dst, outputMode="RGB")
            if out is not None:
                return out
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to the plain conversion
    return img.convert("RGB")


def _scale_upright(img: Image.Image, size: tuple[int, int], orientation: int) -> Image.Image:
    """Resize to ``size`` (in stored orientation) and make upright.

    A large image is done in two horizontal bands on two threads: Pillow releases the GIL while
    resampling and transposing, and with the ``box`` argument each band samples across the band
    edge, so the halves join without a seam. Each band is rotated on its own thread and pasted where
    the rotation puts it.
    """
    op = _UPRIGHT.get(orientation)
    if img.size == size and op is None:
        return img
    w, h = size
    if _workers() < 2 or w * h < 600_000:
        out = img if img.size == size else img.resize(size, _RESAMPLE, reducing_gap=_GAP)
        return out if op is None else out.transpose(op)

    sy = img.height / h

    def band(y0: int, y1: int) -> Image.Image:
        part = (img.crop((0, y0, w, y1)) if img.size == size
                else img.resize((w, y1 - y0), _RESAMPLE, (0, y0 * sy, img.width, y1 * sy), _GAP))
        return part if op is None else part.transpose(op)

    mid = h // 2
    top = _pool().submit(band, 0, mid)
    bottom = band(mid, h)
    out = Image.new(img.mode, (h, w) if orientation in _SWAPS_AXES else (w, h))
    out.paste(top.result(), _band_origin(op, h, 0, mid))
    out.paste(bottom, _band_origin(op, h, mid, h))
    return out


def _band_origin(op: Image.Transpose | None, h: int, y0: int, y1: int) -> tuple[int, int]:
    """Where rows y0..y1 of an image of height h land after transposition ``op``."""
    if op in (Image.Transpose.ROTATE_90, Image.Transpose.TRANSPOSE):
        return y0, 0  # rows become columns, top row first
    if op in (Image.Transpose.ROTATE_270, Image.Transpose.TRANSVERSE):
        return h - y1, 0  # rows become columns, top row last
    if op in (Image.Transpose.FLIP_TOP_BOTTOM, Image.Transpose.ROTATE_180):
        return 0, h - y1
    return 0, y0


def _jpeg(img: Image.Image, quality: int, icc: bytes | None = None, exif: bytes | None = None,
          optimize: bool = False) -> bytes:
    out = io.BytesIO()
    params: dict[str, Any] = {"quality": quality, "optimize": optimize}
    if icc:
        params["icc_profile"] = icc
    if exif:
        params["exif"] = exif
    img.save(out, "JPEG", **params)
    return out.getvalue()


def _make_thumbnail(upright: Image.Image) -> Rendition:
    size = _fit(upright.size, THUMB_LONG_EDGE)
    # A copy when no resizing is needed: the report copy is being saved from ``upright`` on the
    # other thread, and Image.save keeps its options on the image object.
    thumb = upright.copy() if upright.size == size else upright.resize(size, _RESAMPLE, reducing_gap=_GAP)
    return Rendition(_jpeg(thumb, THUMB_QUALITY), thumb.width, thumb.height)


def _report_exif(metadata: PhotoMetadata) -> bytes:
    """A small EXIF for the report copy: orientation 1 (the pixels are upright), when and what.

    GPS is left out: the report copy goes into minutes that are handed to the inspected unit; the
    position stays in the database and in the original.
    """
    exif = Image.Exif()
    exif[_TAG_ORIENTATION] = 1
    if metadata.make:
        exif[_TAG_MAKE] = metadata.make
    if metadata.model:
        exif[_TAG_MODEL] = metadata.model
    if metadata.captured_local is not None:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        sub[_TAG_DATETIME_ORIGINAL] = metadata.captured_local.strftime("%Y:%m:%d %H:%M:%S")
        if metadata.capture_offset:
            sub[_TAG_OFFSET_TIME_ORIGINAL] = metadata.capture_offset
    return exif.tobytes()


def _encode_report(upright: Image.Image, original: bytes, fmt: str, orientation: int, source_mode: str,
                   icc: bytes | None, metadata: PhotoMetadata) -> tuple[bytes, bool]:
    """Encode the report copy: JPEG, upright, long edge at most 1600 px, not larger than the original.

    The rule, in order:

    1. JPEG at quality 82. A camera photo always ends here: 1600 px at q82 is a fraction of the
       bytes of a 12 MP original.
    2. If that is larger than the original (a small file that is already well compressed) and the
       original can serve as the report copy itself, it does: it is a JPEG or PNG (formats every
       PDF writer reads), 8-bit RGB or grey, within 1600 px, and upright (orientation 1). No second
       file is stored; the report copy *is* the original.
    3. Otherwise JPEG at falling quality (70, 55, 40, 30, with optimised Huffman tables): the first
       that is not larger than the original.
    4. The one exception: an original smaller than any JPEG of its picture at quality 30 (a
       rotated, or WebP/HEIC, image of a few hundred bytes, flat colours; no camera photo). Shrinking
       the picture until the bytes fit would make it unreadable, so the q30 copy is kept although
       it is larger; at that size the bytes do not matter.
    """
    data = _jpeg(upright, REPORT_QUALITY, icc, _report_exif(metadata))
    if len(data) <= len(original):
        return data, False
    serves_as_is = (fmt in ("JPEG", "MPO", "PNG") and orientation == 1 and source_mode in ("RGB", "L")
                    and max(upright.size) <= REPORT_LONG_EDGE)
    if serves_as_is:
        return original, True
    for quality in (70, 55, 40, 30):
        data = _jpeg(upright, quality, icc, optimize=True)
        if len(data) <= len(original):
            break
    return data, False


# --- metadata -------------------------------------------------------------------------------------


def _metadata(exif: Image.Exif, orientation: int, ingested_at: datetime, max_skew: timedelta,
              local_tz: tzinfo) -> PhotoMetadata:
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except (KeyError, ValueError, OSError, SyntaxError, struct.error):
        sub = {}
    local, offset_text = None, ""
    for when_tag, offset_tag, ifd in ((_TAG_DATETIME_ORIGINAL, _TAG_OFFSET_TIME_ORIGINAL, sub),
                                      (_TAG_DATETIME_DIGITIZED, _TAG_OFFSET_TIME_DIGITIZED, sub),
                                      (_TAG_DATETIME, _TAG_OFFSET_TIME, exif)):
        local = _exif_datetime(ifd.get(when_tag))
        if local is not None:
            offset_text = _exif_offset(sub.get(offset_tag))[0]
            break
    captured_at = None
    if local is not None:
        _, offset = _exif_offset(offset_text)
        zone = timezone(offset) if offset is not None else local_tz
        captured_at = local.replace(tzinfo=zone).astimezone(timezone.utc)
    skew = ingested_at - captured_at if captured_at else None
    return PhotoMetadata(
        ingested_at=ingested_at,
        captured_at=captured_at,
        captured_local=local,
        capture_offset=offset_text,
        make=_exif_text(exif.get(_TAG_MAKE)),
        model=_exif_text(exif.get(_TAG_MODEL)),
        gps=_gps(exif),
        orientation=orientation,
        clock_skew=skew,
        clock_suspect=skew is not None and abs(skew) > max_skew,
    )


def _exif_text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return ""
    return nfc(value.replace("\x00", "").strip()) or ""


def _exif_datetime(value: Any) -> datetime | None:
    text = _exif_text(value)
    if len(text) < 19:
        return None
    try:
        return datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # "0000:00:00 00:00:00" and other placeholders


def _exif_offset(value: Any) -> tuple[str, timedelta | None]:
    text = _exif_text(value)
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return "", None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return "", None
    if hours > 14 or minutes > 59:
        return "", None
    delta = timedelta(hours=hours, minutes=minutes)
    return text, -delta if text[0] == "-" else delta


def _gps(exif: Image.Exif) -> GPS | None:
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except (KeyError, ValueError, OSError, SyntaxError, struct.error):
        return None
    if not gps:
        return None
    lat = _dms(gps.get(ExifTags.GPS.GPSLatitude), _exif_text(gps.get(ExifTags.GPS.GPSLatitudeRef)), "S")
    lon = _dms(gps.get(ExifTags.GPS.GPSLongitude), _exif_text(gps.get(ExifTags.GPS.GPSLongitudeRef)), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # what a camera without a fix writes
        return None
    altitude = _number(gps.get(ExifTags.GPS.GPSAltitude))
    if altitude is not None:
        ref = gps.get(ExifTags.GPS.GPSAltitudeRef)
        if ref in (1, b"\x01"):
            altitude = -altitude
    return GPS(round(lat, 7), round(lon, 7), None if altitude is None else round(altitude, 2))


def _dms(value: Any, ref: str, negative: str) -> float | None:
    if not isinstance(value, (tuple, list)) or not value:
        return None
    parts = [_number(v) for v in value[:3]]
    if any(p is None for p in parts):
        return None
    parts += [0.0] * (3 - len(parts))
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    return -degrees if ref.upper().startswith(negative) else degrees


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


# --- errors ---------------------------------------------------------------------------------------


def _reject(reason: str, name: str, **details: Any) -> PhotoRejected:
    vi_name = f"“{name}”" if name else "này"
    en_name = f"“{name}”" if name else ""
    if reason == "empty":
        return PhotoRejected(
            f"Tệp ảnh {vi_name} trống (0 byte). Hãy chụp hoặc chọn lại ảnh.",
            f"The photo file {en_name} is empty (0 bytes). Take or choose the photo again.".replace("  ", " "),
            reason=reason, **details)
    if reason == "not_image":
        return PhotoRejected(
            f"Tệp {vi_name} không phải là ảnh. Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC.",
            f"The file {en_name} is not an image. JPEG, PNG, WebP and HEIC photos are accepted.".replace("  ", " "),
            reason=reason, **details)
    if reason == "heic_unsupported":
        return PhotoRejected(
            f"Ảnh {vi_name} ở định dạng HEIC, mà bản cài đặt này không đọc được. Hãy đặt máy chụp lưu ảnh "
            f"dạng JPEG (“Tương thích nhất”), hoặc nhập ảnh này tại máy tính văn phòng.",
            f"The photo {en_name} is in HEIC format, which this installation cannot read. Set the camera to "
            f"save JPEG (“Most compatible”), or import this photo at the office computer.".replace("  ", " "),
            reason=reason, **details)
    if reason == "unsupported_format":
        fmt = details.get("format", "")
        return PhotoRejected(
            f"Ảnh {vi_name} ở định dạng {fmt}, ứng dụng không nhận định dạng này. Chỉ nhận ảnh JPEG, PNG, WebP "
            f"hoặc HEIC: hãy lưu lại ảnh thành JPEG hoặc PNG rồi chọn lại.",
            f"The photo {en_name} is a {fmt} file, a format the app does not take. Only JPEG, PNG, WebP and HEIC "
            f"photos are accepted: save it again as JPEG or PNG and choose it again.".replace("  ", " "),
            reason=reason, **details)
    if reason == "damaged":
        return PhotoRejected(
            f"Ảnh {vi_name} bị hỏng hoặc chưa được chép hết (tệp bị cắt cụt). Hãy chép lại ảnh từ máy chụp.",
            f"The photo {en_name} is damaged or incomplete (the file is cut short). "
            f"Copy it again from the camera.".replace("  ", " "),
            reason=reason, **details)
    if reason == "too_many_pixels":
        w, h = details.get("w"), details.get("h")
        size = f"{w}×{h}, " if w and h else ""
        limit = MAX_PIXELS // 1_000_000
        return PhotoRejected(
            f"Ảnh {vi_name} quá lớn ({size}tối đa {limit} triệu điểm ảnh) nên không được mở, "
            f"để máy không bị treo. Hãy chụp ở độ phân giải thông thường.",
            f"The photo {en_name} is too large ({size}at most {limit} megapixels) and was not opened, "
            f"so the tablet does not hang. Take it at the normal resolution.".replace("  ", " "),
            reason=reason, **details)
    raise ValueError(reason)  # pragma: no cover - programming error


def _too_big_file(name: str, size: int, limit: int) -> PhotoRejected:
    vi_name = f"“{name}”" if name else "này"
    en_name = f"“{name}” " if name else ""
    mb, max_mb = size / 1_048_576, limit / 1_048_576
    return PhotoRejected(
        f"Tệp ảnh {vi_name} quá lớn ({mb:.0f} MB; tối đa {max_mb:.0f} MB).",
        f"The photo file {en_name}is too large ({mb:.0f} MB; at most {max_mb:.0f} MB).",
        reason="file_too_large", size=size, limit=limit)


# --- helpers --------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_pool_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _workers() -> int:
    return min(2, os.cpu_count() or 1)


def _pool() -> ThreadPoolExecutor:
    """Two helper threads for work that releases the GIL (hashing, resampling, encoding)."""
    global _executor
    if _executor is None:
        with _pool_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="photo")
    return _executor
