"""Ingest of evidence photos: formats, orientation, metadata, the report-copy rule and bad input.

Every test image is made here with Pillow, so the tests need no fixtures on disk.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from PIL import ExifTags, Image, ImageFile, ImageOps
from PIL.JpegImagePlugin import JpegImageFile

from inspection_app.domain.errors import UserError
from inspection_app.media import pixels
from inspection_app.media.ingest import PhotoRejected, ingest_bytes, ingest_path

# --- making test images --------------------------------------------------------------------------

RED, GREEN, BLUE, WHITE = (220, 20, 20), (20, 200, 20), (20, 20, 220), (250, 250, 250)

# How a camera stores an upright scene for each EXIF orientation (TIFF/EXIF 2.3, tag 274: where
# the 0th row and 0th column of the stored pixels lie in the scene). Written out here, apart from
# the code under test; Pillow's own ImageOps.exif_transpose serves as a second opinion below.
STORE_AS = {
    1: [],
    2: [Image.Transpose.FLIP_LEFT_RIGHT],  # row 0 top, column 0 right
    3: [Image.Transpose.ROTATE_180],  # bottom, right
    4: [Image.Transpose.FLIP_TOP_BOTTOM],  # bottom, left
    5: [Image.Transpose.TRANSPOSE],  # left, top
    6: [Image.Transpose.ROTATE_90],  # right, top (portrait shot, camera turned clockwise)
    7: [Image.Transpose.TRANSVERSE],  # right, bottom
    8: [Image.Transpose.ROTATE_270],  # left, bottom
}


def quadrants(size=(400, 300)) -> Image.Image:
    """An upright scene that shows any rotation or mirror: four coloured quadrants."""
    w, h = size
    img = Image.new("RGB", size, WHITE)
    img.paste(RED, (0, 0, w // 2, h // 2))
    img.paste(GREEN, (w // 2, 0, w, h // 2))
    img.paste(BLUE, (0, h // 2, w // 2, h))
    return img


def assert_quadrants(img: Image.Image) -> None:
    img = img.convert("RGB")
    w, h = img.size
    probes = {RED: (w // 4, h // 4), GREEN: (3 * w // 4, h // 4), BLUE: (w // 4, 3 * h // 4),
              WHITE: (3 * w // 4, 3 * h // 4)}
    for colour, xy in probes.items():
        got = img.getpixel(xy)
        assert all(abs(a - b) <= 40 for a, b in zip(got, colour)), (xy, got, colour)


def camera_exif(orientation: int | None = None, *, when: str | None = "2025:03:04 09:10:11",
                offset: str | None = "+07:00", make="Samsung\x00", model="SM-X200 ", gps=None) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    if when:
        sub[0x9003] = when
    if offset:
        sub[0x9011] = offset
    if gps:
        g = exif.get_ifd(ExifTags.IFD.GPSInfo)
        g.update(gps)
    return exif


def encode(img: Image.Image, fmt: str = "JPEG", exif: Image.Exif | None = None, **params) -> bytes:
    out = io.BytesIO()
    if exif is not None:
        params["exif"] = exif.tobytes() if fmt in ("HEIF", "WEBP", "PNG") else exif
    img.save(out, fmt, **params)
    return out.getvalue()


def stored_jpeg(orientation: int, size=(400, 300), **params) -> bytes:
    img = quadrants(size)
    for op in STORE_AS[orientation]:
        img = img.transpose(op)
    return encode(img, "JPEG", camera_exif(orientation), quality=params.pop("quality", 90), **params)


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


NOW = datetime(2025, 3, 4, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam, 50 min after capture


def reason_of(excinfo) -> str:
    return excinfo.value.details["reason"]


# --- orientation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("size", [(400, 300), (1600, 1200), (3400, 2400)], ids=["small", "exact", "large-draft"])
def test_every_orientation_comes_out_upright(orientation, size):
    data = stored_jpeg(orientation, size)
    assert_quadrants(ImageOps.exif_transpose(decode(data)))  # the fixture agrees with Pillow

    photo = ingest_bytes(data, now=NOW)

    report, thumb = decode(photo.report.data), decode(photo.thumbnail.data)
    assert report.size[0] > report.size[1] and thumb.size[0] > thumb.size[1]  # landscape, upright
    assert_quadrants(report)
    assert_quadrants(thumb)
    assert (photo.width, photo.height) == size
    assert photo.metadata.orientation == orientation
    for copy in (report, thumb):  # upright pixels, so no orientation that a viewer would apply again
        assert copy.getexif().get(0x0112, 1) == 1


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("source", [(2000, 1500), (1600, 1200), (8000, 6000)], ids=["x1.25", "x1", "x5"])
def test_two_band_scaling_is_seamless(orientation, source):
    # Large images are scaled and rotated in two bands on two threads; the result must equal the
    # one-piece resize-then-transpose (up to rounding).
    from PIL import ImageChops

    img = Image.effect_noise((source[0] // 4, source[1] // 4), 60).resize(source).convert("RGB")
    banded = pixels._scale_upright(img, (1600, 1200), orientation)
    whole = img.resize((1600, 1200), pixels._RESAMPLE, reducing_gap=pixels._GAP)
    if orientation in pixels._UPRIGHT:
        whole = whole.transpose(pixels._UPRIGHT[orientation])
    assert banded.size == whole.size
    assert max(high for _, high in ImageChops.difference(banded, whole).getextrema()) <= 2


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_orientation_in_png_and_webp_exif(fmt):
    img = quadrants().transpose(Image.Transpose.ROTATE_90)
    data = encode(img, fmt, camera_exif(6), **({"lossless": True} if fmt == "WEBP" else {}))
    photo = ingest_bytes(data, now=NOW)
    assert (photo.width, photo.height) == (400, 300)
    assert_quadrants(decode(photo.report.data))


def test_heic_is_rotated_once_only():
    # The encoder writes the rotation into the HEIF container; libheif applies it on decoding and
    # pillow-heif resets the EXIF tag. Applying the tag again would turn the photo sideways.
    img = quadrants().transpose(Image.Transpose.ROTATE_90)
    data = encode(img, "HEIF", camera_exif(6, make="Apple", model="iPad (10th generation)"), quality=90)
    photo = ingest_bytes(data, filename="IMG_0001.HEIC", now=NOW)
    assert photo.format == "HEIF" and photo.mime == "image/heic" and photo.ext == ".heic"
    assert (photo.width, photo.height) == (400, 300)
    assert photo.metadata.orientation == 6
    assert photo.metadata.make == "Apple"
    assert_quadrants(decode(photo.report.data))
    assert_quadrants(decode(photo.thumbnail.data))


# --- formats, sizes, hashes ----------------------------------------------------------------------


def _jpeg():
    return encode(quadrants(), "JPEG", quality=90), "JPEG", "image/jpeg", ".jpg"


def _mpo():
    out = io.BytesIO()
    quadrants().save(out, "MPO", save_all=True, append_images=[quadrants()])
    return out.getvalue(), "MPO", "image/jpeg", ".jpg"


def _png():
    return encode(quadrants(), "PNG"), "PNG", "image/png", ".png"


def _webp():
    return encode(quadrants(), "WEBP", quality=90), "WEBP", "image/webp", ".webp"


def _heic():
    return encode(quadrants(), "HEIF", quality=90), "HEIF", "image/heic", ".heic"


@pytest.mark.parametrize("make", [_jpeg, _mpo, _png, _webp, _heic], ids=lambda f: f.__name__[1:])
def test_each_format_is_accepted_and_the_original_kept_byte_for_byte(make):
    data, fmt, mime, ext = make()
    photo = ingest_bytes(bytearray(data), now=NOW)
    assert photo.original == data
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert (photo.format, photo.mime, photo.ext) == (fmt, mime, ext)
    assert photo.byte_size == len(data)
    assert_quadrants(decode(photo.report.data))
    assert decode(photo.thumbnail.data).format == "JPEG"


def test_large_photo_is_scaled_to_1600_and_320():
    photo = ingest_bytes(stored_jpeg(1, (4000, 3000)), now=NOW)
    assert (photo.report.width, photo.report.height) == (1600, 1200)
    assert decode(photo.report.data).size == (1600, 1200)
    assert decode(photo.report.data).format == "JPEG"
    assert (photo.thumbnail.width, photo.thumbnail.height) == (320, 240)
    assert photo.report.byte_size < photo.byte_size


def test_portrait_large_photo_fits_the_long_edge():
    data = stored_jpeg(6, (3024, 4032))  # iPad 12 MP held upright: stored 4032×3024, orientation 6
    assert Image.open(io.BytesIO(data)).size == (4032, 3024)
    photo = ingest_bytes(data, now=NOW)
    assert (photo.width, photo.height) == (3024, 4032)
    assert (photo.report.width, photo.report.height) == (1200, 1600)
    assert (photo.thumbnail.width, photo.thumbnail.height) == (240, 320)


def test_large_jpeg_is_decoded_in_draft_mode(monkeypatch):
    calls = []
    real = JpegImageFile.draft

    def spy(self, mode, size):
        result = real(self, mode, size)
        calls.append((size, self.size))
        return result

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    ingest_bytes(stored_jpeg(1, (4000, 3000)), now=NOW)
    assert calls == [((1600, 1200), (2000, 1500))]  # decoded at half scale, not 12 MP


def test_small_images_are_not_upscaled():
    photo = ingest_bytes(encode(quadrants((200, 100)), "PNG"), now=NOW)
    assert (photo.report.width, photo.report.height) == (200, 100)
    assert (photo.thumbnail.width, photo.thumbnail.height) == (200, 100)


def test_ingest_path_reads_the_file(tmp_path):
    path = tmp_path / "ảnh hiện trường.jpg"
    data = stored_jpeg(6)
    path.write_bytes(data)
    photo = ingest_path(path, now=NOW)
    assert photo.original == data and photo.width == 400


def test_missing_path_is_a_user_error(tmp_path):
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_path(tmp_path / "khong-co.jpg")
    assert reason_of(excinfo) == "missing"


# --- the report copy is never larger than the original --------------------------------------------


def test_small_upright_jpeg_serves_as_its_own_report_copy():
    data = encode(quadrants((300, 200)), "JPEG", quality=20)
    photo = ingest_bytes(data, now=NOW)
    assert photo.report_is_original
    assert photo.report.data == data and photo.report.mime == "image/jpeg"


def test_small_rotated_jpeg_is_reencoded_smaller_not_copied():
    # It cannot serve as its own copy: a PDF would show it sideways.
    img = Image.effect_noise((300, 200), 60).convert("RGB").transpose(Image.Transpose.ROTATE_90)
    data = encode(img, "JPEG", camera_exif(6), quality=35)
    photo = ingest_bytes(data, now=NOW)
    assert not photo.report_is_original
    assert photo.report.byte_size <= len(data)
    assert decode(photo.report.data).size == (300, 200)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_report_copy_of_small_photos_is_not_larger_than_the_original(fmt):
    img = Image.effect_noise((500, 400), 40).convert("RGB")
    data = encode(img, fmt, **({"quality": 50} if fmt != "PNG" else {}))
    photo = ingest_bytes(data, now=NOW)
    assert photo.report.byte_size <= len(data)
    assert (photo.report.width, photo.report.height) == (500, 400)


def test_the_documented_exception_keeps_tiny_flat_images_readable():
    # 90 bytes of WebP: no JPEG of it is that small. The copy stays full size at quality 30 rather
    # than being shrunk until it fits (see _encode_report, rule 4).
    data = encode(Image.new("RGB", (400, 300), (10, 120, 200)), "WEBP")
    photo = ingest_bytes(data, now=NOW)
    assert (photo.report.width, photo.report.height) == (400, 300)
    assert photo.report.byte_size < 2_000


# --- conversions ----------------------------------------------------------------------------------


def test_cmyk_jpeg_is_converted_to_rgb():
    img = Image.new("CMYK", (2000, 1000), (0, 230, 230, 0))  # red in print colours
    photo = ingest_bytes(encode(img, "JPEG", quality=90), now=NOW)
    report = decode(photo.report.data)
    assert photo.source_mode == "CMYK" and report.mode == "RGB"
    assert photo.conversions == ("CMYK->RGB",)
    r, g, b = report.getpixel((10, 10))
    assert r > 200 and g < 60 and b < 60


def test_16_bit_png_is_scaled_to_8_bit_not_clipped():
    row = struct.pack("<32H", *[32768] * 32) + struct.pack("<32H", *[65535] * 32)  # mid grey, white
    img = Image.frombytes("I;16", (64, 32), row * 32)
    data = encode(img, "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    photo = ingest_bytes(data, now=NOW)
    report = decode(photo.report.data)
    assert report.mode == "L"
    assert 115 <= report.getpixel((10, 10)) <= 140  # a plain convert would give 255
    assert report.getpixel((50, 10)) >= 245


def test_transparent_png_is_put_on_white():
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    img.paste((200, 0, 0, 255), (0, 0, 50, 100))
    photo = ingest_bytes(encode(img, "PNG"), now=NOW)
    report = decode(photo.report.data).convert("RGB")
    assert min(report.getpixel((90, 50))) >= 240
    assert report.getpixel((10, 50))[0] >= 180


def test_palette_png_is_converted():
    photo = ingest_bytes(encode(quadrants().convert("P"), "PNG"), now=NOW)
    assert_quadrants(decode(photo.report.data))


# --- metadata -------------------------------------------------------------------------------------

VN = timezone(timedelta(hours=7))


def test_capture_time_with_offset_make_model_and_gps():
    gps = {1: "N", 2: (10.0, 45.0, 30.0), 3: "E", 4: (106.0, 40.0, 12.0), 5: b"\x00", 6: 12.5}
    data = encode(quadrants(), "JPEG", camera_exif(1, gps=gps))
    meta = ingest_bytes(data, now=NOW).metadata
    assert meta.captured_local == datetime(2025, 3, 4, 9, 10, 11)
    assert meta.capture_offset == "+07:00" and not meta.offset_assumed
    assert meta.captured_at == datetime(2025, 3, 4, 2, 10, 11, tzinfo=UTC)
    assert (meta.make, meta.model) == ("Samsung", "SM-X200")  # NUL and padding trimmed
    assert meta.gps is not None
    assert meta.gps.lat == pytest.approx(10.758333, abs=1e-6)
    assert meta.gps.lon == pytest.approx(106.67, abs=1e-6)
    assert meta.gps.altitude_m == 12.5
    assert meta.ingested_at == NOW
    assert meta.clock_skew == timedelta(minutes=49, seconds=49)
    assert not meta.clock_suspect


def test_southern_western_gps_is_negative_and_zero_zero_is_no_fix():
    south_west = {1: "S", 2: (33.0, 52.0, 0.0), 3: "W", 4: (70.0, 30.0, 0.0)}
    meta = ingest_bytes(encode(quadrants(), "JPEG", camera_exif(1, gps=south_west)), now=NOW).metadata
    assert meta.gps.lat < 0 and meta.gps.lon < 0
    no_fix = {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)}
    assert ingest_bytes(encode(quadrants(), "JPEG", camera_exif(1, gps=no_fix)), now=NOW).metadata.gps is None


def test_capture_time_without_offset_is_taken_as_vietnam_time():
    data = encode(quadrants(), "JPEG", camera_exif(1, offset=None))
    meta = ingest_bytes(data, now=NOW).metadata
    assert meta.capture_offset == "" and meta.offset_assumed
    assert meta.captured_at == datetime(2025, 3, 4, 9, 10, 11, tzinfo=VN)
    utc = ingest_bytes(data, now=NOW, local_tz=UTC).metadata
    assert utc.captured_at == datetime(2025, 3, 4, 9, 10, 11, tzinfo=UTC)


def test_capture_time_far_from_the_tablet_clock_is_flagged():
    data = encode(quadrants(), "JPEG", camera_exif(1))
    later = NOW + timedelta(days=2)
    assert ingest_bytes(data, now=later).metadata.clock_suspect
    assert ingest_bytes(data, now=NOW - timedelta(days=2)).metadata.clock_suspect  # camera ahead
    assert not ingest_bytes(data, now=later, max_clock_skew=timedelta(days=3)).metadata.clock_suspect


def test_no_exif_means_no_capture_time_and_no_flag():
    meta = ingest_bytes(encode(quadrants(), "PNG"), now=NOW).metadata
    assert meta.captured_at is None and meta.gps is None and meta.make == ""
    assert meta.clock_skew is None and not meta.clock_suspect
    assert meta.ingested_at == NOW


def test_placeholder_capture_time_is_ignored():
    meta = ingest_bytes(encode(quadrants(), "JPEG", camera_exif(1, when="0000:00:00 00:00:00")), now=NOW).metadata
    assert meta.captured_at is None


def test_device_clock_defaults_to_now_in_utc():
    before = datetime.now(UTC)
    meta = ingest_bytes(encode(quadrants(), "PNG")).metadata
    assert meta.ingested_at.tzinfo is not None
    assert before <= meta.ingested_at <= datetime.now(UTC)


def test_report_copy_keeps_capture_facts_but_not_gps():
    gps = {1: "N", 2: (10.0, 45.0, 30.0), 3: "E", 4: (106.0, 40.0, 12.0)}
    photo = ingest_bytes(encode(quadrants((2000, 1500)), "JPEG", camera_exif(6, gps=gps)), now=NOW)
    exif = decode(photo.report.data).getexif()
    assert exif.get(0x0112) == 1 and exif.get(0x010F) == "Samsung"
    assert exif.get_ifd(ExifTags.IFD.Exif).get(0x9003) == "2025:03:04 09:10:11"
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)


# --- bad input ------------------------------------------------------------------------------------


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width×height pixels: a signature, an IHDR and a token IDAT."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any image is decoded: a refusal must come from the header alone."""
    def refuse(self, *a, **k):
        raise AssertionError("decoded an image that should have been refused from its header")
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


BAD_INPUTS = {
    "empty": (b"", "empty"),
    "text-named-jpg": ("Biên bản kiểm tra, không phải ảnh.\n".encode() * 20, "not_image"),
    "html-named-jpg": (b"<!doctype html><html><body>404</body></html>", "not_image"),
    "jpeg-signature-only": (b"\xff\xd8\xff\xe0\x00\x10JFIF", "damaged"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_refused_with_a_message_in_both_languages(name):
    data, reason = BAD_INPUTS[name]
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(data, filename="IMG_2041.jpg", now=NOW)
    err = excinfo.value
    assert isinstance(err, UserError)
    assert reason_of(excinfo) == reason
    assert err.vi and err.en and err.vi != err.en
    assert "IMG_2041.jpg" in err.vi and "IMG_2041.jpg" in err.en


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.995])
def test_truncated_jpeg_is_refused_as_damaged(keep):
    data = stored_jpeg(6, (1600, 1200))
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(data[: int(len(data) * keep)], filename="cut.jpg")
    assert reason_of(excinfo) == "damaged"
    assert "hỏng" in excinfo.value.vi and "incomplete" in excinfo.value.en


def test_truncated_large_jpeg_is_refused_in_draft_mode_too():
    data = stored_jpeg(1, (4000, 3000))
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(data[: len(data) * 3 // 4])
    assert reason_of(excinfo) == "damaged"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_truncated_other_formats_are_refused(fmt):
    data = encode(Image.effect_noise((300, 200), 50).convert("RGB"), fmt)
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(data[: len(data) // 2])
    assert reason_of(excinfo) == "damaged"


def test_decompression_bomb_is_refused_from_the_header(no_decoding):
    # A real, valid PNG of 8000×8000 (64 MP, over the 60 MP limit) that compresses to a few KB.
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 100_000
    filters = list(warnings.filters)
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(bomb.getvalue(), filename="bomb.png")
    assert reason_of(excinfo) == "too_many_pixels"
    assert excinfo.value.details["w"] == 8000
    assert "8000×8000" in excinfo.value.vi and "60" in excinfo.value.en
    assert warnings.filters == filters  # the warning was made an error locally, not for the process


def test_png_header_claiming_ten_gigapixels_is_refused(no_decoding):
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(_png_header_only(100_000, 100_000), filename="huge.png")
    assert reason_of(excinfo) == "too_many_pixels"
    assert excinfo.value.details == {"reason": "too_many_pixels", "w": 100_000, "h": 100_000}


def test_huge_png_just_over_the_limit_is_refused_and_just_under_is_not(no_decoding):
    over = _png_header_only(10_000, 6_001)  # 60.01 MP
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(over)
    assert reason_of(excinfo) == "too_many_pixels"
    under = _png_header_only(10_000, 6_000)  # exactly 60 MP: allowed, so it gets as far as decoding
    with pytest.raises(AssertionError, match="decoded"):
        ingest_bytes(under)


def test_huge_jpeg_declared_size_is_refused(no_decoding):
    data = bytearray(encode(Image.new("RGB", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5: sof + 9] = struct.pack(">HH", 60000, 60000)  # height, width in the frame header
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(bytes(data))
    assert reason_of(excinfo) == "too_many_pixels"


def test_large_but_acceptable_png_is_processed():
    img = Image.linear_gradient("L").resize((5000, 4000)).convert("RGB")  # 20 MP
    photo = ingest_bytes(encode(img, "PNG", compress_level=1), now=NOW)
    assert (photo.report.width, photo.report.height) == (1600, 1280)


def test_file_over_the_byte_limit_is_refused_before_reading_pixels(tmp_path, no_decoding):
    data = encode(quadrants(), "PNG")
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(data, max_bytes=len(data) - 1)
    assert reason_of(excinfo) == "file_too_large"
    path = tmp_path / "big.png"
    path.write_bytes(data)
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_path(path, max_bytes=100)
    assert reason_of(excinfo) == "file_too_large"


def test_gif_is_not_accepted():
    with pytest.raises(PhotoRejected) as excinfo:
        ingest_bytes(encode(quadrants(), "GIF"), filename="anim.gif")
    assert reason_of(excinfo) == "unsupported_format"
    assert "HEIC" in excinfo.value.vi and "HEIC" in excinfo.value.en


def test_each_refusal_has_its_own_message():
    messages = {}
    for data, reason in [(b"", "empty"), (b"not an image at all", "not_image"),
                         (stored_jpeg(1)[:300], "damaged"), (_png_header_only(20_000, 20_000), "too_many_pixels")]:
        with pytest.raises(PhotoRejected) as excinfo:
            ingest_bytes(data)
        assert reason_of(excinfo) == reason
        messages[reason] = (excinfo.value.vi, excinfo.value.en)
    assert len({vi for vi, _ in messages.values()}) == 4
    assert len({en for _, en in messages.values()}) == 4
    for vi, en in messages.values():
        assert "  " not in vi and "  " not in en
