"""Ingest timings on a copy of the corpus: cold, again with nothing changed, and after editing one paragraph."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from chatbot.settings import Settings
from evals.bench.stats import summarize, timed_ms

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
MIN_WORDS = 15  # an edited paragraph is a line of prose at least this long
_NOT_PROSE = re.compile(r"^\s*(?:#|\||[-*+>]|\d+[.)])")  # headings, tables, lists, quotes
MB = 1e6


def corpus_megabytes(corpus_dir: Path) -> float:
    return sum(path.stat().st_size for path in corpus_dir.rglob("*") if path.is_file()) / MB


def run(settings: Settings, *, repeats: int) -> dict:
    """Time ingests into fresh data folders beside `settings.data_dir`; the last one is left at `settings.data_dir`.

    `settings.corpus_dir` must be a copy: one of its documents is edited, then restored and re-ingested.
    """
    from chatbot.store.client import get_embedder
    from ingest import pipeline

    megabytes = corpus_megabytes(settings.corpus_dir)
    _, model_ms = timed_ms(lambda: get_embedder(settings.embedding_model).embed_query("load"))

    cold = []
    for number in range(repeats):
        log.info("ingest: cold run %d of %d", number + 1, repeats)
        last = number == repeats - 1
        data_dir = settings.data_dir if last else settings.data_dir.with_name(f"{settings.data_dir.name}-cold-{number}")
        cold.append(pipeline.run(dataclasses.replace(settings, data_dir=data_dir)))
    chunks = cold[-1].chunks_added

    unchanged = [pipeline.run(settings) for _ in range(max(repeats, 3))]
    unchanged_cli = [_cli_seconds(settings) for _ in range(repeats)]

    edited = edit_target(settings.corpus_dir)
    original = edited.read_text(encoding="utf-8")
    edits = []
    try:
        for number in range(repeats):
            edit_paragraph(edited, number)
            edits.append(pipeline.run(settings))
    finally:
        edited.write_text(original, encoding="utf-8")
        pipeline.run(settings)

    cold_s = [report.seconds for report in cold]
    return {
        "documents": cold[-1].documents_seen,
        "chunks": chunks,
        "corpus_mb": round(megabytes, 3),
        "model_load_s": round(model_ms / 1000, 2),
        "cold": {
            "seconds": summarize(cold_s),
            "chunks_per_s": summarize(report.embedded / report.seconds for report in cold),
            "seconds_per_mb": summarize(seconds / megabytes for seconds in cold_s),
        },
        "unchanged": {
            "seconds": summarize(report.seconds for report in unchanged),
            "embedded": max(report.embedded for report in unchanged),
            "cli_seconds": summarize(unchanged_cli),
        },
        "one_edit": {
            "document": edited.relative_to(settings.corpus_dir).as_posix(),
            "seconds": summarize(report.seconds for report in edits),
            "embedded": summarize(report.embedded for report in edits),
            "deleted": summarize(report.chunks_deleted for report in edits),
        },
    }


def edit_target(corpus_dir: Path) -> Path:
    """The largest document: an edit there touches the most-cited text."""
    return max((path for path in corpus_dir.rglob("*.md")), key=lambda path: path.stat().st_size)


def edit_paragraph(path: Path, number: int) -> None:
    """Append a sentence to the middle prose paragraph of a Markdown file (front matter, headings, lists, tables skipped)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    body_start = 0
    if lines and lines[0].strip() == "---":
        body_start = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0) + 1
    prose = [
        i for i in range(body_start, len(lines))
        if len(lines[i].split()) >= MIN_WORDS and not _NOT_PROSE.match(lines[i])
    ]
    if not prose:
        raise ValueError(f"{path} has no paragraph of {MIN_WORDS} words or more to edit.")
    target = prose[len(prose) // 2]
    lines[target] = lines[target].rstrip() + f" This paragraph was revised ({number + 1})."
    path.write_text("\n".join(lines), encoding="utf-8")


def _cli_seconds(settings: Settings) -> float:
    """Wall time of `python -m ingest --quiet` with nothing to do, imports included."""
    env = {"RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir)}
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "ingest", "--quiet"], cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, "HF_HUB_OFFLINE": "1", **env}, timeout=300)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"python -m ingest exited with {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    if " 0 chunks added, 0 updated" not in completed.stdout:
        raise RuntimeError(f"python -m ingest re-embedded chunks of an unchanged corpus: {completed.stdout.strip()}")
    return elapsed

