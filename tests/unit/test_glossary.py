"""Labels and checklist texts hold to the glossary (docs/glossary.md): one word for each thing, one
tone-mark style (issue #11, point 7)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from inspection_app.domain.text import nfc
from inspection_app.services import checklists as checklist_service
from inspection_app.ui.i18n import LABELS

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
PACKAGE = ROOT / "inspection_app"
# Where the words of documents (minutes, reports) are written.
DOCUMENT_SOURCES = ["domain/minutes.py", "pdf"]

OLD_TONE_STYLE = re.compile(r"(?<![qQ])[uU][ỳýỷỹỵ](?!\w)|[oO][àáảãạèéẻẽẹ](?!\w)")


def glossary_rows() -> list[dict[str, str]]:
    rows = []
    header: list[str] | None = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: ") or "Phạm vi" not in header:  # the terms table only
            continue
        rows.append(dict(zip(header, cells)))
    return rows


def banned(scope: str) -> list[tuple[str, str]]:
    """(word not to use, the glossary's term) for rules of ``scope`` ("tất cả" or "văn bản")."""
    out = []
    for row in glossary_rows():
        if row["Phạm vi"] not in (scope, "tất cả"):
            continue
        for word in filter(None, (w.strip() for w in row["Không dùng"].split(";"))):
            out.append((word, row["Thuật ngữ"]))
    return out


def uses(text: str, word: str) -> bool:
    """Whether ``text`` has ``word`` as written (case matters: "Phó trưởng đoàn" is not "Phó Trưởng đoàn"),
    also at the start of a sentence."""
    variants = {word, word[:1].upper() + word[1:], word[:1].lower() + word[1:]}
    return any(re.search(rf"(?<!\w){re.escape(v)}(?!\w)", nfc(text)) for v in variants)


def label_texts() -> dict[str, str]:
    return {f"label {key}": vi for key, (vi, _en) in LABELS.items()}


def checklist_texts() -> dict[str, str]:
    out = {}
    for path in sorted(Path(checklist_service.SHIPPED_DIR).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))

        def walk(node, where):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "vi" and isinstance(v, str):
                        out[f"{path.name}:{where}"] = v  # noqa: B023
                    else:
                        walk(v, f"{where}.{k}")
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, f"{where}[{i}]")
        walk(data, "")
    return out


def document_texts() -> dict[str, str]:
    out = {}
    files = []
    for rel in DOCUMENT_SOURCES:
        p = PACKAGE / rel
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and not node.value.isascii():
                out[f"{path.relative_to(ROOT)}:{node.lineno}"] = node.value
    return out


def test_the_glossary_table_reads():
    rows = glossary_rows()
    assert len(rows) > 40
    assert {"Thuật ngữ", "English", "Không dùng", "Phạm vi"} <= set(rows[0])
    assert ("Trễ hạn", "Quá hạn") in banned("tất cả")


def test_labels_and_checklists_use_the_glossarys_words():
    texts = {**label_texts(), **checklist_texts()}
    wrong = [f"{where}: '{word}' → '{term}' ({text})" for where, text in texts.items()
             for word, term in banned("tất cả") if uses(text, word)]
    assert wrong == []


def test_documents_use_no_jargon():
    texts = {**document_texts(), **checklist_texts()}
    wrong = [f"{where}: '{word}' → '{term}'" for where, text in texts.items()
             for word, term in banned("văn bản") if uses(text, word)]
    assert wrong == []


def test_one_tone_mark_style():
    texts = {**label_texts(), **checklist_texts(), **document_texts()}
    wrong = [f"{where}: {m.group(0)!r} in {text!r}" for where, text in texts.items()
             for m in [OLD_TONE_STYLE.search(nfc(text))] if m]
    assert wrong == []


def test_the_old_style_is_caught():
    assert OLD_TONE_STYLE.search("Đã khoá") and OLD_TONE_STYLE.search("Uỷ ban") and OLD_TONE_STYLE.search("thuỷ")
    assert not OLD_TONE_STYLE.search("Đã khóa, hoàng, quý, Ủy ban, thủy")
    assert uses("Phó trưởng đoàn", "Phó trưởng đoàn") and not uses("Phó Trưởng đoàn", "Phó trưởng đoàn")
    assert uses("Chuyến kiểm tra đã khóa", "chuyến kiểm tra") and not uses("cuộc kiểm tra", "chuyến")
