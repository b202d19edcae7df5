"""Writing the index a whole source at a time, so that a reader never finds half of a document's new version.

LangChain's `index()` hands the store batches of chunks that cut across documents, and deletes a document's
outdated chunks only after the last batch. `SourceAtATime` stands between them: it holds a source's new chunks
until the source is complete, writes them in one call, and then at once removes that source's outdated chunks.
A process killed before the write leaves the previous version in place (its records are reconciled by the next
run); one killed between the write and the removal leaves both versions, whole, until the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.vectorstores import VectorStore

if TYPE_CHECKING:
    from datetime import datetime

    from langchain_classic.indexes import SQLRecordManager
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

# One write holds a whole source, and Chroma takes at most 5,461 records in one call.
MAX_SOURCE_CHUNKS = 5000


class SourceAtATime(VectorStore):
    """A vector store for `index()` that makes each source's new chunks visible together (see the module docstring).

    Chunks must arrive grouped by source, as the ingest yields them. Call `flush()` once `index()` returns.
    """

    def __init__(self, store: VectorStore, records: "SQLRecordManager", started: "datetime", source_key: str = "source"):
        self.store, self.records, self.started, self.source_key = store, records, started, source_key
        self.pending: list[tuple[str, "Document"]] = []
        self.removed: set[str] = set()  # outdated chunks removed right after their source's new ones were written
        self.deleted = 0  # how many of those index() does not count itself

    @property
    def embeddings(self) -> "Embeddings | None":
        return self.store.embeddings

    def add_documents(self, documents: list["Document"], **kwargs: Any) -> list[str]:
        ids = kwargs.get("ids") or [document.id for document in documents]
        for chunk_id, document in zip(ids, documents):
            if self.pending and self._source(self.pending[-1][1]) != self._source(document):
                self.flush()
            self.pending.append((chunk_id, document))
        return list(ids)

    def delete(self, ids: Sequence[str] | None = None, **kwargs: Any) -> bool | None:
        self.flush()  # index()'s own clean-up comes after the last source is written
        ids = list(ids or [])
        self.deleted -= len(self.removed.intersection(ids))  # index() counts these as its own
        left = [chunk_id for chunk_id in ids if chunk_id not in self.removed]
        return self.store.delete(ids=left, **kwargs) if left else None

    def flush(self) -> None:
        """Write the pending source's chunks in one call, then delete its chunks that this ingest did not keep."""
        if not self.pending:
            return
        source = self._source(self.pending[0][1])
        ids, documents = [chunk_id for chunk_id, _ in self.pending], [document for _, document in self.pending]
        if len(ids) > MAX_SOURCE_CHUNKS:  # the plan refuses such sources; this guards the promise
            raise ValueError(f"{source}: {len(ids)} chunks cannot be written in one call")
        self.store.add_documents(documents, ids=ids)
        self.pending = []
        # Kept chunks were refreshed before this batch was handed over; what is older than this ingest is outdated.
        outdated = self.records.list_keys(group_ids=[source], before=self.started)
        if outdated:
            self.store.delete(ids=outdated)
            self.records.delete_keys(outdated)
            self.removed.update(outdated)
            self.deleted += len(outdated)

    def _source(self, document: "Document") -> str:
        return str(document.metadata.get(self.source_key, ""))

    # What VectorStore requires of a subclass; index() uses none of it.
    def add_texts(self, texts: Iterable[str], metadatas: list[dict] | None = None, **kwargs: Any) -> list[str]:
        raise NotImplementedError("SourceAtATime only takes whole documents from index()")

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list["Document"]:
        return self.store.similarity_search(query, k, **kwargs)

    @classmethod
    def from_texts(cls, texts, embedding, metadatas=None, **kwargs):
        raise NotImplementedError("SourceAtATime wraps an existing store")
