"""Issue #10 point 7: web mode with a door.

Unit part: ``ui.door.Door`` in front of a stand-in for Flet's FastAPI app (which, like Flet's,
adds ``Access-Control-Allow-Origin: *`` to every response). Process part: the real app started
with ``--web`` on loopback and on 0.0.0.0.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi import FastAPI, WebSocket
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from inspection_app.services import web_access
from inspection_app.services.context import AppContext
from inspection_app.ui import door

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-cua-so-1"


def _flet_like_app() -> FastAPI:
    app = FastAPI()

    class Star(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):  # noqa: ANN001, ANN201
            response = await call_next(request)
            response.headers["Access-Control-Allow-Origin"] = "*"
            return response

    app.add_middleware(Star)

    @app.get("/")
    def index() -> dict:
        return {"user": door.current_user.get()}

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(door.current_user.get() or "")
        await websocket.close()

    return app


def test_loopback_refuses_foreign_websocket_and_never_sends_cors_star(tmp_path):
    client = TestClient(door.Door(_flet_like_app(), tmp_path, locked=False), base_url="http://testserver")
    r = client.get("/")
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/ws", headers={"Origin": "http://evil.example"}) as ws:
            ws.receive_text()
    with pytest.raises(WebSocketDisconnect):  # no Origin at all: not a page of this app either
        with client.websocket_connect("/ws") as ws:
            ws.receive_text()
    with client.websocket_connect("/ws", headers={"Origin": "http://testserver"}) as ws:
        assert ws.receive_text() == ""  # loopback: nobody signed in, the tablet's user acts


def test_locked_door_asks_first_and_signs_in(tmp_path):
    web_access.set_password(tmp_path, "Trần Thị Bình", PASSWORD)
    gate = door.Door(_flet_like_app(), tmp_path, locked=True)
    client = TestClient(gate, base_url="http://testserver", follow_redirects=False)
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith(door.LOGIN_PATH)
    assert "access-control-allow-origin" not in r.headers
    page = client.get(door.LOGIN_PATH)
    assert page.status_code == 200 and "Mật khẩu" in page.text
    with pytest.raises(WebSocketDisconnect):  # own origin, but not signed in
        with client.websocket_connect("/ws", headers={"Origin": "http://testserver"}) as ws:
            ws.receive_text()
    own = {"Origin": "http://testserver"}
    bad = client.post(door.LOGIN_PATH, data={"user": "Trần Thị Bình", "password": "sai"}, headers=own)
    assert bad.status_code == 401 and "Sai tên hoặc mật khẩu" in bad.text
    foreign = client.post(door.LOGIN_PATH, data={"user": "Trần Thị Bình", "password": PASSWORD},
                          headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    ok = client.post(door.LOGIN_PATH + "?next=%2F", data={"user": "Trần Thị Bình", "password": PASSWORD},
                     headers=own)
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    assert "HttpOnly" in ok.headers["set-cookie"] and "SameSite=Strict" in ok.headers["set-cookie"]
    r = client.get("/")
    assert r.status_code == 200 and r.json() == {"user": "Trần Thị Bình"}
    assert "access-control-allow-origin" not in r.headers
    with client.websocket_connect("/ws", headers=own) as ws:
        assert ws.receive_text() == "Trần Thị Bình"  # the Flet session acts as this user
    with pytest.raises(WebSocketDisconnect):  # signed in, but the page is another site's
        with client.websocket_connect("/ws", headers={"Origin": "http://evil.example"}) as ws:
            ws.receive_text()
    # a forged cookie is no session
    client.cookies.set(door.COOKIE, "dXNlcgo5OTk5OTk5OTk5.00")
    assert client.get("/").status_code == 303


def test_repeated_failures_lock_the_client_out(tmp_path):
    web_access.set_password(tmp_path, "A", PASSWORD)
    client = TestClient(door.Door(_flet_like_app(), tmp_path, locked=True), base_url="http://testserver")
    own = {"Origin": "http://testserver"}
    for _ in range(door.MAX_FAILURES):
        client.post(door.LOGIN_PATH, data={"user": "A", "password": "x"}, headers=own)
    r = client.post(door.LOGIN_PATH, data={"user": "A", "password": PASSWORD}, headers=own)
    assert r.status_code == 429


def test_next_never_leaves_the_server():
    assert door._safe_next("//evil.example/x") == "/"
    assert door._safe_next("http://evil.example/") == "/"
    assert door._safe_next("/visits/1?x=2") == "/visits/1?x=2"


def test_session_context_acts_as_the_signed_in_user(tmp_path):
    ctx = AppContext.open(tmp_path / "data")
    try:
        token = door.current_user.set("Trần Thị Bình")
        try:
            mine = door.session_context(ctx)
        finally:
            door.current_user.reset(token)
        assert mine.actor == "Trần Thị Bình" and mine.engine is ctx.engine
        assert door.session_context(ctx) is ctx
        with mine.session() as s:  # every write in it is audited under this actor
            assert s.info["actor"] == "Trần Thị Bình"
    finally:
        ctx.close()


def test_passwords_are_stored_as_scrypt_hashes(tmp_path):
    web_access.set_password(tmp_path, "A", PASSWORD)
    raw = (tmp_path / web_access.USERS_FILE).read_text(encoding="utf-8")
    assert PASSWORD not in raw and '"kdf": "scrypt"' in raw
    assert web_access.check_password(tmp_path, "A", PASSWORD).name == "A"
    assert web_access.check_password(tmp_path, "A", "sai") is None
    assert web_access.check_password(tmp_path, "B", PASSWORD) is None
    from inspection_app.domain.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        web_access.set_password(tmp_path, "A", "ngan")


# --- the real app ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ, FLET_FORCE_WEB_SERVER="1", FLET_SECRET_KEY="door-test", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path))
    env.pop("FLET_SERVER_PORT", None)
    return env


def test_non_loopback_without_password_refuses_to_start(tmp_path):
    data = tmp_path / "data"
    out = subprocess.run([sys.executable, "-m", "inspection_app", "--data-dir", str(data), "--web",
                          "--host", "0.0.0.0", "--port", str(_free_port())], cwd=ROOT,
                         env=_env(tmp_path), capture_output=True, text=True, encoding="utf-8",
                         timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "mật khẩu" in out.stderr and "password" in out.stderr


def _get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers=headers or {})
    return conn.getresponse()


def test_real_app_on_all_addresses_has_a_door(tmp_path):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    data = tmp_path / "data"
    env = _env(tmp_path)
    env["WEB_PASS"] = PASSWORD
    subprocess.run([sys.executable, "-m", "inspection_app", "--data-dir", str(data), "web-user",
                    "Trần Thị Bình", "--password-env", "WEB_PASS"], cwd=ROOT, env=env, check=True,
                   capture_output=True, stdin=subprocess.DEVNULL)
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "inspection_app", "--data-dir", str(data), "--web",
                             "--host", "0.0.0.0", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                r = _get(port, "/")
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        assert r.status == 303 and r.getheader("location").startswith(door.LOGIN_PATH)
        assert r.getheader("access-control-allow-origin") is None
        with pytest.raises(InvalidStatus) as refused:
            with connect(f"ws://127.0.0.1:{port}/ws", origin="http://evil.example", open_timeout=5):
                pass
        assert refused.value.response.status_code == 403
        # signed in, the app itself is served, still with no CORS wildcard
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        body = "user=Tr%E1%BA%A7n+Th%E1%BB%8B+B%C3%ACnh&password=" + PASSWORD
        conn.request("POST", door.LOGIN_PATH, body=body, headers={
            "Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        assert r.status == 303, r.read()
        cookie = r.getheader("set-cookie").split(";")[0]
        for path in ("/", "/index.html", "/flutter_bootstrap.js"):
            r = _get(port, path, {"Cookie": cookie})
            r.read()
            assert r.status in (200, 304, 404), path
            assert r.getheader("access-control-allow-origin") is None, path
        with pytest.raises(InvalidStatus):
            with connect(f"ws://127.0.0.1:{port}/ws", origin="http://evil.example",
                         additional_headers={"Cookie": cookie}, open_timeout=5):
                pass
        with connect(f"ws://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}",
                     additional_headers={"Cookie": cookie}, open_timeout=5):
            pass  # the app's own page, signed in: the handshake succeeds
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
