"""The Chroma collection and the record manager beside it: opened together, kept in step, emptied for a rebuild.

The record manager's table lives in the records database (RAG_DATABASE_URL, else records.sqlite in the data
folder), on the same engine as the document versions.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatbot.store.database import Database, DatabaseUnavailable, namespace, records_url
from chatbot.errors import StoreUnavailable
from chatbot.settings import Settings
from chatbot.store.client import (
    COLLECTION_METADATA, get_embedder, open_client, read_pages, store_errors, unusable,
)

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_classic.indexes import SQLRecordManager
    from langchain_core.documents import Document

log = logging.getLogger(__name__)

# Chunks sent to the embedder and the store at a time.
BATCH_SIZE = 64
# Ids asked of Chroma at a time.
LOOKUP_SIZE = 1000


@dataclass
class Index:
    """The vector store and the record manager that says which chunk ids it holds."""

    vector_store: "Chroma"
    records: "SQLRecordManager"
    database: Database  # the records' database, where the document versions are kept too

    def add(self, chunks: Iterable["Document"], progress: Callable[[int], None] | None = None) -> dict[str, int]:
        """Index chunks of whole documents; chunks those documents no longer produce are deleted.

        Chunks are embedded BATCH_SIZE at a time, across documents. `progress` is called with the
        number of chunks stored so far, before each batch. Returns LangChain's counts: num_added,
        num_updated, num_skipped, num_deleted.
        """
        from langchain_classic.indexes import index

        def counted() -> Iterator["Document"]:
            for n, chunk in enumerate(chunks):
                if progress and n % BATCH_SIZE == 0:  # index() takes the next batch once the last is stored
                    progress(n)
                yield chunk

        # scoped_full deletes each source's stale chunks after the last batch: "incremental" would delete
        # them batch by batch, and re-embed unchanged chunks of a document that spans two batches.
        return index(
            counted(),
            self.records,
            self.vector_store,
            cleanup="scoped_full",
            source_id_key="source",
            key_encoder="sha256",
            batch_size=BATCH_SIZE,
        )

    def reconcile(self) -> int:
        """Forget records of chunks the store no longer holds, so that they are embedded again."""
        keys = self.records.list_keys()
        present: set[str] = set()
        for start in range(0, len(keys), LOOKUP_SIZE):
            present.update(self.vector_store.get(ids=keys[start : start + LOOKUP_SIZE], include=[])["ids"])
        missing = [key for key in keys if key not in present]
        if missing:
            log.warning("%d chunk records had no chunk in the store; those chunks will be embedded again", len(missing))
            self.records.delete_keys(missing)
        return len(missing)

    def stored_sources(self) -> dict[str, list[str]]:
        """Chunk ids in the store, by source."""
        stored: dict[str, list[str]] = {}
        for page in read_pages(self.vector_store, ["metadatas"]):
            for chunk_id, metadata in zip(page["ids"], page["metadatas"]):
                stored.setdefault(str((metadata or {}).get("source", "")), []).append(chunk_id)
        return stored

    def delete_sources(self, sources: Iterable[str], stored: dict[str, list[str]]) -> int:
        """Delete every chunk of `sources`, recorded or not. Returns how many were deleted."""
        deleted = 0
        for source in sorted(sources):
            keys = self.records.list_keys(group_ids=[source])
            ids = sorted(set(keys) | set(stored.get(source, ())))
            if ids:
                self.vector_store.delete(ids=ids)
            if keys:
                self.records.delete_keys(keys)
            log.info("removed %s (%d chunks): it is gone from its folder", source, len(ids))
            deleted += len(ids)
        return deleted

    def delete_unrecorded(self, sources: Iterable[str], stored: dict[str, list[str]]) -> int:
        """Delete chunks of `sources` that the records do not know, left by an ingest killed mid-write."""
        deleted = 0
        for source in sources:
            if not stored.get(source):
                continue
            recorded = set(self.records.list_keys(group_ids=[source]))
            orphans = [chunk_id for chunk_id in stored[source] if chunk_id not in recorded]
            if orphans:
                self.vector_store.delete(ids=orphans)
                deleted += len(orphans)
        return deleted


@contextlib.contextmanager
def open_index(settings: Settings) -> Iterator[Index]:
    """The store and its records, closed on exit; a store that fails becomes StoreUnavailable."""
    from langchain_classic.indexes import SQLRecordManager

    client = None
    database = _records_database(settings)
    try:
        client = open_client(settings)
        records = SQLRecordManager(namespace(settings), engine=database.engine)
        records.create_schema()
        yield Index(vector_store=_vector_store(settings, client), records=records, database=database)
    except _store_errors() as err:
        if settings.database_url and _is_database_error(err):
            raise DatabaseUnavailable(database.explain(err)) from err
        raise StoreUnavailable(unusable(settings, err)) from err
    finally:
        database.dispose()
        if client is not None:
            client.close()


def _vector_store(settings: Settings, client) -> "Chroma":
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    class LazyEmbedder(Embeddings):
        # The model loads on the first chunk to embed: an unchanged corpus never needs it.
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return get_embedder(settings.embedding_model).embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return get_embedder(settings.embedding_model).embed_query(text)

    return Chroma(
        collection_name=settings.collection,
        embedding_function=LazyEmbedder(),
        client=client,
        collection_metadata=COLLECTION_METADATA,
    )


def drop_index(settings: Settings) -> None:
    """Delete the collection and its records, for a rebuild from scratch; the document versions stay."""
    if settings.chroma_url:
        from chromadb.errors import NotFoundError

        client = open_client(settings)
        try:
            client.delete_collection(settings.collection)
        except NotFoundError:
            pass
        except _store_errors() as err:
            raise StoreUnavailable(unusable(settings, err)) from err
        finally:
            client.close()
    else:
        shutil.rmtree(settings.chroma_dir, ignore_errors=True)
    _forget_records(settings)
    log.info("deleted the index and its records; ingesting from scratch")


def _forget_records(settings: Settings) -> None:
    from langchain_classic.indexes import SQLRecordManager

    database = _records_database(settings)
    try:
        records = SQLRecordManager(namespace(settings), engine=database.engine)
        records.create_schema()
        keys = records.list_keys()
        for start in range(0, len(keys), LOOKUP_SIZE):
            records.delete_keys(keys[start : start + LOOKUP_SIZE])
    except DatabaseUnavailable:
        raise
    except _store_errors() as err:
        if database.path is None or not _is_damaged_file(err):
            raise DatabaseUnavailable(database.explain(err)) from err
        # A damaged records file cannot be emptied: start a new one, and with it a new version history.
        log.warning("the records file %s cannot be read (%s); starting a new one", database.path, err)
        database.dispose()
        database.path.unlink(missing_ok=True)
    finally:
        database.dispose()


def _records_database(settings: Settings) -> Database:
    return Database(records_url(settings), "the index records")


def _is_damaged_file(err: BaseException) -> bool:
    """SQLite's "file is not a database" or "malformed": not a lock, which waiting would clear."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    return isinstance(err, DatabaseError) and not isinstance(err, OperationalError)


def _is_database_error(err: BaseException) -> bool:
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(err, SQLAlchemyError)


def store_is_empty(settings: Settings) -> bool:
    """True when the collection is missing or holds no chunk; cheap, and loads no model."""
    if not settings.chroma_url and not settings.chroma_database.exists():
        return True
    from chromadb.errors import NotFoundError

    client = open_client(settings)
    try:
        return client.get_collection(settings.collection).count() == 0
    except NotFoundError:
        return True
    except _store_errors() as err:
        raise StoreUnavailable(unusable(settings, err)) from err
    finally:
        client.close()


def _store_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import SQLAlchemyError

    return (*store_errors(), SQLAlchemyError, OSError, ValueError)
