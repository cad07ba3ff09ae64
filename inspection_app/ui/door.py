"""Web mode with a door: who may open the app from a browser, and from which page.

``serve`` runs the Flet web app (``ft.run(export_asgi_app=True)``, a FastAPI app) behind ``Door``,
an ASGI middleware, with uvicorn:

- **Every address.** A WebSocket whose ``Origin`` is not the app's own (scheme-less host:port
  equal to the request's ``Host``) is refused before the handshake completes (HTTP 403): a page
  on another site cannot drive the app through the visitor's browser (cross-site WebSocket
  hijacking). No response carries ``Access-Control-Allow-Origin`` (Flet's FastAPI app adds
  ``*`` to every response in ``flet_web.fastapi.app``; the door removes it), so no other origin
  may read responses either.
- **Loopback** (127.0.0.0/8, ::1, localhost): no password, as before.
- **Any other address**: refuses to start unless at least one web user has a password
  (``services.web_access``, scrypt); asks for name and password on a plain page before anything
  else is served (HTTP and WebSocket); the session cookie is an HMAC-signed token (HttpOnly,
  SameSite=Strict, 12 hours). Failed logins are slowed per client address.
- **Actor.** The signed-in user is put in a context variable for the WebSocket's lifetime; the
  Flet session created under it gets a context whose ``actor`` is that user
  (``session_context``), so every write is audited under their name.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import dataclasses
import hashlib
import hmac
import html
import ipaddress
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ..domain.errors import UserError

log = logging.getLogger(__name__)

COOKIE = "inspection_door"
SESSION_SECONDS = 12 * 3600
LOGIN_PATH = "/_door/login"
LOGOUT_PATH = "/_door/logout"
MAX_FAILURES = 5
LOCKOUT_SECONDS = 60.0
MAX_FORM_BYTES = 8192

#: The signed-in user of the connection being served (None on loopback without a door).
current_user: contextvars.ContextVar[str | None] = contextvars.ContextVar("door_user", default=None)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost``; ``0.0.0.0`` and every other address are not."""
    host = (host or "").strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def session_context(ctx):  # noqa: ANN001, ANN201
    """The services' context for a new Flet session: acting as the signed-in web user, if any.

    The copy shares the configuration and the database engine; only ``actor`` differs.
    """
    user = current_user.get()
    if user:
        return dataclasses.replace(ctx, actor=user)
    return ctx


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def same_origin(scope: Scope) -> bool:
    """Whether the request's ``Origin`` names this server as the browser reached it (``Host``)."""
    h = _headers(scope)
    origin, host = h.get("origin"), h.get("host")
    if not origin or not host:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


class Door:
    """ASGI middleware in front of the Flet app (see the module docstring)."""

    def __init__(self, app: Any, data_dir: Path, *, locked: bool, secret: bytes | None = None):
        self.app = app
        self.data_dir = Path(data_dir)
        self.locked = locked
        self.secret = secret or secrets.token_bytes(32)
        self.failures: dict[str, tuple[int, float]] = {}

    # --- tokens ---------------------------------------------------------------------------------
    def make_token(self, user: str, now: float | None = None) -> str:
        expires = int((now or time.time()) + SESSION_SECONDS)
        body = base64.urlsafe_b64encode(f"{user}\n{expires}".encode()).decode("ascii")
        mac = hmac.new(self.secret, body.encode("ascii"), hashlib.sha256).hexdigest()
        return f"{body}.{mac}"

    def user_of(self, scope: Scope) -> str | None:
        raw = _headers(scope).get("cookie", "")
        try:
            morsel = SimpleCookie(raw).get(COOKIE)
        except Exception:  # a malformed cookie header is no session
            return None
        if morsel is None:
            return None
        body, _, mac = morsel.value.partition(".")
        good = hmac.new(self.secret, body.encode("ascii", "replace"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, good):
            return None
        try:
            user, expires = base64.urlsafe_b64decode(body).decode("utf-8").rsplit("\n", 1)
            if int(expires) < time.time():
                return None
        except ValueError:
            return None
        return user

    # --- ASGI -----------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "http":
            await self._http(scope, receive, send)
        else:  # lifespan
            await self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not same_origin(scope):
            log.warning("WebSocket refused: origin %r is not this app's",
                        _headers(scope).get("origin"))
            await send({"type": "websocket.close", "code": 1008})
            return
        user = self.user_of(scope) if self.locked else None
        if self.locked and user is None:
            await send({"type": "websocket.close", "code": 1008})
            return
        token = current_user.set(user)
        try:
            await self.app(scope, receive, send)
        finally:
            current_user.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if self.locked and path == LOGIN_PATH:
            await self._login(scope, receive, send)
            return
        if self.locked and path == LOGOUT_PATH:
            await self._redirect(send, LOGIN_PATH, clear=True)
            return
        user = self.user_of(scope) if self.locked else None
        if self.locked and user is None:
            if scope.get("method") in ("GET", "HEAD"):
                target = path + (("?" + scope["query_string"].decode("latin-1")) if scope.get("query_string") else "")
                await self._redirect(send, f"{LOGIN_PATH}?next={quote(target, safe='')}")
            else:
                await self._plain(send, 401, "Cần đăng nhập / sign-in required")
            return

        async def strip_cors(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [(k, v) for k, v in message.get("headers", [])
                                      if k.lower() != b"access-control-allow-origin"]
            await send(message)

        token = current_user.set(user)
        try:
            await self.app(scope, receive, strip_cors)
        finally:
            current_user.reset(token)

    # --- the login page -------------------------------------------------------------------------
    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        nxt = _safe_next((query.get("next") or ["/"])[0])
        if scope.get("method") != "POST":
            await self._page(send, 200, nxt, "")
            return
        if not same_origin(scope):
            await self._plain(send, 403, "Sai nguồn gửi / wrong origin")
            return
        client = (scope.get("client") or ("?", 0))[0]
        count, until = self.failures.get(client, (0, 0.0))
        if until > time.monotonic():
            await self._page(send, 429, nxt, "Đăng nhập sai nhiều lần; hãy thử lại sau một phút. / "
                                             "Too many failed sign-ins; try again in a minute.")
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_FORM_BYTES:
                await self._plain(send, 413, "Quá lớn / too large")
                return
            if not message.get("more_body"):
                break
        form = parse_qs(body.decode("utf-8", "replace"))
        name = (form.get("user") or [""])[0]
        password = (form.get("password") or [""])[0]
        from ..services import web_access  # on use: start-up imports no service

        found = await asyncio.to_thread(web_access.check_password, self.data_dir, name, password)
        if found is None:
            count += 1
            self.failures[client] = (count, time.monotonic() + LOCKOUT_SECONDS if count >= MAX_FAILURES else 0.0)
            await self._page(send, 401, nxt, "Sai tên hoặc mật khẩu. / Wrong name or password.")
            return
        self.failures.pop(client, None)
        cookie = (f"{COOKIE}={self.make_token(found.name)}; Path=/; HttpOnly; SameSite=Strict; "
                  f"Max-Age={SESSION_SECONDS}")
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", nxt.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1")),
                                (b"cache-control", b"no-store"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def _page(self, send: Send, status: int, nxt: str, error: str) -> None:
        err = f'<p class="err" role="alert">{html.escape(error)}</p>' if error else ""
        page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập / Sign in</title>
<style>body{{font-family:sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}}
label{{display:block;margin-top:1rem;font-size:1.1rem}}input{{width:100%;font-size:1.1rem;padding:.6rem;box-sizing:border-box}}
button{{margin-top:1.5rem;font-size:1.1rem;padding:.7rem 1.4rem;min-height:48px}}.err{{color:#a00}}</style></head>
<body><h1>Ứng dụng kiểm tra công vụ</h1><p>Đăng nhập để tiếp tục / Sign in to continue</p>{err}
<form method="post" action="{LOGIN_PATH}?next={quote(nxt, safe='')}">
<label for="user">Tên người dùng / User name</label><input id="user" name="user" autocomplete="username" required>
<label for="password">Mật khẩu / Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Đăng nhập / Sign in</button></form></body></html>"""
        data = page.encode("utf-8")
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(data)).encode()),
                                (b"cache-control", b"no-store"),
                                (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
                                (b"x-frame-options", b"DENY")]})
        await send({"type": "http.response.body", "body": data})

    async def _redirect(self, send: Send, location: str, clear: bool = False) -> None:
        headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0"),
                   (b"cache-control", b"no-store")]
        if clear:
            headers.append((b"set-cookie", f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict".encode()))
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _plain(self, send: Send, status: int, text: str) -> None:
        data = text.encode("utf-8")
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})


def _safe_next(target: str) -> str:
    """Only a path on this server (no scheme, no host, no ``//``) may follow a sign-in."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def check_can_start(data_dir: Path, host: str) -> bool:
    """Whether the door is locked for ``host``; raises ``UserError`` if it should be but has no
    user with a password yet."""
    locked = not is_loopback(host)
    if not locked:  # on loopback nobody else can reach the door: no service to import at start-up
        return False
    from ..services import web_access

    if not web_access.has_users(data_dir):
        raise UserError(
            "Không mở chế độ web trên địa chỉ {host} khi chưa đặt mật khẩu: mọi máy trong mạng sẽ vào được. Hãy đặt mật khẩu người dùng web trước, hoặc chạy trên 127.0.0.1.", host=host)
    return locked


def build_app(main: Callable, data_dir: Path, host: str, **flet_options: Any) -> Door:
    """The Flet FastAPI app behind the door for ``host`` (refuses as ``check_can_start``)."""
    import flet as ft

    locked = check_can_start(data_dir, host)
    app = ft.run(main, export_asgi_app=True, no_cdn=True, **flet_options)
    return Door(app, data_dir, locked=locked)


def serve(main: Callable, data_dir: Path, *, host: str, port: int, **flet_options: Any) -> None:
    """Serve the web app behind the door with uvicorn until interrupted."""
    door = build_app(main, data_dir, host, **flet_options)
    import uvicorn  # after ft.run has made the app, as ft.run itself does
    url_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{url_host}:{port}/"
    log.info("App URL: %s", url)
    print(f"Địa chỉ / address: {url}" + ("  (cần đăng nhập / sign-in required)" if door.locked else ""),
          flush=True)
    if not os.environ.get("FLET_FORCE_WEB_SERVER") and (os.environ.get("DISPLAY") or os.name != "posix"):
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    config = uvicorn.Config(door, host=host, port=port, ws="websockets-sansio", log_level="warning")
    uvicorn.Server(config).run()


__all__ = ["Door", "build_app", "check_can_start", "current_user", "is_loopback", "same_origin",
           "serve", "session_context"]
