"""`python -m ingest` as a person runs it: the summary line, exit status, --rebuild, and a kill midway."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import pipeline
from ingest.records import BATCH_SIZE

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SUMMARY = re.compile(r"ingested (\d+) documents: (\d+) chunks added, (\d+) updated, (\d+) skipped, (\d+) deleted in [\d.]+ s")

pytestmark = pytest.mark.slow


def ingest_command(settings, *args: str, wait: bool = True):
    env = {
        **os.environ,
        "RAG_DATA_DIR": str(settings.data_dir),
        "RAG_CORPUS_DIR": str(settings.corpus_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "ingest", *args]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_summary_exit_status_and_rebuild_of_a_corrupted_store(make_settings, tmp_path, embedder):
    corpus = Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))
    settings = make_settings(corpus_dir=corpus)
    total = pipeline.run(settings).chunks_added
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"not a database" * 100)

    broken = ingest_command(settings)
    assert broken.returncode == 1 and broken.stdout == ""
    assert "Traceback" not in broken.stderr
    last = broken.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "python -m ingest --rebuild" in last

    rebuilt = ingest_command(settings, "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert SUMMARY.fullmatch(rebuilt.stdout.strip()).groups() == ("3", str(total), "0", "0", "0")

    (corpus / "empty.md").write_bytes(b"")
    failing = ingest_command(settings, "--quiet")
    assert failing.returncode == 1
    assert failing.stderr.strip().splitlines() == ["WARNING: empty.md: empty file"]
    line = failing.stdout.strip()
    assert SUMMARY.match(line).groups() == ("3", "0", "0", str(total), "0")
    assert line.endswith("; 1 failed (see the warnings above)")


def write_long_corpus(folder: Path, documents: int = 5, parts: int = 40) -> None:
    """Many short sections: several embedding batches, each quick to embed."""
    folder.mkdir(parents=True)
    for n in range(documents):
        sections = "\n\n".join(
            f"## Part {part}\n\nNote {n}.{part}: the crew logs generated shot {n * 1000 + part} in the daily report, "
            f"and the supervisor checks entry {part} of log {n} against the approval list before the next call time."
            for part in range(parts)
        )
        (folder / f"log-{n:02d}.md").write_text(f"# Shot log {n}\n\n{sections}\n", encoding="utf-8")


def recorded(record_db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{record_db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT count(*) FROM upsertion_record").fetchone()[0]
    except sqlite3.Error:  # not created yet, or being written
        return 0


def test_an_ingest_killed_midway_is_finished_by_the_next_run(make_settings, tmp_path, embedder):
    write_long_corpus(tmp_path / "corpus")
    settings = make_settings(corpus_dir=tmp_path / "corpus")
    total = pipeline.plan(settings).total_chunks
    assert total > 2 * BATCH_SIZE

    process = ingest_command(settings, "--quiet", wait=False)
    deadline = time.monotonic() + 240
    while recorded(settings.record_db) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    from chatbot.store.client import open_client

    client = open_client(settings)
    try:  # records run ahead of the store by one source at most: what counts is what the store holds
        done_before = client.get_collection(settings.collection).count()
    finally:
        client.close()
    assert 0 < done_before < total

    report = pipeline.run(settings)
    assert report.failed == 0
    assert report.chunks_added + report.chunks_skipped == total
    assert report.chunks_skipped >= done_before  # the work done before the kill is kept
    client = open_client(settings)
    try:
        assert client.get_collection(settings.collection).count() == total
    finally:
        client.close()
    assert recorded(settings.record_db) == total


def test_an_ingest_leaves_the_sentence_vectors_the_app_reads_at_start(make_settings, tmp_path):
    corpus = Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))
    settings = make_settings(corpus_dir=corpus)

    first = ingest_command(settings, "--quiet")
    assert first.returncode == 0, first.stderr
    assert settings.sentence_cache.exists()

    from chatbot.bot import build_bot

    bot = build_bot(settings)
    bot.warm_up()
    assert len(bot._bank) > 0 and not bot._bank.unsaved  # every chunk's sentences were read, none embedded

    edited = corpus / sorted(p.name for p in corpus.glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nA new closing paragraph about lighting.\n",
                      encoding="utf-8")
    saved = settings.sentence_cache.stat().st_mtime_ns
    second = ingest_command(settings, "--quiet")
    assert second.returncode == 0, second.stderr
    assert settings.sentence_cache.stat().st_mtime_ns != saved  # the edited chunk's sentences were added
    fresh = build_bot(settings)
    fresh.warm_up()
    assert not fresh._bank.unsaved
