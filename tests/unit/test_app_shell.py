"""The session shell of the installed app (``ui/first_start.AppShell``), without a browser.

A real Flet session on a fake connection (the harness of ``test_ui_screens``): the system back
(Android's gesture) goes back one screen in the built app, web mode keeps one view (the browser has
its history), and the demo's banner is on every screen while the demo is open.
"""

from __future__ import annotations

import asyncio

import flet as ft
import pytest
from test_ui_screens import App, make_visit

from inspection_app.services import demo_space
from inspection_app.services.context import AppContext
from inspection_app.ui.first_start import DEMO_BANNER_ID, AppShell


@pytest.fixture
def ctx(tmp_path):
    c = AppContext.open(tmp_path / "data", actor="Kiểm tra đơn vị")
    yield c
    c.close()


def app_shell(ctx, web: bool) -> App:
    app = App(ctx)
    app.session.apply_page_patch({"web": web, "platform": "android" if not web else "linux"})
    app.shell = AppShell(app.page, ctx)
    app.shell.go = app.routes.append
    return app


def test_the_system_back_goes_back_one_screen_in_the_built_app(ctx):
    visit = make_visit(ctx)

    async def go():
        app = await app_shell(ctx, web=False).start()
        assert len(app.page.views) == 1  # home: nothing under it, back leaves the app
        await app.show("/settings")
        assert len(app.page.views) == 1  # a top-level screen: back closes the app as usual
        await app.show(f"/visits/{visit.id}/roll-call")
        assert [v.route for v in app.page.views][0] == "/"  # the screen's back route lies underneath
        app.shell._on_view_pop(None)  # what Flet calls on Android's back gesture
        assert app.routes == ["/"]

    asyncio.run(go())


def test_web_mode_keeps_a_single_view(ctx):
    visit = make_visit(ctx)

    async def go():
        app = await app_shell(ctx, web=True).start()
        await app.show(f"/visits/{visit.id}/checklist")
        assert len(app.page.views) == 1

    asyncio.run(go())


def test_the_demo_banner_is_on_every_screen_while_the_demo_is_open(ctx):
    demo = demo_space.demo_context(ctx)

    async def go():
        app = await app_shell(ctx, web=True).start()
        assert not app.all(ft.Semantics, identifier=DEMO_BANNER_ID)
        app.shell.ctx = demo
        for route in ("/", "/settings", "/review"):
            await app.show(route)
            assert len(app.all(ft.Semantics, identifier=DEMO_BANNER_ID)) == 1, route
        await app.shell.leave_demo()
        # back on the real data: the session's own copy of the context (its actor), on ctx's database
        assert app.shell.ctx is app.shell.real_ctx and app.shell.ctx.engine is ctx.engine
        assert not app.all(ft.Semantics, identifier=DEMO_BANNER_ID)

    asyncio.run(go())
