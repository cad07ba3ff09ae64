"""What crosses the boundary of photo ingest: the limits and settings, deliberately chosen, and the
typed records ``media.ingest`` returns (``IngestedPhoto``) or raises (``PhotoRejected``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain.errors import ValidationFailed
from ..domain.localtime import LOCAL_TZ

#: The largest file we read. A 48 MP HEIC is ~15 MB and a 12 MP JPEG ~5 MB.
MAX_FILE_BYTES = 100 * 1024 * 1024
REPORT_LONG_EDGE = 1600
REPORT_QUALITY = 82
THUMB_LONG_EDGE = 320
THUMB_QUALITY = 78
#: A capture time further than this from the tablet's clock at ingest is flagged.
DEFAULT_MAX_CLOCK_SKEW = timedelta(hours=24)
#: Cameras write local wall-clock time; without an EXIF offset we assume Vietnam (UTC+7, no DST).
VIETNAM_TZ = LOCAL_TZ  # domain/localtime.py
#: Pillow's format name -> (MIME type, file extension of the stored original).
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "MPO": ("image/jpeg", ".jpg"),  # a JPEG with extra frames (many cameras); read as JPEG
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "HEIF": ("image/heic", ".heic"),  # HEIC/HEIF from iPads and phones, through pillow-heif
}
_TAG_ORIENTATION = 0x0112
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_TAG_DATETIME = 0x0132
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_DATETIME_DIGITIZED = 0x9004
_TAG_OFFSET_TIME = 0x9010
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_TAG_OFFSET_TIME_DIGITIZED = 0x9012


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
