"""The workbook's XML scans find what a plain search finds, faster (registers/workbook.py)."""

from __future__ import annotations

import random

import pytest

from inspection_app.registers.workbook import (
    _xml_may_hold_controls,
    contains,
    formulas_without_values,
)


@pytest.mark.parametrize("needle", [b"f>", b"_x00", b"</f>", b"\xc2\x85"])
def test_contains_agrees_with_a_plain_search(needle):
    rng = random.Random(7)
    alphabet = b'<>/="cfrtvx_0123456789 \xc2\x85'
    for size in (0, 1, 2, 5, 50, 500, 5000):
        for _ in range(40):
            data = bytes(rng.choice(alphabet) for _ in range(size))
            assert contains(data, needle) == (needle in data)
            assert contains(data, needle, budget=1) == (needle in data)  # the plain search takes over


def test_a_formula_after_many_first_bytes_is_still_found():
    xml = b'<row r="1">' + b'<c r="A1" s="f"><v>1</v></c>' * 5000 + b'<c r="B2"><f>A1*2</f></c></row>'
    assert formulas_without_values(xml) == {2: [1]}
    assert _xml_may_hold_controls(b"_" * 3000 + b"<t>a_x0001_b</t>")
    assert not _xml_may_hold_controls(b"_" * 3000 + b"<t>a_x0041_b</t>")


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_the_scan_piece_by_piece_finds_what_the_whole_text_shows(monkeypatch, chunk):
    """A formula's closing tag or an escaped control character cut by the edge of a piece is found."""
    import io
    import zipfile

    from inspection_app.registers import workbook

    monkeypatch.setattr(workbook, "_SCAN_CHUNK", chunk)
    texts = [b"<c><v>1</v></c>" * 3, b"<c><f>A1</f></c>", b"<t>a_x0001_b</t>", b"<t>a_x0041_b</t>", b"<t>\xc2\x85</t>",
             b"<t>\xc2\xa0</t>", b"<c><f>A1</f><v>2</v></c><t>_x001F_</t>", b""]  # fmt: skip
    for text in texts:
        for padding in range(chunk + 1):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("part.xml", b" " * padding + text)
            with zipfile.ZipFile(buffer) as z:
                assert workbook._scan_part(z, "part.xml") == (b"f>" in text, _xml_may_hold_controls(text))
