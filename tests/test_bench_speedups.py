"""The speed-ups keep behaviour: the store's change counter, the cached snapshot, BM25's partial sort, faster folding."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from chatbot.store.snapshot import Snapshot
from chatbot.query.words import fold
from chatbot.retrieval.lexical import LexicalRanker
from chatbot.retrieval.duplicates import drop_duplicates
from chatbot.store.client import open_client
from chatbot.store.version import StoreVersion
from ingest import pipeline

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


@pytest.fixture
def store(make_settings, tmp_path, embedder):
    """A real store holding the small test corpus; the corpus is a writable copy."""
    corpus = Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))
    settings = make_settings(corpus_dir=corpus)
    pipeline.run(settings)
    return settings


def test_store_version_changes_with_every_write_and_only_then(store):
    version = StoreVersion(store)
    client = open_client(store)
    collection = client.get_collection(store.collection)
    first = version.read()

    collection.get(include=["documents"])  # reads are not writes
    unchanged = version.read()
    collection.add(ids=["extra"], documents=["An extra chunk."], embeddings=[[0.0] * 384])
    added = version.read()
    collection.delete(ids=["extra"])
    deleted = version.read()

    assert first is not None and unchanged == first
    assert len({first, added, deleted}) == 3
    assert StoreVersion(type(store)(chroma_url="http://127.0.0.1:9", data_dir=store.data_dir)).read() is None
    version.close()
    client.close()


def test_the_reader_lists_ids_only_after_a_write_and_sees_an_edited_document(store, monkeypatch):
    from chatbot.bot import build_bot
    from chatbot.store import reader as reader_module

    bot = build_bot(store)
    reader = bot.reader
    listed = []
    original_read_pages = reader_module.read_pages

    def counting_read_pages(collection, include):
        listed.append(include)
        return original_read_pages(collection, include)

    first = reader.snapshot()
    monkeypatch.setattr(reader_module, "read_pages", counting_read_pages)
    for _ in range(5):
        assert reader.snapshot() is first
    assert listed == [], "no write, so no listing of the collection"

    handbook = store.corpus_dir / "production-handbook.md"
    handbook.write_text(handbook.read_text(encoding="utf-8") + "\n\nThe zebra clause covers striped props.\n",
                        encoding="utf-8")
    report = pipeline.run(store)
    refreshed = reader.snapshot()

    assert report.embedded >= 1
    assert refreshed is not first and listed, "the write was noticed"
    assert any("zebra clause" in passage.text for passage in refreshed.passages)
    assert "zebra clause" in bot.retrieve("What does the zebra clause cover?")[0].text


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=40), st.integers(1, 30), st.integers(0, 3))
def test_bm25_rank_matches_a_full_stable_sort(counts, limit, query_word):
    words = ["consent", "replica", "signage", "vendor", "union"]
    texts = [" ".join([words[query_word]] * count + ["filler"]) for count in counts]
    index = LexicalRanker(texts)
    scores = index.scores([words[query_word]])

    expected = [int(row) for row in np.argsort(-scores, kind="stable")[:limit] if scores[row] > 0]

    assert index.rank([words[query_word]], limit) == expected


def _slow_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


@given(st.text())
def test_fold_equals_the_full_unicode_path(text):
    assert fold(text) == _slow_fold(text)


def _reference_drop_duplicates(index, rows):
    """The plain form: every pair compared afresh, word triples as tuples."""
    import re

    def shingles(text):
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}

    kept = []
    for row in rows:
        mine = shingles(index.passages[row].text)
        if not any(
            float(index.embeddings[row] @ index.embeddings[other]) >= 0.97
            or len(mine & shingles(index.passages[other].text)) / (min(len(mine), len(shingles(index.passages[other].text))) or 1) >= 0.8
            for other in kept
        ):
            kept.append(row)
    return kept


def test_drop_duplicates_matches_the_plain_pairwise_form(corpus_settings):
    client = open_client(corpus_settings)
    index = Snapshot.load(client.get_collection(corpus_settings.collection))
    client.close()
    rng = np.random.default_rng(7)

    for _ in range(30):
        rows = [int(row) for row in rng.choice(len(index), size=min(30, len(index)), replace=False)]
        rows += [int(row) for row in rng.choice(rows, size=5)]  # repeats are duplicates in wording and meaning
        kept = drop_duplicates(index, rows)
        assert kept == _reference_drop_duplicates(index, rows)
        assert len(kept) == len(set(kept)) <= len(set(rows))
    assert drop_duplicates(index, []) == []


def test_snapshot_read_in_pages_equals_one_read(corpus_settings, monkeypatch):
    from chatbot.store import client as store

    client = open_client(corpus_settings)
    collection = client.get_collection(corpus_settings.collection)
    whole = Snapshot.load(collection)
    monkeypatch.setattr(store, "PAGE_SIZE", 7)
    paged = Snapshot.load(collection)
    monkeypatch.setattr(store, "PAGE_SIZE", len(whole) // 2)  # the last page comes back empty
    exact = Snapshot.load(collection) if len(whole) % 2 == 0 else paged
    client.close()

    assert len(paged) == len(whole) == len(exact) > 7
    assert np.array_equal(exact.embeddings, whole.embeddings)
    assert [p.chunk_id for p in paged.passages] == [p.chunk_id for p in whole.passages]
    assert [p.text for p in paged.passages] == [p.text for p in whole.passages]
    assert np.array_equal(paged.embeddings, whole.embeddings)
    assert paged.fingerprint == whole.fingerprint


def test_ingest_and_eval_reads_in_pages_equal_one_read(corpus_settings, monkeypatch):
    from chatbot.store import client as store
    from evals.runner import stored_texts
    from ingest.records import open_index

    with open_index(corpus_settings) as index:
        whole_sources = index.stored_sources()
    whole_texts = stored_texts(corpus_settings)
    monkeypatch.setattr(store, "PAGE_SIZE", 7)
    from chromadb.api.models.Collection import Collection

    limits: list[int | None] = []
    plain_get = Collection.get

    def counting_get(self, *args, **kwargs):
        limits.append(kwargs.get("limit"))
        return plain_get(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "get", counting_get)
    with open_index(corpus_settings) as index:
        paged_sources = index.stored_sources()
    paged_texts = stored_texts(corpus_settings)

    assert sum(map(len, whole_sources.values())) > 7
    assert {source: sorted(ids) for source, ids in paged_sources.items()} == \
        {source: sorted(ids) for source, ids in whole_sources.items()}
    assert len(whole_texts) > 7 and paged_texts == whole_texts
    assert limits and set(limits) == {7}  # every read was a page, none the whole collection


def test_lexical_support_matches_plain_word_sets(corpus_settings):
    from chatbot.store.snapshot import lexical_text
    from chatbot.query.words import tokenize
    from evals.bench.__main__ import DEFAULT_QUESTIONS
    from evals.dataset import load_questions

    client = open_client(corpus_settings)
    index = Snapshot.load(client.get_collection(corpus_settings.collection))
    client.close()
    word_sets = [set(tokenize(lexical_text(passage))) for passage in index.passages]
    rng = np.random.default_rng(5)

    for question in load_questions(DEFAULT_QUESTIONS)[:40]:
        words = tokenize(question.question) + ["zzzunknown"]
        rows = [int(row) for row in rng.choice(len(index), size=3, replace=False)]
        unique = set(words)
        found = {word for word in unique for row in rows if word in word_sets[row]}
        expected = sum(index.lexical.idf(w) for w in found) / sum(index.lexical.idf(w) for w in unique)

        assert index.lexical.support(words, rows) == pytest.approx(expected)


def test_the_chat_and_the_check_share_one_snapshot_until_the_index_is_rebuilt(make_settings, tmp_path):
    from chatbot.bot import build_bot
    from chatbot.store.client import COLLECTION_METADATA
    from chatbot.usecase.checker import UseCaseChecker

    settings = make_settings(corpus_dir=tmp_path / "unused")
    client = open_client(settings)
    collection = client.create_collection(settings.collection, metadata=COLLECTION_METADATA)
    rows = {"ids": ["a", "b"], "documents": ["Moodboards need no escalation.", "Digital replicas need consent."],
            "metadatas": [{"source": "a.md"}, {"source": "b.md"}]}
    collection.add(embeddings=[[1.0, 0.0], [0.0, 1.0]], **rows)

    chat, check = build_bot(settings).reader, UseCaseChecker(settings).reader
    first = chat.snapshot()
    assert check is chat and check.snapshot() is first  # read once, held once

    client.delete_collection(settings.collection)  # rebuilt: the same chunk ids, other vectors
    rebuilt = client.create_collection(settings.collection, metadata=COLLECTION_METADATA)
    rebuilt.add(embeddings=[[0.0, 1.0], [1.0, 0.0]], **rows)
    fresh = chat.reading(chat.snapshot)  # the old collection is gone: read through a new connection
    client.close()

    assert fresh is not first
    assert np.array_equal(fresh.embeddings, np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32))
