"""The default answerer: quotes the few sentences of the retrieved passages that best answer the question."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from chatbot.lexical import tokenize
from chatbot.sentence_bank import SentenceBank
from chatbot.types import Citation, Passage
from chatbot.yes_no import direct_answer

POOL = 6  # passages whose sentences compete
MAX_SENTENCES = 4
MIN_SENTENCES = 2
KEEP_RATIO = 0.8  # after the first MIN_SENTENCES, a sentence must score this share of the best one
REDUNDANT = 0.85  # sentences this similar to one already chosen say the same thing
SAME_POINT = 0.8  # a restated sentence this close to an original sentence of the same source gives way to it
MMR_LAMBDA = 0.7
# The guidance itself outranks summaries of it, and summaries outrank news about it, when sentences tie.
KIND_PRIOR = {"guidance": 0.06, "summary": 0.02}


@dataclasses.dataclass(frozen=True)
class Candidate:
    rank: int  # of its passage in the retrieved list
    position: int  # of the sentence in its passage
    passage: Passage
    sentence: str
    vector: np.ndarray
    score: float


@dataclasses.dataclass(frozen=True)
class Draft:
    """An answer before timing: its text and the citations its markers point at."""

    text: str
    citations: tuple[Citation, ...]


def _overlap(query_tokens: set[str], sentence: str) -> float:
    if not query_tokens:
        return 0.0
    return len(query_tokens & set(tokenize(sentence))) / len(query_tokens)


def candidates(query: str, query_vector: np.ndarray, passages: Sequence[Passage], bank: SentenceBank) -> list[Candidate]:
    """Every quotable sentence of the top passages, scored against the query, restatements of originals removed."""
    pool = list(passages[:POOL])
    query_tokens = set(tokenize(query))
    found: list[Candidate] = []
    seen: set[str] = set()
    for rank, (passage, chunk) in enumerate(zip(pool, bank.get(pool))):
        if not chunk.sentences:
            continue
        relevance = chunk.embeddings @ query_vector
        for position, (sentence, vector) in enumerate(zip(chunk.sentences, chunk.embeddings)):
            key = " ".join(tokenize(sentence))
            if key in seen or sentence.endswith(":"):  # repeated by an overlapping chunk, or a list's lead-in
                continue
            seen.add(key)
            score = (
                0.65 * float(relevance[position])
                + 0.25 * _overlap(query_tokens, sentence)
                + 0.1 / (1 + rank)
                + KIND_PRIOR.get(passage.kind, 0.0)
            )
            found.append(Candidate(rank, position, passage, sentence, vector, score))
    return _prefer_original_sentences(found)


def _prefer_original_sentences(found: list[Candidate]) -> list[Candidate]:
    originals = [c for c in found if not c.passage.restated]
    if not originals:
        return found
    kept = []
    for candidate in found:
        if candidate.passage.restated:
            same_source = [o.vector for o in originals if o.passage.url == candidate.passage.url]
            if same_source and float(np.max(np.stack(same_source) @ candidate.vector)) >= SAME_POINT:
                continue
        kept.append(candidate)
    return kept


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


def answer(
    question: str, query: str, query_vector: np.ndarray, passages: Sequence[Passage], bank: SentenceBank, max_passages: int
) -> Draft:
    """An extractive answer to `question` from `passages` (best first); `query` is what was searched for."""
    chosen = select(candidates(query, query_vector, passages, bank), max_passages)
    if not chosen:
        return Draft("", ())
    text, citations = cite(chosen)
    lead = direct_answer(question, max(chosen, key=lambda c: c.score).sentence)
    return Draft(f"{lead} {text}" if lead else text, citations)
