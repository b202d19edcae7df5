"""The one reader of an index that every front end of a process uses: connection, reconnects, snapshot."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from chatbot.errors import ChatbotError, IndexMissing, StoreUnavailable
from chatbot.settings import Settings
from chatbot.store import load_cache
from chatbot.store.client import require_local_folder, get_collection, open_client, read_pages, store_errors, unusable
from chatbot.store.snapshot import Snapshot, fingerprint
from chatbot.store.version import StoreVersion

if TYPE_CHECKING:
    import chromadb

log = logging.getLogger(__name__)

T = TypeVar("T")


def database_identity(settings: Settings) -> tuple[int, int] | None:
    """(device, inode) of the local index's database, which a rebuild replaces; None for a server or no index."""
    if settings.chroma_url:
        return None
    try:
        stat = os.stat(settings.chroma_database)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class Connection:
    """One Chroma client and the collection read through it; closed once replaced and no reader holds it."""

    def __init__(self, client: "chromadb.ClientAPI", collection: "chromadb.Collection", identity):
        self.client = client
        self.collection = collection
        self.identity = identity  # of the database file it was opened on
        self.holders = 0
        self.replaced = False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()


class IndexReader:
    """Reads one stored collection for the chat, the use-case check and the document list alike.

    A new connection is a new client object swapped in whole: a call already under way keeps the connection it
    started with, which is closed when the last such call is done. The snapshot of the collection is read once
    and read again only after the store has been written to; within one `reading` call every stage sees the
    snapshot its first look took.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()  # guards the connection and its holders
        self._connection: Connection | None = None
        self._snapshot: Snapshot | None = None
        self._snapshot_lock = threading.Lock()  # held while reading, so concurrent first questions read it once
        self._version = StoreVersion(settings)
        self._checked_version: tuple | None = None  # the store's version when the snapshot was last checked
        self._pinned = threading.local()  # .snapshot: the one this thread's `reading` call took first

    # Connection --------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """The current connection, held until the block ends; an index rebuilt since it opened is opened afresh."""
        with self._lock:
            current = self._connection
            identity = database_identity(self.settings)
            if current is not None and current.identity != identity:
                log.info("The index was rebuilt; reading it afresh")
                self._replace(current)
                current = None
            if current is None:
                current = self._connection = self._open(identity)
            current.holders += 1
        try:
            yield current
        finally:
            with self._lock:
                current.holders -= 1
                done = current.replaced and not current.holders
            if done:
                current.close()

    def _open(self, identity) -> Connection:
        require_local_folder(self.settings)
        client = open_client(self.settings)
        try:
            return Connection(client, get_collection(self.settings, client), identity)
        except BaseException:
            client.close()
            raise

    def _replace(self, stale: Connection) -> None:
        """Drop `stale` as the current connection (the lock is held); closed now when nobody holds it."""
        if self._connection is stale:
            self._connection = None
        stale.replaced = True
        if not stale.holders:
            stale.close()

    def reconnect(self, stale: Connection) -> None:
        """The next call opens a new connection, unless another thread has already replaced `stale`."""
        with self._lock:
            if not stale.replaced:
                self._replace(stale)

    def reading(self, call: Callable[[], T]) -> T:
        """`call()`, tried once more on a new connection when the store fails; StoreUnavailable on a second failure.

        Another process's ingest leaves a client out of step, and a server may be back from a restart.
        """
        if hasattr(self._pinned, "snapshot"):  # inside another reading call: its snapshot holds
            return call()
        for attempt in range(2):
            with self.connection() as held:
                self._pinned.snapshot = None
                try:
                    return call()
                except ChatbotError:
                    raise
                except store_errors() as err:
                    failure = err
                finally:
                    del self._pinned.snapshot
            self.reconnect(held)
            if attempt:
                raise StoreUnavailable(unusable(self.settings, failure)) from failure
            log.warning("The store failed (%s); reconnecting to try once more", type(failure).__name__)
        raise AssertionError("unreachable")

    # Reading -----------------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The collection in memory, read again when its ids have changed since it was taken."""
        pinning = hasattr(self._pinned, "snapshot")
        if pinning and self._pinned.snapshot is not None:
            return self._pinned.snapshot
        snapshot = self._current_snapshot()
        if pinning:
            self._pinned.snapshot = snapshot
        return snapshot

    def _current_snapshot(self) -> Snapshot:
        # Listing every id costs time in proportion to the index; skip it while the store has seen no write.
        version = self._version.read()
        snapshot = self._snapshot
        if snapshot is not None and version is not None and version == self._checked_version:
            return snapshot
        if version is not None and self._checked_version is not None:
            # Written through another client (an ingest): a client is not told of writes it did not make, and
            # would go on searching its own copy of the vectors. Read through a new one.
            with self._lock:
                if self._connection is not None:
                    self._replace(self._connection)
        with self.connection() as held:
            version = self._version.read()  # again: opening a client writes to the store when it starts
            ids = [chunk_id for page in read_pages(held.collection, []) for chunk_id in page["ids"]]
            if not ids:
                raise IndexMissing(self._missing_message())
            current = fingerprint(ids)
            collection_id = str(held.collection.id)  # a rebuilt index is a new collection, even with the same ids
            with self._snapshot_lock:
                known = self._snapshot
                if known is None or known.collection_id != collection_id or known.fingerprint != current:
                    self._snapshot = load_cache.snapshot(self.settings, held.collection, current)
                self._checked_version = version
                return self._snapshot

    def nearest_ids(self, vector: list[float], limit: int) -> list[str]:
        """Ids of the `limit` chunks nearest to `vector`, by Chroma's own search."""
        with self.connection() as held:
            found = held.collection.query(query_embeddings=[vector], n_results=limit, include=["distances"])
        return list(found["ids"][0])

    def sample_metadatas(self, limit: int) -> list[dict]:
        """The metadata of the first `limit` chunks."""
        with self.connection() as held:
            return held.collection.get(limit=limit, include=["metadatas"])["metadatas"] or []

    def metadatas(self) -> list[dict]:
        """The metadata of every chunk, read a page at a time."""
        with self.connection() as held:
            return [metadata or {} for page in read_pages(held.collection, ["metadatas"])
                    for metadata in page["metadatas"] or []]

    def _missing_message(self) -> str:
        where = self.settings.chroma_url or self.settings.chroma_dir
        return f"No index in {where} (collection {self.settings.collection!r} is empty). Run `python -m ingest` first."


_readers: dict[tuple[str, str], IndexReader] = {}
_readers_lock = threading.Lock()


def reader_for(settings: Settings) -> IndexReader:
    """The process's reader of the index `settings` name: the chat and the use-case check share one snapshot."""
    key = (settings.chroma_url or str(settings.chroma_dir.resolve()), settings.collection, settings.trusted_sources)
    with _readers_lock:
        reader = _readers.get(key)
        if reader is None:
            reader = _readers[key] = IndexReader(settings)
        return reader
