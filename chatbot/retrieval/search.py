"""Finding passages: dense search in Chroma and BM25 over the same chunks, fused, de-duplicated, originals first."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import numpy as np

from chatbot.errors import ConfigError
from chatbot.query.query import Query
from chatbot.retrieval.duplicates import drop_duplicates
from chatbot.retrieval.fusion import reciprocal_rank_fusion
from chatbot.retrieval.originals import prefer_originals
from chatbot.retrieval.quotes import Quote, find_quotes
from chatbot.settings import Settings
from chatbot.store.reader import IndexReader
from chatbot.store.sentence_bank import SentenceBank
from chatbot.store.snapshot import Snapshot
from chatbot.types import Passage

log = logging.getLogger(__name__)

RETRIEVERS = ("hybrid", "dense", "bm25")
SUPPORT_PASSAGES = 3  # the top passages whose words count as lexical support for answering
# Up to this many chunks, scoring every one in the snapshot (0.1 ms at 5,000) is exact and faster than a query
# to Chroma's HNSW index (1-2 ms, most of it the request around the search); above, HNSW keeps dense search flat.
EXACT_SEARCH_MAX = 5_000


@dataclasses.dataclass(frozen=True)
class Retrieval:
    """What a search found for a query: all that answering and declining read."""

    passages: tuple[Passage, ...]  # best first, each scored by its dense similarity to the question
    originals: tuple[Passage, ...]  # a source's own text, for each source the index also restates
    support: float  # share of the question's rare-word weight found in the top passages (0..1)
    quotes: tuple[Quote, ...]  # the top passages' quotable sentences, originals in place of restatements
    idf: Callable[[str], float]  # how rare a word is in the index: rare words weigh more

    @property
    def closeness(self) -> float:
        """The highest similarity between the question and a quotable sentence."""
        return max((quote.similarity for quote in self.quotes), default=0.0)


def validate_retriever(name: str) -> str:
    if name not in RETRIEVERS:
        raise ConfigError(f"Unknown retriever {name!r}: use one of {', '.join(RETRIEVERS)}.")
    return name


class Searcher:
    """Ranks the chunks of the index for a query, through the process's reader of that index."""

    def __init__(self, settings: Settings, reader: IndexReader):
        self.settings = settings
        self.reader = reader

    def passages(self, query: Query, retriever: str | None = None) -> list[Passage]:
        """Passages for `query`, best first, each scored by dense similarity."""
        return self._ranked(self.reader.snapshot(), query, retriever)

    def retrieve(self, query: Query, bank: SentenceBank) -> Retrieval:
        """Passages for `query` with their quotable sentences and the lexical support they give it."""
        snapshot = self.reader.snapshot()
        passages = self._ranked(snapshot, query)
        originals = tuple(snapshot.passages[row] for rows in snapshot.originals_by_url.values() for row in rows)
        rows = [snapshot.row_of[p.chunk_id] for p in passages[:SUPPORT_PASSAGES] if p.chunk_id in snapshot.row_of]
        return Retrieval(
            passages=tuple(passages),
            originals=originals,
            support=snapshot.lexical.support(query.words, rows),
            quotes=tuple(find_quotes(query.vector, passages, bank, originals)),
            idf=snapshot.lexical.idf,
        )

    def _ranked(self, snapshot: Snapshot, query: Query, retriever: str | None = None) -> list[Passage]:
        mode = validate_retriever(retriever or self.settings.retriever)
        limit = self.settings.candidates_k
        rankings: list[tuple[list[int], float]] = []
        if mode in ("dense", "hybrid"):
            rankings.append((self._dense_rows(snapshot, query.vector, limit), self.settings.dense_weight))
        if mode in ("bm25", "hybrid"):
            rankings.append((snapshot.lexical.rank(query.words, limit), self.settings.bm25_weight))
        fused = [row for row, _ in reciprocal_rank_fusion(rankings, self.settings.rrf_k)]
        rows = prefer_originals(snapshot, drop_duplicates(snapshot, fused))[:limit]
        similarities = snapshot.embeddings[rows] @ query.vector if rows else []
        return [dataclasses.replace(snapshot.passages[row], score=round(float(similarity), 4))
                for row, similarity in zip(rows, similarities)]

    def _dense_rows(self, snapshot: Snapshot, vector: np.ndarray, limit: int) -> list[int]:
        if len(snapshot) <= EXACT_SEARCH_MAX:
            return _best_rows(snapshot.similarities(vector), limit)
        ids = self.reader.nearest_ids(vector.tolist(), min(limit, len(snapshot)))
        rows = [snapshot.row_of.get(chunk_id) for chunk_id in ids]
        if any(row is None for row in rows):  # the collection changed between the two reads
            log.info("Collection changed during a search; ranking from the snapshot")
            return _best_rows(snapshot.similarities(vector), limit)
        return rows


def _best_rows(scores: np.ndarray, limit: int) -> list[int]:
    """Rows of the `limit` highest scores, best first (ties in row order)."""
    if len(scores) > limit:
        top = np.argpartition(-scores, limit - 1)[:limit]
        return [int(row) for row in top[np.lexsort((top, -scores[top]))]]
    return [int(row) for row in np.lexsort((np.arange(len(scores)), -scores))]
