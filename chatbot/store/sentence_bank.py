"""Sentences of each chunk with their embeddings, computed once per chunk and kept for the process and on disk."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import threading
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from chatbot.sentences import VERSION as SPLITTER_VERSION
from chatbot.sentences import split_sentences
from chatbot.types import Passage

log = logging.getLogger(__name__)

EmbedMany = Callable[[list[str]], np.ndarray]


@dataclasses.dataclass(frozen=True)
class ChunkSentences:
    sentences: tuple[str, ...]
    embeddings: np.ndarray  # (len(sentences), dim), unit length


def chunk_key(passage: Passage) -> str:
    """A chunk's id and a digest of its text: a chunk rewritten under the same id gets a new key."""
    return f"{passage.chunk_id}:{hashlib.sha1(passage.text.encode('utf-8', 'replace')).hexdigest()[:16]}"


class SentenceBank:
    """A cache keyed by chunk; missing chunks are embedded together in one batch.

    With a `cache_file`, `load()` reads the vectors an earlier process saved and `save()` writes them back,
    so a new process does not embed every sentence again before its answers are quick. The file is only a
    cache: one that is missing, damaged or made with another model is ignored.
    """

    def __init__(self, embed_many: EmbedMany, cache_file: Path | None = None, model: str = ""):
        self._embed_many = embed_many
        self._cache_file = cache_file
        self._model = f"{model}|sentences v{SPLITTER_VERSION}"  # the file holds this model's vectors of these sentences
        self._cache: dict[str, ChunkSentences] = {}
        self._stored: dict[str, np.ndarray] = {}  # vectors read from the file, matched to sentences on first use
        self._lock = threading.Lock()
        self.unsaved = False  # chunks were embedded since the file was read or written

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, passages: Sequence[Passage]) -> list[ChunkSentences]:
        """Sentences and embeddings for each passage, in the order given."""
        keys = [chunk_key(p) for p in passages]
        missing: dict[str, tuple[str, ...]] = {}
        for key, passage in zip(keys, passages):
            if key in self._cache or key in missing:
                continue
            sentences = tuple(split_sentences(passage.text))
            stored = self._stored.get(key)
            if stored is not None and len(stored) == len(sentences):
                with self._lock:
                    self._cache[key] = ChunkSentences(sentences, stored)
            else:
                missing[key] = sentences
        if missing:
            texts = [sentence for sentences in missing.values() for sentence in sentences]
            vectors = self._embed_many(texts) if texts else np.zeros((0, 0), dtype=np.float32)
            start = 0
            with self._lock:
                for key, sentences in missing.items():
                    self._cache[key] = ChunkSentences(sentences, vectors[start : start + len(sentences)])
                    start += len(sentences)
                self.unsaved = True
        return [self._cache[key] for key in keys]

    def load(self, dimension: int) -> int:
        """Read the cache file's vectors of this model and `dimension`; returns how many chunks it held."""
        path = self._cache_file
        if path is None or not path.exists():
            return 0
        try:
            with np.load(path, allow_pickle=False) as saved:
                model, keys, counts, vectors = str(saved["model"]), saved["keys"], saved["counts"], saved["vectors"]
            if model != self._model or vectors.ndim != 2 or vectors.shape[1] != dimension \
                    or int(counts.sum()) != len(vectors) or len(keys) != len(counts):
                log.info("Ignoring %s: it was made with another model or is incomplete", path)
                return 0
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as err:
            log.warning("Ignoring the sentence cache %s (%s); sentences will be embedded again", path, err)
            return 0
        ends = np.cumsum(counts)
        self._stored = {str(key): vectors[end - count : end] for key, count, end in zip(keys, counts, ends)}
        return len(self._stored)

    def save(self, passages: Sequence[Passage]) -> None:
        """Write the vectors of `passages` (those already embedded) to the cache file, replacing it whole."""
        if self._cache_file is None:
            return
        with self._lock:
            entries = [(key, self._cache[key]) for key in dict.fromkeys(map(chunk_key, passages))
                       if key in self._cache and len(self._cache[key].sentences)]
        if not entries:
            return
        path = self._cache_file
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as file:
                np.savez(
                    file,
                    model=np.array(self._model),
                    keys=np.array([key for key, _ in entries]),
                    counts=np.array([len(chunk.sentences) for _, chunk in entries], dtype=np.int64),
                    vectors=np.concatenate([chunk.embeddings for _, chunk in entries]).astype(np.float32, copy=False),
                )
            os.replace(temporary, path)  # readers see the old file or the new one, never half of one
            self.unsaved = False
        except OSError as err:
            log.warning("Could not save the sentence cache %s (%s); the next start embeds sentences again", path, err)
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
