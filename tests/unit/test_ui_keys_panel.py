"""Issue #13 point 6: keys from the screen (``ui/widgets/keys_panel.py``), without a browser.

Import a .p12 (the picker is stubbed: it hands over the file's bytes as in the browser), see the
root that came with it offered with its SHA-256 and trusted only after the confirmation, unlock a
key with its passphrase, set the seal; and no command line anywhere on the screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import flet as ft
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from test_ui_conclusions import button, demo_ctx, field  # noqa: F401  (fixture)
from test_ui_screens import App, ctx, run  # noqa: F401  (fixture)

from inspection_app.locale import N_
from inspection_app.pdf import keys
from inspection_app.pdf.stamp import specimen_seal
from inspection_app.services import demo
from inspection_app.services import keys as key_service
from inspection_app.ui.i18n import LABELS
from inspection_app.ui.widgets.keys_panel import KeysPanel

PASS = "mat-khau-thu-nghiem"
UI = Path(__file__).resolve().parents[2] / "inspection_app" / "ui"


def test_every_key_of_the_panel_is_defined():
    source = (UI / "widgets" / "keys_panel.py").read_text(encoding="utf-8")
    used = set(re.findall(r'(?:\bt(?:\.plural)?\(|\bN_\()\s*"([^"\\]+)"', source))
    assert {N_("Khóa ký số trên máy này"), N_("Đã đối chiếu, tin cậy CA gốc này")} <= used
    assert sorted(k for k in used if k not in LABELS) == []


def test_no_label_of_the_screens_suggests_a_command_line():
    for path in UI.rglob("*.py"):
        for msgid in re.findall(r'(?:\bt(?:\.plural)?\(|\bN_\()\s*"([^"\\]+)"', path.read_text(encoding="utf-8")):
            vi, en = LABELS.get(msgid, (msgid, ""))
            assert "inspection-app" not in vi + en, msgid
            assert "keys init" not in vi + en and "keys import" not in vi + en, msgid


def _p12(tmp_path) -> tuple[bytes, bytes]:
    other = tmp_path / "ca"
    keys.init_pilot(other, "Cơ quan chứng thực thử", [("Nguyễn Thị Ánh Tuyết", "Trưởng đoàn")], PASS)
    loaded = keys.load_identity(other, keys.find_identity(other), PASS)
    data = pkcs12.serialize_key_and_certificates(
        b"x", loaded.key, loaded.certificate, list(loaded.chain),
        serialization.BestAvailableEncryption(b"p12-pass-123"))
    return data, loaded.chain[0].public_bytes(serialization.Encoding.PEM)


def test_import_trust_unlock_and_seal_from_the_screen(demo_ctx, tmp_path, monkeypatch):  # noqa: F811
    data_ctx = demo_ctx
    vid = demo.finished_visit_id(data_ctx)
    p12, root_pem = _p12(tmp_path)
    picks: list[tuple[str, bytes]] = [("tuyet.p12", p12), ("con-dau.png", specimen_seal("Sở Nội vụ"))]

    async def fake_pick(self, extensions):  # noqa: ANN001, ANN202
        return picks.pop(0)

    monkeypatch.setattr(KeysPanel, "_pick", fake_pick)

    async def scenario():
        app = await App(data_ctx).start(f"/visits/{vid}/minutes")
        texts = app.texts()
        assert "Máy này chưa có khóa ký số." in texts and "inspection-app" not in texts
        await app.click(button(app, ft.OutlinedButton, "Chọn tệp .p12"))
        box = field(app, "Mật khẩu của tệp tuyet.p12")
        assert box.password
        await app.type(box, "sai")
        await app.click(button(app, ft.FilledButton, "Nhập"))
        assert "sai mật khẩu" in app.snack()
        await app.type(field(app, "Mật khẩu của tệp tuyet.p12"), "p12-pass-123")
        await app.click(button(app, ft.FilledButton, "Nhập"))
        assert app.snack() == "Đã nhập chứng thư của Nguyễn Thị Ánh Tuyết"
        # the root inside the file is offered with its fingerprint, not trusted yet
        fp = keys.fingerprint(keys.read_certificate(root_pem))
        shown = ":".join(fp.upper()[i:i + 2] for i in range(0, 64, 2))
        assert f"SHA-256 {shown}" in app.texts()
        assert key_service.status(data_ctx).roots == ()
        await app.click(button(app, ft.FilledButton, "Đã đối chiếu, tin cậy CA gốc này"))
        assert [r.fingerprint for r in key_service.status(data_ctx).roots] == [fp]
        # the leader's key is chosen for signing, and the pilot offer is gone
        group = app.within("minutes-sign", ft.RadioGroup)
        assert group.value == keys.find_identity(data_ctx.data_dir, "Nguyễn Thị Ánh Tuyết").id
        assert app.all(ft.Semantics, identifier="minutes-pilot") == []
        # unlock with the passphrase: a wrong one says so, the right one upgrades the old file
        ident = keys.find_identity(data_ctx.data_dir, "Nguyễn Thị Ánh Tuyết")
        assert not keys.p12_kdf_current((keys.keys_dir(data_ctx.data_dir) / ident.file).read_bytes())
        await app.type(field(app, "Mật khẩu để mở khóa"), "sai-mat-khau")
        await app.click(button(app, ft.OutlinedButton, "Mở khóa"))
        assert "Sai mật khẩu" in app.snack()
        await app.type(field(app, "Mật khẩu để mở khóa"), "p12-pass-123")
        await app.click(button(app, ft.OutlinedButton, "Mở khóa"))
        assert app.snack() == "Mật khẩu đúng: đã mở khóa của Nguyễn Thị Ánh Tuyết"
        assert keys.p12_kdf_current((keys.keys_dir(data_ctx.data_dir) / ident.file).read_bytes())
        # the seal image
        await app.click(button(app, ft.OutlinedButton, "Chọn ảnh con dấu"))
        assert app.snack().startswith("Đã lưu ảnh con dấu")
        assert key_service.status(data_ctx).has_seal
        assert "inspection-app" not in app.texts()
    run(scenario())


def test_signing_without_a_chosen_key_says_so_without_a_command_line(demo_ctx):  # noqa: F811
    from inspection_app.services import minutes

    data_ctx = demo_ctx
    vid = demo.finished_visit_id(data_ctx)
    minutes.init_keys(data_ctx, PASS, [("Người Khác", "Thành viên")], office=False)

    async def scenario():
        app = await App(data_ctx).start(f"/visits/{vid}/minutes")
        assert app.within("minutes-sign", ft.RadioGroup).value is None  # not the leader's key
        await app.type(field(app, "Mật khẩu khóa ký số"), PASS)
        await app.click(button(app, ft.FilledButton, "Ký số"))
        assert app.snack().startswith("Hãy chọn khóa ký số")
        assert "inspection-app" not in app.snack() and "keys" not in app.snack()
        assert app.all(ft.Semantics, identifier="minutes-pilot") != []  # the leader still has no key
    run(scenario())
