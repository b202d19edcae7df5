"""Ingests killed with SIGKILL at random moments: the store still opens and answers, and the next run completes it."""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUERY = "Which shots did the camera crew generate?"
# The killed process loads the model and its imports before it says "ready", so that the random moment
# falls in the part that writes the store rather than in the imports.
PRELOADED_INGEST = (
    "import sys\n"
    "from chatbot.store.client import get_embedder\n"
    "get_embedder(sys.argv[1])\n"
    "import chromadb, langchain_chroma, langchain_classic.indexes, ingest.pipeline\n"
    "from ingest.__main__ import main\n"
    "print('ready', flush=True)\n"
    "sys.exit(main(sys.argv[2:]))\n"
)
SCENARIOS = ("first ingest", "update")


@dataclass(frozen=True)
class KillTrial:
    """One ingest killed partway, and what the store looked like after it and after the next run."""

    number: int
    scenario: str  # "first ingest" into an empty folder, or "update" of a store built from an older corpus
    delay_s: float  # between the process saying "ready" and the SIGKILL
    chunks_at_kill: int  # in the store right after the kill
    chunks_after: int  # after the next, uninterrupted ingest
    expected: int  # chunks of a clean ingest of the same corpus
    problem: str = ""

    @property
    def survived(self) -> bool:
        return not self.problem


def write_corpus(folder: Path, version: int, documents: int = 8) -> None:
    """Shot logs of a few chunks each; version 1 changes two documents, drops one and adds one."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [n for n in range(documents + 1) if not (version == 1 and n == 0) and not (version == 0 and n == documents)]
    for n in names:
        changed = version == 1 and n in (1, 2)
        parts = []
        for part in range(3):
            lines = " ".join(
                f"Take {n}.{part}.{line}: the camera crew {'re-graded' if changed else 'generated'} shot "
                f"{n * 100 + part * 10 + line} for scene {part + 1} and logged the tool it used." for line in range(7))
            parts.append(f"## Scene {part + 1}\n\n{lines}")
        (folder / f"shot-log-{n:02d}.md").write_text(f"# Shot log {n}\n\n" + "\n\n".join(parts) + "\n", encoding="utf-8")


def stored_ids(settings: Settings) -> set[str]:
    """Chunk ids in the collection; empty when it does not exist."""
    from chromadb.errors import NotFoundError

    from chatbot.store.client import open_client

    client = open_client(settings)
    try:
        return set(client.get_collection(settings.collection).get(include=[])["ids"])
    except NotFoundError:
        return set()


def recorded_ids(settings: Settings) -> set[str]:
    """Chunk ids the record manager says are indexed."""
    from ingest import records

    with records.open_index(settings) as index:
        return set(index.records.list_keys())


def run_kill_trials(work_dir: Path, trials: int, *, seed: int = 0, embedding_model: str = "",
                    progress: Callable[[KillTrial], None] | None = None) -> list[KillTrial]:
    """Kill `trials` ingests (alternately first ingests and updates) at random moments and check each store.

    An ingest that finishes before its signal is not a trial: the next attempt waits less.
    """
    from ingest import pipeline

    rng = random.Random(seed)
    old, new = work_dir / "corpus-v0", work_dir / "corpus-v1"
    write_corpus(old, 0)
    write_corpus(new, 1)
    base = Settings(data_dir=work_dir / "base", corpus_dir=old, embedding_model=embedding_model)
    pipeline.run(base)
    clean = Settings(data_dir=work_dir / "clean", corpus_dir=new, embedding_model=embedding_model)
    began = time.perf_counter()
    pipeline.run(clean)
    window = {scenario: 2.0 * (time.perf_counter() - began) + 1.0 for scenario in SCENARIOS}
    expected = stored_ids(clean)

    results: list[KillTrial] = []
    attempts = 0
    while len(results) < trials and attempts < trials * 4:
        attempts += 1
        scenario = SCENARIOS[len(results) % 2]
        settings = Settings(data_dir=work_dir / f"trial-{attempts:02d}", corpus_dir=new, embedding_model=embedding_model)
        if scenario == "update":
            shutil.copytree(base.data_dir, settings.data_dir)
        delay = rng.uniform(0.0, window[scenario])
        ran_for = _run_and_kill(settings, delay)
        if ran_for is not None:  # finished first: aim inside the time it took
            window[scenario] = max(0.2, 0.9 * ran_for)
            shutil.rmtree(settings.data_dir, ignore_errors=True)
            continue
        trial = _inspect(len(results) + 1, scenario, delay, settings, expected)
        results.append(trial)
        if progress:
            progress(trial)
        if trial.survived:
            shutil.rmtree(settings.data_dir, ignore_errors=True)
    return results


def _run_and_kill(settings: Settings, delay: float) -> float | None:
    """Start an ingest, SIGKILL it `delay` seconds after it is ready; the seconds it ran when it finished first."""
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "-c", PRELOADED_INGEST, settings.embedding_model, "--quiet"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        if line.strip() != "ready":
            process.wait(60)
            raise RuntimeError(f"the ingest process did not start (exit {process.returncode})")
        ready = time.perf_counter()
        try:
            process.wait(delay)
            return time.perf_counter() - ready
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(60)
            return None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()


def _inspect(number: int, scenario: str, delay: float, settings: Settings, expected: set[str]) -> KillTrial:
    from chatbot.bot import build_bot
    from chatbot.errors import ChatbotError, IndexMissing
    from ingest import pipeline

    trial = KillTrial(number=number, scenario=scenario, delay_s=round(delay, 3), chunks_at_kill=0, chunks_after=0,
                      expected=len(expected))
    try:
        trial = dataclasses.replace(trial, chunks_at_kill=len(stored_ids(settings)))
    except ChatbotError as err:
        return dataclasses.replace(trial, problem=f"the store did not open after the kill: {err}")
    try:
        if not build_bot(settings).retrieve(QUERY) and trial.chunks_at_kill:
            return dataclasses.replace(trial, problem="a query over the killed store found nothing")
    except IndexMissing:
        if trial.chunks_at_kill:
            return dataclasses.replace(trial, problem="the bot called a store holding chunks empty")
    except Exception as err:  # any other failure is what the trial looks for
        return dataclasses.replace(trial, problem=f"a query failed after the kill: {type(err).__name__}: {err}")
    try:
        report = pipeline.run(settings)
        ids, recorded = stored_ids(settings), recorded_ids(settings)
    except Exception as err:
        return dataclasses.replace(trial, problem=f"the next ingest failed: {type(err).__name__}: {err}")
    trial = dataclasses.replace(trial, chunks_after=len(ids))
    if report.failed:
        return dataclasses.replace(trial, problem=f"the next ingest reported failures: {report.warnings}")
    if ids != expected:
        return dataclasses.replace(trial, problem=f"{len(ids - expected)} unexpected and {len(expected - ids)} "
                                                  "missing chunks after the next ingest")
    if recorded != expected:
        return dataclasses.replace(trial, problem="the chunk records do not match the store after the next ingest")
    return trial
