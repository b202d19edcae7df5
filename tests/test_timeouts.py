"""A server that stops answering: every question and command ends with a clear error in bounded time, the app's
answering slots are freed, and the next question after the server resumes is answered."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chroma_server import ChromaServer
from ui_helpers import ROOT, serve

from chatbot.errors import StoreUnavailable
from ingest import pipeline

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "ingest" / "corpus"
QUESTION = "Can the sound department use a synthetic voice to replace a line an actor recorded?"
TIMEOUT_S = 2.0
# Each question may wait twice (the store is retried once on a fresh connection), plus the work around it.
BOUND_S = 2 * TIMEOUT_S + 6


@contextlib.contextmanager
def stopped(server: ChromaServer):
    """The server process frozen with SIGSTOP: connections open, nothing answered, as a hung server behaves."""
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)


@pytest.fixture
def served(make_settings, tmp_path, embedder):
    server = ChromaServer(tmp_path / "server-data", tmp_path / "chroma.log")
    server.start()
    try:
        settings = make_settings(corpus_dir=FIXTURES, chroma_url=server.url, chroma_timeout_s=TIMEOUT_S,
                                 concurrency_limit=2)
        assert pipeline.run(settings).failed == 0
        yield server, settings
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(server.process.pid, signal.SIGCONT)
        server.kill()


def test_a_hung_chroma_server_fails_a_question_in_bounded_time_and_the_next_one_after_it_resumes_is_answered(served):
    from chatbot.bot import build_bot

    server, settings = served
    bot = build_bot(settings)
    assert bot.ask(QUESTION).citations
    with stopped(server):
        began = time.monotonic()
        with pytest.raises(StoreUnavailable, match=f"Chroma server at {server.url} did not answer within 2 s"):
            bot.ask(QUESTION)
        assert time.monotonic() - began < BOUND_S
    assert bot.ask(QUESTION).citations


def test_hung_questions_free_the_apps_answering_slots(served):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from chatbot.bot import build_bot

    server, settings = served
    bot = build_bot(settings)
    with serve(bot, settings, documents=[]) as demo:
        client = Client(demo.local_url, verbose=False)
        assert client.predict(QUESTION, api_name="/ask")["citations"]
        with stopped(server):
            began = time.monotonic()
            jobs = [client.submit(QUESTION, api_name="/ask") for _ in range(2 * settings.concurrency_limit)]
            errors = []
            for job in jobs:
                with pytest.raises(AppError) as raised:
                    job.result(timeout=4 * BOUND_S)
                errors.append(str(raised.value))
            # Two rounds of slots, each bounded: hung questions did not hold their slots.
            assert time.monotonic() - began < 2 * BOUND_S + 10
            assert all("did not answer within 2 s" in error for error in errors), errors
        assert client.predict(QUESTION, api_name="/ask")["citations"]


@pytest.mark.parametrize("command", [["-m", "chatbot", QUESTION], ["-m", "ingest", "--quiet"]], ids=["ask", "ingest"])
def test_the_command_line_gives_up_on_a_hung_server_with_one_error_line(served, command):
    server, settings = served
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
           "RAG_CHROMA_URL": server.url, "RAG_CHROMA_TIMEOUT_S": str(TIMEOUT_S), "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    with stopped(server):
        try:
            _, stderr = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail("the command never returned")
    assert process.returncode == 1 and "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "did not answer within 2 s" in last, stderr


@pytest.mark.llm
def test_a_hung_llm_server_costs_one_timeout_then_the_quoted_answer(corpus_settings):
    from fakes.chat_server import ChatServer

    from chatbot.bot import build_bot

    with ChatServer() as server:
        server.delay_s = 30
        settings = dataclasses.replace(corpus_settings, answerer="llm", llm_base_url=server.base_url,
                                       llm_model="fake-model", llm_timeout_s=TIMEOUT_S)
        bot = build_bot(settings)
        bot.ask(QUESTION)  # the model, the index and the LLM client's imports load outside the timing
        began = time.monotonic()
        answer = bot.ask(QUESTION)
        took = time.monotonic() - began
    assert answer.citations and "did not answer" in answer.notice
    assert took < TIMEOUT_S + 2.5, f"{took:.1f} s: the client's retries were not bounded"


def test_the_deadline_helper_returns_raises_and_gives_up():
    from chatbot.store.deadline import DeadlineExceeded, within

    assert within(1, lambda a, b: a + b, 1, b=2) == 3
    with pytest.raises(ZeroDivisionError):
        within(1, lambda: 1 / 0)
    began = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="no answer within 0.2 s"):
        within(0.2, time.sleep, 5)
    assert time.monotonic() - began < 1
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda n: within(2, lambda: n * n), range(8))) == [n * n for n in range(8)]
