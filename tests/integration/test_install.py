"""Installation concerns, on a real data directory: package data, data-directory resolution, the
demo apart from the real data, the lazy command line, the camera path, HEIC without its extra."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from inspection_app import config, resources
from inspection_app.domain.errors import UserError
from inspection_app.media.ingest import PhotoRejected
from inspection_app.services import demo_space, photos
from inspection_app.ui.enum_labels import enum_label

ROOT = Path(__file__).resolve().parents[2]


# --- package data ---------------------------------------------------------------------------------

def test_package_data_is_found_through_importlib_resources():
    checklists = resources.resource_dir(resources.CHECKLISTS)
    assert {p.name for p in checklists.glob("*.yaml")} >= {"working_hours.yaml", "tthc_dossiers.yaml"}
    fonts = resources.resource_dir("assets/fonts")
    assert (fonts / "LiberationSerif-Regular.ttf").stat().st_size > 100_000
    assert "/@rive-app/" in (resources.resource_dir(resources.ASSETS) / "index.html").read_text("utf-8")
    assert not (ROOT / "checklists").exists() and not (ROOT / "assets").exists()  # moved into the package


def test_package_data_from_a_zipped_install_is_copied_out_once(tmp_path, monkeypatch):
    """On Android site-packages may be a zip: the folder comes out as a real directory, once."""
    import zipfile

    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zpkg/__init__.py", "")
        z.writestr("zpkg/checklists/a.yaml", "id: a\n")
        z.writestr("zpkg/checklists/sub/b.txt", "b")
    monkeypatch.syspath_prepend(str(archive))
    monkeypatch.setattr(resources, "PACKAGE", "zpkg")
    monkeypatch.setattr(resources, "_dirs", {})
    monkeypatch.setenv("FLET_APP_STORAGE_TEMP", str(tmp_path / "cache"))
    out = resources.resource_dir("checklists")
    assert out.is_dir() and out.is_relative_to(tmp_path / "cache")
    assert (out / "a.yaml").read_text() == "id: a\n" and (out / "sub" / "b.txt").read_text() == "b"
    assert resources.resource_dir("checklists") == out
    with pytest.raises(FileNotFoundError):
        resources.resource_dir("nothing-here")


def test_an_office_checklist_in_the_data_directory_still_loads(ctx):
    from inspection_app.services import checklists

    shipped = (checklists.SHIPPED_DIR / "office_culture.yaml").read_text(encoding="utf-8")
    extra = ctx.data_dir / "checklists"
    extra.mkdir(parents=True, exist_ok=True)
    (extra / "office_culture_local.yaml").write_text(
        shipped.replace("id: office_culture", "id: office_culture_local", 1), encoding="utf-8")
    assert "office_culture_local" in {c.id for c in checklists.available_checklists(ctx)}


# --- data directory -------------------------------------------------------------------------------

def test_data_dir_comes_from_flet_storage_when_nothing_else_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv(config.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv(config.ENV_FLET_STORAGE, str(tmp_path / "flet-storage"))
    assert config.resolve_data_dir() == (tmp_path / "flet-storage").resolve()
    monkeypatch.setenv(config.ENV_DATA_DIR, str(tmp_path / "explicit"))
    assert config.resolve_data_dir() == (tmp_path / "explicit").resolve()  # the explicit setting wins
    assert config.resolve_data_dir(tmp_path / "flag") == (tmp_path / "flag").resolve()
    monkeypatch.delenv(config.ENV_DATA_DIR)
    monkeypatch.delenv(config.ENV_FLET_STORAGE)
    assert config.resolve_data_dir() == config.default_data_dir()


# --- the demo, apart ------------------------------------------------------------------------------

def test_the_demo_lives_in_its_own_marked_directory_and_never_in_the_real_data(ctx, tmp_path, monkeypatch):
    from inspection_app.services import bundles, visits

    assert not demo_space.has_records(ctx)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'office.db'}")  # the demo ignores it
    demo = demo_space.demo_context(ctx)
    assert demo.data_dir == ctx.data_dir / "demo" and demo.config.is_demo and not ctx.config.is_demo
    assert str(demo.data_dir) in demo.config.database_url
    assert len(visits.list_visits(demo)) == 2
    assert demo_space.demo_context(ctx) is demo  # once per process
    monkeypatch.delenv("DATABASE_URL")
    assert visits.list_visits(ctx) == [] and not demo_space.has_records(ctx)  # real data untouched
    with pytest.raises(UserError) as err:
        bundles.export_bundle(demo, tmp_path / "demo.iab")
    assert "dữ liệu mẫu" in err.value.message("vi") and "sample data" in err.value.message("en")
    assert not (tmp_path / "demo.iab").exists()
    with pytest.raises(UserError):
        demo_space.demo_context(demo)


def test_the_cli_no_longer_loads_the_demo_on_start(monkeypatch, data_dir):
    from inspection_app import cli
    from inspection_app.ui import app as ui_app

    started = {}
    monkeypatch.setattr(ui_app, "run_app", lambda d, **kw: started.update(data_dir=d, **kw))
    assert cli.main(["--data-dir", str(data_dir), "--web", "--port", "8999"]) == 0
    assert started == {"data_dir": str(data_dir), "web": True, "host": "127.0.0.1", "port": 8999}
    assert not data_dir.exists() or not (data_dir / "inspection.db").exists()  # nothing opened, nothing loaded


# --- the command line stays light -----------------------------------------------------------------

def test_every_known_command_is_registered_by_the_module_named_for_it():
    import argparse

    from inspection_app import cli

    for word, module in cli.KNOWN.items():
        parser = cli.build_parser([module])
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert word in sub.choices, (word, module)


def test_starting_the_app_imports_no_subcommand_and_no_heavy_library():
    code = ("import sys\nfrom inspection_app import cli\nfrom inspection_app.ui import app\n"
            "app.run_app = lambda *a, **k: None\ncli.main(['--web'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'reportlab','pyhanko','openpyxl',"
            "'psycopg','sqlmodel','pillow_heif'} or m.startswith('inspection_app.cli.') and m != 'inspection_app.cli.core'"
            " or m.startswith('inspection_app.services')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_an_unknown_command_still_gets_the_full_help(capsys):
    from inspection_app import cli

    with pytest.raises(SystemExit):
        cli.main(["no-such-command"])
    assert "invalid choice" in capsys.readouterr().err


# --- the camera path, at the service boundary -----------------------------------------------------

def camera_frame(color=(40, 120, 200)) -> bytes:
    """What ``flet_camera.Camera.take_picture()`` returns: JPEG bytes, here with no EXIF at all."""
    out = io.BytesIO()
    Image.effect_noise((1280, 960), 40).convert("RGB").save(out, "JPEG", quality=85)
    img = Image.open(io.BytesIO(out.getvalue()))
    img.paste(color, (0, 0, 200, 200))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def test_a_captured_frame_is_ingested_like_a_chosen_photo(ctx, visit):
    frame = camera_frame()
    added = photos.add_captured_photo(ctx, visit.id, frame, checklist_id="office_culture",
                                      item_id="oc.card_worn")
    assert not added.duplicate
    photo = added.photo
    assert photo.mime == "image/jpeg" and (photo.width, photo.height) == (1280, 960)
    assert photos.photo_file(ctx, photo, "original").read_bytes() == frame  # kept byte for byte
    assert photos.thumbnail_bytes_many(ctx, [photo.id])[photo.id][:2] == b"\xff\xd8"
    assert [p.id for p in photos.list_photos(ctx, visit.id, item_id="oc.card_worn")] == [photo.id]
    again = photos.add_captured_photo(ctx, visit.id, frame)
    assert again.duplicate and again.photo.id == photo.id  # the same frame twice is one photo


def test_an_empty_or_cut_frame_is_refused_with_a_message(ctx, visit):
    with pytest.raises(PhotoRejected) as err:
        photos.add_captured_photo(ctx, visit.id, b"")
    assert "camera-" in err.value.message("vi") and "camera-" in err.value.message("en")  # names the frame
    with pytest.raises(PhotoRejected):
        photos.add_captured_photo(ctx, visit.id, camera_frame()[:3000])
    assert photos.list_photos(ctx, visit.id) == []


# --- HEIC without the [heic] extra ----------------------------------------------------------------

def test_heic_without_pillow_heif_gets_a_clear_message():
    from inspection_app.media import ingest

    if ingest.pillow_heif is None:
        pytest.skip("pillow-heif is not installed here: the subprocess below covers this case")
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(out, "HEIF")
    code = ("import sys\nsys.modules['pillow_heif'] = None\n"
            "from inspection_app.media import ingest\n"
            "try:\n    ingest.ingest_bytes(sys.stdin.buffer.read(), filename='IMG_0001.HEIC')\n"
            "except ingest.PhotoRejected as e:\n    print(e.details.get('reason'))\n"
            "    print(e.message('vi'))\n    print(e.message('en'))\n")
    run = subprocess.run([sys.executable, "-c", code], input=out.getvalue(), cwd=ROOT, capture_output=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr.decode()
    reason, vi, en = run.stdout.decode("utf-8").splitlines()
    assert reason == "heic_unsupported"
    assert "HEIC" in vi and "IMG_0001.HEIC" in vi and "JPEG" in vi
    assert "HEIC" in en and "office" in en


# --- what the installation leaves to the office ----------------------------------------------------

def test_missing_optional_packages_are_named_for_the_screen(monkeypatch):
    from inspection_app.services import capabilities
    from inspection_app.ui.i18n import LABELS

    monkeypatch.setattr(capabilities, "_has", lambda module: module == "pyhanko")
    assert capabilities.left_to_the_office() == ["heic", "office_db"]
    for f in capabilities.features():
        vi, en = LABELS[enum_label("fs.feature", f.key)]
        assert vi and en
    monkeypatch.setattr(capabilities, "_has", lambda module: True)
    assert capabilities.left_to_the_office() == []


def test_the_app_module_starts_the_ui_alone_on_the_device_storage(monkeypatch, tmp_path):
    """``inspection_app.main.run`` (what a Flet build runs): no command line, no demo, the data in
    ``FLET_APP_STORAGE_DATA``, and the embedded client (``FLET_PLATFORM``) rather than a web server."""
    import asyncio

    from inspection_app import main as app_main
    from inspection_app.ui import app as ui_app

    monkeypatch.delenv(config.ENV_DATA_DIR, raising=False)
    monkeypatch.setenv(config.ENV_FLET_STORAGE, str(tmp_path / "device"))
    monkeypatch.setenv("FLET_PLATFORM", "android")
    runs, startups = [], []
    begin = ui_app.Startup.begin
    monkeypatch.setattr(ui_app.Startup, "begin", lambda self, *a, **k: startups.append(self) or begin(self, *a, **k))
    monkeypatch.setattr(ui_app.ft, "run", lambda main, **kw: runs.append(kw))
    app_main.run()
    assert len(runs) == 1 and "view" not in runs[0] and "port" not in runs[0]
    assert Path(runs[0]["upload_dir"]) == (tmp_path / "device" / "uploads").resolve()
    ctx = asyncio.run(startups[0].ctx())
    try:
        assert ctx.data_dir == (tmp_path / "device").resolve()
        assert not demo_space.has_records(ctx)  # nothing loaded on a first start
    finally:
        ctx.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are Linux's (setpriority(2))")
def test_start_up_pauses_the_garbage_collector_only_until_the_first_screen(tmp_path):
    """Start-up (issue #17): the collector is off while the app opens and on again once the first screen is
    shown, with what start-up made frozen; the start-up thread runs at the lowest CPU priority on Linux.
    In a process of its own: the collector's state is process-wide."""
    code = (
        "import gc, os, sys\n"
        "from inspection_app.ui import app, signals\n"
        "app.AFTER_FIRST_SCREEN_S = 0\n"
        "s = app.Startup(sys.argv[1]).begin()\n"
        "print('during', gc.isenabled())\n"
        "ctx = s._future.result(60)\n"
        "print('opened', gc.isenabled())\n"
        "print('nice', os.getpriority(os.PRIO_PROCESS, s.thread.native_id), os.getpriority(os.PRIO_PROCESS, 0))\n"
        "signals.first_screen_shown.set()\n"
        "s.thread.join(60)\n"
        "print('after', gc.isenabled(), gc.get_freeze_count() > 0, s.thread.is_alive())\n"
        "ctx.close()\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "data")], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "during False" and lines[1] == "opened False"
    assert lines[2].split()[1] == "19" and lines[2].split()[2] == str(os.getpriority(os.PRIO_PROCESS, 0))
    assert lines[3] == "after True True False"
