"""Every message the code marks is in the gettext catalogs with its English, the catalogs spell terms as
``docs/glossary.md`` does, and a translator's edit of a ``.po`` file is what the app shows after ``make catalogs``.

Messages are found in the code the way the catalog form writes them (issue #16 point 4): ``t("…")``,
``label("…")``, ``N_("…")``, ``N_p("context", "…")``, ``both("…", **params)``, ``t.plural("…", "…", n)`` and the one-argument form of
``UserError("…", **params)`` and its subclasses. A key of the older ``ui/i18n*.py`` tables and the older
two-language ``UserError(vi, en)`` are not catalog messages (``test_ui_i18n.py`` checks the tables).
"""

from __future__ import annotations

import ast
import re
import shlex
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from inspection_app import locale
from inspection_app.domain.errors import Phrase, StorageError, UserError, ValidationFailed, storage_error
from inspection_app.locale.marks import Found, extract, package_sources
from inspection_app.ui import i18n

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "inspection_app"
PO = {lang: PKG / "locale" / lang / "LC_MESSAGES" / "messages.po" for lang in locale.LANGS}
OLD_TONES = re.compile(r"(?<![qQ])(oà|oá|oả|oã|oạ|oè|oé|oẻ|oẽ|oẹ|uỳ|uý|uỷ|uỹ|uỵ)(?![^\W\d_])", re.I)



# --------------------------------------------------------------------------------------------- readers

def catalog(lang: str, path: Path | None = None) -> Catalog:
    with (path or PO[lang]).open("rb") as f:
        return read_po(f, locale=lang)


def fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return set()


def legacy_keys() -> set[str]:
    """Keys of the ``ui/i18n*.py`` tables, while the tree still has them (before the catalog conversion)."""
    tables = getattr(i18n, "LABELS", {})
    return {k for k in tables if re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", k)} if isinstance(tables, dict) else set()


def missing_translations(found: list[Found], en: Catalog) -> tuple[list[str], list[str]]:
    """(messages without English, translations whose {placeholders} differ from the Vietnamese)."""
    missing, bad = [], []
    for filename, lineno, message, context in found:
        msgid = message if isinstance(message, str) else message[0]
        entry = en.get(msgid, context=context)
        strings = [] if entry is None else [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if not strings or not all(strings):
            missing.append(f"{filename}:{lineno}: {msgid!r}")
            continue
        for text in strings:
            if fields(text) - {"n"} != fields(msgid) - {"n"}:
                bad.append(f"{filename}:{lineno}: {msgid!r} → {text!r}")
    return missing, bad


def glossary_terms(path: Path = ROOT / "docs" / "glossary.md") -> list[dict[str, str]]:
    """Rows of the glossary's terms table (the one with the columns "Thuật ngữ", "English", "Không dùng")."""
    rows, header = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip().startswith("|"):
            header = None
            continue
        cells = [c.strip().strip("*` ") for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not set("".join(cells)) <= set("-: ") and {"Thuật ngữ", "English", "Không dùng"} <= set(header):
            rows.append(dict(zip(header, cells)))
    return rows


def _english(term_en: str) -> str:
    """The glossary's English without its notes: "late (a person)" → "late"."""
    return re.sub(r"\s*\([^)]*\)", "", term_en).strip().lower()


def agrees(translation: str, term_en: str) -> bool:
    """A translation says the glossary's English: the same words, a longer or shorter form of them ("Findings",
    "Decision" for "decision setting up the team"), or their initials ("N/A" for "not applicable")."""
    got, want = translation.strip().lower(), _english(term_en)
    initials = "".join(w[0] for w in re.findall(r"\w+", want))
    return want in got or got in want or re.sub(r"\W", "", got) == initials


def glossary_problems(cat: Catalog, terms: list[dict[str, str]]) -> list[str]:
    """Vietnamese texts that write a term otherwise than the glossary (letter case after the first letter, a
    word of "Không dùng" where the rule holds everywhere), and a term translated otherwise than its English."""
    wrong = []
    for m in cat:
        msgid = m.id if isinstance(m.id, str) else (m.id[0] if m.id else "")
        if not msgid:
            continue
        text = locale.source_text(msgid)
        for row in terms:
            vi = row["Thuật ngữ"].split(" (")[0]
            for hit in re.finditer(r"(?<!\w)" + re.escape(vi) + r"(?!\w)", text, re.I):
                word = hit.group(0)
                if word[1:] != vi[1:] and not word.isupper():
                    wrong.append(f"{text!r}: {word!r} should be {vi!r}")
            if row.get("Phạm vi", "tất cả") == "tất cả":
                for ban in filter(None, (w.strip() for w in row["Không dùng"].split(";"))):
                    variants = {ban, ban[:1].upper() + ban[1:], ban[:1].lower() + ban[1:]}
                    if any(re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text) for v in variants):
                        wrong.append(f"{text!r}: uses {ban!r}; the glossary's term is {vi!r}")
            if (cat.locale and str(cat.locale) == "en" and text == vi and isinstance(m.string, str) and m.string
                    and row["English"] and not agrees(m.string, row["English"])):
                wrong.append(f"{vi!r} is translated {m.string!r}; the glossary says {row['English']!r}")
    return wrong


# --------------------------------------------------------------------------------------------- the tree

def test_the_extraction_finds_the_code_s_messages():
    found = extract(package_sources(), legacy_keys())
    ids = {m if isinstance(m, str) else m[0] for _, _, m, _ in found}
    assert "Không thể lưu {what}: {reason}. Dữ liệu đã ghi trước đó vẫn còn nguyên." in ids  # domain/errors.py
    if not legacy_keys():  # the converted tree: every label of the screens is a catalog message
        assert len(found) > 500


def test_every_marked_message_has_an_english_translation_with_the_same_placeholders():
    missing, bad = missing_translations(extract(package_sources(), legacy_keys()), catalog("en"))
    assert missing == [], "messages without English (add them to inspection_app/locale/en/LC_MESSAGES/messages.po)"
    assert bad == [], "translations whose {placeholders} differ from the Vietnamese"


@pytest.mark.parametrize("lang", locale.LANGS)
def test_the_catalogs_spell_terms_as_the_glossary_does(lang):
    terms = glossary_terms()
    assert len(terms) > 20, "docs/glossary.md has no table with the columns 'Thuật ngữ | English | Không dùng'"
    assert glossary_problems(catalog(lang), terms) == []


def test_no_catalog_text_uses_the_old_tone_mark_placement():
    old = [m.id for m in catalog("en") if isinstance(m.id, str) and OLD_TONES.search(m.id)]
    assert old == [], "write hòa, khóa, thủy (modern placement), as docs/glossary.md says"


# --------------------------------------------------------------------------------------------- the checks bite

def test_a_message_missing_from_the_catalog_is_reported(tmp_path):
    code = ('from inspection_app.domain.errors import UserError\n'
            'def f(t, n):\n'
            '    t("Lưu")\n'
            '    t.plural("{n} ảnh", "{n} ảnh", n)\n'
            '    raise UserError("Không có trong danh mục {x}.", x=1)\n'
            'def g():\n'
            '    raise UserError("Hai ngôn ngữ", "Two languages")\n'  # the older form is not a catalog message
            '    t("home.title")\n')
    found = extract({"x.py": ast.parse(code)}, {"home.title"})
    assert [m for _, _, m, _ in found] == ["Lưu", ("{n} ảnh", "{n} ảnh"), "Không có trong danh mục {x}."]
    en = Catalog(locale="en")
    en.add("Lưu", "Save")
    en.add(("{n} ảnh", "{n} ảnh"), ("{n} photo", ""))
    en.add("Không có trong danh mục {x}.", "Not in the list {y}.")
    missing, bad = missing_translations(found, en)
    assert missing == ["x.py:4: '{n} ảnh'"]  # the English plural is empty
    assert bad == ["x.py:5: 'Không có trong danh mục {x}.' → 'Not in the list {y}.'"]


def test_a_term_that_disagrees_with_the_glossary_is_reported():
    terms = [{"Thuật ngữ": "Phó Trưởng đoàn", "English": "deputy team leader", "Không dùng": "Phó trưởng đoàn",
              "Phạm vi": "tất cả"},
             {"Thuật ngữ": "Đi muộn", "English": "late (a person)", "Không dùng": "trễ giờ", "Phạm vi": "tất cả"}]
    en = Catalog(locale="en")
    en.add("Phó trưởng đoàn {name}", "Deputy team leader {name}")
    en.add("Nhân viên trễ giờ", "Staff late")
    en.add("Đi muộn", "Tardy")
    en.add("PHÓ TRƯỞNG ĐOÀN", "DEPUTY TEAM LEADER")  # a heading in capitals is the same word
    problems = glossary_problems(en, terms)
    assert len(problems) == 4, problems  # the case and the banned spelling, the banned word, the English
    assert any("'Phó trưởng đoàn' should be 'Phó Trưởng đoàn'" in p for p in problems)
    assert any("uses 'trễ giờ'" in p for p in problems)
    assert any("'Đi muộn' is translated 'Tardy'" in p for p in problems)
    en2 = Catalog(locale="en")
    en2.add("Đi muộn", "Late")
    en2.add("Phó Trưởng đoàn", "Deputy team leaders")
    assert glossary_problems(en2, terms) == []
    assert agrees("N/A", "not applicable") and not agrees("Deputy leader", "deputy team leader")


# --------------------------------------------------------------------------------------------- run time

def test_the_compiled_catalog_is_the_one_read_at_run_time():
    locale.reload()
    full = "Bộ nhớ thiết bị đã đầy, không thể lưu {what}. Dữ liệu đã ghi trước đó vẫn còn nguyên."
    assert locale.gettext(full, "en").startswith("The device storage is full")
    assert locale.gettext(full, "vi") == full
    assert locale.gettext("Không có trong danh mục", "en") == "Không có trong danh mục"  # untranslated: the source
    assert i18n.I18n("en").plural("{n} thứ lạ", "{n} thứ lạ", 3) == "3 thứ lạ"  # not in the catalog: the source


def _makefile_catalogs_command(locale_dir: Path) -> list[str]:
    """The command of the Makefile's ``catalogs`` target, pointed at ``locale_dir``."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^catalogs:.*\n\t(.+)$", text, re.M)
    assert recipe, "the Makefile has no catalogs target"
    line = recipe.group(1).replace("$(BIN)/pybabel", str(Path(sys.executable).with_name("pybabel")))
    return [str(locale_dir) if a == "$(LOCALE)" else a for a in shlex.split(line)]


def test_make_run_and_make_test_compile_the_catalogs_first():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test"):
        deps = [d for targets, rest in re.findall(r"^([\w .-]+):(?!=)(.*)$", text, re.M) if target in targets.split()
                for d in rest.split()]
        assert "catalogs" in deps, target


def test_a_translator_s_edit_of_a_po_file_shows_after_make_catalogs(tmp_path, monkeypatch):
    msgid = "Không thể lưu {what}: {reason}. Dữ liệu đã ghi trước đó vẫn còn nguyên."
    for lang in locale.LANGS:
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / lang / "LC_MESSAGES" / "messages.po").write_bytes(PO[lang].read_bytes())
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    old = catalog("en").get(msgid).string
    po.write_text(po.read_text(encoding="utf-8").replace(f'msgstr "{old}"', 'msgstr "Not kept: {what} ({reason})."'),
                  encoding="utf-8")
    subprocess.run(_makefile_catalogs_command(tmp_path), check=True, capture_output=True)
    assert (tmp_path / "en" / "LC_MESSAGES" / "messages.mo").is_file()
    monkeypatch.setattr(locale, "locale_dir", lambda: tmp_path)
    locale.reload()
    try:
        err = storage_error(OSError(5, "I/O error"), locale.N_("tệp"))
        assert err.en == "Not kept: the file (I/O error)."
        assert "Không thể lưu tệp: I/O error." in err.vi
    finally:
        monkeypatch.undo()
        locale.reload()


def test_a_po_newer_than_its_mo_is_compiled_again_on_first_use(tmp_path, monkeypatch):
    """A source tree where a translator edited a .po and started the app without `make`."""
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en" / "LC_MESSAGES" / "messages.po").write_text(
        PO["en"].read_text(encoding="utf-8").replace('msgstr "the file"', 'msgstr "the document"'), encoding="utf-8")
    monkeypatch.setattr(locale, "locale_dir", lambda: tmp_path)
    locale.reload()
    try:
        assert locale.gettext("tệp", "en") == "the document"
    finally:
        monkeypatch.undo()
        locale.reload()


# --------------------------------------------------------------------------------------------- errors

def test_errors_carry_a_code_and_parameters_and_are_translated_where_shown():
    err = StorageError("Không thể lưu {what}: {reason}. Dữ liệu đã ghi trước đó vẫn còn nguyên.",
                       what=locale.Message("tệp"), reason="disk gone")
    assert err.code.startswith("Không thể lưu {what}") and err.params["reason"] == "disk gone"
    assert err.vi == "Không thể lưu tệp: disk gone. Dữ liệu đã ghi trước đó vẫn còn nguyên."
    assert err.en == "Could not save the file: disk gone. Everything recorded before is intact."
    assert err.message("en") == err.en and str(err) == f"{err.vi} / {err.en}"
    two = UserError("Một {x}", "One {x}", x=1)  # the two-language form, until the conversion
    assert (two.vi, two.en, two.details) == ("Một {x}", "One {x}", {"x": 1})
    full = storage_error(OSError(28, "No space left on device"), "ảnh", "the photo")
    assert "đầy" in full.vi and "ảnh" in full.vi and "full" in full.en and "the photo" in full.en
    assert full.details["errno"] == 28
    phrase = UserError("Không thể lưu {what}: {reason}. Dữ liệu đã ghi trước đó vẫn còn nguyên.",
                       what=Phrase("bảng", "the table"), reason="x")
    assert phrase.en.startswith("Could not save the table: x.") and phrase.vi.startswith("Không thể lưu bảng: x.")
    assert set(phrase.params) == {"what", "reason"} and phrase.details == {}  # what the message shows is no detail
    unnamed = ValidationFailed("Tệp ảnh {name} trống.", name=Phrase("này", ""))
    assert (unnamed.vi, unnamed.en) == ("Tệp ảnh này trống.", "Tệp ảnh trống.")  # an empty value: one space, not two
    coded = ValidationFailed("Ảnh {name} quá lớn.", name="a.png", reason="too_many_pixels", w=1)
    assert coded.details == {"reason": "too_many_pixels", "w": 1} and coded.vi == "Ảnh a.png quá lớn."
    given = storage_error(OSError(30, "Read-only file system"), Phrase("bảng tính", "the spreadsheet"))
    assert given.en.startswith("Could not save the spreadsheet: Read-only") and "bảng tính" in given.vi
