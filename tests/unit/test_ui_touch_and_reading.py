"""Touch and reading (issue 13): plurals right in English, long choices wrap in 48 px rows, the
notice's close button named in the current language."""

from __future__ import annotations

import asyncio

import flet as ft
import pytest

from inspection_app.ui.i18n import label, plural_en
from inspection_app.ui.widgets.choice import ChoiceList


@pytest.mark.parametrize("text, expected", [
    ("1 unreadable row(s)", "1 unreadable row"),
    ("2 unreadable row(s)", "2 unreadable rows"),
    ("Imported: 1 new visit(s), 3 conflict(s)", "Imported: 1 new visit, 3 conflicts"),
    ("11 photo(s)", "11 photos"),
    ("Dossier(s)", "Dossiers"),
])
def test_english_plurals_follow_the_number(text, expected):
    assert plural_en(text) == expected


def test_labels_use_the_plural_rule_only_in_english():
    assert label("{name}: {n} hồ sơ, {bad} dòng không đọc được; nhập lúc {time}", "en", name="Sổ", n=1, bad=1, time="08:00") == \
        "Sổ: 1 dossier, 1 unreadable row; imported 08:00"
    assert label("Còn thiếu {n} mục:", "en", n=1) == "1 thing missing:"
    assert label("Còn thiếu {n} mục:", "vi", n=1) == "Còn thiếu 1 mục:"


def test_a_long_choice_wraps_and_a_second_tap_clears_it():
    changes = []
    choice = ChoiceList([("fingerprint", "Máy chấm công vân tay / thẻ"), ("paper", "Sổ / bảng chấm công giấy")],
                        on_change=lambda e: changes.append(e))
    texts = [row.content.content.controls[1] for row in choice.control.controls]
    assert [t.value for t in texts] == ["Máy chấm công vân tay / thẻ", "Sổ / bảng chấm công giấy"]
    assert all(t.max_lines is None and t.overflow != ft.TextOverflow.ELLIPSIS for t in texts)  # wraps, never cut
    assert all(row.content.padding.top + row.content.padding.bottom + 24 >= 48 for row in choice.control.controls)
    asyncio.run(choice._tap("fingerprint"))
    assert choice.selected == ["fingerprint"] and choice.control.controls[0].selected
    asyncio.run(choice._tap("fingerprint"))
    assert choice.selected == [] and len(changes) == 2
    choice.selected = ["paper"]
    assert choice.control.controls[1].selected and not choice.control.controls[0].selected


def test_the_error_notice_has_a_close_button_in_the_current_language(tmp_path):
    from inspection_app.services.context import AppContext
    from inspection_app.ui.shell import Shell
    from inspection_app.ui.views import registry

    class Page:
        def __init__(self):
            self.dialogs = []

        def show_dialog(self, d):
            self.dialogs.append(d)

        def update(self):
            pass

    ctx = AppContext.open(tmp_path / "data")
    try:
        shell = Shell(Page(), ctx, registry.screen_for)
        shell.toast("Sai", error=True)
        bar = shell.page.dialogs[-1]
        assert isinstance(bar, ft.SnackBar) and not bar.show_close_icon and bar.action.label == "Đóng"
    finally:
        ctx.close()
