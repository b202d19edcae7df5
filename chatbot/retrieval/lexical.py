"""BM25 over the chunks, and the share of a question's rare words that passages hold."""

from __future__ import annotations

import array
import json
import logging
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

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

    # Saved and read back by the load cache (chatbot/store/load_cache.py), so a new process skips the indexing.
    _BM25_FOLDER = "bm25"

    def save(self, folder: Path) -> list[str]:
        """Write the index into `folder`: bm25s's own files, and which words each text holds. Returns the file names."""
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "words.npy", self._words)
        np.save(folder / "starts.npy", self._starts)
        (folder / "vocabulary.json").write_text(json.dumps(list(self._word_id), ensure_ascii=False), encoding="utf-8")
        names = ["words.npy", "starts.npy", "vocabulary.json"]
        if self._document_frequency:
            self._bm25.save(str(folder / self._BM25_FOLDER), show_progress=False)
            names += [f"{self._BM25_FOLDER}/{path.name}" for path in (folder / self._BM25_FOLDER).iterdir()]
        return names

    @classmethod
    def load(cls, folder: Path, size: int) -> "LexicalRanker":
        """The index `save()` wrote for `size` texts, its arrays mapped from the files rather than copied."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        index = cls.__new__(cls)
        index.size = size
        vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        index._word_id = {word: i for i, word in enumerate(vocabulary)}
        # Plain arrays over the mapped files: a np.memmap costs a Python call on every slice.
        index._words = np.asarray(np.load(folder / "words.npy", mmap_mode="r"))
        index._starts = np.asarray(np.load(folder / "starts.npy", mmap_mode="r"))
        if len(index._starts) != size + 1:
            raise ValueError(f"the saved BM25 index holds {len(index._starts) - 1} texts, not {size}")
        counts = np.bincount(index._words, minlength=len(vocabulary))
        index._document_frequency = {word: int(counts[i]) for word, i in index._word_id.items()}
        index._bm25 = bm25s.BM25.load(str(folder / cls._BM25_FOLDER), mmap=True, show_progress=False) \
            if vocabulary else bm25s.BM25()
        return index

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

    @property
    def unseen_idf(self) -> float:
        """The idf of a word no text holds: the highest there is."""
        return self.idf("")  # the tokenizer never gives an empty token

    def knows(self, token: str) -> bool:
        """Whether any indexed text holds the token."""
        return token in self._document_frequency

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
