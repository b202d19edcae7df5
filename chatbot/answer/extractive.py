"""Scoring and choosing the sentences of the retrieved passages that best answer the question (see respond.py)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping

from chatbot.answer import trust
from chatbot.answer.answer_kind import asked_kind, holds
from chatbot.answer.orders import gives_orders
from chatbot.answer.yes_no import answers_absence, asks_existence, defines, definition_subject, states_absence
from chatbot.query.query import Query
from chatbot.query.words import tokenize
from chatbot.retrieval.quotes import Quote
from chatbot.retrieval.search import Retrieval
from chatbot.types import Citation

MAX_SENTENCES = 4
MIN_SENTENCES = 2
KEEP_RATIO = 0.8  # after the first MIN_SENTENCES, a sentence must score this share of the best one
CONTEXT_RATIO = 0.6  # up to MIN_SENTENCES, a sentence giving context must still score this share of the best one
REDUNDANT = 0.85  # sentences this similar to one already chosen say the same thing
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
# A question asking for a date, a sum or a number ("when was it published?") is answered first by a sentence that
# holds one, as a definition answers a "What is X?" question.
KIND_WEIGHT = DEFINITION_WEIGHT
# The guidance itself outranks summaries of it, and summaries outrank news about it, when sentences tie.
KIND_PRIOR = {"guidance": 0.06, "summary": 0.02}
ORIGINAL_PRIOR = 0.06  # a source's own text (restated=False) counts like the guidance
# Outside news articles, a sentence reporting what someone else said about the guidance ("TweakTown said AI
# characters need legal review") is second-hand: it gives way to the guidance's own statements.
REPORTED_PENALTY = 0.08
_REPORTED = re.compile(r"(?<!guidance )(?<!Netflix )\b(said|says|reported|claimed|wrote|stated|spoke of|called|classed"
                       r"|attributes|counted|grouped|described|presented|read)\b")


@dataclasses.dataclass(frozen=True)
class Candidate(Quote):
    """A quotable sentence, scored for this question."""

    score: float  # similarity blended with word overlap and priors: what selection ranks by
    # The question's words (and the guidance's words for them) that the sentence holds, each with its share
    # of the question's weight.
    words: Mapping[str, float] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Draft:
    """An answer before timing: its text and the citations its markers point at."""

    text: str
    citations: tuple[Citation, ...]


def query_shares(query: Query, idf: Callable[[str], float]) -> dict[str, float]:
    """Each word of the query, and each of the guidance's words for its everyday terms, with its share of
    the query's own word weight (rare words count for more)."""
    weights = {token: idf(token) for token in query.tokens}
    total = sum(weights.values())
    if not total:
        return {}
    for token in query.expanded:
        weights.setdefault(token, EXPANSION_SHARE * idf(token))
    return {token: weight / total for token, weight in weights.items()}


def _share(words: Mapping[str, float]) -> float:
    return min(1.0, sum(words.values()))


def candidates(query: Query, retrieval: Retrieval) -> list[Candidate]:
    """The retrieval's quotable sentences, each scored against the query."""
    shares = query_shares(query, retrieval.idf)
    # Only the own text of a source the corpus restates counts like the guidance: any other document that is
    # not a restatement (a memo, a fetched page) gets its kind's prior, so it cannot pass itself off as the source.
    original_ids = {passage.chunk_id for passage in retrieval.originals}

    def scored(quote: Quote) -> Candidate:
        passage, sentence = quote.passage, quote.sentence
        words = {token: shares[token] for token in set(tokenize(sentence)) if token in shares}
        score = (
            SIMILARITY_WEIGHT * quote.similarity
            + OVERLAP_WEIGHT * _share(words)
            + RANK_WEIGHT / (1 + quote.rank)
            + (ORIGINAL_PRIOR if passage.chunk_id in original_ids else KIND_PRIOR.get(passage.kind, 0.0))
            - (REPORTED_PENALTY if passage.kind != "article" and _REPORTED.search(sentence) else 0.0)
        )
        return Candidate(quote.rank, quote.position, passage, sentence, quote.vector, quote.similarity, score, words)

    planted = {quote.passage.chunk_id for quote in retrieval.quotes if gives_orders(quote.sentence)}
    # A passage that gives the answerer orders is never quoted, not even the sentences around the order.
    found = [scored(quote) for quote in retrieval.quotes if quote.passage.chunk_id not in planted]
    return trust.below_guidance(found)


def select(found: list[Candidate], max_passages: int, query: Query | None = None) -> list[Candidate]:
    """Pick up to MAX_SENTENCES relevant, non-redundant sentences that together cover the question.

    Maximal marginal relevance, where a sentence's relevance also counts the question words it adds to
    those already covered, and a sentence from a lower-ranked passage must be close in meaning to the question.

    Args:
        query: the question; one asking whether something exists prefers sentences saying it does not.
    """
    if not found:
        return []
    question, words = (query.asked, query.asked_words) if query else ("", frozenset())
    best_similarity = max(candidate.similarity for candidate in found)
    absent = {id(c) for c in found if answers_absence(question, c.sentence, words)} if asks_existence(question) else set()
    remaining = [c for c in found if c.rank < FOCUS_RANKS or c.similarity >= FLOOR_RATIO * best_similarity
                 or _share(c.words) >= FLOOR_WORDS or id(c) in absent]
    subject, kind = definition_subject(question), asked_kind(question)
    value = {id(c): c.score + (ABSENCE_WEIGHT * _share(c.words) if id(c) in absent else 0.0)
             + (DEFINITION_WEIGHT if subject and defines(subject, c.sentence) else 0.0)
             + (KIND_WEIGHT if kind and holds(kind, c.sentence) else 0.0) for c in remaining}
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
