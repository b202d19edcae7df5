"""Passages that repeat an earlier one, almost word for word or in meaning, are left out."""

from __future__ import annotations

import functools
import re

import numpy as np

from chatbot.store.snapshot import Snapshot

# Two chunks this close in meaning, or sharing this much wording, say the same thing: only the first is kept.
DUPLICATE_SIMILARITY = 0.97
DUPLICATE_OVERLAP = 0.8
# Chunks sharing most of their wording are always this close in meaning; only such pairs are compared word by word.
WORDING_CHECK_SIMILARITY = 0.75


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=8192)  # the same chunks come back question after question
def _shingles(text: str) -> frozenset[int]:
    """Hashes of the text's word triples (ints intersect several times faster than tuples)."""
    words = _WORD.findall(text.lower())
    return frozenset(hash(tuple(words[i : i + 3])) for i in range(max(1, len(words) - 2)))


def drop_duplicates(snapshot: Snapshot, rows: list[int]) -> list[int]:
    """`rows` without chunks that repeat an earlier one almost word for word or in meaning."""
    if not rows:
        return []
    vectors = snapshot.embeddings[rows]
    # einsum, not @: OpenBLAS hands even this 40x40 product to a second thread, and on two busy cores waiting for
    # it made a hybrid search 8-11 ms instead of 2-4 ms. Plain floats: scalar reads in the loop below are cheaper.
    similarity = np.einsum("ik,jk->ij", vectors, vectors).tolist()
    kept: list[int] = []  # positions in rows
    for position, row in enumerate(rows):
        duplicate = False
        for other in kept:
            if similarity[position][other] >= DUPLICATE_SIMILARITY:
                duplicate = True
            elif similarity[position][other] >= WORDING_CHECK_SIMILARITY:
                shingles = _shingles(snapshot.passages[row].text)
                other_shingles = _shingles(snapshot.passages[rows[other]].text)
                smaller = min(len(shingles), len(other_shingles)) or 1
                duplicate = len(shingles & other_shingles) / smaller >= DUPLICATE_OVERLAP
            if duplicate:
                break
        if not duplicate:
            kept.append(position)
    return [rows[position] for position in kept]
