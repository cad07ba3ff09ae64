"""The minutes as a PDF: text round trip, fonts, structure, Decree 30 geometry."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from pdf_checks import flat, is_nfc, pdffonts, pdftotext, qpdf_check
from PIL import Image

from inspection_app.domain.minutes import SignerRole
from inspection_app.pdf import layout
from inspection_app.pdf.layout import (
    DIGITAL_BOX_HEIGHT,
    DIGITAL_BOX_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    TEAM_LEADER_BOX,
    render_minutes,
)
from inspection_app.pdf.specimen import specimen_minutes

A4_W, A4_H = 595.2756, 841.8898


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("photos")
    paths = []
    for i, size in enumerate([(1600, 1200), (1200, 1600), (1600, 900)]):
        img = Image.new("RGB", size, (40 * i, 120, 200 - 40 * i))
        path = out / f"p{i}.jpg"
        img.save(path, quality=80)
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def specimen(photos):
    return specimen_minutes(photos=photos)


@pytest.fixture(scope="module")
def rendered(specimen, tmp_path_factory):
    result = render_minutes(specimen)
    path = tmp_path_factory.mktemp("pdf") / "minutes.pdf"
    path.write_bytes(result.pdf)
    return result, path


def test_pdftotext_gives_back_exactly_what_was_written(specimen, rendered):
    _, path = rendered
    text = pdftotext(path)
    assert is_nfc(text), "extracted text must come back precomposed (NFC)"
    body = flat(text)
    expected = [
        "UBND TỈNH TÂY NINH", "SỞ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", "Số: 12/BB-SNV", "Tây Ninh, ngày 14 tháng 7 năm 2026",
        "BIÊN BẢN", specimen.summary, *specimen.legal_basis, specimen.opening,
        "I. THÀNH PHẦN",
        *[f"- {m.name}, {m.position}, {m.role};" for m in specimen.team[:-1]],
        f"- {specimen.team[-1].name}, {specimen.team[-1].position}, {specimen.team[-1].role}.",
        "II. NỘI DUNG VÀ KẾT QUẢ KIỂM TRA", "III. ĐÁNH GIÁ CHUNG", "IV. YÊU CẦU KHẮC PHỤC",
        "V. Ý KIẾN CỦA ĐƠN VỊ ĐƯỢC KIỂM TRA", specimen.unit_opinion, specimen.closing,
        "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA", "TRƯỞNG ĐOÀN", "THƯ KÝ",
        *[s.name for s in specimen.signatures],
        "Phụ lục I", "KẾT QUẢ KIỂM TRA CHI TIẾT THEO TỪNG NỘI DUNG",
        f"(Kèm theo Biên bản số 12/BB-SNV ngày 14/07/2026 của {specimen.issuer})",
        "Phụ lục II", "DANH SÁCH ĐIỂM DANH", "Phụ lục III",
        "Phụ lục IV", "THÔNG TIN ĐỂ KIỂM CHỨNG VIỆC CHỌN HỒ SƠ",
        specimen.sample.frame_hash, specimen.sample.commitment, specimen.sample.seed_hex,
        "Phụ lục V", "HÌNH ẢNH",
    ]
    expected += [line for line in specimen.assessment.splitlines()]  # noqa: C416
    position = 0
    for phrase in expected:
        found = body.find(phrase, position if phrase.startswith(("I.", "II.", "III.", "IV.", "V.")) else 0)
        assert found >= 0, f"not found in the PDF text: {phrase!r}"
        if phrase.startswith(("I.", "II.", "III.", "IV.", "V.")):
            assert found >= position, f"section out of order: {phrase!r}"
            position = found


def test_table_cells_round_trip(specimen, rendered):
    _, path = rendered
    body = flat(pdftotext(path))
    for row in specimen.roll_call.rows[:10]:
        assert row.name in body
    for row in specimen.sample.rows:
        assert row.code in body
    for item in specimen.sections[0].items:
        assert item.text in body


def test_nfd_input_is_drawn_as_nfc(specimen, tmp_path):
    nfd = unicodedata.normalize("NFD", "Ý kiến bổ sung của ông Nguyễn Văn Ước")
    content = dataclasses.replace(specimen, unit_opinion=nfd, photos=())
    path = tmp_path / "nfd.pdf"
    path.write_bytes(render_minutes(content).pdf)
    text = flat(pdftotext(path))
    assert unicodedata.normalize("NFC", nfd) in text
    assert is_nfc(text)


def test_user_text_with_markup_characters_is_escaped(specimen, tmp_path):
    content = dataclasses.replace(specimen, unit_opinion="Điểm <b>a</b> & điểm b > c", photos=())
    path = tmp_path / "esc.pdf"
    path.write_bytes(render_minutes(content).pdf)
    assert "Điểm <b>a</b> & điểm b > c" in flat(pdftotext(path))


def test_fonts_are_embedded_liberation_serif(rendered):
    _, path = rendered
    fonts = pdffonts(path)
    assert fonts, "pdffonts listed no fonts"
    for f in fonts:
        assert f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes", f
        assert "LiberationSerif" in f["name"], f


def test_qpdf_check_is_clean(rendered):
    _, path = rendered
    result = qpdf_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_everything_stays_inside_the_decree_30_margins(rendered):
    result, path = rendered
    tol = 0.6
    annex_starts = 0
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == result.page_count
        for index, page in enumerate(pdf.pages):
            assert (round(page.width, 1), round(page.height, 1)) == (round(A4_W, 1), round(A4_H, 1))
            words = page.extract_words()
            body = [w for w in words if w["top"] >= MARGIN_TOP - tol]
            in_top_margin = [w for w in words if w["top"] < MARGIN_TOP - tol]
            for w in body:
                assert w["x0"] >= MARGIN_LEFT - tol, (index, w["text"], w["x0"])
                assert w["x1"] <= A4_W - MARGIN_RIGHT + tol, (index, w["text"], w["x1"])
                assert w["bottom"] <= A4_H - MARGIN_BOTTOM + tol, (index, w["text"], w["bottom"])
            for image in page.images:
                assert image["x0"] >= MARGIN_LEFT - tol and image["x1"] <= A4_W - MARGIN_RIGHT + tol
                assert image["top"] >= MARGIN_TOP - tol and image["bottom"] <= A4_H - MARGIN_BOTTOM + tol
            # page numbers: none on the first page of the minutes or of an annex, centred in the
            # top margin from the second on; each annex is paged on its own (Phụ lục I, III.1)
            text = page.extract_text() or ""
            if index == 0 or text.startswith("Phụ lục"):
                expected_number = 1
            else:
                expected_number += 1
            if expected_number == 1:
                annex_starts += index > 0
                assert in_top_margin == [], index
            else:
                assert [w["text"] for w in in_top_margin] == [str(expected_number)], index
                number = in_top_margin[0]
                centre = (number["x0"] + number["x1"]) / 2
                assert abs(centre - (MARGIN_LEFT + (A4_W - MARGIN_LEFT - MARGIN_RIGHT) / 2)) < 1.0
    assert annex_starts >= 3  # the specimen has items, roll call, sample and photo annexes


def _line(words, text):
    """The words of one printed line (same ``top``) that spell ``text``."""
    parts = text.split()
    for i, w in enumerate(words):
        if w["text"] == parts[0]:
            run = words[i:i + len(parts)]
            if [r["text"] for r in run] == parts and len({round(r["top"]) for r in run}) == 1:
                return {"x0": run[0]["x0"], "x1": run[-1]["x1"], "top": run[0]["top"],
                        "bottom": run[0]["bottom"], "size": run[0].get("size")}
    raise AssertionError(f"line not found on page: {text!r}")


def test_header_columns_share_baselines_and_are_centred(rendered):
    _, path = rendered
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(extra_attrs=["size", "fontname"])
        lines = page.lines + page.edges
        parent = _line(words, "UBND TỈNH TÂY NINH")
        body = _line(words, "SỞ NỘI VỤ")
        number = _line(words, "Số: 12/BB-SNV")
        nation = _line(words, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        motto = _line(words, "Độc lập - Tự do - Hạnh phúc")
        date = _line(words, "Tây Ninh, ngày 14 tháng 7 năm 2026")
        title = _line(words, "BIÊN BẢN")
    # the two columns share baselines
    assert abs(parent["bottom"] - nation["bottom"]) < 0.5
    assert abs(body["bottom"] - motto["bottom"]) < 0.5
    assert abs(number["bottom"] - date["bottom"]) < 0.5
    # left column: agency lines and the number centred on one axis, in the left part of the page
    left_axis = (parent["x0"] + parent["x1"]) / 2
    for item in (body, number):
        assert abs((item["x0"] + item["x1"]) / 2 - left_axis) < 1.0
    right_axis = (nation["x0"] + nation["x1"]) / 2
    for item in (motto, date):
        assert abs((item["x0"] + item["x1"]) / 2 - right_axis) < 1.0
    assert parent["x1"] < nation["x0"], "the columns must not overlap"
    assert nation["x1"] <= A4_W - MARGIN_RIGHT + 0.5
    # first line of the header at the top margin
    assert MARGIN_TOP - 1 <= min(parent["top"], nation["top"]) <= MARGIN_TOP + 6
    # sizes: agency names and national title 12-13 pt, motto 13-14 pt
    assert 12 <= nation["size"] <= 13 and 12 <= parent["size"] <= 13 and 13 <= motto["size"] <= 14
    # the rule under the motto is exactly as long as the motto, just below it
    motto_rules = [ln for ln in lines if abs(ln["top"] - motto["bottom"]) < 5
                   and abs(ln["x0"] - motto["x0"]) < 1.5 and abs(ln["x1"] - motto["x1"]) < 1.5]
    assert motto_rules, "no rule under the motto"
    # the rule under the issuing body: 1/3 to 1/2 of its length, centred
    body_w = body["x1"] - body["x0"]
    body_rules = [ln for ln in lines if abs(ln["top"] - body["bottom"]) < 5
                  and ln["x1"] <= body["x1"] + 1 and ln["x0"] >= body["x0"] - 1]
    assert body_rules, "no rule under the issuing body"
    rule = body_rules[0]
    assert body_w / 3 - 1 <= rule["x1"] - rule["x0"] <= body_w / 2 + 1
    assert abs((rule["x0"] + rule["x1"]) / 2 - left_axis) < 1.0
    # the title is centred on the text block
    block_centre = MARGIN_LEFT + (A4_W - MARGIN_LEFT - MARGIN_RIGHT) / 2
    assert abs((title["x0"] + title["x1"]) / 2 - block_centre) < 1.0
    assert title["top"] > number["bottom"]


def test_body_text_size_and_paragraph_spacing(rendered):
    _, path = rendered
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["size"])
    sizes = {round(w["size"], 1) for w in words if w["text"] == "Căn"}
    assert sizes == {13.0}


def test_signature_box_and_drawn_signatures(specimen, rendered):
    result, path = rendered
    box = result.signature_boxes[TEAM_LEADER_BOX]
    x1, y1, x2, y2 = box.box
    assert abs((x2 - x1) - DIGITAL_BOX_WIDTH) < 0.1 and abs((y2 - y1) - DIGITAL_BOX_HEIGHT) < 0.1
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[box.page_index]
        words = page.extract_words()
        leader = specimen.signature(SignerRole.TEAM_LEADER).name
        name = _line(words, leader)
        heading = _line(words, "TRƯỞNG ĐOÀN")
        # the box lies between the team leader's heading and name, in the right half
        top_of_box = A4_H - y2
        bottom_of_box = A4_H - y1
        assert heading["bottom"] < top_of_box and bottom_of_box < name["top"]
        assert x1 > MARGIN_LEFT + (A4_W - MARGIN_LEFT - MARGIN_RIGHT) / 2
        assert abs((x1 + x2) / 2 - (name["x0"] + name["x1"]) / 2) < 2
        # no text inside the reserved box
        inside = [w for w in words if w["x0"] < x2 and w["x1"] > x1
                  and w["top"] < bottom_of_box and w["bottom"] > top_of_box]
        assert inside == []
        # handwritten signatures are vector paths, not images
        assert page.images == []
        assert len(page.curves) + len(page.lines) >= 3
        unit = _line(words, "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA")
        column_split = MARGIN_LEFT + (A4_W - MARGIN_LEFT - MARGIN_RIGHT) / 2
        assert unit["x1"] < column_split and abs(unit["bottom"] - heading["bottom"]) < 0.5


def test_refusal_is_printed_with_its_reason(tmp_path):
    content = specimen_minutes(unit_refuses=True)
    path = tmp_path / "refused.pdf"
    path.write_bytes(render_minutes(content).pdf)
    assert "(Từ chối ký. Lý do: Không đồng ý với đánh giá tại mục III.)" in flat(pdftotext(path))


def test_correction_version_says_so(tmp_path):
    content = dataclasses.replace(specimen_minutes(), version=2,
                                  correction_reason="Sửa tên công chức ở mục II")
    path = tmp_path / "v2.pdf"
    path.write_bytes(render_minutes(content).pdf)
    assert "Lý do đính chính: Sửa tên công chức ở mục II." in flat(pdftotext(path))


def test_photo_annex_has_caption_time_and_item(specimen, rendered):
    _, path = rendered
    body = flat(pdftotext(path))
    for photo in specimen.photos:
        assert f"Ảnh {photo.ref}. {photo.caption}" in body
        assert f"Thời gian chụp: {photo.taken_at:%H:%M %d/%m/%Y}" in body
        assert f"Nội dung: {photo.item_ref}" in body
    with pdfplumber.open(path) as pdf:
        assert sum(len(p.images) for p in pdf.pages) == len(specimen.photos)


def test_missing_photo_does_not_stop_the_minutes(specimen, tmp_path):
    photo = dataclasses.replace(specimen.photos[0], path=str(tmp_path / "gone.jpg"))
    content = dataclasses.replace(specimen, photos=(photo,))
    path = tmp_path / "gone.pdf"
    path.write_bytes(render_minutes(content).pdf)
    assert "[Không đọc được ảnh A1: gone.jpg]" in flat(pdftotext(path))


def test_draft_without_number(tmp_path):
    path = tmp_path / "draft.pdf"
    path.write_bytes(render_minutes(specimen_minutes(number=None)).pdf)
    text = flat(pdftotext(path))
    assert "Số:" in text and " /BB-SNV" in text and "……" not in text  # blank for the văn thư


def test_page_images_for_review(rendered, tmp_path):
    """Page 1 renders (the README picture is made the same way)."""
    _, path = rendered
    from pdf_checks import run

    run("pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", path, tmp_path / "p")
    png = next(tmp_path.glob("p*.png"))
    with Image.open(png) as im:
        assert im.size[0] > 300
        # not a blank page: a good share of dark pixels in the header area
        header = im.convert("L").crop((0, 0, im.size[0], im.size[1] // 6))
        assert sum(header.histogram()[:128]) > 200


def test_write_minutes_is_atomic(specimen, tmp_path):
    target = tmp_path / "out" / "m.pdf"
    result = layout.write_minutes(dataclasses.replace(specimen, photos=()), target)
    assert target.read_bytes() == result.pdf
    assert not list(target.parent.glob("*.part"))


def test_font_files_ship_with_their_licence():
    from inspection_app.pdf import fonts

    files = fonts.font_files()
    assert all(p.is_file() for p in files.values())
    licence = fonts.font_dir() / "LICENSE-LiberationSerif.txt"
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence.read_text(encoding="utf-8")
    assert Path(fonts.font_dir(), "README.md").is_file()


def test_photos_are_upright_and_sized_for_print(specimen, tmp_path):
    """A sideways camera JPEG is turned upright; a large one is scaled to at most 1000 px; a small
    upright JPEG goes into the PDF byte for byte."""
    sideways = Image.new("RGB", (1600, 1200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    sideways_path = tmp_path / "sideways.jpg"
    sideways.save(sideways_path, quality=80, exif=exif.tobytes())
    small_path = tmp_path / "small.jpg"
    Image.new("RGB", (800, 600), (30, 200, 30)).save(small_path, quality=80)
    photos = tuple(dataclasses.replace(specimen.photos[0], ref=ref, path=str(p))
                   for ref, p in (("A1", sideways_path), ("A2", small_path)))
    pdf = render_minutes(dataclasses.replace(specimen, photos=photos)).pdf
    path = tmp_path / "photos.pdf"
    path.write_bytes(pdf)
    with pdfplumber.open(path) as doc:
        images = [im for page in doc.pages for im in page.images]
    assert len(images) == 2
    first, second = images
    assert first["height"] > first["width"], "the sideways photo must be drawn upright"
    assert max(first["srcsize"]) <= layout.PHOTO_MAX_EDGE
    assert tuple(second["srcsize"]) == (800, 600)
    assert small_path.read_bytes() in pdf  # passed through, not re-encoded
