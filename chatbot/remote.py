"""Asking a running app (`python app.py`) over its HTTP API: a warm answer, with nothing loaded in this process.

A fresh `python -m chatbot` spends about a second starting Python and opening the index before it answers; the
app has done that once already and answers in milliseconds. This uses Gradio's documented REST API: POST the
question to /gradio_api/call/ask, then read the event stream it names.
"""

from __future__ import annotations

import json

from chatbot.errors import ChatbotError
from chatbot.types import Answer, Citation

TIMEOUT_S = 120.0


class AppUnavailable(ChatbotError):
    """The app named by --server cannot be reached or did not answer."""


def ask_app(url: str, question: str, timeout_s: float = TIMEOUT_S) -> Answer:
    """The app's answer to `question`, with its citations (no passages or timings: the app's API leaves them out).

    Raises:
        AppUnavailable: the app is not running there, needs a login, or failed; the message says what to do.
        ChatbotError: the app answered with an error of its own (its message, e.g. no index yet).
    """
    import httpx

    if "://" not in url:  # "127.0.0.1:7860" or "localhost:7860": the address the app prints, less its scheme
        url = f"http://{url}"
    base = url.rstrip("/")
    try:
        with httpx.Client(timeout=timeout_s) as client:
            call = client.post(f"{base}/gradio_api/call/ask", json={"data": [question]})
            if call.status_code in (401, 403):
                raise AppUnavailable(f"The app at {url} asks for a login; ask it in the browser, or without --server.")
            call.raise_for_status()
            event, data = _result(client, f"{base}/gradio_api/call/ask/{call.json()['event_id']}")
    except (httpx.HTTPError, ValueError, KeyError) as err:
        raise AppUnavailable(f"Cannot reach the app at {url} ({err}). Start it with `python app.py`, "
                             "or leave out --server to answer here.") from err
    if event != "complete":
        message = json.loads(data) if data and data != "null" else None
        raise ChatbotError(str(message) if message else f"The app at {url} could not answer; see its log.")
    payload = json.loads(data)[0]
    return Answer(
        question=payload["question"],
        text=payload["answer"],
        citations=tuple(Citation(**citation) for citation in payload["citations"]),
        declined=payload["declined"],
        notice=payload["notice"],
    )


def _result(client, url: str) -> tuple[str, str]:
    """The first final event ("complete" or "error") of a Gradio event stream, and its data line."""
    event = ""
    with client.stream("GET", url) as stream:
        stream.raise_for_status()
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                return event, line.removeprefix("data:").strip()
    raise ValueError("the event stream ended without an answer")
