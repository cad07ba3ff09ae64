"""Turning a register file's bytes into text, and saying which encoding that took.

Provincial systems and the spreadsheets units re-save them with write CSV as UTF-8 (with or
without the byte-order mark Excel adds), as UTF-16 ("Unicode text", usually tab-separated), or in
the old Windows Vietnamese code page 1258. The order tried is: a BOM, then UTF-16 without a BOM
(recognised by its NUL bytes), then strict UTF-8, then cp1258. cp1258 writes many letters as a base
letter plus a combining tone mark, so its text is normalised to NFC.
"""

from __future__ import annotations

import codecs
import unicodedata

from inspection_app.domain.errors import ValidationFailed

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    return "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"


def decode_text(data: bytes, *, nfc: bool = True) -> tuple[str, str]:
    """The text of a CSV file and the name of the encoding it was read with.

    With `nfc` False the text is left as decoded, for a caller that brings every value it keeps to
    NFC itself (the register reader, through ``canonical_text``): one pass over the whole file less.
    Raises ValidationFailed when no encoding reads it cleanly.
    """
    normalize = unicodedata.normalize if nfc else _as_is
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return normalize("NFC", data.decode(name)), name
            except UnicodeDecodeError as exc:
                raise _undecodable(name, exc) from exc
    guess = _utf16_without_bom(data)
    if guess is not None:
        try:
            return normalize("NFC", data.decode(guess)), guess
        except UnicodeDecodeError as exc:
            raise _undecodable(guess, exc) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if nfc and not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        return text, "utf-8"
    try:
        return normalize("NFC", data.decode("cp1258")), "cp1258"
    except UnicodeDecodeError as exc:
        raise _undecodable("utf-8 / cp1258", exc) from exc


def _as_is(form: str, text: str) -> str:
    return text


def _undecodable(tried: str, exc: UnicodeDecodeError) -> ValidationFailed:
    return ValidationFailed(
        "Không đọc được bảng mã của tệp (đã thử {tried}; byte lỗi ở vị trí {start}). Hãy lưu lại tệp dưới dạng CSV UTF-8 hoặc XLSX.", tried=tried, start=exc.start,
        encoding=tried,
        offset=exc.start,
    )
