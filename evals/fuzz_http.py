"""Random requests to the running app: any path, method, header and body, and random values through the `/ask` API.

Each must get an answer below 500 with no stack trace in it, no file from outside the app, and within a time
limit; afterwards the app must still answer a real question.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from evals.fuzzing import FuzzReport, questions, run_examples

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

PATHS = ("/", "/config", "/login", "/logout", "/theme.css", "/gradio_api/info", "/gradio_api/queue/join",
         "/gradio_api/queue/data", "/gradio_api/call/ask", "/gradio_api/call/chat", "/gradio_api/call/check",
         "/gradio_api/upload", "/gradio_api/file=", "/gradio_api/heartbeat/x", "/gradio_api/cancel",
         "/gradio_api/startup-events", "/static/", "/assets/", "/openapi.json", "/docs", "/manifest.json")
PIECES = ("..", "%2e%2e", "%252e", "/etc/passwd", "\\", "//", "%00", "?", "#", "~", "ask", "=", "file=", ";", "*")
LEAKS = ("root:x:", "SQLite format", "Traceback (most recent call last)", 'File "/')
# An exception's own words in an error event: the app crashed on the value instead of refusing it.
CRASH = re.compile(r"\b\w+(?:Error|Exception)\b|has no attribute|object is not")
QUESTION = "Can I use Midjourney for mood boards?"
TIMEOUT_S = 30.0


def requests() -> "SearchStrategy":
    """(method, path, headers, body) with the app's own paths, broken ones, odd headers and any bytes or JSON."""
    from hypothesis import strategies as st

    path = st.one_of(
        st.sampled_from(PATHS),
        st.tuples(st.sampled_from(PATHS), st.lists(st.sampled_from(PIECES), max_size=6)).map(lambda p: p[0] + "".join(p[1])),
        st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=60).map(lambda text: "/" + text),
    )
    json_value = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
                              lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                         max_size=4), max_leaves=12)
    body = st.one_of(st.binary(max_size=2000), json_value.map(lambda value: json.dumps(value).encode()),
                     st.builds(lambda data, fn: json.dumps({"data": data, "fn_index": fn, "session_hash": "fuzz"}).encode(),
                               st.lists(json_value, max_size=3), st.integers(-2, 40)))
    # What an HTTP client can send at all: no control characters, no space at either end.
    header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80).map(str.strip)
    headers = st.dictionaries(st.sampled_from(["content-type", "origin", "cookie", "accept", "range", "x-forwarded-for",
                                               "content-encoding", "authorization"]), header_values, max_size=4)
    methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"])
    return st.tuples(methods, path, headers, body)


def fuzz_http(url: str, examples: int, seed: int = 0) -> FuzzReport:
    """`examples` random requests, and as many random values asked through `/gradio_api/call/ask`."""
    import httpx
    from hypothesis import strategies as st

    report = FuzzReport("http")
    base = url.rstrip("/")
    client = httpx.Client(timeout=TIMEOUT_S)

    def request(call):
        method, path, headers, body = call
        report.saw("request", call)
        report.checks += 1
        try:
            with client.stream(method, base + path, headers=headers, content=body if method != "GET" else None) as reply:
                text = b"".join(reply.iter_bytes()).decode("utf-8", "replace")[:200_000]
                status = reply.status_code
        except httpx.TimeoutException:
            report.failures.append(f"{method} {path[:60]!r}: no answer within {TIMEOUT_S:g} s")
            return
        except httpx.HTTPError as err:
            report.failures.append(f"{method} {path[:60]!r} {headers} {body[:60]!r}: {type(err).__name__}: {err}")
            return
        problems = ([f"HTTP {status}"] if status >= 500 else []) + [f"shows {leak!r}" for leak in LEAKS if leak in text]
        if problems:
            report.failures.append(f"{method} {path[:60]!r} {headers} {body[:60]!r}: {'; '.join(problems)}")

    def ask(value):
        report.saw("ask", value)
        report.checks += 1
        try:
            # json.dumps writes a lone surrogate as an escape, as a browser would; httpx's own encoder refuses it.
            started = client.post(f"{base}/gradio_api/call/ask", content=json.dumps({"data": [value]}),
                                  headers={"content-type": "application/json"})
            if started.status_code >= 500:
                report.failures.append(f"ask({str(value)[:40]!r}): HTTP {started.status_code}")
                return
            if started.status_code != 200:
                return
            event = started.json()["event_id"]
            result = client.get(f"{base}/gradio_api/call/ask/{event}").text
        except httpx.HTTPError as err:
            report.failures.append(f"ask({str(value)[:40]!r}): {type(err).__name__}: {err}")
            return
        if "event: complete" not in result and "event: error" not in result:
            report.failures.append(f"ask({str(value)[:40]!r}): the event stream ended without a result")
        leaks = [leak for leak in LEAKS if leak in result] + CRASH.findall(result)
        if leaks:
            report.failures.append(f"ask({str(value)[:40]!r}): shows {leaks[0]!r}")

    try:
        run_examples(request, {"call": requests()}, examples, seed)
        values = questions().filter(lambda value: value is None or isinstance(value, str)) | st.integers() | \
            st.lists(st.text(max_size=20), max_size=3) | st.dictionaries(st.text(max_size=8), st.text(max_size=8))
        run_examples(ask, {"value": values}, examples, seed)
        final = client.post(f"{base}/gradio_api/call/ask", json={"data": [QUESTION]})
        answer = client.get(f"{base}/gradio_api/call/ask/{final.json()['event_id']}").text
        if "event: complete" not in answer or '"citations": [{' not in answer.replace('"citations":[{', '"citations": [{'):
            report.failures.append("after the fuzzing, a real question got no cited answer")
    finally:
        client.close()
    return report
