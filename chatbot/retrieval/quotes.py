"""The sentences of the top passages that an answer could quote, each with its closeness to the question."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from chatbot.query.cleaning import remove_instructions
from chatbot.query.words import tokenize
from chatbot.retrieval.originals import original_sentence
from chatbot.store.sentence_bank import SentenceBank
from chatbot.types import Passage

POOL = 6  # passages whose sentences compete


@dataclasses.dataclass(frozen=True)
class Quote:
    rank: int  # of its passage in the retrieved list
    position: int  # of the sentence in its passage
    passage: Passage
    sentence: str
    vector: np.ndarray
    similarity: float  # cosine to the question


def find_quotes(vector: np.ndarray, passages: Sequence[Passage], bank: SentenceBank,
                originals: Sequence[Passage] = ()) -> list[Quote]:
    """Every quotable sentence of the top POOL passages, in passage order.

    A restated sentence making the same point as a sentence of its source's own text (among `originals`) is
    replaced by that sentence. Repeats, a list's lead-in and orders planted for an assistant are left out.
    """
    pool = list(passages[:POOL])
    urls = {p.url for p in pool if p.restated}
    sources = [p for p in originals if p.url in urls]
    source_sentences = [
        (passage, position, sentence, sentence_vector)
        for passage, chunk in zip(sources, bank.get(sources))
        for position, (sentence, sentence_vector) in enumerate(zip(chunk.sentences, chunk.embeddings))
    ]
    found: list[Quote] = []
    seen: set[str] = set()
    for rank, (passage, chunk) in enumerate(zip(pool, bank.get(pool))):
        for position, (sentence, sentence_vector) in enumerate(zip(chunk.sentences, chunk.embeddings)):
            match = None
            if passage.restated and source_sentences:
                match = original_sentence(sentence, sentence_vector, passage.url, source_sentences)
            if match is not None:
                passage_quoted, position_quoted, sentence_quoted, vector_quoted = match
            else:
                passage_quoted, position_quoted, sentence_quoted, vector_quoted = passage, position, sentence, sentence_vector
            key = " ".join(tokenize(sentence_quoted))
            if key in seen or sentence_quoted.endswith(":"):  # repeated (overlap, same point), or a list's lead-in
                continue
            if remove_instructions(sentence_quoted)[1]:  # orders to an assistant, planted in a document
                continue
            seen.add(key)
            found.append(Quote(rank, position_quoted, passage_quoted, sentence_quoted, vector_quoted,
                               float(vector_quoted @ vector)))
    return found
