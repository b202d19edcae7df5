"""Scoring and choosing the sentences of the retrieved passages that best answer the question (see respond.py)."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from chatbot.answer import trust
from chatbot.answer.answer_kind import asked_kind, asks_who_did, holds, names, question_words
from chatbot.answer.orders import gives_orders
from chatbot.answer.yes_no import answers_absence, asks_existence, defines, definition_subject, states_absence
from chatbot.query.query import Query
from chatbot.query.words import tokenize
from chatbot.retrieval.quotes import Quote
from chatbot.retrieval.search import Retrieval
from chatbot.types import Citation

MAX_SENTENCES = 4
MIN_SENTENCES = 2
REDUNDANT = 0.85  # sentences this similar to one already chosen say the same thing
SAME = 0.999  # vectors this similar are the same sentence's
# A sentence's score weighs its similarity to the query by this; the fitted weights are on the same scale.
SIMILARITY_WEIGHT = 0.6
# The guidance's own words for the question's everyday terms ("dead actor" -> "deceased") count for this
# share of a question word's weight.
EXPANSION_SHARE = 0.5
# A question asking whether something exists ("Is there a consent form?") is answered by a sentence saying it
# does not ("provides no consent form"): such a sentence gains this times the share of the question it holds.
ABSENCE_WEIGHT = 0.5
# The guidance itself outranks summaries of it, and summaries outrank news about it, when sentences tie.
KIND_PRIOR = {"guidance": 0.06, "summary": 0.02}
ORIGINAL_PRIOR = 0.06  # a source's own text (restated=False) counts like the guidance
# Where the fitted weights ship: beside this module (refit with `python -m evals.fit_selection`).
WEIGHTS_FILE = "selection_weights.json"


@dataclasses.dataclass(frozen=True)
class Weights:
    """How sentences are scored and chosen; fitted on the dev split by `python -m evals.fit_selection`."""

    # The share of the query's rare words a sentence holds, beside its similarity.
    overlap: float = 0.3
    # A small preference for sentences of higher-ranked passages.
    rank: float = 0.05
    # After the first MIN_SENTENCES, a sentence must score this share of the best one; before, this share.
    keep_ratio: float = 0.8
    context_ratio: float = 0.6
    # Marginal relevance: a sentence closer than repeat_from to one already chosen loses repeat_weight per unit
    # of the excess. Sentences on the same topic are this close anyway, so only a near-repeat is pushed down.
    repeat_from: float = 0.5
    repeat_weight: float = 0.5
    # After the first sentence, a sentence holding question words the answer does not yet cover gains this
    # much per share of the question's weight it adds: the answer covers the whole question, not one part twice.
    coverage: float = 0.2
    # A sentence from a passage ranked focus_ranks or lower must be close in meaning to the question (floor_ratio
    # of the best sentence's similarity) or hold floor_words of the question's word weight: one shared rare word
    # (a tool's name in unrelated news) is not enough.
    focus_ranks: int = 2
    floor_ratio: float = 0.75
    floor_words: float = 0.4
    # A "What is X?" question is answered first by a sentence saying what X is, a question asking for a date,
    # a sum or a number by a sentence that holds one, and one asking who did something by a sentence naming someone.
    definition: float = 0.1
    # Outside news articles, a sentence reporting what someone else said about the guidance ("TweakTown said AI
    # characters need legal review") is second-hand: it gives way to the guidance's own statements. Once quoted,
    # the sentence after it, often its correction, gains as much.
    reported: float = 0.08
    # After the first sentence: one from a passage not cited yet gains this (the answer draws on more than one
    # passage), and the sentence right after the first gains this (it often completes it).
    new_passage: float = 0.0
    next_sentence: float = 0.0
    # A question whose every content word (two at least) is in a section's own heading ("what does principle 2
    # say?", "how does the tool work?" for "How the tool works") asks about that section: its sentences gain this.
    heading: float = 0.1

    @classmethod
    def from_dict(cls, data: Mapping) -> "Weights":
        unknown = set(data) - {field.name for field in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"Unknown selection weights {sorted(unknown)}; refit with `python -m evals.fit_selection`.")
        return cls(**{name: int(value) if name == "focus_ranks" else float(value) for name, value in data.items()})

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@functools.cache
def shipped_weights() -> Weights:
    """The weights fitted on the dev split that ship with the package (chatbot/answer/selection_weights.json)."""
    path = Path(str(resources.files("chatbot.answer").joinpath(WEIGHTS_FILE)))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise FileNotFoundError(f"No fitted selection weights at {path}: run `python -m evals.fit_selection`.") from err
    return Weights.from_dict(data["weights"])


_ACTIVE: contextvars.ContextVar[Weights | None] = contextvars.ContextVar("selection_weights", default=None)


def weights() -> Weights:
    """The weights in use: the shipped ones, unless `using` set others for this thread of work."""
    return _ACTIVE.get() or shipped_weights()


@contextlib.contextmanager
def using(chosen: Weights) -> Iterator[None]:
    """Score and choose sentences with `chosen` inside the block (the fitting script tries candidates so)."""
    token = _ACTIVE.set(chosen)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


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

    fitted = weights()
    asked = _heading_words(query.asked)

    def scored(quote: Quote) -> Candidate:
        passage, sentence = quote.passage, quote.sentence
        words = {token: shares[token] for token in set(tokenize(sentence)) if token in shares}
        score = (
            SIMILARITY_WEIGHT * quote.similarity
            + fitted.heading * _names_section(asked, passage.section, query.asked)
            + fitted.overlap * _share(words)
            + fitted.rank / (1 + quote.rank)
            + (ORIGINAL_PRIOR if passage.chunk_id in original_ids else KIND_PRIOR.get(passage.kind, 0.0))
            - (fitted.reported if _second_hand(quote) else 0.0)
        )
        return Candidate(quote.rank, quote.position, passage, sentence, quote.vector, quote.similarity, score, words)

    planted = {quote.passage.chunk_id for quote in retrieval.quotes if gives_orders(quote.sentence)}
    # A passage that gives the answerer orders is never quoted, not even the sentences around the order.
    found = [scored(quote) for quote in retrieval.quotes if quote.passage.chunk_id not in planted]
    return trust.below_guidance(found)


def repeats(candidate: Candidate, said: Sequence[np.ndarray], threshold: float = REDUNDANT) -> bool:
    """Whether the candidate says what one of the sentences `said` (their vectors) says already."""
    return any(float(candidate.vector @ vector) >= threshold for vector in said)


def select(found: list[Candidate], max_passages: int, query: Query | None = None,
           said: Sequence[np.ndarray] = ()) -> list[Candidate]:
    """Pick up to MAX_SENTENCES relevant, non-redundant sentences that together cover the question.

    Maximal marginal relevance, where a sentence's relevance also counts the question words it adds to
    those already covered, and a sentence from a lower-ranked passage must be close in meaning to the question.

    Args:
        query: the question; one asking whether something exists prefers sentences saying it does not.
        said: vectors of sentences the reply already quotes (a verdict's rule): none is picked again, nor any
            sentence saying the same, and the others are measured against the best sentence, said ones included.
            A said sentence among this question's own counts as already chosen (MIN_SENTENCES, covered words).
    """
    if not found:
        return []
    fitted = weights()
    question, words = (query.asked, query.asked_words) if query else ("", frozenset())
    best_similarity = max(candidate.similarity for candidate in found)
    absent = {id(c) for c in found if answers_absence(question, c.sentence, words)} if asks_existence(question) else set()
    remaining = [c for c in found if c.rank < fitted.focus_ranks or c.similarity >= fitted.floor_ratio * best_similarity
                 or _share(c.words) >= fitted.floor_words or id(c) in absent]
    subject, kind = definition_subject(question), asked_kind(question)
    naming = _naming(question, remaining) if asks_who_did(question) else set()
    value = {id(c): c.score + (ABSENCE_WEIGHT * _share(c.words) if id(c) in absent else 0.0)
             + (fitted.definition if subject and defines(subject, c.sentence) else 0.0)
             + (fitted.definition if kind and holds(kind, c.sentence) else 0.0)
             + (fitted.definition if id(c) in naming else 0.0) for c in remaining}
    best = max(value.values(), default=0.0)
    # A said sentence that this question's own sentences include counts as one already chosen.
    quoted = [c for c in remaining if repeats(c, said, SAME)]
    opened = len(quoted)
    remaining = [c for c in remaining if not repeats(c, said)]
    if not remaining:
        return []
    first = max(remaining, key=lambda c: value[id(c)])
    if said and value[id(first)] < fitted.context_ratio * best:
        return []  # nothing beyond what the reply says already is close enough to the question
    chosen = [first]
    remaining.remove(first)
    best = best if said else value[id(first)]
    if states_absence(first.sentence) and not said:
        # "The guidance has no rule for X" leads; the rules nearest to X are what should follow it.
        best = max((value[id(c)] for c in remaining if not states_absence(c.sentence)), default=best)
    covered = set(first.words).union(*(c.words for c in quoted))  # what the said sentences cover is covered
    while remaining and len(chosen) < MAX_SENTENCES:
        cited = {c.passage.chunk_id for c in chosen}
        follows = (first.passage.chunk_id, first.position + 1)
        # What a source says right after reporting someone else's claim is often its correction.
        answers_claim = {(c.passage.chunk_id, c.position + 1) for c in chosen if _second_hand(c)}

        def relevance(c: Candidate) -> float:
            return (value[id(c)] + fitted.coverage * _share({w: v for w, v in c.words.items() if w not in covered})
                    + (fitted.new_passage if c.passage.chunk_id not in cited else 0.0)
                    + (fitted.next_sentence if (c.passage.chunk_id, c.position) == follows else 0.0)
                    + (fitted.reported if (c.passage.chunk_id, c.position) in answers_claim else 0.0))

        def marginal(c: Candidate) -> float:
            similarity = max([float(c.vector @ s.vector) for s in chosen] + [float(c.vector @ v) for v in said])
            return relevance(c) - fitted.repeat_weight * max(0.0, similarity - fitted.repeat_from)

        cutoff = (fitted.keep_ratio if len(chosen) + opened >= MIN_SENTENCES else fitted.context_ratio) * best
        relevant = [c for c in remaining if relevance(c) >= cutoff]
        if not relevant:
            break
        pick = max(relevant, key=marginal)
        remaining.remove(pick)
        if any(float(pick.vector @ s.vector) >= REDUNDANT for s in chosen):
            continue
        if pick.passage.chunk_id not in cited and len(cited) >= max_passages:
            continue
        chosen.append(pick)
        covered.update(pick.words)
    return chosen


def _naming(question: str, found: Sequence[Candidate]) -> set[int]:
    """The candidates (their ids) naming someone the question does not, for a question asking who did something.

    A name most candidates hold (the publisher of every passage) tells them apart no more than a common word does.
    """
    asked = question_words(question)
    named = {id(c): names(c.sentence, asked) for c in found}
    counts = Counter(name for held in named.values() for name in held)
    common = {name for name, count in counts.items() if 2 * count > len(found)}
    return {key for key, held in named.items() if held - common}


@functools.lru_cache(maxsize=4096)
def _heading_words(text: str) -> frozenset[str]:
    # The content words, and the number of a numbered part, which the tokenizer drops or reads as a word of its
    # own: "principle 2" and "the 2nd principle" both name part 2.
    numbered = _NUMBERED_PART.findall(text)
    return frozenset(tokenize(_NUMBERED_PART.sub(" ", text))) | frozenset(numbered)


_NUMBERED_PART = re.compile(r"(?<![\w.,])(\d{1,2})(?:st|nd|rd|th)?(?!\w|[.,]\d)", re.IGNORECASE)


_WH = re.compile(r"^\W*(why|how|who|when|where|which)\b", re.IGNORECASE)


def _names_section(asked: frozenset[str], section: str, question: str) -> int:
    """2 when the section's own heading is the question itself ("Why X built Y" for "why did X build Y"), 1 when
    it holds the question's content words (two at least), else 0."""
    heading = section.rsplit(">", 1)[-1]
    if len(asked) < 2 or not asked <= _heading_words(heading):
        return 0
    wh = _WH.match(heading)
    return 2 if wh and (match := _WH.match(question)) and match.group(1).lower() == wh.group(1).lower() else 1


def _second_hand(quote: Quote) -> bool:
    """Whether the sentence reports what someone else said about the source, outside a news article."""
    return quote.passage.kind != "article" and bool(_REPORTED.search(quote.sentence))
