"""Issue #10 point 8: the data directory is 0700 and every file in it 0600."""

from __future__ import annotations

import os
import stat

import pytest

from inspection_app.services.context import AppContext

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _mode(path) -> int:  # noqa: ANN001
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_new_data_directory_is_private(tmp_path):
    data = tmp_path / "data"
    ctx = AppContext.open(data)
    try:
        from inspection_app.pdf import keys

        keys.init_pilot(data, "Sở Nội vụ tỉnh Tây Ninh", [("A", "Trưởng đoàn")], "mat-khau-thu")
        (data / "minutes").mkdir(exist_ok=True)
        from inspection_app.pdf.layout import write_atomic

        write_atomic(data / "minutes" / "x.pdf", b"%PDF-1.4", "x", "x")
        with ctx.session() as s:  # a write, so the WAL exists
            from inspection_app.store.models import Unit

            s.add(Unit(name="Phường 1"))
        assert _mode(data) == 0o700
        seen = 0
        for root, dirs, files in os.walk(data):
            for d in dirs:
                assert _mode(os.path.join(root, d)) == 0o700, d
            for f in files:
                assert _mode(os.path.join(root, f)) == 0o600, f
                seen += 1
        names = {f for _, _, files in os.walk(data) for f in files}
        assert "inspection.db" in names and "root-ca.key.pem" in names and "x.pdf" in names
        assert seen >= 5
    finally:
        ctx.close()


def test_old_data_directory_is_hardened_on_open(tmp_path):
    data = tmp_path / "old"
    (data / "photos").mkdir(parents=True)
    (data / "photos" / "a.jpg").write_bytes(b"x")
    os.chmod(data / "photos" / "a.jpg", 0o644)
    os.chmod(data / "photos", 0o755)
    os.chmod(data, 0o755)
    ctx = AppContext.open(data)
    ctx.close()
    assert _mode(data) == 0o700
    assert _mode(data / "photos") == 0o700
    assert _mode(data / "photos" / "a.jpg") == 0o600
