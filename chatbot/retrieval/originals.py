"""A source's own words over a restatement of them: the rule, for whole passages and for single sentences."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chatbot.query.words import tokenize
from chatbot.store.snapshot import Snapshot
from chatbot.types import Passage

# A restated chunk this close to a chunk of the original it restates makes the same point: the original wins.
SAME_POINT_PASSAGE = 0.85
# A restated sentence this close in meaning to a sentence of the original it restates, and sharing this
# share of its words, makes the same point: the original sentence is quoted instead.
SAME_POINT_SENTENCE, SAME_POINT_WORDS = 0.6, 0.4


def prefer_originals(snapshot: Snapshot, rows: list[int]) -> list[int]:
    """Put a source's own passage in place of a restatement of the same point, so only the original is cited."""
    if not snapshot.originals_by_url:
        return rows
    result: list[int] = []
    for row in rows:
        passage = snapshot.passages[row]
        originals = snapshot.originals_by_url.get(passage.url) if passage.restated else None
        if originals:
            similarities = snapshot.embeddings[originals] @ snapshot.embeddings[row]
            best = int(np.argmax(similarities))
            if similarities[best] >= SAME_POINT_PASSAGE:
                row = originals[best]
        if row not in result:
            result.append(row)
    return result


def original_sentence(sentence: str, vector: np.ndarray, url: str,
                      source_sentences: Sequence[tuple[Passage, int, str, np.ndarray]]) -> tuple | None:
    """The original sentence (passage, position, text, vector) that the restated `sentence` makes again, if any."""
    best, best_similarity = None, SAME_POINT_SENTENCE
    words = set(tokenize(sentence))
    for passage, position, original, original_vector in source_sentences:
        if passage.url != url:
            continue
        similarity = float(original_vector @ vector)
        if similarity < best_similarity:
            continue
        original_words = set(tokenize(original))
        shared = len(words & original_words) / (min(len(words), len(original_words)) or 1)
        if shared >= SAME_POINT_WORDS:
            best, best_similarity = (passage, position, original, original_vector), similarity
    return best
