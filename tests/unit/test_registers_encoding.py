"""Register CSV encodings: UTF-8 with and without BOM, UTF-16, Windows-1258."""

from __future__ import annotations

import unicodedata

import pytest

from inspection_app.domain.errors import ValidationFailed
from inspection_app.registers import decode_text, read_register_bytes

CSV = (
    "Mã hồ sơ,Tên TTHC,Lĩnh vực,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả\n"
    "000.00.12.H56-250714-0031,Đăng ký khai sinh,Hộ tịch,14/07/2025 08:30,16/07/2025,15/07/2025 10:00\n"
    "000.00.12.H56-250715-0002,Cấp giấy chứng nhận quyền sử dụng đất,Đất đai,15/07/2025,30/07/2025,\n"
)


_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_bytes(text: str) -> bytes:
    """Encode as Windows-1258 writers do: a letter with its vowel mark (â, ơ, ư …) precomposed, the
    tone mark precomposed where the code page has the letter (á, ò …) and combining otherwise (ậ is
    â followed by a combining dot below)."""
    out = bytearray()
    for ch in text:
        base, *marks = unicodedata.normalize("NFD", ch)
        tones = [m for m in marks if m in _TONE_MARKS]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in _TONE_MARKS))
        try:
            out += unicodedata.normalize("NFC", letter + "".join(tones)).encode("cp1258")
        except UnicodeEncodeError:
            out += (letter + "".join(tones)).encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize(
    "data,expected",
    [
        (CSV.encode("utf-8"), "utf-8"),
        (CSV.encode("utf-8-sig"), "utf-8-sig"),
        (CSV.encode("utf-16"), "utf-16"),  # with BOM, as Excel's "Unicode text"
        (CSV.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (CSV.encode("utf-16-be"), "utf-16-be"),
        (cp1258_bytes(CSV), "cp1258"),
    ],
    ids=["utf-8", "utf-8-sig", "utf-16", "utf-16-le-nobom", "utf-16-be-nobom", "cp1258"],
)
def test_each_encoding_reads_the_same_register(data, expected):
    result = read_register_bytes(data, "register.csv")
    assert result.encoding == expected
    assert [r.code for r in result.records] == ["000.00.12.H56-250714-0031", "000.00.12.H56-250715-0002"]
    assert result.records[1].procedure_name == "Cấp giấy chứng nhận quyền sử dụng đất"
    assert result.records[0].domain == "Hộ tịch"
    assert all(unicodedata.is_normalized("NFC", r.procedure_name) for r in result.records)
    assert not result.bad_rows


def test_cp1258_decomposed_marks_are_composed():
    data = cp1258_bytes("Đăng ký khai sinh – Hộ tịch")
    assert b"H\xf4\xf2" in data  # "ộ" is written as "ô" and a combining dot below
    text, encoding = decode_text(data)
    assert encoding == "cp1258"
    assert text == unicodedata.normalize("NFC", "Đăng ký khai sinh – Hộ tịch")


def test_same_frame_hash_whatever_the_encoding():
    hashes = {
        read_register_bytes(data, "r.csv").frame.hash
        for data in (CSV.encode("utf-8"), CSV.encode("utf-16"), cp1258_bytes(CSV), CSV.encode("utf-8-sig"))
    }
    assert len(hashes) == 1


def test_nfd_utf8_text_is_normalised():
    result = read_register_bytes(unicodedata.normalize("NFD", CSV).encode("utf-8"), "r.csv")
    assert result.records[0].domain == "Hộ tịch"
    assert result.frame.hash == read_register_bytes(CSV.encode(), "r.csv").frame.hash
    # The register reader leaves the text as decoded and brings what it keeps to NFC itself.
    assert all(unicodedata.is_normalized("NFC", c.header) for c in result.mapping.mapped)
    assert all(unicodedata.is_normalized("NFC", v) for r in result.records for v in r[:12] if isinstance(v, str))
    assert result.records == read_register_bytes(CSV.encode(), "r.csv").records


def test_a_bad_date_in_nfd_text_is_quoted_in_nfc():
    lines = CSV.strip("\n").split("\n")
    cells = lines[1].split(",")
    cells[4] = "mười tháng bảy"  # Ngày hẹn trả
    data = unicodedata.normalize("NFD", "\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n").encode()
    (bad,) = read_register_bytes(data, "r.csv").bad_rows
    assert "“mười tháng bảy”" in bad.reason_vi and unicodedata.is_normalized("NFC", bad.reason_vi)
    assert "Ngày hẹn trả" in bad.reason_en and unicodedata.is_normalized("NFC", bad.reason_en)


def test_undecodable_file_is_refused_in_both_languages():
    # 0x81 is undefined in cp1258 and not valid UTF-8
    with pytest.raises(ValidationFailed) as exc:
        decode_text(b"Ma ho so\n\x81\x81\x81\n")
    assert "bảng mã" in exc.value.vi and "encoding" in exc.value.en
