"""Sentences of each chunk with their embeddings, computed once per chunk and kept for the process."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence

import numpy as np

from chatbot.sentences import split_sentences
from chatbot.types import Passage

EmbedMany = Callable[[list[str]], np.ndarray]


@dataclasses.dataclass(frozen=True)
class ChunkSentences:
    sentences: tuple[str, ...]
    embeddings: np.ndarray  # (len(sentences), dim), unit length


class SentenceBank:
    """A cache keyed by chunk id and text; missing chunks are embedded together in one batch."""

    def __init__(self, embed_many: EmbedMany):
        self._embed_many = embed_many
        self._cache: dict[tuple[str, int], ChunkSentences] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, passages: Sequence[Passage]) -> list[ChunkSentences]:
        """Sentences and embeddings for each passage, in the order given."""
        keys = [(p.chunk_id, hash(p.text)) for p in passages]
        missing = {key: p for key, p in zip(keys, passages) if key not in self._cache}
        if missing:
            split = {key: tuple(split_sentences(p.text)) for key, p in missing.items()}
            texts = [sentence for sentences in split.values() for sentence in sentences]
            vectors = self._embed_many(texts) if texts else np.zeros((0, 0), dtype=np.float32)
            start = 0
            with self._lock:
                for key, sentences in split.items():
                    self._cache[key] = ChunkSentences(sentences, vectors[start : start + len(sentences)])
                    start += len(sentences)
        return [self._cache[key] for key in keys]
