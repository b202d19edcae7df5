"""HTTP hardening of the running app: Host and Origin checks, security headers, cookies, login, logout, uploads."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator

import httpx
import pytest
from ui_helpers import serve

from chatbot.ui.feedback import FeedbackStore

pytestmark = pytest.mark.slow

USER, PASSWORD = "crew", "s3cret-Pass"
PORTAL = "https://portal.example.org"


@pytest.fixture(scope="module")
def guarded(bot, tmp_path_factory):
    """The app with a login, one extra host name and one allowed origin."""
    settings = dataclasses.replace(bot.settings, auth_user=USER, auth_password=PASSWORD, login_attempts_per_minute=3,
                                   allowed_hosts="assistant.example.org", cors_origins=PORTAL)
    feedback = FeedbackStore(tmp_path_factory.mktemp("votes") / "feedback.sqlite")
    with serve(bot, settings, feedback=feedback, documents=[]) as demo:
        yield demo.local_url.rstrip("/")


@pytest.fixture(scope="module")
def open_app(bot, tmp_path_factory):
    """The app as `python app.py` serves it by default: no login."""
    feedback = FeedbackStore(tmp_path_factory.mktemp("votes") / "feedback.sqlite")
    with serve(bot, bot.settings, feedback=feedback, documents=[]) as demo:
        yield demo.local_url.rstrip("/")


@contextlib.contextmanager
def logged_in_client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        yield client


def test_only_the_apps_own_host_names_are_answered(open_app, guarded):
    with httpx.Client(timeout=30) as client:
        assert client.get(open_app + "/").status_code == 200
        refused = client.get(open_app + "/", headers={"Host": "rebind.attacker.example"})
        assert refused.status_code == 400 and "RAG_ALLOWED_HOSTS" in refused.text
        assert client.get(open_app + "/config", headers={"Host": "rebind.attacker.example:7860"}).status_code == 400
        assert client.get(open_app + "/", headers={"Host": "localhost"}).status_code == 200
        assert client.get(guarded + "/", headers={"Host": "assistant.example.org"}).status_code == 200


def test_other_origins_get_no_cors_answer_and_no_data(guarded):
    evil = {"Host": "assistant.example.org", "Origin": "https://evil.example"}
    with logged_in_client(guarded) as client:
        for reply in (client.get("/config", headers=evil),
                      client.options("/gradio_api/info", headers={**evil, "Access-Control-Request-Method": "GET"}),
                      client.post("/gradio_api/call/ask", json={"data": ["Can I use Midjourney?"]}, headers=evil)):
            assert reply.status_code == 403 and "RAG_CORS_ORIGINS" in reply.text
            assert "access-control-allow-origin" not in reply.headers
            assert "access-control-allow-credentials" not in reply.headers

        portal = {"Host": "assistant.example.org", "Origin": PORTAL}
        preflight = client.options("/gradio_api/info", headers={**portal, "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == PORTAL
        allowed = client.get("/gradio_api/info", headers=portal)
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == PORTAL
        same = client.get("/config", headers={"Origin": guarded})
        assert same.status_code == 200 and "access-control-allow-origin" not in same.headers


def test_every_response_forbids_framing_sniffing_and_loading_from_elsewhere(open_app):
    with httpx.Client(base_url=open_app, timeout=30) as client:
        for path in ("/", "/config", "/theme.css", "/no-such-page"):
            headers = client.get(path).headers
            assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
            policy = headers["content-security-policy"]
            assert "img-src 'self' data: blob:;" in policy and "frame-ancestors 'none'" in policy
            assert "connect-src 'self';" in policy and "object-src 'none'" in policy


def test_the_login_cookie_is_same_site_lax_and_the_login_page_has_no_api_schema(guarded):
    with httpx.Client(base_url=guarded, timeout=30) as client:
        page = client.get("/").text
        assert "window.gradio_api_info = null;" in page and "named_endpoints" not in page
        login = client.post("/login", data={"username": USER, "password": PASSWORD})
        cookies = login.headers.get_list("set-cookie")
        assert cookies and all(re.search(r"SameSite=Lax", c, re.IGNORECASE) for c in cookies), cookies
        assert not any(re.search(r"samesite=none", c, re.IGNORECASE) for c in cookies)
        assert "named_endpoints" in client.get("/").text, "once logged in, the page describes the API"


def test_the_app_takes_no_uploads(open_app):
    with httpx.Client(base_url=open_app, timeout=30) as client:
        for path in ("/gradio_api/upload", "/gradio_api/upload_progress"):
            reply = client.post(path, files={"files": ("big.bin", b"\0" * 100_000)})
            assert reply.status_code == 403 and "no file uploads" in reply.text


def test_logout_is_a_post_that_ends_only_the_callers_session(guarded):
    with logged_in_client(guarded) as first, logged_in_client(guarded) as second:
        assert first.get("/gradio_api/info").status_code == 200
        assert first.get("/logout").status_code == 405, "a link or image cannot log anyone out"
        forged = first.post("/logout", headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403
        assert first.get("/gradio_api/info").status_code == 200

        assert first.post("/logout").status_code == 303
        first.cookies.clear()
        assert first.get("/gradio_api/info").status_code == 401
        assert second.get("/gradio_api/info").status_code == 200, "the other session of the account stays"


def test_wrong_logins_are_limited_per_address(guarded):
    with httpx.Client(base_url=guarded, timeout=30) as client:
        statuses = [client.post("/login", data={"username": USER, "password": f"wrong-{n}"}).status_code
                    for n in range(5)]
        assert statuses == [400, 400, 400, 429, 429]
        blocked = client.post("/login", data={"username": USER, "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
