"""The same ingest against a real `chroma run` server on 127.0.0.1 (RAG_CHROMA_URL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from chroma_server import ChromaServer  # tests/ is on sys.path in pytest's default import mode

from chatbot.errors import StoreUnavailable
from evals.processes import free_port
from ingest import pipeline
from ingest.records import namespace

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path):
    """A Chroma server on a free local port, stopped at the end; yields its URL."""
    server = ChromaServer(tmp_path / "server-data", tmp_path / "chroma-server.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_server_mode_ingests_incrementally_and_keeps_its_records_apart(make_settings, tmp_path, chroma_server, embedder):
    corpus = Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))
    server = make_settings(corpus_dir=corpus, chroma_url=chroma_server)
    local = make_settings(corpus_dir=corpus)
    assert namespace(server) != namespace(local)
    assert pipeline.store_is_empty(server)

    first = pipeline.run(server)
    total = pipeline.plan(server).total_chunks
    assert (first.chunks_added, first.failed) == (total, 0)
    assert not server.chroma_dir.exists()  # nothing written to a local store
    assert not pipeline.store_is_empty(server)
    assert pipeline.run(server).embedded == 0

    # The local store shares the data folder and its record database, but not the records.
    assert pipeline.run(local).chunks_added == total

    rebuilt = pipeline.run(server, rebuild=True)
    assert (rebuilt.chunks_added, rebuilt.chunks_skipped) == (total, 0)


def test_unreachable_server_is_a_clear_error(make_settings, embedder):
    settings = make_settings(chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailable, match="Chroma server at http://127.0.0.1:"):
        pipeline.run(settings, [str(FIXTURES / "corpus" / "articles")])
