"""Reading a photo's EXIF: capture time and its offset, camera make and model, GPS position.
Cameras write local wall-clock time; without an offset we assume Viet Nam (``VIETNAM_TZ``)."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, cast

from PIL import ExifTags, Image

from ..domain.text import nfc
from .records import (
    _TAG_DATETIME,
    _TAG_DATETIME_DIGITIZED,
    _TAG_DATETIME_ORIGINAL,
    _TAG_MAKE,
    _TAG_MODEL,
    _TAG_OFFSET_TIME,
    _TAG_OFFSET_TIME_DIGITIZED,
    _TAG_OFFSET_TIME_ORIGINAL,
    GPS,
    PhotoMetadata,
)


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
        captured_at = local.replace(tzinfo=zone).astimezone(UTC)
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
    known = cast("list[float]", parts) + [0.0] * (3 - len(parts))  # none is None (above)
    degrees = known[0] + known[1] / 60 + known[2] / 3600
    return -degrees if ref.upper().startswith(negative) else degrees


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None
