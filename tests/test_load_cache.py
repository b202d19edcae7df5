"""The load cache: a new process reads the bot's snapshot from disk; a stale or damaged cache is rebuilt, never used."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil

import numpy as np
import pytest

from chatbot.bot import build_bot
from chatbot.query.words import tokenize
from chatbot.store import file_manifest, load_cache, reader
from chatbot.store.client import get_collection, open_client

QUESTION = "Do I need consent to make a digital replica of an actor?"


@pytest.fixture
def settings(corpus_settings, tmp_path):
    """A copy of the corpus index of the test session, with no load cache yet."""
    shutil.copytree(corpus_settings.chroma_dir, tmp_path / "data" / "chroma")
    return dataclasses.replace(corpus_settings, data_dir=tmp_path / "data")


@pytest.fixture
def new_process(monkeypatch):
    """Forget the readers (and their snapshots) this process holds, as a new process starts without them."""

    def forget() -> None:
        monkeypatch.setattr(reader, "_readers", {})

    return forget


def snapshot_of(settings):
    """The snapshot a bot over `settings` would answer from."""
    return reader.IndexReader(settings).snapshot()


def reference_answer(corpus_settings):
    return build_bot(dataclasses.replace(corpus_settings, load_cache=False)).ask(QUESTION)


def test_the_first_load_writes_the_cache_and_the_next_process_reads_it(settings, new_process, caplog):
    new_process()
    built = snapshot_of(settings)
    folder = load_cache.cache_folder(settings)
    assert (folder / file_manifest.MANIFEST).exists()

    new_process()
    with caplog.at_level(logging.INFO, logger="chatbot.store.load_cache"):
        read = snapshot_of(settings)
    assert "from the load cache" in caplog.text
    assert read is not built
    assert read.passages == built.passages
    assert read.fingerprint == built.fingerprint and read.row_of == built.row_of
    assert read.originals_by_url == built.originals_by_url
    assert np.array_equal(read.embeddings, built.embeddings)
    tokens = tokenize("digital replica consent performer")
    assert np.array_equal(read.lexical.scores(tokens), built.lexical.scores(tokens))
    assert read.lexical.support(tokens, [0, 1, 2]) == built.lexical.support(tokens, [0, 1, 2])
    assert read.lexical.idf("replica") == built.lexical.idf("replica")


def damage_flip(folder):
    path = folder / "embeddings.npy"
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01  # one bit of one vector
    path.write_bytes(bytes(data))


def damage_truncate(folder):
    path = folder / "texts.bin"
    path.write_bytes(path.read_bytes()[:-10])


def damage_delete(folder):
    next((folder / "lexical" / "bm25").glob("data*.npy")).unlink()


def damage_manifest(folder):
    (folder / file_manifest.MANIFEST).write_text("{")


def damage_consistent_lie(folder):
    """Another chunk's text under the first id, with a manifest rewritten to match: only the store can tell."""
    manifest = json.loads((folder / file_manifest.MANIFEST).read_text())
    offsets = np.load(folder / "text_offsets.npy")
    blob = (folder / "texts.bin").read_bytes()
    first = blob[offsets[0]:offsets[1]]
    (folder / "texts.bin").write_bytes(blob[offsets[1]:offsets[2]][: len(first)].ljust(len(first)) + blob[offsets[1]:])
    file_manifest.write(folder, manifest["key"], list(manifest["files"]))


@pytest.mark.parametrize("damage", [damage_flip, damage_truncate, damage_delete, damage_manifest, damage_consistent_lie])
def test_a_damaged_cache_is_rebuilt_and_the_answer_is_right(settings, corpus_settings, new_process, damage, caplog):
    new_process()
    build_bot(settings).ask(QUESTION)
    folder = load_cache.cache_folder(settings)
    damage(folder)

    new_process()
    with caplog.at_level(logging.INFO, logger="chatbot"):
        answer = build_bot(settings).ask(QUESTION)
    assert "from the load cache" not in caplog.text
    assert "Wrote the load cache" in caplog.text
    expected = reference_answer(corpus_settings)
    assert (answer.text, answer.citations) == (expected.text, expected.citations)
    assert file_manifest.matches(folder, json.loads((folder / file_manifest.MANIFEST).read_text())["key"])

    new_process()
    with caplog.at_level(logging.INFO, logger="chatbot.store.load_cache"):
        assert build_bot(settings).ask(QUESTION).citations == expected.citations
    assert "from the load cache" in caplog.text  # the rebuilt cache is used again


def test_a_changed_collection_makes_the_cache_stale(settings, new_process, caplog):
    new_process()
    before = snapshot_of(settings)
    client = open_client(settings)
    try:
        collection = get_collection(settings, client)
        first = collection.get(limit=1, include=["documents", "metadatas", "embeddings"])
        collection.add(ids=["a-new-chunk"], documents=["The catering budget is agreed with the line producer."],
                       metadatas=first["metadatas"], embeddings=first["embeddings"])
    finally:
        client.close()

    new_process()
    with caplog.at_level(logging.INFO, logger="chatbot"):
        after = snapshot_of(settings)
    assert "made from another source" in caplog.text
    assert len(after) == len(before) + 1 and "a-new-chunk" in after.row_of


def test_the_cache_can_be_turned_off(settings, new_process):
    new_process()
    assert build_bot(dataclasses.replace(settings, load_cache=False)).ask(QUESTION).citations
    assert not load_cache.cache_folder(settings).exists()


def test_an_unwritable_cache_folder_is_logged_and_the_bot_answers(settings, new_process, caplog):
    (settings.data_dir / load_cache.FOLDER).write_text("a file where the folder should be")
    new_process()
    with caplog.at_level(logging.WARNING, logger="chatbot.store.load_cache"):
        assert build_bot(settings).ask(QUESTION).citations
    assert "Could not write the load cache" in caplog.text


def test_a_cache_made_by_another_tokenizer_is_rebuilt(settings, new_process, monkeypatch, caplog):
    new_process()
    snapshot_of(settings)  # writes the cache
    changed = load_cache.words.version() + "-changed"
    monkeypatch.setattr(load_cache.words, "version", lambda: changed)  # the words are read another way
    new_process()
    with caplog.at_level(logging.INFO, logger="chatbot"):
        snapshot_of(settings)
    assert "made from another source" in caplog.text


def test_the_tokenizer_version_digests_its_irregular_verb_forms(monkeypatch):
    from chatbot.query import words

    before = words.version()
    monkeypatch.setattr(words, "_irregular", lambda: {"wrote": "write", "flew": "fly"})
    words.version.cache_clear()
    try:
        assert words.version() != before
    finally:
        words.version.cache_clear()
