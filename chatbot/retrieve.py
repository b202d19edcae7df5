"""Finding passages: dense search in Chroma and BM25 over the same chunks, fused, de-duplicated."""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import TYPE_CHECKING

import numpy as np

from chatbot import load_cache
from chatbot.chunk_index import ChunkIndex, fingerprint
from chatbot.errors import IndexMissing
from chatbot.expansion import expand
from chatbot.fusion import reciprocal_rank_fusion
from chatbot.lexical import tokenize
from chatbot.settings import Settings
from chatbot.store import read_pages
from chatbot.store_version import StoreVersion
from chatbot.types import Passage

if TYPE_CHECKING:
    import chromadb

log = logging.getLogger(__name__)

RETRIEVERS = ("hybrid", "dense", "bm25")
# Two chunks this close in meaning, or sharing this much wording, say the same thing: only the first is kept.
DUPLICATE_SIMILARITY = 0.97
DUPLICATE_OVERLAP = 0.8
# Chunks sharing most of their wording are always this close in meaning; only such pairs are compared word by word.
WORDING_CHECK_SIMILARITY = 0.75
# A restated chunk this close to a chunk of the original it restates makes the same point: the original wins.
SAME_POINT_SIMILARITY = 0.85
# Up to this many chunks, scoring every one in the snapshot (0.1 ms at 5,000) is exact and faster than a query
# to Chroma's HNSW index (1-2 ms, most of it the request around the search); above, HNSW keeps dense search flat.
EXACT_SEARCH_MAX = 5_000


# The latest snapshot of each store's collection, shared by every retriever of this process: the chat and the
# use-case check read the same index, which then sits in memory once and is built once.
_snapshots: dict[str, tuple[str, ChunkIndex]] = {}  # store -> (collection id, snapshot)
_snapshots_lock = threading.Lock()


def shared_snapshot(settings: Settings, collection: "chromadb.Collection", current: str) -> ChunkIndex:
    """The collection's snapshot with fingerprint `current`: the one already in memory, or read now."""
    store = f"{settings.chroma_url or settings.chroma_dir.resolve()}|{settings.collection}"
    collection_id = str(collection.id)  # a rebuilt index is a new collection, even with the same chunk ids
    with _snapshots_lock:  # held while reading, so two retrievers starting together read the index once
        known = _snapshots.get(store)
        if known is None or known[0] != collection_id or known[1].fingerprint != current:
            known = _snapshots[store] = (collection_id, load_cache.snapshot(settings, collection, current))
        return known[1]


def check_retriever(name: str) -> str:
    if name not in RETRIEVERS:
        raise ValueError(f"Unknown retriever {name!r}: use one of {', '.join(RETRIEVERS)}.")
    return name


class Retriever:
    """Ranks the chunks of one Chroma collection for a query; the in-memory snapshot follows the collection."""

    def __init__(self, settings: Settings, collection: "chromadb.Collection"):
        self.settings = settings
        self.collection = collection
        self._index: ChunkIndex | None = None
        self._lock = threading.Lock()
        self._version = StoreVersion(settings)
        self._checked_version: tuple | None = None  # the store's version when the snapshot was last checked

    def index(self) -> ChunkIndex:
        """The current snapshot, reloaded when the collection's ids have changed since it was taken."""
        # Listing every id costs time in proportion to the index; skip it while the store has seen no write.
        version = self._version.read()
        index = self._index
        if index is not None and version is not None and version == self._checked_version:
            return index
        ids = [chunk_id for page in read_pages(self.collection, []) for chunk_id in page["ids"]]
        if not ids:
            raise IndexMissing(self._missing_message())
        current = fingerprint(ids)
        with self._lock:
            if self._index is None or self._index.fingerprint != current:
                self._index = shared_snapshot(self.settings, self.collection, current)
            self._checked_version = version
            return self._index

    def _missing_message(self) -> str:
        where = self.settings.chroma_url or self.settings.chroma_dir
        return f"No index in {where} (collection {self.settings.collection!r} is empty). Run `python -m ingest` first."

    def search(self, query: str, vector: np.ndarray, retriever: str | None = None) -> list[Passage]:
        """Passages for `query` (whose embedding is `vector`), best first, each scored by dense similarity."""
        mode = check_retriever(retriever or self.settings.retriever)
        index = self.index()
        limit = self.settings.candidates_k
        rankings: list[tuple[list[int], float]] = []
        if mode in ("dense", "hybrid"):
            rankings.append((self._dense_rows(index, vector, limit), self.settings.dense_weight))
        if mode in ("bm25", "hybrid"):
            tokens = tokenize(query) + tokenize(expand(query))
            rankings.append((index.lexical.rank(tokens, limit), self.settings.bm25_weight))
        fused = [row for row, _ in reciprocal_rank_fusion(rankings, self.settings.rrf_k)]
        rows = prefer_originals(index, drop_duplicates(index, fused))[:limit]
        similarities = index.embeddings[rows] @ vector if rows else []
        return [_scored(index.passages[row], float(similarity)) for row, similarity in zip(rows, similarities)]

    def _dense_rows(self, index: ChunkIndex, vector: np.ndarray, limit: int) -> list[int]:
        if len(index) <= EXACT_SEARCH_MAX:
            return _best_rows(index.similarities(vector), limit)
        found = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=min(limit, len(index)), include=["distances"]
        )
        rows = [index.row_of.get(chunk_id) for chunk_id in found["ids"][0]]
        if any(row is None for row in rows):  # the collection changed between the two reads
            log.info("Collection changed during a search; ranking from the snapshot")
            return _best_rows(index.similarities(vector), limit)
        return rows


def _best_rows(scores: np.ndarray, limit: int) -> list[int]:
    """Rows of the `limit` highest scores, best first (ties in row order)."""
    if len(scores) > limit:
        top = np.argpartition(-scores, limit - 1)[:limit]
        return [int(row) for row in top[np.lexsort((top, -scores[top]))]]
    return [int(row) for row in np.lexsort((np.arange(len(scores)), -scores))]


def _scored(passage: Passage, score: float) -> Passage:
    from dataclasses import replace

    return replace(passage, score=round(score, 4))


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=8192)  # the same chunks come back question after question
def _shingles(text: str) -> frozenset[int]:
    """Hashes of the text's word triples (ints intersect several times faster than tuples)."""
    words = _WORD.findall(text.lower())
    return frozenset(hash(tuple(words[i : i + 3])) for i in range(max(1, len(words) - 2)))


def drop_duplicates(index: ChunkIndex, rows: list[int]) -> list[int]:
    """`rows` without chunks that repeat an earlier one almost word for word or in meaning."""
    if not rows:
        return []
    vectors = index.embeddings[rows]
    # einsum, not @: OpenBLAS hands even this 40x40 product to a second thread, and on two busy cores waiting for
    # it made a hybrid search 8-11 ms instead of 2-4 ms. Plain floats: scalar reads in the loop below are cheaper.
    similarity = np.einsum("ik,jk->ij", vectors, vectors).tolist()
    kept: list[int] = []  # positions in rows
    for position, row in enumerate(rows):
        duplicate = False
        for other in kept:
            if similarity[position][other] >= DUPLICATE_SIMILARITY:
                duplicate = True
            elif similarity[position][other] >= WORDING_CHECK_SIMILARITY:
                shingles = _shingles(index.passages[row].text)
                other_shingles = _shingles(index.passages[rows[other]].text)
                smaller = min(len(shingles), len(other_shingles)) or 1
                duplicate = len(shingles & other_shingles) / smaller >= DUPLICATE_OVERLAP
            if duplicate:
                break
        if not duplicate:
            kept.append(position)
    return [rows[position] for position in kept]


def prefer_originals(index: ChunkIndex, rows: list[int]) -> list[int]:
    """Put a source's own passage in place of a restatement of the same point, so only the original is cited."""
    if not index.originals_by_url:
        return rows
    result: list[int] = []
    for row in rows:
        passage = index.passages[row]
        originals = index.originals_by_url.get(passage.url) if passage.restated else None
        if originals:
            similarities = index.embeddings[originals] @ index.embeddings[row]
            best = int(np.argmax(similarities))
            if similarities[best] >= SAME_POINT_SIMILARITY:
                row = originals[best]
        if row not in result:
            result.append(row)
    return result
