"""The visit screens' parts of issue #13 without a browser (the harness of ``test_ui_screens``):
the roster's order on the roll call, the dossier's timeliness confirmed or overridden, drafts of the
conclusions and of a request to remedy, and a photo linked to a second item or finding."""

from __future__ import annotations

import flet as ft
from test_ui_screens import App, _under, ctx, make_visit, run  # noqa: F401  (ctx is a fixture)

from inspection_app.services import roll_call, units


# --- roll call: the roster's order -----------------------------------------------------------------


def test_the_roster_is_shown_in_the_files_order_or_by_vietnamese_collation(ctx):
    visit = make_visit(ctx, staff=())
    csv = ("STT,Họ và tên,Chức vụ,Phòng ban\n1,Vũ Thị Yến,Chuyên viên,Văn phòng\n"
           "2,Đỗ Văn Ân,Chuyên viên,Địa chính\n3,Lê Thị Bích,Chuyên viên,Văn phòng\n")
    units.import_roster(ctx, visit.unit_id, csv.encode(), "ds.csv")

    async def scenario():
        app = await App(ctx).start(f"/visits/{visit.id}/roll-call")
        names = lambda: [r.staff.full_name for r in app.shell.screen.rows]  # noqa: E731
        assert names() == ["Vũ Thị Yến", "Đỗ Văn Ân", "Lê Thị Bích"]  # the file's order
        seg = app.within("rc-order", ft.SegmentedButton)
        await app.select(seg, ["name"])
        assert names() == ["Đỗ Văn Ân", "Lê Thị Bích", "Vũ Thị Yến"]  # by given name: Ân, Bích, Yến
        await app.select(seg, ["department"])
        assert names() == ["Đỗ Văn Ân", "Lê Thị Bích", "Vũ Thị Yến"]  # Địa chính before Văn phòng
        row = app.shell.screen.rows[2]
        await app.select(row.seg, ["present"])  # the order stays while people are marked
        assert names()[2] == "Vũ Thị Yến"
        assert roll_call.roll_call_sheet(ctx, visit.id).totals.present == 1
        await app.show(f"/visits/{visit.id}/findings")
        await app.show(f"/visits/{visit.id}/roll-call")  # the choice is kept while the tablet moves on
        assert names() == ["Đỗ Văn Ân", "Lê Thị Bích", "Vũ Thị Yến"]
        await app.select(app.within("rc-order", ft.SegmentedButton), ["file"])
        assert names() == ["Vũ Thị Yến", "Đỗ Văn Ân", "Lê Thị Bích"]
    run(scenario())
