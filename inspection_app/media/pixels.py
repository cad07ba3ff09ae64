"""The pixels of an ingested photo: upright scaling in bands (draft decode, then a box filter),
8-bit conversion with the colour profile, and the JPEG encoding of the report copy and thumbnail."""

from __future__ import annotations

import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PIL import ExifTags, Image, ImageCms

from .records import (
    _TAG_DATETIME_ORIGINAL,
    _TAG_MAKE,
    _TAG_MODEL,
    _TAG_OFFSET_TIME_ORIGINAL,
    _TAG_ORIENTATION,
    REPORT_LONG_EDGE,
    REPORT_QUALITY,
    THUMB_LONG_EDGE,
    THUMB_QUALITY,
    PhotoMetadata,
    Rendition,
)

# Downscaling filter: Pillow's BOX is area averaging when reducing (each output pixel is the
# weighted mean of the source pixels it covers), the classic filter for shrinking photos: no
# aliasing, no ringing. After a draft decode the remaining factor is small (1.25 for 4000 px), where
# the sharper windowed filters (Hamming, bicubic) look the same on a page and cost twice as much.
_RESAMPLE = Image.Resampling.BOX
# Shrink by the largest whole factor first with Image.reduce (a fast box average), then resample the
# rest: for the box filter the result is the same average, at a fraction of the cost.
_GAP = 1.0
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
