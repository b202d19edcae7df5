"""What the sources found do not settle: the question's key concepts that no passage mentions."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chatbot.answer.answer_kind import NOUNS, asked_kind, holds
from chatbot.query.expansion import SYNONYMS
from chatbot.query.parts_of_speech import can_name_a_thing
from chatbot.query.words import CONTRACTIONS, STOPWORDS, WORDLIKE_CONTRACTIONS, fold, tokenize
from chatbot.sentences import segments

# Words that frame a request rather than name its subject ("is it allowed", "I want to use").
FRAMING = frozenset(
    """
    allowed allow ok okay fine need needs needed want wants wanted use used using uses make makes made making
    do doing done go going can could would help please thanks thank question questions know think lol guys
    still ever really just able way ways thing things stuff kind sort like also anyone someone people
    much many per take takes
    rule rules say says allowed permitted require required requirement requirements
    hey hi hello quick q little
    definition definitions define defined defines
    """.split()
)
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)?")  # a number or an ordinal ("4th") is never what is asked about
_WISE = re.compile(r"-wise$", re.IGNORECASE)  # "budget-wise": about the budget
# A key concept carries at least this share of the question's highest word weight, and at least this share of
# the weight of a word no passage of the index holds: common words are never the point of a question.
KEY_SHARE = 0.8
RARE_SHARE = 0.35
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
_SYNONYMS = tuple((re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), words) for pattern, words in SYNONYMS)


@dataclass(frozen=True)
class Concept:
    word: str  # as asked: a word, or a phrase the synonym table knows
    stems: tuple[str, ...]
    weight: float  # the idf of its rarest stem
    also: frozenset[str]  # stems of the guidance's words for it (synonym table)
    start: int  # where it is in the question
    end: int


@dataclass(frozen=True)
class Gap:
    """Key concepts of a question that no passage found mentions, and the sentence that says so."""

    missing: tuple[str, ...]  # phrases as asked, in question order
    coverage: float  # share of the key concepts' weight the passages hold
    absent_kind: str = ""  # the kind of answer asked for that no passage found holds (chatbot.answer.answer_kind)

    @property
    def statement(self) -> str:
        kind = f"give no {NOUNS[self.absent_kind]} for this" if self.absent_kind else ""
        if not self.missing:
            return f"The sources found {kind}." if kind else ""
        names = [f"\u201c{phrase}\u201d" for phrase in self.missing]
        named = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"The sources found say nothing about {named}" + (f", and {kind}." if kind else ".")


def key_concepts(question: str, idf: Callable[[str], float], unseen_idf: float) -> list[Concept]:
    """The question's high-weight content words, with the guidance's words the synonym table gives for each.

    A phrase the synonym table knows ("how long", "digital double") is one concept, named as asked.

    Args:
        idf: a word stem's inverse document frequency in the index (LexicalIndex.idf).
        unseen_idf: the idf of a word no indexed passage holds (the highest there is).
    """
    spans = sorted((match.start(), match.end(), words) for pattern, words in _SYNONYMS
                   for match in pattern.finditer(question))
    candidates: list[Concept] = []
    covered_until = -1
    for match in _WORD.finditer(question):
        if match.start() < covered_until:
            continue
        span = next(((start, end, words) for start, end, words in spans if start <= match.start() < end), None)
        if span:
            covered_until = span[1]
            text, also = question[span[0] : span[1]], frozenset(tokenize(span[2]))
        else:
            text, also = _WISE.sub("", match.group(0)), frozenset()
        lower = fold(text).strip("'-")
        stems = [token for token in tokenize(lower) if token not in FRAMING] if span else (
            [] if lower in FRAMING or _contraction(lower) or len(lower) < 3 or _ORDINAL.fullmatch(lower)
            or not can_name_a_thing(lower) else tokenize(lower))
        if stems:
            start, end = span[:2] if span else (match.start(), match.start() + len(text))
            candidates.append(Concept(text, tuple(stems), max(idf(token) for token in stems), also, start, end))
    if not candidates:
        return []
    top = max(concept.weight for concept in candidates)
    floor = max(KEY_SHARE * top, RARE_SHARE * unseen_idf)
    return [concept for concept in candidates if concept.weight >= floor]


def find_gap(question: str, passages: Sequence[str], idf: Callable[[str], float], unseen_idf: float,
             concepts: Sequence[Concept] | None = None) -> Gap | None:
    """The key concepts absent from every passage, or None when each is there (or the question has none).

    A concept counts as present when a passage holds its word or one of the guidance's words for it.

    Args:
        concepts: the question's key concepts when the caller has them already (else found here).
    """
    if concepts is None:
        concepts = key_concepts(question, idf, unseen_idf)
    if not concepts:
        return None
    held = {token for text in passages for token in tokenize(text)}
    present = [c for c in concepts if set(c.stems) <= held or _any_held(c, held)]
    missing = [c for c in concepts if c not in present]
    total = sum(c.weight for c in concepts)
    coverage = sum(c.weight for c in present) / total if total else 1.0
    if not missing:
        return None
    return Gap(_phrases(question, missing), round(coverage, 4))


def with_absent_kind(gap: Gap | None, question: str, passages: Sequence[str],
                     concepts: Sequence[Concept] = ()) -> Gap | None:
    """`gap`, adding the kind of answer the question asks for when no sentence found holds one (a date, a sum,
    a number) about the question's key concepts.

    A figure counts only in a sentence that mentions one of `concepts` (or the guidance's words for it): a
    passage giving a production's budget does not say what its shots cost.
    """
    kind = asked_kind(question)
    if not kind:
        return gap
    about = [frozenset(c.stems) for c in concepts] + [c.also for c in concepts if c.also]

    def answers(sentence: str) -> bool:
        if not holds(kind, sentence):
            return False
        held = set(tokenize(sentence))
        return not about or any(stems <= held for stems in about)

    if any(answers(sentence) for text in passages for sentence in segments(text)):
        return gap
    return Gap(gap.missing if gap else (), gap.coverage if gap else 1.0, kind)


def _contraction(word: str) -> bool:
    bare = word.replace("'", "")
    return bare in CONTRACTIONS and ("'" in word or bare not in WORDLIKE_CONTRACTIONS)


def _any_held(concept: Concept, held: set[str]) -> bool:
    # The synonym table's words stand in for the asked word only when most of them are there.
    return bool(concept.also) and len(concept.also & held) * 2 > len(concept.also)


def _phrases(question: str, missing: list[Concept]) -> tuple[str, ...]:
    """Missing concepts in question order, next-door neighbours joined into one phrase ("share price")."""
    phrases: list[tuple[int, int]] = []
    for concept in sorted(missing, key=lambda c: c.start):
        if phrases and not question[phrases[-1][1] : concept.start].strip():
            phrases[-1] = (phrases[-1][0], concept.end)
        else:
            phrases.append((concept.start, concept.end))
    return tuple(dict.fromkeys(question[start:end] for start, end in phrases))
