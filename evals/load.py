"""Many clients asking the running app at once while the index is rebuilt under it: every answer whole and cited as
when asked alone, and how long each request took, failures included.

The app runs as `python app.py` in a process of its own on a copy of the data folder; the clients run here, and
`python -m ingest --rebuild` runs again and again in a third process until the clients are done. The corpus does
not change, so neither may any answer.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from chatbot.answer.markup import citation_fields
from chatbot.ui.render import answer_markdown, cited_numbers
from evals.processes import app_py, free_port

if TYPE_CHECKING:
    from chatbot.bot import Bot
    from chatbot.settings import Settings
    from chatbot.types import Answer

ROOT = Path(__file__).resolve().parent.parent
# Questions the corpus answers, across the guidance and the articles.
QUESTIONS = (
    "Can I use Midjourney for mood boards?",
    "Do we need written approval for a digital double of our lead?",
    "Can AI-generated signage appear in the background of a scene?",
    "Can we train a model on a famous painter's work?",
    "What happened with What Jennifer Did?",
    "Can we use generative AI to change a performer's voice?",
    "Who should we tell before using a generative AI tool on a production?",
    "Can we put confidential scripts into a public AI tool?",
    "What did Netflix do with generative AI in The Eternaut?",
    "Can generated material appear in the final cut?",
)


@dataclass
class LoadReport:
    """What the clients saw: one latency per request, answered or not, and a line per problem."""

    clients: int
    requests: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rebuilds: int = 0  # `python -m ingest --rebuild` runs finished while the clients asked
    ingest_problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return len(self.problems)

    def percentile(self, share: float) -> float:
        """The latency below which `share` (0..1) of the requests finished; nearest-rank, 0 when none."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered), max(1, math.ceil(share * len(ordered)))) - 1]


def reference_answers(bot: "Bot", questions: Sequence[str] = QUESTIONS) -> dict[str, "Answer"]:
    """Each question asked once, alone and in order: what every concurrent request must return too."""
    return {question: bot.ask(question) for question in questions}


def check_payload(payload: Mapping, reference: "Answer", stored: set[str] | None = None) -> list[str]:
    """Problems with one `/ask` reply compared with the answer given to the same question alone."""
    problems = []
    if not isinstance(payload, Mapping):
        return [f"not an answer object: {type(payload).__name__}"]
    if payload.get("answer") != reference.text:
        problems.append("answer text differs from the answer given alone (cut short or mixed with another)")
    if payload.get("declined") != reference.declined:
        problems.append(f"declined={payload.get('declined')} where the question alone was declined={reference.declined}")
    if reference.declined:
        return problems
    citations = payload.get("citations") or []
    numbers = [citation.get("n") for citation in citations]
    if numbers != list(range(1, len(numbers) + 1)) or not numbers:
        problems.append(f"citations are not numbered 1..n: {numbers}")
    markers = cited_numbers(payload.get("answer") or "")
    if not markers or not set(markers) <= set(numbers):
        problems.append(f"markers {markers} do not all point at one of the citations {numbers}")
    if citations != [citation_fields(citation) for citation in reference.citations]:
        problems.append("citations differ from those given alone")
    if stored is not None and any(citation.get("passage") not in stored for citation in citations):
        problems.append("a cited passage is not a chunk of the index")
    return problems


def check_chat(history: object, reference: "Answer") -> list[str]:
    """Problems with the conversation the `/chat` endpoint streamed back for one question."""
    if not isinstance(history, list) or not history or not isinstance(history[-1], Mapping):
        return [f"no conversation came back: {str(history)[:80]}"]
    answer = next((m for m in reversed(history) if isinstance(m, Mapping) and not m.get("metadata")), history[-1])
    content = answer.get("content")  # the answer, not the folded sources that follow it
    text = content if isinstance(content, str) else "".join(
        part.get("text", "") for part in content or [] if isinstance(part, Mapping))
    if text != answer_markdown(reference.text, reference.notice, reference.declined):
        return ["the streamed answer's last message differs from the answer given alone"]
    return []


def run_load(url: str, references: Mapping[str, "Answer"], *, clients: int, per_client: int,
             stored: set[str] | None = None, auth: tuple[str, str] | None = None,
             timeout_s: float = 300, until: Callable[[], bool] | None = None) -> LoadReport:
    """`clients` threads, each its own gradio_client session asking `per_client` questions one after another.

    Each client's first question goes through the streamed `/chat` endpoint, the rest through `/ask`. Every
    request's time counts, whether it was answered, wrong or failed.

    Args:
        until: when given, clients go on asking after `per_client` questions until it returns True (or time is up).
    """
    from gradio_client import Client

    report = LoadReport(clients=clients)
    questions = list(references)
    lock = threading.Lock()
    start = threading.Barrier(clients)
    deadline = time.monotonic() + timeout_s

    def client_run(number: int) -> None:
        try:
            client = Client(url, auth=auth, verbose=False)
        except Exception as err:  # every failure is counted, none stops the run
            with lock:
                report.problems.append(f"client {number}: cannot connect ({type(err).__name__}: {err})")
            start.abort()
            return
        try:
            start.wait(timeout=timeout_s)
        except threading.BrokenBarrierError:
            pass
        turn = 0
        while turn < per_client or (until is not None and not until() and time.monotonic() < deadline):
            question = questions[(number + turn) % len(questions)]
            began = time.perf_counter()
            try:
                remaining = max(1.0, deadline - time.monotonic())
                if turn == 0:
                    history, _, _ = client.submit(question, [], api_name="/chat").result(timeout=remaining)
                    problems = check_chat(history, references[question])
                else:
                    payload = client.submit(question, api_name="/ask").result(timeout=remaining)
                    problems = check_payload(payload, references[question], stored)
            except Exception as err:
                problems = [f"{type(err).__name__}: {str(err)[:200]}"]
            elapsed_ms = (time.perf_counter() - began) * 1000
            with lock:
                report.requests += 1
                report.latencies_ms.append(elapsed_ms)
                if problems:
                    report.problems.append(f"client {number}, {question!r}: {'; '.join(problems)}")
            turn += 1
        client.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client_run, args=(n,), name=f"load-client-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, deadline - time.monotonic()) + 30)
    report.seconds = time.perf_counter() - began
    if any(thread.is_alive() for thread in threads):
        report.problems.append(f"some clients were still waiting after {timeout_s:.0f} s")
    return report


def app_environment(settings: "Settings", data_dir: Path, port: int) -> dict[str, str]:
    """The variables that make `python app.py` and `python -m ingest` use `settings` on `data_dir`."""
    values = {name: getattr(settings, name) for name in ("corpus_dir", "embedding_model", "collection", "retriever",
                                                         "top_k", "candidates_k", "trusted_sources")}
    return {**os.environ, **{f"RAG_{name.upper()}": str(value) for name, value in values.items()},
            "RAG_DATA_DIR": str(data_dir), "RAG_PORT": str(port), "RAG_HOST": "127.0.0.1", "RAG_CHROMA_URL": "",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@contextlib.contextmanager
def app_process(settings: "Settings", work_dir: Path, ready_timeout_s: float = 300) -> Iterator[tuple[str, dict]]:
    """`python app.py` on a copy of the settings' data folder; yields its URL and the environment it runs with."""
    data_dir = work_dir / "data"
    shutil.copytree(settings.data_dir, data_dir, ignore=shutil.ignore_patterns("feedback.sqlite*"))
    env = app_environment(settings, data_dir, free_port())
    with app_py(env, ready_timeout_s) as (_, url):
        yield url, env


@contextlib.contextmanager
def rebuilding(env: dict, report: LoadReport) -> Iterator[None]:
    """`python -m ingest --rebuild` run again and again with `env` until the block ends; failures go to `report`."""
    done = threading.Event()

    def loop() -> None:
        while not done.is_set():
            ran = subprocess.run([sys.executable, "-m", "ingest", "--rebuild", "--quiet"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=600)
            if ran.returncode != 0:
                report.ingest_problems.append(f"--rebuild exited {ran.returncode}: {ran.stderr.strip()[-300:]}")
                return
            report.rebuilds += 1

    thread = threading.Thread(target=loop, name="rebuild-loop", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(600)


@contextlib.contextmanager
def serving(bot: "Bot", settings: "Settings", feedback_path: Path) -> Iterator[str]:
    """The chat window for `bot` in this process on a free port of 127.0.0.1, votes going to `feedback_path`."""
    from chatbot.ui.feedback import FeedbackStore
    from chatbot.ui.ui import build_ui, launch

    demo = build_ui(bot, settings, feedback=FeedbackStore(feedback_path))
    launch(demo, settings, server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True)
    try:
        yield demo.local_url
    finally:
        with contextlib.redirect_stdout(sys.stderr):  # Gradio says "Closing server…" on stdout, where the figures go
            demo.close()
