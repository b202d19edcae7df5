"""BM25 over the chunks, and the share of a question's rare words that passages hold."""

from __future__ import annotations

import array
import logging
import math
from collections.abc import Iterable, Sequence

import numpy as np

from chatbot.query.words import tokenize_once


class LexicalRanker:
    """BM25 (bm25s) over a fixed list of texts, plus the document frequencies used to judge lexical support."""

    def __init__(self, texts: Sequence[str]):
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its logger to DEBUG when imported
        self.size = len(texts)
        tokens = [tokenize_once(text) for text in texts]
        self._bm25 = bm25s.BM25()
        if any(tokens):  # bm25s cannot index a vocabulary of no words; `scores` is then all zeros anyway
            self._bm25.index([list(row) for row in tokens], show_progress=False)
        # Which words each text holds, as sorted word ids in one array: a tenth of the memory of a set per text.
        self._word_id: dict[str, int] = {}
        words = array.array("i")
        starts = array.array("q", [0])
        for row in tokens:
            ids = sorted({self._word_id.setdefault(token, len(self._word_id)) for token in row})
            words.extend(ids)
            starts.append(len(words))
        self._words = np.frombuffer(words, dtype=np.int32) if len(words) else np.zeros(0, dtype=np.int32)
        self._starts = np.frombuffer(starts, dtype=np.int64)
        counts = np.bincount(self._words, minlength=len(self._word_id))
        self._document_frequency = {token: int(counts[i]) for token, i in self._word_id.items()}

    def scores(self, query_tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every text for the query, in index order."""
        tokens = [token for token in query_tokens if token in self._document_frequency]
        if not tokens or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def rank(self, query_tokens: Iterable[str], limit: int) -> list[int]:
        """Rows of the best-scoring texts, best first; texts sharing no word with the query are left out."""
        scores = self.scores(query_tokens)
        rows = np.flatnonzero(scores > 0)
        if len(rows) > limit:  # sort only the best `limit`, and every row tied with the last of them
            cutoff = np.partition(scores[rows], -limit)[-limit]
            rows = rows[scores[rows] >= cutoff]
        return rows[np.lexsort((rows, -scores[rows]))][:limit].tolist()

    def idf(self, token: str) -> float:
        """Inverse document frequency; a word no text holds gets the highest weight."""
        frequency = self._document_frequency.get(token, 0)
        return math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def support(self, query_tokens: Sequence[str], rows: Iterable[int]) -> float:
        """Share of the query's IDF weight found in the given texts: 1.0 when every rare word is there."""
        unique = set(query_tokens)
        if not unique:
            return 0.0
        found = {token for token in unique for row in rows if self._holds(row, token)}
        total = sum(self.idf(token) for token in unique)
        return sum(self.idf(token) for token in found) / total if total else 0.0

    def _holds(self, row: int, token: str) -> bool:
        word = self._word_id.get(token)
        if word is None:
            return False
        held = self._words[self._starts[row] : self._starts[row + 1]]
        position = int(np.searchsorted(held, word))
        return position < len(held) and held[position] == word
