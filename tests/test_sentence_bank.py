"""Sentence vectors are embedded once per chunk and saved, so a new process reads them instead of embedding again."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from chatbot.bot import build_bot
from chatbot.store.sentence_bank import SentenceBank
from chatbot.types import Passage

DIMENSION = 384


def passage(chunk_id: str, text: str) -> Passage:
    return Passage(chunk_id=chunk_id, text=text, source="doc.md", title="Doc", section="Part", url="", kind="guidance")


PASSAGES = [
    passage("a", "Moodboards made with GenAI need no escalation. They stay out of the final cut."),
    passage("b", "A digital replica needs the performer's written consent."),
]


class CountingEmbedder:
    """The real model's vectors, counting how many sentences it was asked to embed."""

    def __init__(self, embedder):
        self.embedder, self.sentences = embedder, 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.sentences += len(texts)
        return np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)


@pytest.fixture
def counting(embedder):
    return CountingEmbedder(embedder)


def test_a_new_bank_reads_the_saved_vectors_instead_of_embedding(tmp_path, counting):
    cache = tmp_path / "sentence-vectors.npz"
    first = SentenceBank(counting, cache, model="bundled")
    embedded = first.get(PASSAGES)
    assert counting.sentences == 3 and first.unsaved
    first.save(PASSAGES)
    assert cache.exists() and not first.unsaved

    second = SentenceBank(counting, cache, model="bundled")
    assert second.load(DIMENSION) == 2
    again = second.get(PASSAGES)

    assert counting.sentences == 3  # nothing embedded the second time
    assert [chunk.sentences for chunk in again] == [chunk.sentences for chunk in embedded]
    for old, new in zip(embedded, again):
        assert np.array_equal(old.embeddings, new.embeddings)
    assert not second.unsaved


def test_a_chunk_whose_text_changed_is_embedded_again(tmp_path, counting):
    cache = tmp_path / "sentence-vectors.npz"
    first = SentenceBank(counting, cache, model="bundled")
    first.get(PASSAGES)
    first.save(PASSAGES)

    second = SentenceBank(counting, cache, model="bundled")
    second.load(DIMENSION)
    [chunk] = second.get([passage("b", "A digital replica needs consent. Guild rules apply too.")])

    assert counting.sentences == 3 + 2
    assert chunk.sentences == ("A digital replica needs consent.", "Guild rules apply too.")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other model", "other dimension"])
def test_a_damaged_or_foreign_cache_is_ignored(tmp_path, counting, caplog, damage):
    cache = tmp_path / "sentence-vectors.npz"
    first = SentenceBank(counting, cache, model="bundled")
    first.get(PASSAGES)
    first.save(PASSAGES)
    model, dimension = "bundled", DIMENSION
    if damage == "garbage":
        cache.write_bytes(b"not a numpy archive")
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[:200])
    elif damage == "other model":
        model = "/models/another-one"
    else:
        dimension = 768

    second = SentenceBank(counting, cache, model=model)
    with caplog.at_level(logging.INFO, logger="chatbot.store.sentence_bank"):
        assert second.load(dimension) == 0
    assert "Ignoring" in caplog.text

    assert len(second.get(PASSAGES)) == 2
    assert counting.sentences == 3 + 3  # embedded again, no error


def test_an_unwritable_cache_location_only_logs(tmp_path, counting, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    bank = SentenceBank(counting, blocker / "sentence-vectors.npz", model="bundled")
    bank.get(PASSAGES)
    with caplog.at_level(logging.WARNING, logger="chatbot.store.sentence_bank"):
        bank.save(PASSAGES)
    assert "Could not save the sentence cache" in caplog.text
    assert bank.unsaved and list(tmp_path.iterdir()) == [blocker]


def test_warm_up_saves_the_vectors_and_the_next_bot_reads_them(corpus_settings, tmp_path):
    settings = corpus_settings
    settings.sentence_cache.unlink(missing_ok=True)
    first = build_bot(settings)
    first.warm_up()
    assert settings.sentence_cache.exists()

    second = build_bot(settings)
    second.warm_up(sentences=False)
    _, bank = second._load()
    passages = second.reader.snapshot().passages
    bank.get(passages)
    chunks = len(passages)
    assert len(bank) == chunks and not bank.unsaved  # every chunk came from the file
    assert second.ask("Can I use Midjourney for mood boards?").citations
