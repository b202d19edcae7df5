"""The default answerer: quotes the few sentences of the retrieved passages that best answer the question."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from chatbot.lexical import tokenize
from chatbot.sanitize import remove_instructions
from chatbot.sentence_bank import SentenceBank
from chatbot.types import Citation, Passage
from chatbot.yes_no import direct_answer

POOL = 6  # passages whose sentences compete
MAX_SENTENCES = 4
MIN_SENTENCES = 2
KEEP_RATIO = 0.8  # after the first MIN_SENTENCES, a sentence must score this share of the best one
REDUNDANT = 0.85  # sentences this similar to one already chosen say the same thing
# A restated sentence this close in meaning to a sentence of the original it restates, and sharing this
# share of its words, makes the same point: the original sentence is quoted instead.
SAME_POINT, SAME_POINT_WORDS = 0.6, 0.4
MMR_LAMBDA = 0.7
# A sentence's score: its similarity to the query, the share of the query's rare words it holds, and a
# small preference for higher-ranked passages.
SIMILARITY_WEIGHT, OVERLAP_WEIGHT, RANK_WEIGHT = 0.6, 0.3, 0.05
# The guidance itself outranks summaries of it, and summaries outrank news about it, when sentences tie.
KIND_PRIOR = {"guidance": 0.06, "summary": 0.02}
ORIGINAL_PRIOR = 0.06  # a source's own text (restated=False) counts like the guidance


@dataclasses.dataclass(frozen=True)
class Candidate:
    rank: int  # of its passage in the retrieved list
    position: int  # of the sentence in its passage
    passage: Passage
    sentence: str
    vector: np.ndarray
    similarity: float  # cosine to the query
    score: float  # similarity blended with word overlap and priors: what selection ranks by


@dataclasses.dataclass(frozen=True)
class Draft:
    """An answer before timing: its text and the citations its markers point at."""

    text: str
    citations: tuple[Citation, ...]


def _overlap(weights: dict[str, float], sentence: str) -> float:
    """Share of the query's word weight that the sentence holds."""
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(weights[token] for token in set(tokenize(sentence)) if token in weights) / total


def candidates(
    query: str,
    query_vector: np.ndarray,
    passages: Sequence[Passage],
    bank: SentenceBank,
    idf: Callable[[str], float] = lambda token: 1.0,
    originals: Sequence[Passage] = (),
) -> list[Candidate]:
    """Every quotable sentence of the top passages, scored against the query.

    Args:
        idf: weight of a query word; rare words count for more in the word-overlap part of the score.
        originals: passages of a source's own text (restated=False); a restated sentence making the same
            point as one of their sentences is replaced by that original sentence.
    """
    weights = {token: idf(token) for token in tokenize(query)}
    # Only the own text of a source the corpus restates counts like the guidance: any other document that is
    # not a restatement (a memo, a fetched page) gets its kind's prior, so it cannot pass itself off as the source.
    original_ids = {passage.chunk_id for passage in originals}

    def scored(rank: int, position: int, passage: Passage, sentence: str, vector: np.ndarray) -> Candidate:
        similarity = float(vector @ query_vector)
        score = (
            SIMILARITY_WEIGHT * similarity
            + OVERLAP_WEIGHT * _overlap(weights, sentence)
            + RANK_WEIGHT / (1 + rank)
            + (ORIGINAL_PRIOR if passage.chunk_id in original_ids else KIND_PRIOR.get(passage.kind, 0.0))
        )
        return Candidate(rank, position, passage, sentence, vector, similarity, score)

    pool = list(passages[:POOL])
    urls = {p.url for p in pool if p.restated}
    sources = [p for p in originals if p.url in urls]
    source_sentences = [
        (passage, position, sentence, vector)
        for passage, chunk in zip(sources, bank.get(sources))
        for position, (sentence, vector) in enumerate(zip(chunk.sentences, chunk.embeddings))
    ]
    found: list[Candidate] = []
    seen: set[str] = set()
    for rank, (passage, chunk) in enumerate(zip(pool, bank.get(pool))):
        for position, (sentence, vector) in enumerate(zip(chunk.sentences, chunk.embeddings)):
            if passage.restated and source_sentences:
                match = _same_point(sentence, vector, passage.url, source_sentences)
                if match is not None:
                    passage_, position, sentence, vector = match
                    candidate = scored(rank, position, passage_, sentence, vector)
                else:
                    candidate = scored(rank, position, passage, sentence, vector)
            else:
                candidate = scored(rank, position, passage, sentence, vector)
            key = " ".join(tokenize(candidate.sentence))
            if key in seen or candidate.sentence.endswith(":"):  # repeated (overlap, same point), or a list's lead-in
                continue
            if remove_instructions(candidate.sentence)[1]:  # orders to an assistant, planted in a document
                continue
            seen.add(key)
            found.append(candidate)
    return found


def _same_point(sentence: str, vector: np.ndarray, url: str, source_sentences: list) -> tuple | None:
    """The original sentence (passage, position, text, vector) that `sentence` restates, if any."""
    best, best_similarity = None, SAME_POINT
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


def select(found: list[Candidate], max_passages: int) -> list[Candidate]:
    """Pick up to MAX_SENTENCES relevant, non-redundant sentences (maximal marginal relevance)."""
    chosen: list[Candidate] = []
    remaining = sorted(found, key=lambda c: -c.score)
    if not remaining:
        return chosen
    best = remaining[0].score
    while remaining and len(chosen) < MAX_SENTENCES:
        def marginal(c: Candidate) -> float:
            similarity = max((float(c.vector @ s.vector) for s in chosen), default=0.0)
            return MMR_LAMBDA * c.score - (1 - MMR_LAMBDA) * similarity

        pick = max(remaining, key=marginal)
        remaining.remove(pick)
        if len(chosen) >= MIN_SENTENCES and pick.score < KEEP_RATIO * best:
            break
        if any(float(pick.vector @ s.vector) >= REDUNDANT for s in chosen):
            continue
        cited = {c.passage.chunk_id for c in chosen}
        if pick.passage.chunk_id not in cited and len(cited) >= max_passages:
            continue
        chosen.append(pick)
    return chosen


def cite(chosen: Sequence[Candidate]) -> tuple[str, tuple[Citation, ...]]:
    """Answer text with a [n] after each sentence; citations numbered by first use."""
    # Passages in the order of their best sentence, sentences in passage order: the strongest point leads.
    lead_score: dict[str, float] = {}
    for candidate in chosen:
        key = candidate.passage.chunk_id
        lead_score[key] = max(lead_score.get(key, candidate.score), candidate.score)
    ordered = sorted(chosen, key=lambda c: (-lead_score[c.passage.chunk_id], c.rank, c.position))
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for candidate in ordered:
        chunk_id = candidate.passage.chunk_id
        if chunk_id not in numbers:
            numbers[chunk_id] = len(numbers) + 1
            citations.append(Citation.of(numbers[chunk_id], candidate.passage))
        parts.append(f"{candidate.sentence} [{numbers[chunk_id]}]")
    return " ".join(parts), tuple(citations)


def answer(question: str, found: list[Candidate], max_passages: int) -> Draft:
    """An extractive answer to `question` from the candidate sentences, citing at most `max_passages` passages."""
    chosen = select(found, max_passages)
    if not chosen:
        return Draft("", ())
    text, citations = cite(chosen)
    lead = direct_answer(question, max(chosen, key=lambda c: c.score).sentence)
    return Draft(f"{lead} {text}" if lead else text, citations)
