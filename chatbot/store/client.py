"""Opening the Chroma store, shared by the ingester (writes) and the bot (reads)."""

from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from chatbot.errors import IndexMissing, StoreUnavailable
from chatbot.settings import Settings
from chatbot.store.data_folder import read_only_message
from chatbot.store.deadline import Bounded, DeadlineExceeded, within
from chatbot.store.embedder import get_embedder

if TYPE_CHECKING:
    import chromadb
    from langchain_chroma import Chroma

log = logging.getLogger(__name__)

# Cosine distance suits normalised sentence embeddings; fixed when the collection is created.
COLLECTION_METADATA = {"hnsw:space": "cosine"}

# Chroma's client binds to the system registered for its folder when it is built: two clients built at once
# could both bind to the later one.
_opening = threading.Lock()


def open_client(settings: Settings) -> "chromadb.ClientAPI":
    """A new Chroma client: an HTTP client when `chroma_url` is set, else one on a local folder.

    A local client gets a Chroma system of its own, which reads the folder afresh and which `close()` stops:
    one left from an earlier open, a failed open, or another process's rebuild is never reused.
    """
    from chromadb.config import Settings as ChromaSettings

    if settings.chroma_url:
        return _http_client(settings, ChromaSettings(anonymized_telemetry=False))
    chroma_settings = ChromaSettings(anonymized_telemetry=False, is_persistent=True,
                                     persist_directory=str(settings.chroma_dir))
    system = None
    try:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        from chromadb.api import ServerAPI
        from chromadb.config import System
        from chromadb.telemetry.product import ProductTelemetryClient

        system = System(chroma_settings)
        system.instance(ProductTelemetryClient)
        system.instance(ServerAPI)
        system.start()
        with _opening:
            return _own_system_client_class().of(system)
    except Exception as err:
        if system is not None:
            with contextlib.suppress(Exception):
                system.stop()
        raise StoreUnavailable(read_only_message(settings, err) or (
            f"Cannot open the index in {settings.chroma_dir} ({err}). "
            "Rebuild it with `python -m ingest --rebuild`."
        )) from err


def _http_client(settings: Settings, chroma_settings) -> "chromadb.ClientAPI":
    import chromadb

    url = urlparse(settings.chroma_url)
    if not url.hostname:
        raise StoreUnavailable(f"RAG_CHROMA_URL={settings.chroma_url!r} is not a URL like http://127.0.0.1:8000.")
    from chromadb.api.models.Collection import Collection

    try:
        client = within(settings.chroma_timeout_s, chromadb.HttpClient, what="connect", host=url.hostname,
                        port=url.port or (443 if url.scheme == "https" else 8000), ssl=url.scheme == "https",
                        settings=chroma_settings)
    except Exception as err:
        raise StoreUnavailable(unusable(settings, err) if isinstance(err, DeadlineExceeded) else (
            f"Cannot reach the Chroma server at {settings.chroma_url} ({err}). "
            "Start it with `chroma run --path <folder>` or unset RAG_CHROMA_URL to use a local folder."
        )) from err
    return Bounded(client, settings.chroma_timeout_s, (Collection,))  # its httpx session waits for ever


@functools.cache  # defined on first use: importing this module does not import chromadb
def _own_system_client_class():
    from chromadb.api.client import Client

    class OwnSystemClient(Client):
        """A client on a Chroma system it started itself; closing the client stops that system."""

        system = None

        @classmethod
        def of(cls, system) -> "OwnSystemClient":
            client = cls.from_system(system)
            client.system = system
            return client

        def close(self) -> None:
            super().close()
            with contextlib.suppress(Exception):
                self.system.stop()

    return OwnSystemClient


def store_errors() -> tuple[type[BaseException], ...]:
    """What a damaged, foreign or unreachable store raises while it is read: Chroma's, SQLite's and HTTP errors."""
    import httpx
    from chromadb.errors import ChromaError

    return (ChromaError, sqlite3.Error, httpx.HTTPError, DeadlineExceeded)


def unusable(settings: Settings, err: BaseException) -> str:
    """What to tell a person when the store failed with `err`: what happened, and the command that fixes it."""
    import httpx

    reason = " ".join(str(err).split()) or type(err).__name__
    read_only = read_only_message(settings, err) if not settings.chroma_url else None
    if read_only:
        return read_only
    if settings.chroma_url and isinstance(err, (DeadlineExceeded, httpx.TimeoutException)):
        return (
            f"The Chroma server at {settings.chroma_url} did not answer within {settings.chroma_timeout_s:g} s. Check "
            "that it is running and not stopped or overloaded (`chroma run --path <folder>`), or raise RAG_CHROMA_TIMEOUT_S."
        )
    if settings.chroma_url:
        return (
            f"The Chroma server at {settings.chroma_url} failed ({reason}). Check that it is running "
            "(`chroma run --path <folder>`), or rebuild the collection with `python -m ingest --rebuild`."
        )
    return (
        f"The index in {settings.data_dir} cannot be used ({reason}). "
        "Rebuild it with `python -m ingest --rebuild`."
    )


def open_vector_store(settings: Settings, client: "chromadb.ClientAPI | None" = None) -> "Chroma":
    """The LangChain Chroma store over the project's collection, embedding with the configured model."""
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=settings.collection,
        embedding_function=get_embedder(settings.embedding_model),
        client=client or open_client(settings),
        collection_metadata=COLLECTION_METADATA,
    )


PAGE_SIZE = 5000  # chunks read from a collection per call


def read_pages(collection: Any, include: list[str]) -> Iterator[dict]:
    """Every chunk of a Chroma collection (or LangChain `Chroma` store), as `get()` results of `PAGE_SIZE` at most.

    Reading all at once fails beyond some 30k chunks: Chroma's SQLite query runs out of variables.
    """
    page_size, offset = PAGE_SIZE, 0
    while True:
        page = collection.get(include=include, limit=page_size, offset=offset)
        if len(page["ids"]):
            yield page
        offset += len(page["ids"])
        if len(page["ids"]) < page_size:
            return


def get_collection(settings: Settings, client: "chromadb.ClientAPI") -> "chromadb.Collection":
    """The index's collection on `client`, for reading; IndexMissing, saying to run the ingest, when there is none."""
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(settings.collection)
    except NotFoundError:
        raise IndexMissing(f"No index in {settings.chroma_url or settings.chroma_dir} (no collection "
                           f"{settings.collection!r}). Run `python -m ingest` first.") from None


def require_local_folder(settings: Settings) -> None:
    """IndexMissing, saying to run the ingest, when a local store has no folder yet (so none is made)."""
    if not settings.chroma_url and not settings.chroma_dir.exists():
        raise IndexMissing(f"No index in {settings.chroma_dir}. Run `python -m ingest` first.")
