"""Helpers for the chat-window tests: free ports, the app in this process or as `python app.py`, headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evals.processes import app_py, free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def serve(bot, settings, **build_options) -> Iterator["gradio.Blocks"]:
    """`build_ui(bot, settings)` served on a free port of 127.0.0.1 in this process; yields it (see `.local_url`)."""
    from chatbot.ui.ui import build_ui, launch

    demo = build_ui(bot, settings, stream_delay_s=0.0, **build_options)
    launch(demo, settings, server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True)
    try:
        yield demo
    finally:
        demo.close()


@contextlib.contextmanager
def run_app_py(env: dict[str, str], ready_timeout_s: float = 240) -> Iterator[tuple[subprocess.Popen, str]]:
    """The real entry point, `python app.py`, with RAG_* variables from `env`; yields it and the URL it printed."""
    with app_py({**os.environ, **env}, ready_timeout_s) as (process, url):
        yield process, url


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000, **context_options):
    """A page in Debian's headless Chromium driven by Playwright; skips when either is missing.

    `context_options` go to `Browser.new_context` (e.g. `color_scheme="dark"`, `permissions=[...]`).
    """
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed: run `make browser`")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
            page = context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def wait_until(condition: Callable[[], object], timeout_s: float = 20, interval_s: float = 0.1):
    """Poll until `condition()` is truthy and return it; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s")
        time.sleep(interval_s)


def ask_in_browser(page, url: str, question: str) -> str:
    """Open the app, type `question`, press Enter; returns the last answer's text once its sources show."""
    page.goto(url)
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    return wait_for_answer(page)


ANSWERS = "#chat .bot-row .message:not(.thought) > [data-testid='bot']"  # an answer, not its folded sources


def wait_until_settled(page) -> None:
    """Until no event is running and nothing fades in or out: every Gradio status tracker (which fades the outputs
    it updates) is hidden and no CSS transition is under way."""
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="status-tracker"]')]
        .every(tracker => tracker.classList.contains('hide'))
        && !document.getAnimations().some(animation => animation instanceof CSSTransition)""")


def wait_for_answer(page, number: int = 1) -> str:
    """Answer `number`'s text, once it is complete: the window has stored it and shows its sources."""
    page.locator(f"#cite-previews [data-answer='{number}']").wait_for(state="attached")
    page.locator(f"#sources .sources-panel[data-answer='{number}']").wait_for()
    return page.locator(ANSWERS).nth(number - 1).inner_text()
