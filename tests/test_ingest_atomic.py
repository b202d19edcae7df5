"""What a reader can find while an ingest runs or after it stops: whole sources only, and a rebuild that replaces the
index only once the new one is complete. A read-only data folder is named as such."""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.errors import IngestError, StoreUnavailable
from chatbot.settings import Settings
from ingest import pipeline

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "ingest" / "corpus"
QUESTION = "Which scene did the camera crew log in take 3?"

pytestmark = pytest.mark.slow


def write_long_document(path: Path, version: int, scenes: int = 70) -> None:
    """One document of several embedding batches: a section per scene, every sentence naming the version."""
    parts = []
    for scene in range(scenes):
        lines = " ".join(f"In version {version}, take {scene}.{line} of scene {scene} was logged by the camera crew "
                         f"with lens {scene * 10 + line} and the {['wide', 'close', 'medium'][line % 3]} framing."
                         for line in range(6))
        parts.append(f"## Scene {scene}\n\n{lines}")
    path.write_text(f"# Camera log\n\n" + "\n\n".join(parts) + "\n", encoding="utf-8")


def chunks_by_source(settings: Settings) -> dict[str, dict[str, str]]:
    """{source: {chunk id: text}} of everything in the collection; empty when there is none."""
    from chromadb.errors import NotFoundError

    from chatbot.store.client import open_client, read_pages

    client = open_client(settings)
    try:
        collection = client.get_collection(settings.collection)
    except NotFoundError:
        return {}
    found: dict[str, dict[str, str]] = {}
    for page in read_pages(collection, ["documents", "metadatas"]):
        for chunk_id, text, metadata in zip(page["ids"], page["documents"], page["metadatas"]):
            found.setdefault(metadata["source"], {})[chunk_id] = text
    return found


class Interrupted(KeyboardInterrupt):
    pass


def interrupt_at(chunks: int):
    """A progress callback that presses Ctrl-C once `chunks` chunks have been handed to the store."""

    def progress(done: int, total: int) -> None:
        if 0 < chunks <= done < total:
            raise Interrupted

    return progress


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = Path(shutil.copytree(FIXTURES, tmp_path / "corpus"))
    write_long_document(folder / "camera-log.md", version=1)
    return folder


@pytest.fixture
def settings(corpus, tmp_path, embedder) -> Settings:
    # Short chunks, so that the long document spans several batches of 64 without costing minutes to embed.
    return Settings(data_dir=tmp_path / "data", corpus_dir=corpus, chunk_max_words=60, chunk_min_words=20,
                    chunk_overlap_words=10)


# Ctrl-C mid-ingest ----------------------------------------------------------------------------------------------


def test_an_interrupted_first_ingest_leaves_no_half_document(settings):
    total = pipeline.plan(settings).total_chunks
    assert total > 3 * 64, "the long document spans several batches"
    with pytest.raises(Interrupted):
        pipeline.run(settings, progress=interrupt_at(128))

    expected = {source: len(chunks) for source, chunks in pipeline.plan(settings).chunks}
    found = {source: len(chunks) for source, chunks in chunks_by_source(settings).items()}
    assert all(found[source] == expected[source] for source in found), (found, expected)
    assert found.get("camera-log.md", 0) == 0, "the long document is searchable whole or not at all"


def test_an_interrupted_update_leaves_the_previous_version_searchable(settings, corpus):
    from chatbot.bot import build_bot

    pipeline.run(settings)
    before = chunks_by_source(settings)["camera-log.md"]
    write_long_document(corpus / "camera-log.md", version=2)
    with pytest.raises(Interrupted):
        pipeline.run(settings, progress=interrupt_at(128))

    assert chunks_by_source(settings)["camera-log.md"] == before, "the previous version, whole, and nothing of the new"
    passages = build_bot(settings).retrieve(QUESTION)
    assert any("In version 1" in p.text for p in passages) and not any("In version 2" in p.text for p in passages)

    report = pipeline.run(settings)
    after = chunks_by_source(settings)["camera-log.md"]
    assert report.failed == 0 and len(after) == len(before)
    assert all("In version 2" in text for text in after.values())


# --rebuild --------------------------------------------------------------------------------------------------------


def settings_env(settings: Settings) -> dict[str, str]:
    return {"RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir), "HF_HUB_OFFLINE": "1",
            **{f"RAG_{name.upper()}": str(getattr(settings, name))
               for name in ("chunk_max_words", "chunk_min_words", "chunk_overlap_words")}}


def ingest_cli(settings: Settings, *args: str, env: dict | None = None, prefix: tuple[str, ...] = ()):
    environment = {**os.environ, **settings_env(settings), **(env or {})}
    return subprocess.run([*prefix, sys.executable, "-m", "ingest", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300)


def test_a_rebuild_that_loads_nothing_leaves_the_index_as_it_was(settings, tmp_path):
    pipeline.run(settings)
    before = chunks_by_source(settings)

    ran = ingest_cli(settings, "--rebuild", "--quiet", env={"RAG_CORPUS_DIR": str(tmp_path / "nonexistent")})
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
    assert "error: --rebuild stopped: no document could be loaded" in ran.stderr
    assert "the index was left as it was" in ran.stderr
    assert chunks_by_source(settings) == before


def test_a_rebuild_with_a_document_that_fails_leaves_the_index_as_it_was(settings, corpus):
    pipeline.run(settings)
    before = chunks_by_source(settings)
    (corpus / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")

    with pytest.raises(IngestError, match="1 of 5 documents could not be loaded.*left as it was"):
        pipeline.run(settings, rebuild=True)
    assert chunks_by_source(settings) == before


def test_an_interrupted_rebuild_leaves_the_index_as_it_was_and_no_leftovers(settings):
    from chatbot.bot import build_bot

    pipeline.run(settings)
    before = chunks_by_source(settings)
    bot = build_bot(settings)
    assert bot.ask(QUESTION).citations

    with pytest.raises(Interrupted):
        pipeline.run(settings, rebuild=True, progress=interrupt_at(128))
    assert chunks_by_source(settings) == before
    assert bot.ask(QUESTION).citations, "the running bot still answers from the index"
    assert _index_files(settings) == ["chroma", "records.sqlite"]


def test_a_rebuild_replaces_the_index_only_once_the_new_one_is_whole(settings, corpus):
    from chatbot.bot import build_bot

    pipeline.run(settings)
    bot = build_bot(settings)
    assert any("In version 1" in p.text for p in bot.retrieve(QUESTION))
    write_long_document(corpus / "camera-log.md", version=2)

    report = pipeline.run(settings, rebuild=True)
    assert report.failed == 0 and report.chunks_added == pipeline.plan(settings).total_chunks
    texts = chunks_by_source(settings)["camera-log.md"].values()
    assert all("In version 2" in text for text in texts)
    assert any("In version 2" in p.text for p in bot.retrieve(QUESTION)), "the running bot reads the new index"
    assert _index_files(settings) == ["chroma", "records.sqlite"]
    assert pipeline.run(settings).embedded == 0, "the records of the new index match it"


def test_a_rebuild_on_a_chroma_server_renames_the_new_collection_into_place(settings, corpus, tmp_path):
    from chroma_server import ChromaServer

    from chatbot.store.client import open_client

    server = ChromaServer(tmp_path / "server-data", tmp_path / "chroma.log")
    server.start()
    try:
        remote = dataclasses.replace(settings, chroma_url=server.url)
        pipeline.run(remote)
        with pytest.raises(Interrupted):
            pipeline.run(remote, rebuild=True, progress=interrupt_at(128))
        client = open_client(remote)
        assert [c.name for c in client.list_collections()] == [remote.collection], "the half-built one is gone"
        assert all("In version 1" in t for t in chunks_by_source(remote)["camera-log.md"].values())

        write_long_document(corpus / "camera-log.md", version=2)
        report = pipeline.run(remote, rebuild=True)
        assert report.failed == 0
        assert [c.name for c in client.list_collections()] == [remote.collection]
        assert all("In version 2" in t for t in chunks_by_source(remote)["camera-log.md"].values())
        assert pipeline.run(remote).embedded == 0, "the records follow the renamed collection"
    finally:
        server.kill()


# A read-only data folder ------------------------------------------------------------------------------------------


def read_only(path: Path) -> None:
    for item in [path, *path.rglob("*")]:
        mode = item.stat().st_mode
        item.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def without_root_powers() -> tuple[str, ...]:
    """A command prefix under which file modes bind, even for root (which otherwise writes anywhere)."""
    if os.geteuid() != 0:
        return ()
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: a read-only folder cannot be made")
    caps = "-dac_override,-fowner,-linux_immutable"
    return ("setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}")


def test_a_read_only_data_folder_is_named_as_such_and_a_rebuild_does_not_crash(settings):
    pipeline.run(settings)
    before = chunks_by_source(settings)
    read_only(settings.data_dir)
    prefix = without_root_powers()
    try:
        env = {**os.environ, **settings_env(settings)}
        asked = subprocess.run([*prefix, sys.executable, "-m", "chatbot", QUESTION], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=300)
        for ran in (asked, ingest_cli(settings, "--rebuild", "--quiet", prefix=prefix),
                    ingest_cli(settings, "--quiet", prefix=prefix)):
            if ran is asked and ran.returncode == 0:
                continue  # Chroma read it without writing: nothing to explain
            assert ran.returncode == 1 and "Traceback" not in ran.stderr, ran.stderr
            last = ran.stderr.strip().splitlines()[-1]
            assert last.startswith("error: The data folder") and "cannot be written" in last, ran.stderr
            assert "--rebuild" not in last
    finally:
        for item in [settings.data_dir, *settings.data_dir.rglob("*")]:
            item.chmod(item.stat().st_mode | stat.S_IWUSR)
    assert chunks_by_source(settings) == before


def test_the_read_only_message_names_the_folder_and_the_fix(settings):
    from chatbot.store.data_folder import read_only_message

    assert read_only_message(settings) is None
    said = read_only_message(settings, OSError("attempt to write a readonly database"))
    assert said.startswith(f"The data folder {settings.data_dir} cannot be written") and "RAG_DATA_DIR" in said
    with pytest.raises(StoreUnavailable, match="cannot be written"):
        raise StoreUnavailable(said)


def _index_files(settings) -> list[str]:
    """The data folder's index files, the caches beside them left out; a rebuild's leftovers would show here."""
    caches = {"load-cache", "onnx"}
    return sorted(path.name for path in settings.data_dir.iterdir()
                  if path.name not in caches and path.name != settings.sentence_cache.name)
