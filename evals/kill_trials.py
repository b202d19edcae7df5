"""Ingests killed with SIGKILL while they write: the store opens and answers with whole documents only, and the
next run completes it.

The corpus spans several batches of chunks, and each kill lands inside the ingest's write window: after the
ingest has reported a randomly chosen batch and a random part of one batch's time later. A trial counts as
partial when the store at the kill is neither what it was before nor what the ingest would have made; a run
must see enough partial trials, or it has not tested what it says.
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from chatbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUERY = "Which shots did the camera crew generate?"
# Short chunks: many per document, several batches per ingest, and little time spent embedding each.
CHUNKING = {"chunk_max_words": 50, "chunk_min_words": 15, "chunk_overlap_words": 5}
DOCUMENTS = 24
# The killed process loads the model and its imports, says "ready", and then reports each batch it starts.
INSTRUMENTED_INGEST = (
    "import sys\n"
    "from chatbot.store.client import get_embedder\n"
    "get_embedder(sys.argv[1])\n"
    "import chromadb, langchain_chroma, langchain_classic.indexes\n"
    "from chatbot.settings import Settings\n"
    "from ingest import pipeline\n"
    "print('ready', flush=True)\n"
    "pipeline.run(Settings.from_env(), progress=lambda done, total: print(f'batch {done} {total}', flush=True))\n"
    "print('done', flush=True)\n"
)
SCENARIOS = ("first ingest", "update")


@dataclass(frozen=True)
class KillTrial:
    """One ingest killed while writing, and what the store held after it and after the next run."""

    number: int
    scenario: str  # "first ingest" into an empty folder, or "update" of a store built from an older corpus
    after_batch: int  # the kill came this many batches into the ingest ...
    delay_s: float  # ... and this long after that batch was reported
    chunks_at_kill: int
    chunks_after: int  # after the next, uninterrupted ingest
    expected: int  # chunks of a clean ingest of the same corpus
    partial: bool = False  # the store at the kill was neither the one before nor the one after
    problem: str = ""

    @property
    def survived(self) -> bool:
        return not self.problem


def write_corpus(folder: Path, version: int, documents: int = DOCUMENTS) -> None:
    """Shot logs of several chunks each; version 1 changes a third of them, drops one and adds one."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [n for n in range(documents + 1) if not (version == 1 and n == 0) and not (version == 0 and n == documents)]
    for n in names:
        changed = version == 1 and n % 3 == 1
        parts = []
        for part in range(4):
            lines = " ".join(
                f"Take {n}.{part}.{line}: the camera crew {'re-graded' if changed else 'generated'} shot "
                f"{n * 100 + part * 10 + line} for scene {part + 1} and logged the tool it used." for line in range(5))
            parts.append(f"## Scene {part + 1}\n\n{lines}")
        (folder / f"shot-log-{n:02d}.md").write_text(f"# Shot log {n}\n\n" + "\n\n".join(parts) + "\n", encoding="utf-8")


def chunk_sources(settings: Settings) -> dict[str, set[str]]:
    """{source: chunk ids} in the collection; empty when it does not exist."""
    from chromadb.errors import NotFoundError

    from chatbot.store.client import open_client, read_pages

    client = open_client(settings)
    try:
        collection = client.get_collection(settings.collection)
    except NotFoundError:
        return {}
    found: dict[str, set[str]] = {}
    for page in read_pages(collection, ["metadatas"]):
        for chunk_id, metadata in zip(page["ids"], page["metadatas"]):
            found.setdefault(str((metadata or {}).get("source", "")), set()).add(chunk_id)
    return found


def recorded_ids(settings: Settings) -> set[str]:
    """Chunk ids the record manager says are indexed."""
    from ingest import records

    with records.open_index(settings) as index:
        return set(index.records.list_keys())


def half_written(at_kill: Mapping[str, set[str]], before: Mapping[str, set[str]], after: Mapping[str, set[str]]) -> list[str]:
    """Sources whose chunks at the kill are not a whole version: not nothing, the old, the new, or both whole."""
    broken = []
    for source in sorted(set(at_kill) | set(before) | set(after)):
        old, new, now = before.get(source, set()), after.get(source, set()), at_kill.get(source, set())
        if now not in (set(), old, new, old | new):
            broken.append(f"{source} ({len(now & new)} of {len(new)} new chunks, {len(now & old)} of {len(old)} old)")
    return broken


def run_kill_trials(work_dir: Path, trials: int, *, seed: int = 0, embedding_model: str = "",
                    progress: Callable[[KillTrial], None] | None = None) -> list[KillTrial]:
    """Kill `trials` ingests (first ingests and updates in turn) inside their write window and check each store."""
    from ingest import pipeline

    rng = random.Random(seed)
    old, new = work_dir / "corpus-v0", work_dir / "corpus-v1"
    write_corpus(old, 0)
    write_corpus(new, 1)
    base = Settings(data_dir=work_dir / "base", corpus_dir=old, embedding_model=embedding_model, **CHUNKING)
    pipeline.run(base)
    before = chunk_sources(base)
    clean = Settings(data_dir=work_dir / "clean", corpus_dir=new, embedding_model=embedding_model, **CHUNKING)
    pipeline.run(clean)
    after = chunk_sources(clean)
    starts = {"first ingest": {}, "update": before}

    results: list[KillTrial] = []
    attempts = 0
    batch_s = {scenario: 1.0 for scenario in SCENARIOS}  # one batch's time, learnt from each run
    while len(results) < trials and attempts < trials * 3:
        attempts += 1
        scenario = SCENARIOS[len(results) % 2]
        settings = dataclasses.replace(clean, data_dir=work_dir / f"trial-{attempts:02d}")
        if scenario == "update":
            shutil.copytree(base.data_dir, settings.data_dir)
        batches = -(-pipeline.plan(settings).total_chunks // 64)
        after_batch = rng.randint(1, max(1, batches - 1))
        delay = rng.uniform(0.0, batch_s[scenario])
        ran = _run_and_kill(settings, after_batch, delay)
        if ran is None:  # finished before the signal: not a trial
            batch_s[scenario] *= 0.5
            shutil.rmtree(settings.data_dir, ignore_errors=True)
            continue
        batch_s[scenario] = max(0.05, ran)
        trial = _inspect(len(results) + 1, scenario, after_batch, delay, settings, starts[scenario], after)
        results.append(trial)
        if progress:
            progress(trial)
        if trial.survived:
            shutil.rmtree(settings.data_dir, ignore_errors=True)
    return results


def _run_and_kill(settings: Settings, after_batch: int, delay: float) -> float | None:
    """Start an instrumented ingest and SIGKILL it `delay` seconds after it reports batch `after_batch`.

    Returns how long that batch took to report after the one before (a batch's time, to aim the next kill with),
    or None when the ingest finished before the signal.
    """
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           **{f"RAG_{name.upper()}": str(value) for name, value in CHUNKING.items()}}
    process = subprocess.Popen([sys.executable, "-c", INSTRUMENTED_INGEST, settings.embedding_model], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        if process.stdout.readline().strip() != "ready":
            process.wait(60)
            raise RuntimeError(f"the ingest process did not start (exit {process.returncode})")
        seen, last = 0, time.perf_counter()
        batch_time = 0.0
        for line in process.stdout:
            if line.startswith("done"):
                return None
            if not line.startswith("batch "):
                continue
            now = time.perf_counter()
            batch_time, last = now - last, now
            done, total = (int(n) for n in line.split()[1:3])
            if done >= total:
                return None
            seen += 1
            if seen > after_batch:  # the report before batch `after_batch` + 1 starts: the kill falls inside it
                break
        else:
            return None
        try:
            process.wait(delay)
            return None
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(60)
            return batch_time
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()


def _inspect(number: int, scenario: str, after_batch: int, delay: float, settings: Settings,
             before: Mapping[str, set[str]], after: Mapping[str, set[str]]) -> KillTrial:
    from chatbot.bot import build_bot
    from chatbot.errors import ChatbotError, IndexMissing
    from ingest import pipeline

    expected = set().union(*after.values())
    trial = KillTrial(number=number, scenario=scenario, after_batch=after_batch, delay_s=round(delay, 3),
                      chunks_at_kill=0, chunks_after=0, expected=len(expected))
    try:
        at_kill = chunk_sources(settings)
    except ChatbotError as err:
        return dataclasses.replace(trial, problem=f"the store did not open after the kill: {err}")
    held = set().union(*at_kill.values()) if at_kill else set()
    trial = dataclasses.replace(trial, chunks_at_kill=len(held),
                                partial=held not in (set().union(*before.values()) if before else set(), expected))
    broken = half_written(at_kill, before, after)
    if broken:
        return dataclasses.replace(trial, problem=f"half-written documents were searchable: {'; '.join(broken[:3])}")
    try:
        if not build_bot(settings).retrieve(QUERY) and held:
            return dataclasses.replace(trial, problem="a query over the killed store found nothing")
    except IndexMissing:
        if held:
            return dataclasses.replace(trial, problem="the bot called a store holding chunks empty")
    except Exception as err:  # any other failure is what the trial looks for
        return dataclasses.replace(trial, problem=f"a query failed after the kill: {type(err).__name__}: {err}")
    try:
        report = pipeline.run(settings)
        ids, recorded = set().union(*chunk_sources(settings).values()), recorded_ids(settings)
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
