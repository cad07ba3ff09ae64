"""Checklists as data: the schema, parsing with line numbers, and answer rules.

A checklist is a YAML document (format in ``checklists/README.md``). Parsing is pure: it takes the
text and a name for messages, and returns either a :class:`Checklist` or a list of
:class:`Problem` naming the file, the line and the field. A broken checklist never stops the others
from loading; that is the caller's loop (``services.checklists``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from typing import Any, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .text import nfc

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
    def _nfc(cls, v):
        return nfc(v.strip()) if isinstance(v, str) else v

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class LegalBasis(_Strict):
    document: str = Field(min_length=1)  # "Luật 44/2019/QH14"
    article: str = ""  # "Điều 5 khoản 5"

    @field_validator("document", "article", mode="before")
    @classmethod
    def _nfc(cls, v):
        return nfc(v.strip()) if isinstance(v, str) else v

    def cite(self) -> str:
        return f"{self.article}, {self.document}" if self.article else self.document


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
    hint: Optional[Text] = None
    # For count items: a count above this is a failure (e.g. number of smokers seen: max 0).
    max_ok: Optional[int] = None
    # For time items: a time later than this is a failure (e.g. desk staffed by 07:30).
    latest_ok: Optional[str] = Field(default=None, pattern=r"^\d{2}:\d{2}$")

    @model_validator(mode="after")
    def _choices(self) -> "Item":
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
    description: Optional[Text] = None
    scope: str = Field(default="visit", pattern=r"^(visit|dossier)$")  # dossier: once per sampled dossier
    order: int = 100
    sections: list[Section] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v):
        return str(v) if isinstance(v, (int, float)) else v

    @model_validator(mode="after")
    def _unique_ids(self) -> "Checklist":
        seen: set[str] = set()
        for s_idx, section in enumerate(self.sections):
            for i_idx, item in enumerate(section.items):
                if item.id in seen:
                    raise DuplicateItem(item.id, s_idx, i_idx)
                seen.add(item.id)
        sec_ids = [s.id for s in self.sections]
        if len(sec_ids) != len(set(sec_ids)):
            raise ValueError("section ids must be unique")
        return self

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


class DuplicateItem(ValueError):
    def __init__(self, item_id: str, section_index: int, item_index: int):
        super().__init__(f"duplicate item id '{item_id}'")
        self.item_id = item_id
        self.loc = ("sections", section_index, "items", item_index, "id")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a checklist file, located for a person to fix."""

    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


# --- parsing with line numbers ---------------------------------------------------------------------


def _node_at(node: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """Follow a pydantic error location through the YAML node tree; return the deepest node found."""
    current = node
    for key in loc:
        if isinstance(current, yaml.MappingNode):
            nxt = None
            for k_node, v_node in current.value:
                if k_node.value == key:
                    nxt = v_node
                    break
            if nxt is None:
                return current
            current = nxt
        elif isinstance(current, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(current.value):
                return current
            current = current.value[key]
        else:
            return current
    return current


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def parse_checklist(text: str, source: str) -> tuple[Checklist | None, list[Problem]]:
    """Parse and validate one checklist document."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(source, line, "", f"YAML không hợp lệ / invalid YAML: {reason}")]
    if not isinstance(data, dict):
        return None, [Problem(source, 1, "", "tệp phải là một bảng khóa–giá trị / the file must be a mapping")]
    try:
        return Checklist.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            ctx_err = err.get("ctx", {}).get("error")
            if isinstance(ctx_err, DuplicateItem):
                loc = ctx_err.loc
            node = _node_at(root, loc)
            line = node.start_mark.line + 1 if node is not None else None
            problems.append(Problem(source, line, _field_name(loc), _message(err)))
        return None, problems


def _message(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "thiếu trường bắt buộc / required field missing"
    if kind == "extra_forbidden":
        return "trường không được hỗ trợ / unknown field"
    if kind == "enum":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"giá trị không hợp lệ, cho phép / invalid value, allowed: {allowed}"
    msg = err.get("msg", "")
    return msg.removeprefix("Value error, ")


# --- answer rules ----------------------------------------------------------------------------------

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def normalise_value(item: Item, value: Any) -> str | None:
    """Check an answer value against the item's type and return its stored form.

    Raises ``ValueError`` with a bilingual message for a value that does not fit.
    """
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    raw = str(value).strip()
    kind = item.answer
    if kind is AnswerType.PASS_FAIL:
        if raw not in {v.value for v in Verdict}:
            raise ValueError("Chỉ chọn Đạt, Không đạt hoặc Không áp dụng / choose pass, fail or n/a")
        return raw
    if kind is AnswerType.COUNT:
        if not re.fullmatch(r"\d{1,7}", raw):
            raise ValueError("Nhập một số nguyên không âm / enter a whole number, 0 or more")
        return str(int(raw))
    if kind is AnswerType.TIME:
        m = _TIME.match(raw)
        if not m:
            raise ValueError("Nhập giờ dạng HH:MM, ví dụ 07:35 / enter a time as HH:MM, e.g. 07:35")
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    if kind is AnswerType.CHOICE:
        if raw not in {c.value for c in item.choices}:
            raise ValueError("Lựa chọn không có trong danh sách / not one of the choices")
        return raw
    return nfc(raw)


def is_failed(item: Item, value: str | None) -> bool:
    """Whether a stored answer counts as a failure (for the minutes and the close check)."""
    if value is None:
        return False
    if item.answer is AnswerType.PASS_FAIL:
        return value == Verdict.FAIL
    if item.answer is AnswerType.COUNT and item.max_ok is not None:
        return int(value) > item.max_ok
    if item.answer is AnswerType.TIME and item.latest_ok is not None:
        return time.fromisoformat(value) > time.fromisoformat(item.latest_ok)
    return False


def display_value(item: Item, value: str | None, lang: str = "vi") -> str:
    if value is None:
        return ""
    if item.answer is AnswerType.PASS_FAIL:
        return VERDICT_LABELS[Verdict(value)][lang]
    if item.answer is AnswerType.CHOICE:
        for c in item.choices:
            if c.value == value:
                return c.label.get(lang)
    return value


@dataclass(frozen=True)
class Requirement:
    """Something a failed answer still lacks."""

    item_id: str
    needs_note: bool
    needs_photo: bool


def missing_evidence(item: Item, value: str | None, note: str, photo_count: int) -> Requirement | None:
    if not is_failed(item, value):
        return None
    needs_note = item.on_fail.note and not note.strip()
    needs_photo = item.on_fail.photo and photo_count == 0
    if needs_note or needs_photo:
        return Requirement(item.id, needs_note, needs_photo)
    return None
