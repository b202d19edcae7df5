"""The default answerer: quotes the few sentences of the retrieved passages that best answer the question."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from chatbot.answer import trust
from chatbot.answer.orders import gives_orders
from chatbot.expansion import expand
from chatbot.lexical import tokenize
from chatbot.sentence_bank import SentenceBank
from chatbot.types import Citation, Passage
from chatbot.yes_no import answers_absence, asks_existence, defines, definition_subject, lead, states_absence

POOL = 6  # passages whose sentences compete
MAX_SENTENCES = 4
MIN_SENTENCES = 2
KEEP_RATIO = 0.8  # after the first MIN_SENTENCES, a sentence must score this share of the best one
CONTEXT_RATIO = 0.6  # up to MIN_SENTENCES, a sentence giving context must still score this share of the best one
REDUNDANT = 0.85  # sentences this similar to one already chosen say the same thing
# A restated sentence this close in meaning to a sentence of the original it restates, and sharing this
# share of its words, makes the same point: the original sentence is quoted instead.
SAME_POINT, SAME_POINT_WORDS = 0.6, 0.4
# Marginal relevance: a sentence closer than REPEAT_FROM to one already chosen loses REPEAT_WEIGHT per unit
# of the excess. Sentences on the same topic are this close anyway, so only a near-repeat is pushed down.
REPEAT_FROM, REPEAT_WEIGHT = 0.5, 0.5
# A sentence's score: its similarity to the query, the share of the query's rare words it holds, and a
# small preference for higher-ranked passages.
SIMILARITY_WEIGHT, OVERLAP_WEIGHT, RANK_WEIGHT = 0.6, 0.3, 0.05
# The guidance's own words for the question's everyday terms ("dead actor" -> "deceased") count for this
# share of a question word's weight.
EXPANSION_SHARE = 0.5
# After the first sentence, a sentence holding question words the answer does not yet cover gains this
# much per share of the question's weight it adds: the answer covers the whole question, not one part twice.
COVERAGE_WEIGHT = 0.2
# A sentence from a passage ranked this low or lower must be close in meaning to the question (this share of
# the best sentence's similarity) or hold this share of the question's word weight: one shared rare word (a
# tool's name in unrelated news) is not enough.
FOCUS_RANKS = 2
FLOOR_RATIO = 0.75
FLOOR_WORDS = 0.4
# A question asking whether something exists ("Is there a consent form?") is answered by a sentence saying it
# does not ("provides no consent form"): such a sentence gains this times the share of the question it holds.
ABSENCE_WEIGHT = 0.5
# A "What is X?" question is answered first by a sentence saying what X is, when the passages hold one.
DEFINITION_WEIGHT = 0.1
# The guidance itself outranks summaries of it, and summaries outrank news about it, when sentences tie.
KIND_PRIOR = {"guidance": 0.06, "summary": 0.02}
ORIGINAL_PRIOR = 0.06  # a source's own text (restated=False) counts like the guidance
# Outside news articles, a sentence reporting what someone else said about the guidance ("TweakTown said AI
# characters need legal review") is second-hand: it gives way to the guidance's own statements.
REPORTED_PENALTY = 0.08
_REPORTED = re.compile(r"(?<!guidance )(?<!Netflix )\b(said|says|reported|claimed|wrote|stated|spoke of|called|classed"
                       r"|attributes|counted|grouped|described|presented|read)\b")


@dataclasses.dataclass(frozen=True)
class Candidate:
    rank: int  # of its passage in the retrieved list
    position: int  # of the sentence in its passage
    passage: Passage
    sentence: str
    vector: np.ndarray
    similarity: float  # cosine to the query
    score: float  # similarity blended with word overlap and priors: what selection ranks by
    # The question's words (and the guidance's words for them) that the sentence holds, each with its share
    # of the question's weight.
    words: Mapping[str, float] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Draft:
    """An answer before timing: its text and the citations its markers point at."""

    text: str
    citations: tuple[Citation, ...]


def query_shares(query: str, idf: Callable[[str], float]) -> dict[str, float]:
    """Each word of the query, and each of the guidance's words for its everyday terms, with its share of
    the query's own word weight (rare words count for more)."""
    weights = {token: idf(token) for token in tokenize(query)}
    total = sum(weights.values())
    if not total:
        return {}
    for token in tokenize(expand(query)):
        weights.setdefault(token, EXPANSION_SHARE * idf(token))
    return {token: weight / total for token, weight in weights.items()}


def _share(words: Mapping[str, float]) -> float:
    return min(1.0, sum(words.values()))


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
    shares = query_shares(query, idf)
    # Only the own text of a source the corpus restates counts like the guidance: any other document that is
    # not a restatement (a memo, a fetched page) gets its kind's prior, so it cannot pass itself off as the source.
    original_ids = {passage.chunk_id for passage in originals}

    def scored(rank: int, position: int, passage: Passage, sentence: str, vector: np.ndarray) -> Candidate:
        similarity = float(vector @ query_vector)
        words = {token: shares[token] for token in set(tokenize(sentence)) if token in shares}
        score = (
            SIMILARITY_WEIGHT * similarity
            + OVERLAP_WEIGHT * _share(words)
            + RANK_WEIGHT / (1 + rank)
            + (ORIGINAL_PRIOR if passage.chunk_id in original_ids else KIND_PRIOR.get(passage.kind, 0.0))
            - (REPORTED_PENALTY if passage.kind != "article" and _REPORTED.search(sentence) else 0.0)
        )
        return Candidate(rank, position, passage, sentence, vector, similarity, score, words)

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
        if trust.speaks_to_answerer(chunk.sentences):  # planted orders: the sentences around them are part of them
            continue
        for position, (sentence, vector) in enumerate(zip(chunk.sentences, chunk.embeddings)):
            match = None
            if passage.restated and source_sentences:
                match = _same_point(sentence, vector, passage.url, source_sentences)
            if match is not None:
                original, original_position, original_sentence, original_vector = match
                candidate = scored(rank, original_position, original, original_sentence, original_vector)
            else:
                candidate = scored(rank, position, passage, sentence, vector)
            key = " ".join(tokenize(candidate.sentence))
            if key in seen or candidate.sentence.endswith(":"):  # repeated (overlap, same point), or a list's lead-in
                continue
            if gives_orders(candidate.sentence):
                continue
            seen.add(key)
            found.append(candidate)
    return trust.below_guidance(found)


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


def select(found: list[Candidate], max_passages: int, question: str = "") -> list[Candidate]:
    """Pick up to MAX_SENTENCES relevant, non-redundant sentences that together cover the question.

    Maximal marginal relevance, where a sentence's relevance also counts the question words it adds to
    those already covered, and a sentence from a lower-ranked passage must be close in meaning to the question.

    Args:
        question: the question as asked; one asking whether something exists prefers sentences saying it does not.
    """
    if not found:
        return []
    best_similarity = max(candidate.similarity for candidate in found)
    absent = {id(c) for c in found if answers_absence(question, c.sentence)} if asks_existence(question) else set()
    remaining = [c for c in found if c.rank < FOCUS_RANKS or c.similarity >= FLOOR_RATIO * best_similarity
                 or _share(c.words) >= FLOOR_WORDS or id(c) in absent]
    subject = definition_subject(question)
    value = {id(c): c.score + (ABSENCE_WEIGHT * _share(c.words) if id(c) in absent else 0.0)
             + (DEFINITION_WEIGHT if subject and defines(subject, c.sentence) else 0.0) for c in remaining}
    first = max(remaining, key=lambda c: value[id(c)])
    chosen = [first]
    remaining.remove(first)
    best = value[id(first)]
    if states_absence(first.sentence):
        # "The guidance has no rule for X" leads; the rules nearest to X are what should follow it.
        best = max((value[id(c)] for c in remaining if not states_absence(c.sentence)), default=best)
    covered = set(first.words)
    while remaining and len(chosen) < MAX_SENTENCES:
        def relevance(c: Candidate) -> float:
            return value[id(c)] + COVERAGE_WEIGHT * _share({w: v for w, v in c.words.items() if w not in covered})

        def marginal(c: Candidate) -> float:
            similarity = max(float(c.vector @ s.vector) for s in chosen)
            return relevance(c) - REPEAT_WEIGHT * max(0.0, similarity - REPEAT_FROM)

        cutoff = (KEEP_RATIO if len(chosen) >= MIN_SENTENCES else CONTEXT_RATIO) * best
        relevant = [c for c in remaining if relevance(c) >= cutoff]
        if not relevant:
            break
        pick = max(relevant, key=marginal)
        remaining.remove(pick)
        if any(float(pick.vector @ s.vector) >= REDUNDANT for s in chosen):
            continue
        cited = {c.passage.chunk_id for c in chosen}
        if pick.passage.chunk_id not in cited and len(cited) >= max_passages:
            continue
        chosen.append(pick)
        covered.update(pick.words)
    return chosen


def cite(chosen: Sequence[Candidate]) -> tuple[str, tuple[Citation, ...]]:
    """Answer text with a [n] after each sentence; citations numbered by first use.

    The best sentence leads; then passages in the order their first sentence was chosen, and the sentences of
    one passage in the passage's own order.
    """
    first_pick: dict[str, int] = {}
    for order, candidate in enumerate(chosen):
        first_pick.setdefault(candidate.passage.chunk_id, order)
    ordered = sorted(chosen, key=lambda c: (first_pick[c.passage.chunk_id], c is not chosen[0], c.position))
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for candidate in ordered:
        chunk_id = candidate.passage.chunk_id
        if chunk_id not in numbers:
            numbers[chunk_id] = len(numbers) + 1
            citations.append(Citation.of(numbers[chunk_id], candidate.passage))
        parts.append(f"{trust.attributed(candidate.sentence, candidate.passage)} [{numbers[chunk_id]}]")
    return " ".join(parts), tuple(citations)


def answer(question: str, found: list[Candidate], max_passages: int) -> Draft:
    """An extractive answer to `question` from the candidate sentences, citing at most `max_passages` passages."""
    chosen = select(found, max_passages, question)
    if not chosen:
        return Draft("", ())
    text, citations = cite(chosen)
    # Requirements are combined only within the best sentence's passage: another passage may concern another case.
    opening = lead(question, [c.sentence for c in chosen if c.passage.chunk_id == chosen[0].passage.chunk_id])
    return Draft(f"{opening} {text}" if opening else text, citations)
