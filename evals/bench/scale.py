"""Growth: index build and retrieval latency as the store grows, on synthetic chunks made from the real ones."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chatbot.settings import Settings
from evals.bench.stats import ratio, summarize, timed_ms
from evals.bench.synthetic import NOISE, RealChunks, synthesize

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 600

MODES = ("dense", "bm25", "hybrid")
NOTE = (
    "Synthetic chunks: each starts from a real chunk (most of its sentences, shuffled, plus 1-3 sentences from "
    "other chunks), so BM25 sees the corpus's own vocabulary and term statistics; its vector is the real chunk's "
    f"embedding plus gaussian noise (sigma {NOISE} per dimension, cosine about 0.86 to the source), renormalised, "
    "so the chunks cluster around real neighbourhoods. Only indexing and retrieval are timed: no chunk is embedded. "
    "Index open: a fresh process opens the store and loads the bot's snapshot, from the load cache (new) or by "
    "reading every chunk and indexing it for BM25 (old, RAG_LOAD_CACHE=false); the retrieval timings use the "
    "snapshot read from the cache."
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
        opens = {store.size: {"new": [], "old": []} for store in stores}
        for number in range(repeats):
            log.info("scale: index opens, pass %d of %d", number + 1, repeats)
            for store in stores:
                for path, cached in (("new", True), ("old", False)):
                    opens[store.size][path].append(open_index(store.settings, load_cache=cached))
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
        str(store.size): {**store.figures, "open": _open_summaries(opens[store.size]),
                          "retrieve_ms": {m: summarize(v) for m, v in latencies[store.size].items()}}
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
            # The first start reads every chunk, indexes it and writes the load cache; the searcher then reads the
            # cache as every later process does.
            _, first_ms = timed_ms(IndexReader(store_settings).snapshot)
            store.retriever = Searcher(store_settings, IndexReader(store_settings))
            snapshot = store.retriever.reader.snapshot()
            _, bm25_ms = timed_ms(lambda: LexicalRanker([lexical_text(p) for p in snapshot.passages]))
            store.figures = {
                "chunks": len(snapshot),
                "mb_text": round(megabytes, 1),
                "build": {
                    "chroma_add_s": round(add_s, 2),
                    "chroma_chunks_per_s": round(size / add_s) if add_s else None,
                    "bm25_build_s": round(bm25_ms / 1000, 2),
                    "first_load_s": round(first_ms / 1000, 2),
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


# Opens the index as a new bot does, in a fresh process (imports done first, as they are not part of the open).
_OPEN = """
import json, sys, time
from pathlib import Path
import bm25s, chromadb
from chatbot.settings import Settings
from chatbot.store.reader import IndexReader

def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6

settings = Settings.from_env()
before, started = rss_mb(), time.perf_counter()
index = IndexReader(settings).snapshot()
print(json.dumps({"seconds": time.perf_counter() - started, "rss_mb": rss_mb() - before, "chunks": len(index)}))
"""


def open_index(settings: Settings, *, load_cache: bool) -> dict[str, float]:
    """Seconds a fresh process takes to open the store and load the bot's snapshot, and the memory it then holds."""
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_COLLECTION": settings.collection,
           "RAG_LOAD_CACHE": str(load_cache).lower()}
    env.pop("RAG_CHROMA_URL", None)
    completed = subprocess.run([sys.executable, "-c", _OPEN], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=TIMEOUT_S)
    if completed.returncode != 0:
        raise RuntimeError(f"opening the index in {settings.data_dir} failed: {completed.stderr.strip()[-2000:]}")
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    return {"seconds": figures["seconds"], "rss_mb": figures["rss_mb"]}


def _open_summaries(opens: dict[str, list[dict[str, float]]]) -> dict:
    return {path: {key: summarize(run[key] for run in runs) for key in ("seconds", "rss_mb")}
            for path, runs in opens.items()}
