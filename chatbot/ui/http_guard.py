"""HTTP hardening in front of the Gradio app: who may reach it, from which pages, and what each response allows.

- Host: only the names the app is meant to be reached by (loopback names by default), so a DNS-rebinding page
  cannot talk to a local app through a name it controls.
- Origin: a page of another origin gets no CORS answer and no data, unless the operator lists its origin.
- Every response: a Content-Security-Policy (no images, frames or connections to other hosts), no framing,
  no MIME sniffing, no referrer to other sites; login cookies are SameSite=Lax.
- Login: the login page does not carry the API schema; wrong logins are limited per client address; logout
  is a POST that ends the caller's session only. The app takes no uploads.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, RedirectResponse, Response

from chatbot.ui.login_gate import LoginGate, logged_in
from chatbot.settings import Settings

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})
# Gradio's page needs its inline configuration script and inline styles; nothing else comes from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
UPLOAD_PATHS = ("/gradio_api/upload", "/gradio_api/upload_progress", "/upload", "/upload_progress")
LOGIN_PATHS = ("/login", "/login/")
LOGOUT_PATHS = ("/logout", "/logout/")
LOGIN_WINDOW_S = 60.0
_API_INFO = re.compile(rb"window\.gradio_api_info = .*?;</script>", re.DOTALL)
_SAMESITE = re.compile(r";\s*samesite=[^;]*", re.IGNORECASE)


@dataclass(frozen=True)
class GuardRules:
    hosts: frozenset[str]  # lower-case names without port; "*" allows any, "*.example.org" any subdomain
    origins: frozenset[str]  # scheme://host[:port], lower-case
    login_attempts_per_minute: int


def rules(settings: Settings) -> GuardRules:
    """The deployment's rules: loopback names, RAG_HOST when it names one host, and the listed hosts and origins."""
    hosts = set(LOOPBACK) | {_split(item) for item in settings.allowed_hosts.split(",") if item.strip()}
    if settings.host.strip().lower() not in ANY_ADDRESS:
        hosts.add(settings.host.strip().lower().strip("[]"))
    origins = {item.strip().rstrip("/").lower() for item in settings.cors_origins.split(",") if item.strip()}
    return GuardRules(frozenset(hosts), frozenset(origins), settings.login_attempts_per_minute)


def middleware(settings: Settings) -> list[Middleware]:
    """For `launch(app_kwargs={"middleware": ...})`: the guard, then the login gate when a login is set."""
    stack = [Middleware(HttpGuard, rules=rules(settings))]
    if settings.auth_user:
        stack.append(Middleware(LoginGate))
    return stack


def drop_gradio_cors(app) -> None:
    """Take Gradio's own CORS middleware out of a launched app: it wraps everything else, and echoes any Origin
    with credentials when the Host is not a loopback name. The guard answers CORS itself."""
    from gradio.route_utils import CustomCORSMiddleware

    app.user_middleware = [entry for entry in app.user_middleware if entry.cls is not CustomCORSMiddleware]
    app.middleware_stack = app.build_middleware_stack()


class HttpGuard:
    """ASGI middleware applying `GuardRules` (see the module docstring)."""

    def __init__(self, app, rules: GuardRules):
        self.app, self.rules = app, rules
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = _split(headers.get("host", ""))
        if not self._host_allowed(host):
            await _refuse(scope, receive, send, 400, f"Host {host or '(none)'!r} is not one this app answers to: "
                          "add it to RAG_ALLOWED_HOSTS.")
            return
        origin = (headers.get("origin") or "").rstrip("/").lower()
        cross = bool(origin) and not _same_origin(origin, headers.get("host", ""))
        if cross and origin not in self.rules.origins:
            await _refuse(scope, receive, send, 403, "Cross-origin request refused: add the page's origin to "
                          "RAG_CORS_ORIGINS to allow it.")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if cross and method == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, origin, headers)
            return
        if path in UPLOAD_PATHS:
            await _refuse(scope, receive, send, 403, "This app takes no file uploads.")
            return
        if path in LOGOUT_PATHS:
            await self._logout(scope, receive, send, method)
            return
        send = self._decorating(send, origin if cross else "")
        if path in LOGIN_PATHS and method == "POST":
            await self._login(scope, receive, send)
        elif method == "GET" and not logged_in(scope):
            await self.app(scope, receive, _without_api_info(send))
        else:
            await self.app(scope, receive, send)

    def _host_allowed(self, host: str) -> bool:
        hosts = self.rules.hosts
        return bool(host) and ("*" in hosts or host in hosts
                               or any(h.startswith("*.") and host.endswith(h[1:]) for h in hosts))

    def _decorating(self, send, origin: str):
        async def decorated(message):
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    response_headers[name] = value
                cookies = response_headers.getlist("set-cookie")
                if cookies:
                    del response_headers["set-cookie"]
                    for cookie in cookies:
                        response_headers.append("set-cookie", _SAMESITE.sub("", cookie) + "; SameSite=Lax")
                if origin:
                    response_headers["access-control-allow-origin"] = origin
                    response_headers["access-control-allow-credentials"] = "true"
                    response_headers.add_vary_header("Origin")
            await send(message)

        return decorated

    async def _preflight(self, scope, receive, send, origin: str, headers: Headers) -> None:
        allow = {"access-control-allow-origin": origin, "access-control-allow-credentials": "true",
                 "access-control-allow-methods": "GET, POST, OPTIONS", "access-control-max-age": "600",
                 "vary": "Origin", **SECURITY_HEADERS}
        if "access-control-request-headers" in headers:
            allow["access-control-allow-headers"] = headers["access-control-request-headers"]
        await Response(status_code=204, headers=allow)(scope, receive, send)

    async def _logout(self, scope, receive, send, method: str) -> None:
        if method != "POST":
            await _refuse(scope, receive, send, 405, "Log out with a POST request.", {"allow": "POST"})
            return
        app = scope.get("app")
        cookie_id = getattr(app, "cookie_id", "")
        response = RedirectResponse("/", status_code=303, headers=SECURITY_HEADERS)
        cookies = Headers(scope=scope).get("cookie", "")
        tokens = getattr(app, "tokens", {})
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            token = _cookie(cookies, name)
            if token:
                tokens.pop(token, None)  # this session only: the user's other sessions stay logged in
            response.delete_cookie(name, path="/", samesite="lax")
        await response(scope, receive, send)

    async def _login(self, scope, receive, send) -> None:
        client = (scope.get("client") or ("unknown",))[0]
        now = time.monotonic()
        with self._lock:
            failures = self._failures.setdefault(client, deque())
            while failures and now - failures[0] > LOGIN_WINDOW_S:
                failures.popleft()
            blocked = len(failures) >= self.rules.login_attempts_per_minute
            wait = int(LOGIN_WINDOW_S - (now - failures[0])) + 1 if blocked else 0
        if blocked:
            await _refuse(scope, receive, send, 429, f"Too many failed logins from this address: try again in "
                          f"{wait} s.", {"retry-after": str(wait)})
            return

        async def counting(message):
            if message["type"] == "http.response.start":
                with self._lock:
                    if message["status"] == 400:
                        self._failures.setdefault(client, deque()).append(time.monotonic())
                    elif message["status"] < 300:
                        self._failures.pop(client, None)
            await send(message)

        await self.app(scope, receive, counting)


def _without_api_info(send):
    """A `send` that blanks the API schema Gradio writes into its page for visitors who have not logged in; the
    page asks the (login-guarded) API for it once it is needed."""
    started: dict = {}
    body: list[bytes] = []

    async def filtered(message):
        if message["type"] == "http.response.start":
            content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
            if not content_type.startswith("text/html"):
                started["pass"] = True
                await send(message)
                return
            started["message"] = message
            return
        if started.get("pass") or message["type"] != "http.response.body":
            await send(message)
            return
        body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        page = _API_INFO.sub(b"window.gradio_api_info = null;</script>", b"".join(body))
        start = started["message"]
        MutableHeaders(scope=start)["content-length"] = str(len(page))
        await send(start)
        await send({"type": "http.response.body", "body": page})

    return filtered


async def _refuse(scope, receive, send, status: int, detail: str, headers: dict | None = None) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    response = JSONResponse({"detail": detail}, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})
    await response(scope, receive, send)


def _split(host_header: str) -> str:
    """The host name of a Host header or list item, lower-case, without port or IPv6 brackets."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else ""
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _same_origin(origin: str, host_header: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == host_header.strip().lower()


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""
