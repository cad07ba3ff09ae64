"""Which register column is which: forgiving header matching.

Headers differ by province and by whoever re-saved the file: "Mã hồ sơ", "MÃ HỒ SƠ", "Ma ho so",
"Mã  HS (*)". Each header is folded (no diacritics, lower case, single spaces; see
:func:`inspection_app.domain.text.fold`) after dropping bracketed remarks and stray marks, then
looked up among the synonyms below. When no synonym matches exactly, a header that *starts with*
one ("Ngày hẹn trả kết quả cho công dân") maps to the field of the longest such synonym, provided
no other header already took that field.

Some columns are recognised only to be left out on purpose: the citizen's name, address, phone,
e-mail and ID numbers. The check has no use for them and the register is personal data, so they are
never read into a record; the mapping lists them as "personal data, not kept".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from inspection_app.domain.text import fold
from inspection_app.locale import both


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label_vi: str
    label_en: str
    synonyms: tuple[str, ...]  # folded; earlier ones win when two headers match the same field
    kind: Literal["text", "date"] = "text"
    max_chars: int = 1000  # longer cells are reported per row, not cut


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "code",
        *both("Mã hồ sơ"),
        (
            "ma ho so", "ma hs", "ma so ho so", "so ho so", "ma ho so tthc", "ma hoso", "so bien nhan",
            "ma bien nhan", "dossier code", "dossier id", "code",
        ),
        max_chars=100,
    ),
    FieldSpec(
        "procedure_code",
        *both("Mã TTHC"),
        ("ma tthc", "ma thu tuc", "ma thu tuc hanh chinh", "ma thu tuc tthc", "procedure code"),
    ),
    FieldSpec(
        "procedure_name",
        *both("Tên TTHC"),
        (
            "ten tthc", "ten thu tuc", "ten thu tuc hanh chinh", "thu tuc hanh chinh", "thu tuc", "tthc",
            "procedure name", "procedure",
        ),
    ),
    FieldSpec(
        "domain",
        *both("Lĩnh vực"),
        # The domain's code stands in when the register has no domain name.
        ("linh vuc", "ten linh vuc", "linh vuc tthc", "domain", "field", "ma linh vuc", "domain code"),
    ),
    FieldSpec(
        "channel",
        *both("Kênh thực hiện"),
        (
            "kenh thuc hien", "kenh nop", "kenh nop ho so", "kenh tiep nhan", "hinh thuc nop",
            "hinh thuc nop ho so", "hinh thuc tiep nhan", "hinh thuc thuc hien", "hinh thuc", "kenh",
            "channel",
        ),
    ),
    FieldSpec(
        "received",
        *both("Ngày tiếp nhận"),
        (
            "ngay tiep nhan", "ngay nhan", "ngay nhan ho so", "ngay tiep nhan ho so", "thoi gian tiep nhan",
            "ngay gio tiep nhan", "received", "date received",
            # The submission date stands in when the register has no reception date.
            "ngay nop", "ngay nop ho so", "thoi gian nop", "ngay dang ky",
        ),
        "date",
    ),
    FieldSpec(
        "due",
        *both("Ngày hẹn trả"),
        (
            "ngay hen tra", "ngay hen tra ket qua", "hen tra", "hen tra ket qua", "thoi gian hen tra",
            "ngay hen", "han xu ly", "han giai quyet", "due", "due date",
        ),
        "date",
    ),
    FieldSpec(
        "finished",
        *both("Ngày kết thúc xử lý"),
        (
            "ngay ket thuc xu ly", "ngay ket thuc", "ngay xu ly xong", "ngay hoan thanh", "ngay hoan thanh xu ly",
            "ngay co ket qua", "thoi gian ket thuc xu ly", "ngay giai quyet xong", "finished",
        ),
        "date",
    ),
    FieldSpec(
        "returned",
        *both("Ngày trả"),
        (
            "ngay tra", "ngay tra ket qua", "ngay tra kq", "thoi gian tra ket qua", "ngay gio tra ket qua",
            "ngay tra thuc te", "returned", "date returned",
        ),
        "date",
    ),
    FieldSpec(
        "status",
        *both("Trạng thái"),
        ("trang thai", "trang thai ho so", "tinh trang", "tinh trang xu ly", "tinh trang ho so", "status"),
    ),
    FieldSpec(
        "processing_unit",
        *both("Đơn vị xử lý"),
        (
            "don vi xu ly", "co quan xu ly", "don vi thuc hien", "co quan thuc hien", "co quan giai quyet",
            "don vi giai quyet", "phong ban xu ly", "don vi", "processing unit",
        ),
    ),
    FieldSpec("note", *both("Ghi chú"), ("ghi chu", "note", "notes"), max_chars=4000),
)  # fmt: skip

FIELD_BY_NAME = {f.name: f for f in FIELDS}

# Recognised and left out on purpose.
PERSONAL_SYNONYMS: tuple[str, ...] = (
    "chu ho so", "ten chu ho so", "nguoi nop", "ten nguoi nop", "nguoi nop ho so", "ho ten", "ho va ten",
    "to chuc ca nhan", "cong dan", "dia chi", "dia chi chu ho so", "dia chi thuong tru", "noi cu tru",
    "so dien thoai", "dien thoai", "sdt", "dt", "so dt", "email", "thu dien tu", "cmnd", "cccd",
    "so cmnd", "so cccd", "cmnd cccd", "so dinh danh", "ma dinh danh", "so giay to", "so giay to tuy than",
    "ngay sinh", "holder", "applicant", "address", "phone", "id number",
)  # fmt: skip
SERIAL_SYNONYMS: tuple[str, ...] = ("tt", "stt", "so tt", "so thu tu", "no", "#")

def needed_text(lang: str) -> str:
    """What a register header needs, for messages: the code column and one more known column."""
    code = FIELD_BY_NAME["code"]
    others = ", ".join(f.label_vi for f in FIELDS[1:])
    if lang == "vi":
        return (f"cần cột {code.label_vi} (hoặc “Mã HS”, “Số biên nhận”) và ít nhất một cột khác nhận ra được: "
                f"{others}, hoặc cột thông tin người nộp")
    return (f"needs a {code.label_vi} column (dossier code; or “Mã HS”, “Số biên nhận”) and at least one more known "
            f"column: {others}, or a holder's details column")


_REMARKS = re.compile(r"\([^)]*\)|\[[^\]]*\]|[*:#]")


def header_key(header: object) -> str:
    """The folded key of a header cell ("Mã  HS (*)" → "ma hs")."""
    text = "" if header is None else str(header)
    return fold(_REMARKS.sub(" ", text))


_EXACT: dict[str, tuple[str, int]] = {}
for _spec in FIELDS:
    for _rank, _syn in enumerate(_spec.synonyms):
        _EXACT.setdefault(_syn, (_spec.name, _rank))
_PERSONAL = frozenset(PERSONAL_SYNONYMS)
_SERIAL = frozenset(SERIAL_SYNONYMS)
_PREFIXES = sorted(
    ((syn, spec.name) for spec in FIELDS for syn in spec.synonyms),
    key=lambda item: -len(item[0]),
)


def _starts_with_words(key: str, prefix: str) -> bool:
    return key == prefix or key.startswith(prefix + " ")


@dataclass(frozen=True)
class MappedColumn:
    field: str
    header: str
    index: int  # 0-based column

    @property
    def label_vi(self) -> str:
        return FIELD_BY_NAME[self.field].label_vi

    @property
    def label_en(self) -> str:
        return FIELD_BY_NAME[self.field].label_en


@dataclass(frozen=True)
class IgnoredColumn:
    header: str
    index: int
    reason: Literal["personal", "serial", "duplicate", "unknown"]

    @property
    def reason_vi(self) -> str:
        return {
            "personal": "dữ liệu cá nhân, không lưu",
            "serial": "số thứ tự, không cần",
            "duplicate": "trùng với cột khác đã ghép",
            "unknown": "không nhận ra",
        }[self.reason]

    @property
    def reason_en(self) -> str:
        return {
            "personal": "personal data, not kept",
            "serial": "row number, not needed",
            "duplicate": "same field as another mapped column",
            "unknown": "not recognised",
        }[self.reason]


@dataclass(frozen=True)
class ColumnMapping:
    """What each header became; the UI shows this before anything is stored."""

    header_row: int  # 1-based row of the headers in the file
    mapped: tuple[MappedColumn, ...]
    ignored: tuple[IgnoredColumn, ...]  # every header not mapped, with the reason

    @property
    def unmapped(self) -> tuple[str, ...]:
        """Headers we did not recognise at all."""
        return tuple(c.header for c in self.ignored if c.reason == "unknown")

    @property
    def missing(self) -> tuple[str, ...]:
        """Fields the check knows but the file did not have."""
        found = {c.field for c in self.mapped}
        return tuple(f.name for f in FIELDS if f.name not in found)

    def index_of(self, field: str) -> int | None:
        for column in self.mapped:
            if column.field == field:
                return column.index
        return None


def map_headers(headers: list[object], header_row: int = 1) -> ColumnMapping:
    """Match a header row against the known fields (see the module docstring)."""
    keys = [header_key(h) for h in headers]
    names = ["" if h is None else " ".join(str(h).split()) for h in headers]
    best: dict[str, tuple[int, int]] = {}  # field -> (synonym rank, column)
    reasons: dict[int, Literal["personal", "serial", "duplicate", "unknown"]] = {}
    for index, key in enumerate(keys):
        if not key:
            continue
        if key in _EXACT:
            field, rank = _EXACT[key]
            current = best.get(field)
            if current is None or rank < current[0]:
                if current is not None:
                    reasons[current[1]] = "duplicate"
                best[field] = (rank, index)
            else:
                reasons[index] = "duplicate"
        elif key in _PERSONAL or any(_starts_with_words(key, p) for p in _PERSONAL if len(p) > 3):
            reasons[index] = "personal"
        elif key in _SERIAL:
            reasons[index] = "serial"
    # Second pass: headers that start with a synonym, for fields still free. The rank of a prefix
    # match is after every exact synonym so an exact header always wins.
    for index, key in enumerate(keys):
        if not key or index in reasons or any(col == index for _, col in best.values()):
            continue
        for prefix, field in _PREFIXES:
            if _starts_with_words(key, prefix):
                if field not in best:
                    best[field] = (len(FIELD_BY_NAME[field].synonyms), index)
                else:
                    reasons[index] = "duplicate"
                break
        else:
            reasons[index] = "unknown"
    mapped = tuple(
        sorted((MappedColumn(field, names[col], col) for field, (_, col) in best.items()), key=lambda c: c.index)
    )
    ignored = tuple(IgnoredColumn(names[i], i, reason) for i, reason in sorted(reasons.items()) if names[i])
    return ColumnMapping(header_row=header_row, mapped=mapped, ignored=ignored)
