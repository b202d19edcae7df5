"""With a login set, refuse every request that lacks it, except the login page and the files that page loads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

# Gradio checks the login on its API routes but leaves some open (heartbeat, cancel, reset, stream, the
# FastAPI schema); everything not listed here needs the login cookie.
PUBLIC_PATHS = frozenset({
    "/", "/login", "/login/", "/logout", "/favicon.ico", "/manifest.json", "/robots.txt", "/theme.css",
    "/gradio_api/theme.css",
    # Gradio answers these itself with 401 and the login message, which the login page reads.
    "/config", "/config/", "/gradio_api/login_check", "/gradio_api/login_check/",
    # Called by launch() itself before serving; it only runs the app's load events once and says so.
    "/gradio_api/startup-events",
})
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon")


class LoginGate:
    """ASGI middleware for the Gradio app: a 401 for any other path until the browser or client has logged in."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or is_public(scope.get("path", "")) or logged_in(scope):
            await self.app(scope, receive, send)
            return
        response = JSONResponse({"detail": "Not authenticated: log in first."}, status_code=401)
        await response(scope, receive, send)


def is_public(path: str) -> bool:
    """Whether the login page needs `path` before anyone has logged in."""
    if ".." in path or "\\" in path:
        return False
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def logged_in(scope) -> bool:
    """True when the app has no login, or the request carries a session cookie the app issued."""
    app = scope.get("app")
    if getattr(app, "auth", None) is None and getattr(app, "auth_dependency", None) is None:
        return True
    cookies = Request(scope).cookies
    cookie_id = getattr(app, "cookie_id", "")
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return token is not None and token in getattr(app, "tokens", {})
