"""The same ingest against a real `chroma run` server on 127.0.0.1 (RAG_CHROMA_URL)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chatbot.errors import StoreUnavailable
from ingest import pipeline
from ingest.records import namespace
from test_ingest_loaders import unused_port  # tests/ is on sys.path in pytest's default import mode

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
CHROMA = Path(sys.executable).parent / "chroma"

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path):
    """A Chroma server on a free local port, stopped at the end; yields its URL."""
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is not installed")
    port = unused_port()
    log = (tmp_path / "chroma-server.log").open("w")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start: {(tmp_path / 'chroma-server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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
    settings = make_settings(chroma_url=f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(StoreUnavailable, match="Chroma server at http://127.0.0.1:"):
        pipeline.run(settings, [str(FIXTURES / "corpus" / "articles")])
