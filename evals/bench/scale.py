"""Growth: index build and retrieval latency as the store grows, on synthetic chunks made from the real ones."""

from __future__ import annotations

import dataclasses
import gc
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
    """Build a store of each size, then time retrieval in all of them, query by query in turn.

    Interleaving the sizes puts every size under the same machine load, so the growth ratio is fair on a busy host.

    Args:
        settings: the real store to recombine chunks from, and the retrieval settings to use.
        queries: question texts; `vectors` their search embeddings (unit length, one row each).
        sizes: chunk counts, smallest first; the growth ratio compares the last with the first.
        repeats: passes over the queries per mode.
    """
    from chatbot.store.client import open_client

    client = open_client(settings)
    try:
        real = RealChunks.read(client.get_collection(settings.collection))
    finally:
        client.close()
    from chatbot.query.query import Query, terms

    read_queries = [Query(asked=query, text=query, tokens=terms(query)[0], expanded=terms(query)[1], vector=vector)
                    for query, vector in zip(queries, vectors)]
    stores: list[_Store] = []
    try:
        for size in sizes:
            log.info("scale: building %d chunks", size)
            stores.append(_Store.build(settings, real, size))
        latencies = {store.size: {mode: [] for mode in MODES} for store in stores}
        for number in range(repeats + 1):  # the first pass is not measured
            log.info("scale: retrieval pass %d of %d", number, repeats)
            for query in read_queries:
                for store in stores:
                    for mode in MODES:
                        elapsed = timed_ms(lambda: store.retriever.passages(query, mode))[1]
                        if number:
                            latencies[store.size][mode].append(elapsed)
    finally:
        for store in stores:
            store.close()
    results = {"note": NOTE, "sizes": {
        str(store.size): {**store.figures, "retrieve_ms": {m: summarize(v) for m, v in latencies[store.size].items()}}
        for store in stores
    }}
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


@dataclasses.dataclass
class _Store:
    """One synthetic store in a temp folder, with a retriever over it and the figures of its build."""

    size: int
    folder: Path
    settings: Settings
    client: object
    retriever: object
    figures: dict

    @classmethod
    def build(cls, settings: Settings, real: RealChunks, size: int) -> "_Store":
        from chatbot.retrieval.lexical import LexicalRanker
        from chatbot.retrieval.search import Searcher
        from chatbot.store.client import COLLECTION_METADATA, open_client
        from chatbot.store.reader import IndexReader
        from chatbot.store.snapshot import lexical_text

        folder = Path(tempfile.mkdtemp(prefix=f"bench-scale-{size}-"))
        store_settings = dataclasses.replace(settings, data_dir=folder, chroma_url="")
        client = open_client(store_settings)
        store = cls(size, folder, store_settings, client, None, {})
        try:
            collection = client.create_collection(settings.collection, metadata=COLLECTION_METADATA)
            add_s, megabytes = 0.0, 0.0
            for batch in synthesize(real, size, batch_size=min(5000, client.get_max_batch_size())):
                started = time.perf_counter()
                collection.add(ids=batch.ids, documents=batch.texts, metadatas=batch.metadatas,
                               embeddings=batch.embeddings)
                add_s += time.perf_counter() - started
                megabytes += sum(len(text.encode("utf-8")) for text in batch.texts) / 1e6
            store.retriever = Searcher(store_settings, IndexReader(store_settings))
            gc.collect()
            before = _rss_mb()
            snapshot, snapshot_ms = timed_ms(store.retriever.reader.snapshot)  # what a bot pays before its first answer
            memory = _rss_mb() - before
            _, bm25_ms = timed_ms(lambda: LexicalRanker([lexical_text(p) for p in snapshot.passages]))
            store.figures = {
                "chunks": len(snapshot),
                "mb_text": round(megabytes, 1),
                "build": {
                    "chroma_add_s": round(add_s, 2),
                    "chroma_chunks_per_s": round(size / add_s) if add_s else None,
                    "bm25_build_s": round(bm25_ms / 1000, 2),
                    "snapshot_load_s": round(snapshot_ms / 1000, 2),
                    "snapshot_rss_mb": round(memory),
                },
            }
            return store
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.retriever = None
        self.client.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    return 0.0
