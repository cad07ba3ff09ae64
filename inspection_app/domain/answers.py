"""The rules of an answer to a checklist item: normalising what was typed, whether it fails the item,
how it is shown, and what evidence a failed answer still needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from .checklist import VERDICT_LABELS, AnswerType, Item, Verdict
from .text import nfc

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
