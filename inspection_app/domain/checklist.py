"""Checklists as data: the schema, parsing with line numbers, and answer rules.

A checklist is a YAML document (format in ``checklists/README.md``). Parsing is pure: it takes the
text and a name for messages, and returns either a :class:`Checklist` or a list of
:class:`Problem` naming the file, the line and the field. A broken checklist never stops the others
from loading; that is the caller's loop (``services.checklists``).
"""

from __future__ import annotations

import re
from datetime import date as date_type
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from .text import nfc
from .violations import ViolationKind

ID_PATTERN = r"^[a-z][a-z0-9_.\-]*$"


class AnswerType(StrEnum):
    PASS_FAIL = "pass_fail"  # Đạt / Không đạt / Không áp dụng
    COUNT = "count"
    TIME = "time"
    TEXT = "text"
    CHOICE = "choice"
    PERSON = "person"  # someone from the unit's roster


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NA = "na"


VERDICT_LABELS = {
    Verdict.PASS: {"vi": "Đạt", "en": "Pass"},
    Verdict.FAIL: {"vi": "Không đạt", "en": "Fail"},
    Verdict.NA: {"vi": "Không áp dụng", "en": "Not applicable"},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @field_validator("vi", "en", mode="before")
    @classmethod
    def _nfc(cls, v: Any) -> Any:
        return nfc(v.strip()) if isinstance(v, str) else v

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class DocumentType(StrEnum):
    """Kinds of legal document (Luật Ban hành văn bản quy phạm pháp luật; Nghị định 30/2020/NĐ-CP)."""

    LUAT = "Luật"
    NGHI_QUYET = "Nghị quyết"
    NGHI_DINH = "Nghị định"
    QUYET_DINH = "Quyết định"
    CHI_THI = "Chỉ thị"
    THONG_TU = "Thông tư"


class LegalDocument(_Strict):
    """One entry of a checklist's register of legal documents.

    ``number`` is the document's number and symbol ("44/2019/QH14"); ``title`` its name without the
    type ("Phòng, chống tác hại của rượu, bia" for a law; "quy định xử phạt … lĩnh vực y tế" for a
    decree); ``issuer`` the body that issued it ("Quốc hội", "Chính phủ", "Thủ tướng Chính phủ").
    ``verified`` says whether number, date, issuer and title were checked against the text; an
    unverified entry is listed by ``inspection-app checklists check``. ``always_date``: print the date
    at every mention, for a number that is shared with another document (Chỉ thị 26/CT-TTg exists for
    2016 and 2024).
    """

    type: DocumentType
    number: str = ""
    date: date_type | None = None
    issuer: str = ""
    title: str = ""  # may stay empty only while the entry is unverified
    verified: bool = False
    always_date: bool = False
    note: str = ""

    @field_validator("number", "issuer", "title", "note", mode="before")
    @classmethod
    def _nfc(cls, v: Any) -> Any:
        return nfc(v.strip()) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _complete_when_verified(self) -> LegalDocument:
        if self.verified and not (self.title and (self.number or self.type is DocumentType.LUAT) and self.issuer):
            raise ValueError("a verified document needs its number, issuer and title")
        if self.type is DocumentType.LUAT and not self.title:
            raise ValueError("a law is named by its title: give 'title'")
        return self

    def name(self) -> str:
        """The short name used after the first mention (Decree 30, Phụ lục I, II.6.b).

        A law or a resolution of the National Assembly is named by its type and title ("Luật Phòng,
        chống tác hại của thuốc lá"); other documents by type and number ("Nghị định số
        117/2020/NĐ-CP"), with the date where the number alone is ambiguous.
        """
        if self.type is DocumentType.LUAT or not self.number:
            return f"{self.type.value} {self.title}"
        out = f"{self.type.value} số {self.number}"
        if self.always_date and self.date:
            out += f" ngày {long_date(self.date)}"
        return out

    def full_name(self) -> str:
        """The first mention: type, number, date, issuer and title."""
        if self.type is DocumentType.LUAT:
            out = f"Luật {self.title}"
            if self.number:
                out += f" số {self.number}"
            if self.date:
                out += f" ngày {long_date(self.date)}"
            if self.issuer:
                out += f" của {self.issuer}"
            return out
        out = f"{self.type.value} số {self.number}" if self.number else self.type.value
        if self.date:
            out += f" ngày {long_date(self.date)}"
        if self.issuer:
            out += f" của {self.issuer}"
        return f"{out} {self.title}".rstrip()


def long_date(day: date_type) -> str:
    """"05 tháng 9 năm 2016": day with two digits, month without (Nghị định 30/2020, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)  # tháng 01, 02 keep the zero
    return f"{day.day:02d} tháng {month} năm {day.year}"


_LEGACY_UNIT = re.compile(r"(điểm|khoản|Điều|mục|Mục|Mẫu)\s+([\w.,\s]+?)(?=\s+(?:điểm|khoản|Điều|mục|Mục|Mẫu)\b|$)")
_UNIT_ORDER = {"điểm": 0, "khoản": 1, "Điều": 2, "mục": 3, "Mục": 3, "Mẫu": 4}


def _legacy_order(article: str) -> str:
    """Put a free-text "Điều 5 khoản 5" in the smallest-first order: "khoản 5 Điều 5"."""
    parts = _LEGACY_UNIT.findall(article)
    if not parts or " ".join(f"{u} {n}" for u, n in parts) != " ".join(article.split()):
        return article
    parts.sort(key=lambda p: _UNIT_ORDER[p[0]])
    return " ".join(f"{'mục' if u == 'Mục' else u} {n}" for u, n in parts)


class LegalBasis(_Strict):
    """A reference to a rule: a structured one into the checklist's register, or legacy free text.

    Structured (checklist format 2): ``doc`` names an entry of the checklist's ``documents`` and
    ``point``/``clause``/``article``/``section``/``form`` locate the rule ("điểm a khoản 2 Điều 11";
    ``section`` is the "mục" of a directive, ``form`` a "Mẫu số" attached to a circular).
    ``verified`` says whether the location was checked against the text.
    Legacy (format 1, kept so that visits stored with old checklists still render): ``document`` and
    ``article`` as free text.
    """

    doc: str = ""
    point: str = ""
    clause: str = ""
    article: str = ""
    section: str = ""
    form: str = ""
    verified: bool = False
    document: str = ""  # legacy free text: "Luật 44/2019/QH14"
    _resolved: LegalDocument | None = PrivateAttr(default=None)

    @field_validator("doc", "point", "clause", "article", "section", "form", "document", mode="before")
    @classmethod
    def _nfc(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)
        return nfc(v.strip()) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _one_kind(self) -> LegalBasis:
        if bool(self.doc) == bool(self.document):
            raise ValueError("give either 'doc' (an id from 'documents') or the legacy 'document', not both")
        if self.doc:
            for name in ("point", "clause", "article", "section", "form"):
                value = getattr(self, name)
                if value and not re.fullmatch(r"[0-9]+[a-zđ]?|[a-zđ]", value):
                    raise ValueError(f"'{name}' takes a number or a letter (e.g. 5, 26a, a), not '{value}'")
        return self

    @property
    def structured(self) -> bool:
        return bool(self.doc)

    @property
    def resolved(self) -> LegalDocument | None:
        """The register entry this reference names (set when its checklist is parsed)."""
        return self._resolved

    def location(self) -> str:
        """"điểm a khoản 2 Điều 11", smallest unit first, no commas (Nghị định 30/2020, II.6.b)."""
        if not self.doc:
            return _legacy_order(self.article)
        parts = []
        if self.point:
            parts.append(f"điểm {self.point}")
        if self.clause:
            parts.append(f"khoản {self.clause}")
        if self.article:
            parts.append(f"Điều {self.article}")
        if self.section:
            parts.append(f"mục {self.section}")
        if self.form:
            parts.append(f"Mẫu số {self.form} kèm theo")
        return " ".join(parts)

    def cite(self, full: bool = False) -> str:
        """The citation in Vietnamese order: "khoản 5 Điều 5 Luật Phòng, chống tác hại của rượu, bia".

        ``full`` gives the document's first-mention form (type, number, date, issuer, title).
        """
        if not self.doc:
            where = self.location()
            return f"{where} {self.document}" if where else self.document
        doc = self._resolved
        name = (doc.full_name() if full else doc.name()) if doc else self.doc
        where = self.location()
        return f"{where} {name}" if where else name


class Citations:
    """Cites each document in full at its first mention and by its short name after that.

    One instance per document being written (a minutes, a report), in reading order.
    """

    def __init__(self) -> None:
        self._seen: set[tuple[Any, ...]] = set()

    def cite(self, basis: LegalBasis) -> str:
        doc = basis.resolved
        key = (doc.type, doc.number, doc.title) if doc else (basis.document or basis.doc,)
        first = key not in self._seen
        self._seen.add(key)
        return basis.cite(full=first)


class Choice(_Strict):
    value: str = Field(pattern=ID_PATTERN)
    label: Text


class OnFail(_Strict):
    note: bool = False  # a failed answer must carry a note
    photo: bool = False  # … and/or a photo


class Item(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    text: Text
    answer: AnswerType
    legal_basis: list[LegalBasis] = Field(min_length=1)
    severity: str = Field(default="medium", pattern=r"^(low|medium|high)$")
    on_fail: OnFail = OnFail()
    choices: list[Choice] = Field(default_factory=list)
    hint: Text | None = None
    # For count items: a count above this is a failure (e.g. number of smokers seen: max 0).
    max_ok: int | None = None
    # For time items: a time later than this is a failure (e.g. desk staffed by 07:30).
    latest_ok: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$")
    # What a failure of this item is, for the office's counts (issue #12): a ViolationKind code.
    violation_kind: ViolationKind | None = None

    @model_validator(mode="after")
    def _choices(self) -> Item:
        if self.answer is AnswerType.CHOICE and len(self.choices) < 2:
            raise ValueError("a 'choice' item needs at least two choices")
        if self.answer is not AnswerType.CHOICE and self.choices:
            raise ValueError("'choices' are only for answer type 'choice'")
        values = [c.value for c in self.choices]
        if len(values) != len(set(values)):
            raise ValueError("choice values must be unique")
        return self


class Section(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    items: list[Item] = Field(min_length=1)


class Checklist(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: Text
    description: Text | None = None
    scope: str = Field(default="visit", pattern=r"^(visit|dossier)$")  # dossier: once per sampled dossier
    order: int = 100
    # The register of legal documents the items cite (format 2), keyed by a short id.
    documents: dict[str, LegalDocument] = Field(default_factory=dict)
    sections: list[Section] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v

    @model_validator(mode="after")
    def _unique_ids(self) -> Checklist:
        seen: set[str] = set()
        for s_idx, section in enumerate(self.sections):
            for i_idx, item in enumerate(section.items):
                if item.id in seen:
                    raise DuplicateItem(item.id, s_idx, i_idx)
                seen.add(item.id)
        sec_ids = [s.id for s in self.sections]
        if len(sec_ids) != len(set(sec_ids)):
            raise ValueError("section ids must be unique")
        for s_idx, section in enumerate(self.sections):
            for i_idx, item in enumerate(section.items):
                for b_idx, basis in enumerate(item.legal_basis):
                    if not basis.doc:
                        continue
                    doc = self.documents.get(basis.doc)
                    if doc is None:
                        raise UnknownDocument(basis.doc, ("sections", s_idx, "items", i_idx, "legal_basis", b_idx,
                                                          "doc"))
                    basis._resolved = doc
        return self

    def unverified(self) -> list[tuple[str, str]]:
        """(item id or "documents.<id>", citation) for every reference or document not yet verified."""
        out = [(f"documents.{key}", doc.full_name()) for key, doc in self.documents.items() if not doc.verified]
        for item in self.items:
            for basis in item.legal_basis:
                if not basis.verified:
                    out.append((item.id, basis.cite()))
        return out

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"


class UnknownDocument(ValueError):
    def __init__(self, doc: str, loc: tuple[Any, ...]):
        super().__init__(f"'{doc}' không có trong 'documents' / is not in 'documents'")
        self.loc = loc


class DuplicateItem(ValueError):
    def __init__(self, item_id: str, section_index: int, item_index: int):
        super().__init__(f"duplicate item id '{item_id}'")
        self.item_id = item_id
        self.loc = ("sections", section_index, "items", item_index, "id")


