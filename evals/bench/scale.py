"""Growth: index build and retrieval latency as the store grows, on synthetic chunks made from the real ones."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chatbot.settings import Settings
from evals.bench.stats import ratio, summarize, timed_ms
from evals.bench.synthetic import NOISE, RealChunks, synthesize

log = logging.getLogger(__name__)

MODES = ("dense", "bm25", "hybrid")
NOTE = (
    "Synthetic chunks: each starts from a real chunk (most of its sentences, shuffled, plus 1-3 sentences from "
    "other chunks), so BM25 sees the corpus's own vocabulary and term statistics; its vector is the real chunk's "
    f"embedding plus gaussian noise (sigma {NOISE} per dimension, cosine about 0.86 to the source), renormalised, "
    "so the chunks cluster around real neighbourhoods. Only indexing and retrieval are timed: no chunk is embedded."
)


def run(settings: Settings, queries: Sequence[str], vectors: np.ndarray, *, sizes: Sequence[int], repeats: int) -> dict:
    """Build a store of each size and time retrieval in it.

    Args:
        settings: the real store to recombine chunks from, and the retrieval settings to use.
        queries: question texts; `vectors` their search embeddings (unit length, one row each).
        sizes: chunk counts, smallest first; the growth ratio compares the last with the first.
        repeats: passes over the queries per mode.
    """
    from chatbot.store import open_client

    client = open_client(settings)
    try:
        real = RealChunks.read(client.get_collection(settings.collection))
    finally:
        client.close()
    results = {"note": NOTE, "sizes": {}}
    for size in sizes:
        log.info("scale: %d chunks", size)
        results["sizes"][str(size)] = _one_size(settings, real, queries, vectors, size, repeats)
    first, last = str(sizes[0]), str(sizes[-1])
    results["growth"] = {
        "from": int(first),
        "to": int(last),
        **{
            mode: ratio(results["sizes"][last]["retrieve_ms"][mode]["median"],
                        results["sizes"][first]["retrieve_ms"][mode]["median"])
            for mode in MODES
        },
    }
    return results


def _one_size(settings: Settings, real: RealChunks, queries, vectors, size: int, repeats: int) -> dict:
    from chatbot.chunk_index import lexical_text
    from chatbot.lexical import LexicalIndex
    from chatbot.retrieve import Retriever
    from chatbot.store import COLLECTION_METADATA, open_client
    from chatbot.types import Passage
    from ingest.records import _forget_local_client

    folder = Path(tempfile.mkdtemp(prefix=f"bench-scale-{size}-"))
    store_settings = dataclasses.replace(settings, data_dir=folder, chroma_url="")
    client = open_client(store_settings)
    try:
        collection = client.create_collection(settings.collection, metadata=COLLECTION_METADATA)
        batch_size = min(5000, client.get_max_batch_size())
        texts: list[str] = []
        passages: list[Passage] = []
        add_s = 0.0
        for batch in synthesize(real, size, batch_size=batch_size):
            started = time.perf_counter()
            collection.add(ids=batch.ids, documents=batch.texts, metadatas=batch.metadatas,
                           embeddings=batch.embeddings)
            add_s += time.perf_counter() - started
            texts.extend(batch.texts)
            passages.extend(Passage.from_metadata(i, t, m) for i, t, m in zip(batch.ids, batch.texts, batch.metadatas))
        _, bm25_ms = timed_ms(lambda: LexicalIndex([lexical_text(p) for p in passages]))
        retriever = Retriever(store_settings, collection)
        snapshot, snapshot_ms = timed_ms(retriever.index)  # what a bot pays before its first answer
        latencies: dict[str, list[float]] = {mode: [] for mode in MODES}
        for query, vector in zip(queries, vectors):  # one unmeasured pass
            for mode in MODES:
                retriever.search(query, vector, mode)
        for _ in range(repeats):
            for query, vector in zip(queries, vectors):
                for mode in MODES:
                    latencies[mode].append(timed_ms(lambda: retriever.search(query, vector, mode))[1])
        return {
            "chunks": len(snapshot),
            "mb_text": round(sum(len(t.encode("utf-8")) for t in texts) / 1e6, 1),
            "build": {
                "chroma_add_s": round(add_s, 2),
                "chroma_chunks_per_s": round(size / add_s) if add_s else None,
                "bm25_build_s": round(bm25_ms / 1000, 2),
                "snapshot_load_s": round(snapshot_ms / 1000, 2),
            },
            "retrieve_ms": {mode: summarize(values) for mode, values in latencies.items()},
        }
    finally:
        client.close()
        _forget_local_client(store_settings)  # Chroma keeps a system per folder for the process
        shutil.rmtree(folder, ignore_errors=True)
