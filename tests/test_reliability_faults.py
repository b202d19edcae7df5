"""Faults: ingests killed at random moments, damaged or foreign stores, and a Chroma server that goes away and returns."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chroma_server import ChromaServer
from ui_helpers import ROOT, free_port, serve

from chatbot.errors import StoreUnavailable
from evals.kill_trials import half_written, run_kill_trials
from ingest import pipeline

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "ingest" / "corpus"
QUESTION = "Can the sound department use a synthetic voice to replace a line an actor recorded?"
REBUILD = "python -m ingest --rebuild"
KILL_TRIALS = 3  # the CI size; `python -m evals.reliability` runs more


def test_ingests_killed_while_writing_leave_whole_documents_that_the_next_run_completes(tmp_path, embedder):
    trials = run_kill_trials(tmp_path, KILL_TRIALS, seed=int(time.time()) % 1000)

    for trial in trials:
        print(f"\n{trial}")
    assert len(trials) == KILL_TRIALS
    assert [trial.problem for trial in trials] == [""] * KILL_TRIALS
    assert {trial.scenario for trial in trials} == {"first ingest", "update"}
    assert all(trial.chunks_after == trial.expected > 2 * 64 for trial in trials), "several batches per ingest"
    assert sum(trial.partial for trial in trials) >= 2, "the kills landed while the store was being written"


def test_a_half_written_document_is_what_the_kill_trials_look_for():
    before = {"a.md": {"a1", "a2"}, "b.md": {"b1"}}
    after = {"a.md": {"a3", "a4"}, "c.md": {"c1", "c2"}}
    assert half_written({"a.md": {"a1", "a2", "a3", "a4"}, "b.md": {"b1"}}, before, after) == []
    assert half_written({"a.md": {"a1", "a2"}, "c.md": {"c1", "c2"}}, before, after) == []
    assert half_written({"a.md": {"a1", "a2", "a3"}}, before, after) == ["a.md (1 of 2 new chunks, 2 of 2 old)"]
    assert half_written({"c.md": {"c1"}}, before, after) == ["c.md (1 of 2 new chunks, 0 of 0 old)"]


# Damaged or foreign stores -------------------------------------------------------------------------------


def not_a_database(settings) -> None:
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 200)


def damaged_tables(settings) -> None:
    with sqlite3.connect(settings.chroma_dir / "chroma.sqlite3") as connection:
        connection.execute("DROP TABLE embeddings")


def older_chroma(settings) -> None:
    with sqlite3.connect(settings.chroma_dir / "chroma.sqlite3") as connection:
        connection.execute("DELETE FROM migrations WHERE dir = 'sysdb' AND version = (SELECT max(version) FROM "
                           "migrations WHERE dir = 'sysdb')")


def other_embedding_model(settings) -> None:
    _rewrite_collection(settings, lambda vector, metadata: (vector * 2, metadata))


def older_index_format(settings) -> None:
    _rewrite_collection(settings, lambda vector, metadata: (vector, {k: v for k, v in metadata.items()
                                                                     if k not in ("restated", "kind")}))


def _rewrite_collection(settings, change) -> None:
    """The same chunks stored again as another model (vectors of another size) or an older ingester would have."""
    from chatbot.store.client import COLLECTION_METADATA, open_client

    client = open_client(settings)
    collection = client.get_collection(settings.collection)
    got = collection.get(include=["documents", "metadatas", "embeddings"])
    client.delete_collection(settings.collection)
    rows = [change(list(vector), metadata) for vector, metadata in zip(got["embeddings"], got["metadatas"])]
    fresh = client.create_collection(settings.collection, metadata=COLLECTION_METADATA)
    fresh.add(ids=got["ids"], documents=got["documents"], embeddings=[vector for vector, _ in rows],
              metadatas=[metadata for _, metadata in rows])


DAMAGES = [not_a_database, damaged_tables, older_chroma, other_embedding_model, older_index_format]


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory, embedder):
    from chatbot.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("clean-store"), corpus_dir=FIXTURES)
    assert pipeline.run(settings).failed == 0
    return settings


@pytest.mark.parametrize("damage", DAMAGES, ids=[damage.__name__ for damage in DAMAGES])
def test_a_damaged_or_foreign_store_is_explained_in_the_app_and_fixed_by_a_rebuild(damage, clean_store, tmp_path):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from chatbot.bot import build_bot

    settings = _copy(clean_store, tmp_path)
    damage(settings)
    with pytest.raises(StoreUnavailable, match=REBUILD):
        build_bot(settings).ask(QUESTION)

    with serve(build_bot(settings), settings, documents=[]) as demo:
        client = Client(demo.local_url, verbose=False)
        with pytest.raises(AppError, match=REBUILD):
            client.predict(QUESTION, api_name="/ask")
        history, _, _ = client.submit(QUESTION, [], api_name="/chat").result(timeout=120)
        assert REBUILD in str(history[-1]["content"])

        report = pipeline.run(settings, rebuild=True)
        assert report.failed == 0 and report.chunks_added > 0
        assert client.predict(QUESTION, api_name="/ask")["citations"], "the running app reads the rebuilt index"


def test_an_ingest_and_a_rebuild_by_another_process_reach_a_running_bot_without_an_error(clean_store, tmp_path):
    from chatbot.bot import build_bot

    corpus = Path(shutil.copytree(FIXTURES, tmp_path / "corpus"))
    settings = dataclasses.replace(_copy(clean_store, tmp_path), corpus_dir=corpus)
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(corpus)}
    bot = build_bot(settings)
    question = "What does the voice memo say about synthetic voices?"
    assert all(passage.source != "voice-memo.md" for passage in bot.retrieve(question))

    memo = corpus / "voice-memo.md"
    memo.write_text("# Voice memo\n\n## Synthetic voices\n\nThe voice memo says a synthetic voice may replace a "
                    "recorded line only with the actor's written agreement.\n", encoding="utf-8")
    for args, word in ((["--quiet"], "only"), (["--rebuild", "--quiet"], "solely")):
        memo.write_text(memo.read_text(encoding="utf-8").replace("only", word), encoding="utf-8")
        ingested = subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=300)
        assert ingested.returncode == 0, ingested.stderr
        found = [passage for passage in bot.retrieve(question) if passage.source == "voice-memo.md"]
        assert found and word in found[0].text, f"the running bot reads what `python -m ingest {' '.join(args)}` wrote"
        assert bot.ask(question).citations


@pytest.mark.parametrize("damage", [not_a_database, other_embedding_model], ids=["not_a_database", "other_embedding_model"])
def test_the_command_line_says_what_to_run_in_one_line(damage, clean_store, tmp_path):
    settings = _copy(clean_store, tmp_path)
    damage(settings)
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir)}

    answered = subprocess.run([sys.executable, "-m", "chatbot", QUESTION], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
    assert answered.returncode == 1 and answered.stdout == ""
    assert "Traceback" not in answered.stderr
    assert answered.stderr.strip().splitlines()[-1].startswith("error: ")
    assert REBUILD in answered.stderr


def test_app_py_refuses_a_damaged_store_with_the_rebuild_command(clean_store, tmp_path):
    settings = _copy(clean_store, tmp_path)
    not_a_database(settings)
    started = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
             "RAG_PORT": str(free_port())},
    )
    assert started.returncode == 1
    assert "Traceback" not in started.stderr
    last = started.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and REBUILD in last


def _copy(settings, tmp_path):
    return dataclasses.replace(settings, data_dir=Path(shutil.copytree(settings.data_dir, tmp_path / "data")))


# A Chroma server that goes away ----------------------------------------------------------------------------


def test_a_chroma_server_that_goes_away_is_a_clear_error_and_its_return_is_picked_up(make_settings, tmp_path, embedder):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from chatbot.bot import build_bot

    server = ChromaServer(tmp_path / "server-data", tmp_path / "chroma.log")
    server.start()
    try:
        settings = make_settings(corpus_dir=FIXTURES, chroma_url=server.url)
        assert pipeline.run(settings).failed == 0
        bot = build_bot(settings)
        assert bot.ask(QUESTION).citations
        with serve(bot, settings, documents=[]) as demo:
            client = Client(demo.local_url, verbose=False)
            assert client.predict(QUESTION, api_name="/ask")["citations"]

            server.kill()
            with pytest.raises(StoreUnavailable, match=f"Chroma server at {server.url}.*chroma run"):
                bot.ask(QUESTION)
            with pytest.raises(AppError, match=f"Chroma server at {server.url}"):
                client.predict(QUESTION, api_name="/ask")

            server.start()  # same port, same folder; neither the bot nor the app is restarted
            assert bot.ask(QUESTION).citations
            assert client.predict(QUESTION, api_name="/ask")["citations"]
    finally:
        server.kill()
