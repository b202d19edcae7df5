"""Who can reach the app: loopback by default, nothing without the login when one is set, no file outside the app's own,
no secret in the logs."""

from __future__ import annotations

import dataclasses
import re
import secrets
from pathlib import Path

import httpx
import pytest
from ui_helpers import ROOT, free_port, run_app_py, serve

from chatbot.ui.feedback import FeedbackStore
from chatbot.settings import Settings

pytestmark = pytest.mark.slow

QUESTION = "Can AI-generated signage appear in the background of a scene?"
# Paths the login page itself needs before anyone has logged in.
LOGIN_PAGE = {"/", "/login", "/login/", "/logout", "/favicon.ico", "/manifest.json", "/robots.txt", "/theme.css",
              "/gradio_api/theme.css", "/assets/{path:path}", "/static/{path:path}", "/svelte/{path:path}",
              "/pwa_icon", "/pwa_icon/{size}", "/gradio_api/startup-events"}
TRAVERSALS = [
    "gradio_api/file=../../etc/passwd",
    "gradio_api/file=/etc/passwd",
    "gradio_api/file=..%2F..%2F..%2Fetc%2Fpasswd",
    "gradio_api/file=%2Fetc%2Fpasswd",
    "gradio_api/file=%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "gradio_api/file=%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "gradio_api/file=file:///etc/passwd",
    "gradio_api/file=//etc/passwd",
    "gradio_api/file/..%2F..%2F..%2Fetc%2Fpasswd",
    "gradio_api/file=/proc/self/environ",
    "static/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "gradio_api/file={votes}/feedback.sqlite",
    "gradio_api/file={data}/records.sqlite",
    "gradio_api/file={data}/chroma/chroma.sqlite3",
    "gradio_api/file={root}/app.py",
    "gradio_api/file=app.py",
    "gradio_api/file=chatbot/settings.py",
    "gradio_api/file=corpus/netflix-genai-guidance.md",
    "gradio_api/file={root}/pyproject.toml",
]


def routes(app) -> list[tuple[str, str]]:
    """(method, path template) of every route the Gradio app serves, its API router included."""
    found = []

    def walk(items):
        for route in items:
            included = getattr(route, "original_router", None)
            if included is not None:
                walk(included.routes)
                continue
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                found.append((method, route.path))

    walk(app.routes)
    return found


def concrete(path: str) -> str:
    path = path.replace("{path_or_url:path}", "/etc/passwd").replace("{url_path:path}", "http://127.0.0.1:9/")
    return re.sub(r"\{[^}]+\}", lambda match: "ask" if "api_name" in match.group(0) else "1", path)


def test_the_app_listens_on_loopback_unless_told_otherwise():
    assert Settings().host == "127.0.0.1"
    assert Settings.from_env({}).host == "127.0.0.1"
    assert Settings.from_env({"RAG_HOST": "0.0.0.0"}).host == "0.0.0.0"


def test_with_a_login_set_no_route_answers_without_it(bot, tmp_path):
    settings = dataclasses.replace(bot.settings, auth_user="crew", auth_password="s3cret-Pass")
    with serve(bot, settings, feedback=FeedbackStore(tmp_path / "feedback.sqlite")) as demo:
        base = demo.local_url.rstrip("/")
        answered = []
        with httpx.Client(timeout=5) as client:
            checked = routes(demo.app)
            assert len(checked) > 40, "the route list should include Gradio's API routes"
            for method, path in checked:
                if path in LOGIN_PAGE:
                    continue
                body = {"data": [QUESTION], "fn_index": 0, "session_hash": "x", "event_id": "x"}
                try:
                    with client.stream(method, base + concrete(path), json=body if method == "POST" else None) as reply:
                        if reply.status_code not in (401, 403, 404, 405):
                            answered.append(f"{method} {path} -> {reply.status_code}")
                except httpx.TimeoutException:
                    answered.append(f"{method} {path} -> kept the connection open")
            page = client.get(base + "/").text
        assert answered == []
        assert QUESTION not in page and "About these answers" not in page, "the login page shows nothing of the app"

        from gradio_client import Client

        logged_in = Client(demo.local_url, auth=("crew", "s3cret-Pass"), verbose=False)
        assert logged_in.predict(QUESTION, api_name="/ask")["citations"]


@pytest.mark.parametrize("login", [False, True], ids=["no-login", "logged-in"])
def test_no_file_outside_the_app_is_served(bot, tmp_path, login):
    settings = bot.settings
    if login:
        settings = dataclasses.replace(settings, auth_user="crew", auth_password="s3cret-Pass")
    feedback = FeedbackStore(tmp_path / "feedback.sqlite")
    feedback.record("q", "a", [], "up")
    with serve(bot, settings, feedback=feedback) as demo, httpx.Client(timeout=10) as client:
        if login:
            assert client.post(demo.local_url + "login", data={"username": "crew", "password": "s3cret-Pass"}).is_success
        assert client.get(demo.local_url + "theme.css").status_code == 200, "the app's own files are served"
        served = []
        for path in TRAVERSALS:
            url = demo.local_url + path.format(data=settings.data_dir, votes=tmp_path, root=ROOT)
            reply = client.get(url)
            if reply.status_code not in (403, 404) or b"root:" in reply.content or b"SQLite format" in reply.content:
                served.append(f"{path} -> {reply.status_code} {reply.content[:60]!r}")
    assert served == []


def test_logs_hold_no_secrets_and_the_port_is_bound_to_loopback(corpus_settings, monkeypatch):
    monkeypatch.delenv("RAG_HOST", raising=False)  # the default address, as a fresh deployment gets it
    password, api_key = f"pw-{secrets.token_hex(12)}", f"sk-{secrets.token_hex(16)}"
    port = free_port()
    env = {"RAG_DATA_DIR": str(corpus_settings.data_dir), "RAG_CORPUS_DIR": str(corpus_settings.corpus_dir),
           "RAG_PORT": str(port), "RAG_AUTH_USER": "crew", "RAG_AUTH_PASSWORD": password,
           "RAG_LLM_API_KEY": api_key, "RAG_ANSWERER": "llm", "RAG_LLM_MODEL": "unreachable-model",
           "RAG_LLM_TIMEOUT_S": "3", "RAG_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1"}
    with run_app_py(env) as (process, url):
        assert url == f"http://127.0.0.1:{port}/"
        assert listening_addresses(port) == {"127.0.0.1"}

        assert httpx.post(url + "login", data={"username": "crew", "password": "wrong"}).status_code == 400
        from gradio_client import Client

        result = Client(url, auth=("crew", password), verbose=False).predict(QUESTION, api_name="/ask")
        assert result["citations"], "the extractive answer stands in when the LLM cannot be reached"
        assert result["notice"], "the answer says the LLM failed"
        assert password not in str(result) and api_key not in str(result)
    output = "".join(process.output)
    assert "Running on" in output
    assert password not in output
    assert api_key not in output and api_key[3:] not in output


def listening_addresses(port: int) -> set[str]:
    """Addresses a TCP socket listens on for `port`, read from /proc/net/tcp and tcp6."""
    found = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            pytest.skip("no /proc/net/tcp on this system")
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return ".".join(str(b) for b in reversed(raw))
    words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
    data = b"".join(words)
    if data[:12] == b"\0" * 10 + b"\xff\xff":
        return ".".join(str(b) for b in data[12:])
    import ipaddress

    return str(ipaddress.IPv6Address(data))


def test_an_llm_server_echoing_the_api_key_leaks_it_neither_to_the_log_nor_to_the_user(corpus_settings, caplog):
    from fakes.chat_server import ChatServer

    from chatbot.bot import build_bot

    api_key = f"sk-{secrets.token_hex(16)}"
    with ChatServer() as server:
        server.status, server.error = 401, "Incorrect API key provided: {authorization}"
        settings = dataclasses.replace(corpus_settings, answerer="llm", llm_base_url=server.base_url,
                                       llm_model="fake-model", llm_api_key=api_key, llm_timeout_s=5.0)
        with caplog.at_level("DEBUG"):
            answer = build_bot(settings).ask(QUESTION)

    assert server.requests, "the LLM server was asked"
    assert answer.citations and answer.notice, "the extractive answer stands in, and says so"
    assert "LLM answer failed" in caplog.text
    assert api_key not in caplog.text and api_key not in str(answer)
    assert api_key not in repr(settings) and api_key not in str(settings.describe())

