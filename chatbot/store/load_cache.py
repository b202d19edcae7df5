"""What the bot builds when it loads an index (chunk table, embeddings, BM25), kept beside the index for the next process.

Building the snapshot reads every chunk from Chroma and indexes it for BM25: seconds at ten thousand chunks,
tens of seconds at a hundred thousand. The cache holds the result, keyed to the collection's id and the
fingerprint of its chunk ids; a process whose collection matches maps the arrays and reads the table instead.
A cache that is stale (another collection, other chunks, another cache format) or damaged (a checksum differs,
a file is missing or unreadable, a sample of chunks differs from the store) is ignored and rebuilt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from chatbot.answer.trust import TrustPolicy, classify, policy
from chatbot.retrieval.lexical import LexicalRanker
from chatbot.settings import Settings
from chatbot.query import words
from chatbot.store import file_manifest
from chatbot.store.snapshot import Snapshot
from chatbot.types import Passage

if TYPE_CHECKING:
    import chromadb

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the files' layout changes
FOLDER = "load-cache"
# Passage fields kept as columns; the text goes in one UTF-8 blob. A change to Passage changes the key.
FIELDS = tuple(f.name for f in dataclasses.fields(Passage) if f.name not in ("text", "score"))
SAMPLE = 16  # chunks compared with the store on each read: catches a chunk rewritten under the same id


def cache_folder(settings: Settings) -> Path:
    return settings.data_dir / FOLDER / settings.collection


def cache_key(settings: Settings, collection_id: str, fingerprint: str) -> dict:
    store = settings.chroma_url or "local"
    return {"format": FORMAT, "fields": list(FIELDS), "words": words.version(), "store": store,
            "collection": settings.collection, "collection_id": collection_id, "fingerprint": fingerprint,
            "trusted_sources": settings.trusted_sources}


def snapshot(settings: Settings, collection: "chromadb.Collection", current: str) -> Snapshot:
    """The snapshot of `collection`, whose chunk ids have the fingerprint `current`.

    Read from the cache when it matches; otherwise read from the collection, and the cache written for next time.
    """
    trust = policy(settings)
    if not settings.load_cache:
        return Snapshot.load(collection, trust)
    folder = cache_folder(settings)
    collection_id = str(collection.id)
    started = time.perf_counter()
    index = read(folder, cache_key(settings, collection_id, current), collection, trust)
    if index is not None:
        log.info("Read %d chunks from the load cache in %.2f s", len(index), time.perf_counter() - started)
        return index
    index = Snapshot.load(collection, trust)
    write(folder, cache_key(settings, collection_id, index.fingerprint), index)
    return index


def read(folder: Path, key: dict, collection: "chromadb.Collection | None" = None,
         trust: TrustPolicy = TrustPolicy(("*",))) -> Snapshot | None:
    """The snapshot cached in `folder` under `key`, or None when there is none, or it is stale or damaged.

    Args:
        collection: when given, a sample of the cached chunks is compared with it.
    """
    if not file_manifest.matches(folder, key):
        return None
    try:
        offsets = np.load(folder / "text_offsets.npy")
        blob = (folder / "texts.bin").read_bytes()
        texts = [blob[start:end].decode("utf-8") for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
        columns = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
        rows = zip(*(columns[name] for name in FIELDS))
        passages = [Passage(text=text, **dict(zip(FIELDS, row))) for text, row in zip(texts, rows)]
        embeddings = np.asarray(np.load(folder / "embeddings.npy", mmap_mode="r"))
        if len(embeddings) != len(passages):
            raise ValueError(f"{len(passages)} passages but {len(embeddings)} embeddings")
        index = Snapshot.of(key["collection_id"], passages, embeddings, LexicalRanker.load(folder / "lexical", len(passages)))
        if index.fingerprint != key["fingerprint"]:
            raise ValueError("its chunk ids are not the collection's")
        if collection is not None:
            _compare_sample(index, collection, trust)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
        log.warning("Ignoring the load cache in %s (%s); reading the index afresh", folder, err)
        return None
    return index


def _compare_sample(index: Snapshot, collection: "chromadb.Collection", trust: TrustPolicy) -> None:
    rows = np.unique(np.linspace(0, len(index) - 1, min(SAMPLE, len(index))).astype(int)).tolist()
    ids = [index.passages[row].chunk_id for row in rows]
    got = collection.get(ids=ids, include=["documents", "metadatas"])
    passages = classify([Passage.from_metadata(chunk_id, text or "", metadata or {})
                         for chunk_id, text, metadata in zip(got["ids"], got["documents"], got["metadatas"])], trust)
    stored = {passage.chunk_id: passage for passage in passages}
    for chunk_id, row in zip(ids, rows):
        if stored.get(chunk_id) != index.passages[row]:
            raise ValueError(f"chunk {chunk_id} differs from the store's")


def write(folder: Path, key: dict, index: Snapshot) -> None:
    """Replace the cache in `folder` with `index`; a failure is logged, never raised (the cache is only a cache)."""
    work = folder.with_name(f".{folder.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    started = time.perf_counter()
    try:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        encoded = [passage.text.encode("utf-8") for passage in index.passages]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(text) for text in encoded], out=offsets[1:])
        (work / "texts.bin").write_bytes(b"".join(encoded))
        np.save(work / "text_offsets.npy", offsets)
        columns = {name: [getattr(passage, name) for passage in index.passages] for name in FIELDS}
        (work / "passages.json").write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
        np.save(work / "embeddings.npy", np.ascontiguousarray(index.embeddings, dtype=np.float32))
        lexical = [f"lexical/{name}" for name in index.lexical.save(work / "lexical")]
        file_manifest.write(work, key, ["texts.bin", "text_offsets.npy", "passages.json", "embeddings.npy", *lexical])
        _swap(work, folder)
        log.info("Wrote the load cache of %d chunks in %.2f s", len(index), time.perf_counter() - started)
    except OSError as err:
        log.warning("Could not write the load cache in %s (%s); the next start reads the index afresh", folder, err)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _swap(new: Path, folder: Path) -> None:
    """Put `new` in place of `folder`. Readers that mapped the old files keep them until they let go."""
    old = folder.with_name(f".{folder.name}.{hashlib.sha1(os.urandom(8)).hexdigest()[:8]}.old")
    try:
        os.rename(folder, old)
    except FileNotFoundError:
        pass
    os.rename(new, folder)
    shutil.rmtree(old, ignore_errors=True)
