"""The organisation's seal image (``<data_dir>/keys/seal.png``), shown by the office's signature."""

from __future__ import annotations

import io
from pathlib import Path

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from .keyfiles import _write_private, keys_dir

SEAL = "seal.png"
#: A seal image larger than this is refused (a real seal PNG is tens of kilobytes).
MAX_SEAL_BYTES = 4 * 1024 * 1024


def seal_path(data_dir: Path) -> Path:
    return keys_dir(data_dir) / SEAL


def load_seal(data_dir: Path) -> bytes | None:
    """The seal image (PNG, red on transparent) the office's signature shows, if one is set."""
    path = seal_path(data_dir)
    return path.read_bytes() if path.is_file() else None


def set_seal(data_dir: Path, image: bytes) -> bytes:
    """Keep the office's seal image, made red on a transparent background (Decree 30, II.8).

    Any picture Pillow reads is accepted (a scan or a PNG); white and near-white become
    transparent, every other pixel becomes seal red with its darkness as opacity. Raises
    ``ValidationFailed`` for something that is not a picture or is over ``MAX_SEAL_BYTES``.
    """
    from PIL import Image, UnidentifiedImageError

    if len(image) > MAX_SEAL_BYTES:
        raise ValidationFailed("Ảnh con dấu quá lớn (tối đa 4 MB).")
    try:
        img: Image.Image = Image.open(io.BytesIO(image))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationFailed("Tệp không phải ảnh con dấu (PNG/JPEG).") from exc
    img = img.convert("RGBA")
    img.thumbnail((1200, 1200))
    gray = img.convert("L")
    alpha = img.getchannel("A")
    # opacity: how dark the pixel is, times its own alpha; white paper disappears
    ink = gray.point(lambda v: 0 if v > 235 else min(255, int((255 - v) * 1.6)))
    from PIL import ImageChops

    opacity = ImageChops.multiply(ink, alpha)
    out_img = Image.new("RGBA", img.size, (217, 13, 13, 0))
    out_img.putalpha(opacity)
    buf = io.BytesIO()
    out_img.save(buf, format="PNG")
    data = buf.getvalue()
    _write_private(seal_path(data_dir), data, *both("ảnh con dấu"))
    return data
