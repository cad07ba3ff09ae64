"""Every label in Vietnamese and English, every key the screens use defined, and the date and time
forms the screens read and show."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from inspection_app.domain.checklist import Verdict
from inspection_app.domain.roll_call import STATUSES
from inspection_app.locale import N_
from inspection_app.store.models import Severity, SignerRole, TeamRole, VisitKind, VisitStatus
from inspection_app.ui import fmt
from inspection_app.ui.i18n import LABELS, I18n, label

UI = Path(__file__).resolve().parents[2] / "inspection_app" / "ui"
# The field-workflow screens and the shell; other screens keep their labels in their own tables.
FIELD_FILES = ["app.py", "shell.py", "views/base.py", "views/home.py", "views/settings.py", "views/visit_setup.py",
               "views/checklist.py", "views/roll_call.py", "views/findings.py", "views/photos.py",
               "views/signatures.py", "views/close.py", "widgets/photos.py", "widgets/pick_list.py"]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_label_has_both_languages_with_the_same_placeholders():
    for key, (vi, en) in LABELS.items():
        assert vi.strip() and en.strip(), key
        assert fields(vi) == fields(en), key


def tables() -> bool:
    """Whether the labels are still the ``(vi, en)`` tables (before the catalog conversion of issue #16)."""
    return isinstance(LABELS, dict)


def test_every_key_the_screens_use_is_defined():
    used: set[str] = set()
    for name in FIELD_FILES:
        source = (UI / name).read_text(encoding="utf-8")
        used |= set(re.findall(r'\bt\(\s*"([a-z_]+\.[a-z_.]+)"', source))
        used |= set(re.findall(r'(?:title_key|label_key)\s*=\s*"([a-z_]+\.[a-z_.]+)"', source))
        used |= set(re.findall(r'Dest\([^)]*"([a-z_]+\.[a-z_]+)"\)', source))
    if not tables():  # catalogs: no key is left in the screens (test_catalogs.py checks their messages)
        assert sorted(used) == []
        return
    assert used, "the pattern found no keys"
    assert sorted(k for k in used if k not in LABELS) == []


def enum_shown(prefix: str, value: str) -> str:
    """The label id of a coded value: the table key, or (catalogs) the message id ``ui/enum_labels.py`` gives."""
    if tables():
        return f"{prefix}.{value}"
    from inspection_app.ui.enum_labels import enum_label  # written by the catalog conversion

    return enum_label(prefix, value)


@pytest.mark.parametrize("prefix, values", [
    ("status", [s.value for s in VisitStatus]),
    ("kind", [k.value for k in VisitKind]),
    ("role", [r.value for r in TeamRole]),
    ("signer", [r.value for r in SignerRole]),
    ("att", list(STATUSES)),
    ("sev", [s.value for s in Severity]),
    ("cl", [v.value for v in Verdict]),
])
def test_labels_cover_every_value_of_the_enumerations_shown(prefix, values):
    assert [v for v in values if enum_shown(prefix, v) not in LABELS] == []


def test_translator():
    t = I18n("en")
    assert t.plural("{n} lượt kiểm tra", "{n} lượt kiểm tra", 11, n=11) == "11 visits"
    assert I18n("vi")("muộn {n} phút", n=22) == "muộn 22 phút"
    assert I18n("xx").lang == "vi"  # an unknown language falls back to Vietnamese
    assert label("no.such.key") == "no.such.key"  # visible, so a missing label is easy to spot
    assert t.pick("Đạt", "Pass") == "Pass" and t.pick("Đạt", "") == "Đạt"
    assert t.text({"vi": "Nghỉ phép", "en": "Annual leave"}) == "Annual leave"


def test_counted_labels_follow_the_number_in_english_only():
    t, vi = I18n("en"), I18n("vi")
    assert (t.plural("{n} ảnh", "{n} ảnh", 1, n=1), t.plural("{n} ảnh", "{n} ảnh", 3, n=3)) == ("1 photo", "3 photos")
    assert (vi(N_("{n} ảnh"), n=1), vi(N_("{n} ảnh"), n=3)) == ("1 ảnh", "3 ảnh")
    assert t.plural("{name}: {n} hồ sơ, {bad} dòng không đọc được; nhập lúc {time}", "{name}: {n} hồ sơ, {bad} dòng không đọc được; nhập lúc {time}", 1, name="Sổ", n=1, bad=2, time="08:00") == \
        "Sổ: 1 dossier, 2 unreadable rows; imported 08:00"  # a second count follows its own number


def test_dates_and_times_are_read_and_shown_the_vietnamese_way():
    assert fmt.parse_date("10/07/2026") == date(2026, 7, 10)
    assert fmt.parse_date("2026-07-10") == date(2026, 7, 10)
    assert fmt.parse_date("31/02/2026") is None
    assert fmt.parse_date("") is None
    dt = fmt.parse_datetime("14/07/2026  07:45")
    assert (dt.hour, dt.minute, dt.utcoffset().total_seconds()) == (7, 45, 7 * 3600)
    assert fmt.parse_datetime("14/07/2026") is None
    assert fmt.parse_hhmm("7:05") == "07:05"
    assert fmt.parse_hhmm("07h52") == "07:52"
    assert fmt.parse_hhmm("7:5") is None and fmt.parse_hhmm("24:00") is None and fmt.parse_hhmm("abc") is None
    utc = datetime(2026, 7, 14, 0, 45, tzinfo=UTC)  # stored in UTC, shown in Asia/Ho_Chi_Minh
    assert fmt.show_datetime(utc) == "14/07/2026 07:45"
    assert fmt.show_time(utc) == "07:45"
    assert fmt.show_date(date(2026, 7, 10)) == "10/07/2026"
    assert fmt.show_datetime(None) == ""
