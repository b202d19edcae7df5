"""Synthetic chunks for growth tests, recombined from the real index so their words and vectors look real.

Each synthetic chunk starts from a real chunk: most of its sentences in a shuffled order plus a few sentences
from other chunks, so BM25 sees the corpus's own vocabulary and term frequencies; its vector is the real
chunk's embedding plus small gaussian noise, renormalised, so the chunks crowd around real neighbourhoods
the way paraphrases and near-duplicates of a bigger corpus do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np

from chatbot.sentences import split_sentences

NOISE = 0.03  # per-dimension sigma; cosine to the source chunk is about 0.86 for 384 dimensions
BORROWED = (1, 3)  # sentences taken from other chunks, fewest and most
CHUNKS_PER_DOCUMENT = 25


@dataclasses.dataclass(frozen=True)
class RealChunks:
    """The real index's chunks: texts, metadata and unit-length embeddings."""

    texts: list[str]
    metadatas: list[dict]
    embeddings: np.ndarray  # (chunks, dim)

    @classmethod
    def read(cls, collection) -> "RealChunks":
        got = collection.get(include=["documents", "metadatas", "embeddings"])
        embeddings = np.asarray(got["embeddings"], dtype=np.float32)
        return cls(list(got["documents"]), [dict(m or {}) for m in got["metadatas"]], embeddings)


@dataclasses.dataclass(frozen=True)
class Batch:
    """A slice of synthetic chunks, ready for `collection.add`."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict]
    embeddings: np.ndarray


def synthesize(real: RealChunks, count: int, *, batch_size: int = 5000, seed: int = 0) -> Iterator[Batch]:
    """`count` synthetic chunks in batches; the same seed gives the same chunks."""
    rng = np.random.default_rng(seed)
    sentences = [split_sentences(text) for text in real.texts]
    pool = [sentence for chunk in sentences for sentence in chunk]
    if not pool:
        raise ValueError("The index holds no sentences to recombine; ingest the corpus first.")
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        bases = rng.integers(0, len(real.texts), size)
        noise = rng.normal(0.0, NOISE, (size, real.embeddings.shape[1])).astype(np.float32)
        vectors = real.embeddings[bases] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids, texts, metadatas = [], [], []
        for offset, base in enumerate(bases):
            number = start + offset
            own = list(sentences[base])
            rng.shuffle(own)
            kept = own[: max(1, int(len(own) * rng.uniform(0.5, 1.0)))] if own else []
            borrowed = [pool[i] for i in rng.integers(0, len(pool), rng.integers(BORROWED[0], BORROWED[1] + 1))]
            ids.append(f"synthetic-{number:07d}")
            texts.append(" ".join(kept + borrowed))
            metadatas.append(_metadata(real.metadatas[base], number))
        yield Batch(ids, texts, metadatas, vectors)


def _metadata(base: dict, number: int) -> dict:
    document = number // CHUNKS_PER_DOCUMENT
    return {
        **base,
        "source": f"synthetic/document-{document:05d}.md",
        "title": f"{base.get('title', 'Document')} ({document})",
        "position": number % CHUNKS_PER_DOCUMENT,
    }
