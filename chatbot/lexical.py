"""Words for lexical matching: a tokenizer with a light English stemmer, and a BM25 index over chunks."""

from __future__ import annotations

import array
import functools
import json
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

# Negations are stopwords too: they carry meaning ("no consent", "not without approval") but match almost
# every passage; the answerer reads them, the ranking does not need them. So are the words that frame a
# question ("what does X mean", "what does it say about"), which would otherwise match definitions of anything.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her
    here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
    not of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours yourself yourselves
    also may might must shall us let lets get got etc e g i.e eg ie s t
    mean means meant meaning say says said tell exactly actually basically really anything something
    """.split()
)

_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, accents removed, curly quotes straightened: the form every matcher compares."""
    if not text.isascii():  # most text is plain ASCII and has nothing to decompose
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


@functools.lru_cache(maxsize=1 << 16)  # a corpus has few distinct words, and each recurs often
def stem(word: str) -> str:
    """A light suffix stripper: enough to meet plurals, -ing/-ed forms and a final e halfway."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith(("ches", "shes", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Content words of `text`, stemmed, stopwords removed."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=65536)  # the same sentences and passages are read question after question
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(stem(token) for token in _TOKEN.findall(fold(text)) if token not in STOPWORDS and len(token) > 1)


class LexicalIndex:
    """BM25 (bm25s) over a fixed list of texts, plus the document frequencies used to judge lexical support."""

    def __init__(self, texts: Sequence[str]):
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its logger to DEBUG when imported
        self.size = len(texts)
        # Whole chunks are read once here: tokenized without the cache, which is for the sentences asked again.
        tokens = [_tokens.__wrapped__(text) for text in texts]
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

    # Saved and read back by the load cache (chatbot/load_cache.py), so a new process skips the indexing.
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
    def load(cls, folder: Path, size: int) -> "LexicalIndex":
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
