"""Forgiving column mapping: case, diacritics, spacing, synonyms; personal data left out."""

from __future__ import annotations

import pytest

from inspection_app.registers import map_headers
from inspection_app.registers.columns import header_key


def fields_of(headers):
    mapping = map_headers(headers)
    return {c.header: c.field for c in mapping.mapped}, mapping


@pytest.mark.parametrize(
    "header,field",
    [
        ("Mã hồ sơ", "code"),
        ("MÃ HỒ SƠ", "code"),
        ("Ma ho so", "code"),
        ("  Mã   hồ  sơ ", "code"),
        ("Mã HS (*)", "code"),
        ("mã_hồ_sơ", "code"),
        ("Số hồ sơ", "code"),
        ("Tên TTHC", "procedure_name"),
        ("Tên thủ tục hành chính", "procedure_name"),
        ("Mã TTHC", "procedure_code"),
        ("Lĩnh vực", "domain"),
        ("LĨNH VỰC", "domain"),
        ("Linh vuc", "domain"),
        ("Mã lĩnh vực", "domain"),  # the code stands in when no name column exists
        ("Kênh thực hiện", "channel"),
        ("Hình thức nộp", "channel"),
        ("Ngày tiếp nhận", "received"),
        ("Ngày nộp", "received"),
        ("Ngày hẹn trả", "due"),
        ("Ngày hẹn trả kết quả", "due"),
        ("Ngày hẹn trả (dd/mm/yyyy)", "due"),
        ("Ngày kết thúc xử lý", "finished"),
        ("Ngày trả", "returned"),
        ("Ngày trả kết quả", "returned"),
        ("Trạng thái", "status"),
        ("Tình trạng xử lý", "status"),
        ("Đơn vị xử lý", "processing_unit"),
        ("Cơ quan giải quyết", "processing_unit"),
        ("Ghi chú", "note"),
    ],
)
def test_synonyms_case_diacritics_spacing(header, field):
    found, _ = fields_of([header])
    assert found == {" ".join(header.split()): field}


def test_prefix_match_for_longer_headers():
    found, mapping = fields_of(["Mã hồ sơ", "Ngày hẹn trả kết quả cho công dân", "Trạng thái xử lý hồ sơ trên hệ thống"])
    assert found["Ngày hẹn trả kết quả cho công dân"] == "due"
    assert found["Trạng thái xử lý hồ sơ trên hệ thống"] == "status"
    assert mapping.unmapped == ()


def test_personal_data_is_recognised_and_not_kept():
    headers = ["TT", "Mã hồ sơ", "Chủ hồ sơ", "Địa chỉ", "Số điện thoại", "Số CCCD", "Email", "Ngày sinh"]
    found, mapping = fields_of(headers)
    assert found == {"Mã hồ sơ": "code"}
    reasons = {c.header: c.reason for c in mapping.ignored}
    assert reasons == {
        "TT": "serial",
        "Chủ hồ sơ": "personal",
        "Địa chỉ": "personal",
        "Số điện thoại": "personal",
        "Số CCCD": "personal",
        "Email": "personal",
        "Ngày sinh": "personal",
    }
    assert all(c.reason_vi and c.reason_en for c in mapping.ignored)


def test_unknown_headers_and_missing_fields_are_reported():
    _, mapping = fields_of(["Mã hồ sơ", "Lĩnh vực", "Cột lạ", "Người ký duyệt"])
    assert mapping.unmapped == ("Cột lạ", "Người ký duyệt")
    assert "due" in mapping.missing and "code" not in mapping.missing


def test_two_headers_for_one_field_keep_the_preferred_synonym():
    # "Ngày tiếp nhận" is preferred over "Ngày nộp" whatever the order; the other is reported
    for headers in (["Mã hồ sơ", "Ngày nộp", "Ngày tiếp nhận"], ["Mã hồ sơ", "Ngày tiếp nhận", "Ngày nộp"]):
        found, mapping = fields_of(headers)
        assert found["Ngày tiếp nhận"] == "received" and "Ngày nộp" not in found
        assert [(c.header, c.reason) for c in mapping.ignored] == [("Ngày nộp", "duplicate")]
    found, _ = fields_of(["Mã hồ sơ", "Mã lĩnh vực", "Lĩnh vực"])
    assert found == {"Mã hồ sơ": "code", "Lĩnh vực": "domain"}


def test_header_key_folds():
    assert header_key("Ngày  Tiếp Nhận") == header_key("ngay tiep nhan") == "ngay tiep nhan"
    assert header_key("Đơn vị xử lý:") == "don vi xu ly"
    assert header_key(None) == ""
