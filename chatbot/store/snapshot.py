"""The collection held in memory once: every chunk's text, metadata and embedding, and BM25 over them."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from typing import TYPE_CHECKING

import numpy as np

from chatbot.answer.trust import TrustPolicy, classify
from chatbot.retrieval.lexical import LexicalRanker
from chatbot.store.client import read_pages
from chatbot.types import Passage

if TYPE_CHECKING:
    import chromadb

log = logging.getLogger(__name__)


def fingerprint(ids: list[str]) -> str:
    """A short digest of the collection's ids: it changes whenever a chunk is added, removed or replaced."""
    digest = hashlib.sha1()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode("utf-8", "replace") + b"\0")
    return digest.hexdigest()


def lexical_text(passage: Passage) -> str:
    """What BM25 reads for a chunk: its title and heading words, then its text."""
    return f"{passage.title}\n{passage.section.replace('>', ' ')}\n{passage.text}"


@dataclasses.dataclass
class Snapshot:
    """The collection as read at one moment; rows are positions in `passages`, `embeddings` and `lexical`."""

    collection_id: str  # a rebuilt index is a new collection, even with the same chunk ids
    fingerprint: str
    passages: list[Passage]
    embeddings: np.ndarray  # (rows, dim), unit length
    lexical: LexicalRanker
    row_of: dict[str, int]
    originals_by_url: dict[str, list[int]]  # rows of chunks that are a source's own text, by URL

    @classmethod
    def load(cls, collection: "chromadb.Collection", trust: TrustPolicy = TrustPolicy(("*",))) -> "Snapshot":
        """Read every chunk of `collection`, a page at a time, and index it; `trust` says whose word each is."""
        ids, documents, metadatas, pages = [], [], [], []
        for got in read_pages(collection, ["documents", "metadatas", "embeddings"]):
            ids.extend(got["ids"])
            documents.extend(got["documents"])
            metadatas.extend(got["metadatas"])
            pages.append(np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1))
        passages = classify([
            Passage.from_metadata(chunk_id, text or "", metadata or {})
            for chunk_id, text, metadata in zip(ids, documents, metadatas)
        ], trust)
        embeddings = np.concatenate(pages) if pages else np.zeros((0, 0), dtype=np.float32)
        norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
        embeddings = embeddings / np.where(norms == 0, 1, norms)
        return cls.of(str(collection.id), passages, embeddings, LexicalRanker([lexical_text(p) for p in passages]))

    @classmethod
    def of(cls, collection_id: str, passages: list[Passage], embeddings: np.ndarray, lexical: LexicalRanker) -> "Snapshot":
        """The snapshot of these rows (unit-length embeddings, BM25 over `lexical_text`), with its lookups."""
        originals: dict[str, list[int]] = {}
        restated_urls = {p.url for p in passages if p.restated and p.url}
        for row, passage in enumerate(passages):
            if not passage.restated and passage.url in restated_urls:
                originals.setdefault(passage.url, []).append(row)
        ids = [passage.chunk_id for passage in passages]
        log.info("Loaded %d chunks (%d with an original beside a restatement)", len(ids), sum(map(len, originals.values())))
        return cls(
            collection_id=collection_id,
            fingerprint=fingerprint(ids),
            passages=passages,
            embeddings=embeddings,
            lexical=lexical,
            row_of={chunk_id: row for row, chunk_id in enumerate(ids)},
            originals_by_url=originals,
        )

    def __len__(self) -> int:
        return len(self.passages)

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every chunk to a unit vector."""
        return self.embeddings @ vector
