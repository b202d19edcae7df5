"""Negation scope by the NegEx algorithm: which phrases of a text are only mentioned as negated.

NegEx: W. W. Chapman, W. Bridewell, P. Hanbury, G. F. Cooper and B. G. Buchanan, "A Simple Algorithm for
Identifying Negated Findings and Diseases in Discharge Summaries", Journal of Biomedical Informatics 34(5),
301-310, 2001. Triggers before a phrase ("no", "never") and after it ("not used") negate it within a window of
words that a termination term ("but", "except") or a clause break ends; pseudo-triggers ("not only", "no
further") look like triggers but negate nothing. The general English trigger lists follow negspacy's `en`
termset (MIT licence); its clinical terms are left out and everyday forms ("nothing", "won't", "no one") added.
negspacy itself runs on spaCy, whose import alone costs about 0.4 s; this module needs only `re`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

PSEUDO = (
    "no further", "not able to be", "not certain if", "not certain whether", "not necessarily", "without any further",
    "without difficulty", "without further", "might not", "not only", "not just", "not limited to", "no change",
    "no matter", "no doubt", "nothing but", "whether or not", "if not", "not sure", "not certain", "not yet sure",
    # Uncertainty is not a negation: "we don't know if it ends up on screen" leaves it possible. The guidance treats
    # "unsure" as a reason to escalate, not as a "no" ("Guiding Principles > When to escalate").
    "not know", "don't know", "dont know", "not yet know", "not decided", "not yet decided", "not known",
    "not yet known", "not clear", "not yet clear", "not determined", "cannot say", "can't say", "cant say",
    "cannot tell", "can't tell", "cant tell",
)
# A negative question asks, it denies nothing: "don't we need approval for signage?", "won't that be on screen?"
_NEGATIVE_AUXILIARIES = ("don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "can't", "couldn't",
                         "won't", "wouldn't", "shouldn't", "haven't", "hasn't", "mustn't")
NEGATIVE_QUESTIONS = tuple(f"{form} {subject}" for auxiliary in _NEGATIVE_AUXILIARIES
                           for form in (auxiliary, auxiliary.replace("'", ""))
                           for subject in ("i", "we", "you", "they", "it", "this", "that"))
PRECEDING = (
    "no", "not", "never", "without", "nothing", "none", "nobody", "no one", "neither", "nor", "absence of", "free of",
    "cannot", "can't", "cant", "won't", "wont", "wouldn't", "shouldn't", "mustn't", "don't", "dont", "doesn't",
    "doesnt", "didn't", "didnt", "isn't", "isnt", "aren't", "arent", "wasn't", "wasnt", "weren't", "werent",
    "couldn't", "couldnt", "declined", "denied", "refused",
)
FOLLOWING = (
    "not used", "not be used", "n't used", "n't be used", "not planned", "not involved", "not included", "not needed",
    "unlikely", "declined", "ruled out",
)
TERMINATION = (
    "although", "apart from", "as there are", "aside from", "but", "except", "however", "involving", "nevertheless",
    "still", "though", "which", "yet", "unless", "whereas", "while", "instead",
    # a new clause joined by "and" ("... and the result goes on screen") is outside the negation
    "and the", "and it", "and we", "and they", "and our", "and its", "and this", "and that", "and then",
)
PREFIXES = ("non",)  # "non-final": negates the one word it is joined to
WINDOW = 10  # words a trigger reaches; NegEx used five, planned-use descriptions put more between
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.,;:!?()\[\]\n]")
_BREAK = frozenset(".,;:!?()[]\n")


@dataclass(frozen=True)
class Scope:
    """Characters [start, end) of a text that `trigger` negates."""

    start: int
    end: int
    trigger: str


def _phrases(terms: Iterable[str]) -> dict[tuple[str, ...], str]:
    return {tuple(_TOKEN.findall(term)): term for term in terms}


_KINDS = (("pseudo", _phrases(PSEUDO + NEGATIVE_QUESTIONS)), ("termination", _phrases(TERMINATION)),
          ("following", _phrases(FOLLOWING)), ("preceding", _phrases(PRECEDING)))
_LONGEST = max(len(phrase) for _, table in _KINDS for phrase in table)


def _normal(text: str) -> str:
    """Lower case with straight apostrophes, one character for one, so offsets stay those of `text`."""
    lower = text.lower() if text.isascii() else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lower.replace("\u2019", "'").replace("\u2018", "'")


def scopes(text: str) -> tuple[Scope, ...]:
    """Every negation scope of `text`, as character ranges."""
    spans = [(match.group(0), match.start(), match.end()) for match in _TOKEN.finditer(_normal(text))]
    words = [token for token, _, _ in spans]
    tags: list[tuple[str, int, int, str]] = []  # (kind, first token, after last token, trigger)
    i = 0
    while i < len(words):
        found = next(((kind, i, i + length, table[tuple(words[i : i + length])])
                      for length in range(min(_LONGEST, len(words) - i), 0, -1)
                      for kind, table in _KINDS if tuple(words[i : i + length]) in table), None)
        if found:
            tags.append(found)
            i = found[2]
        else:
            if words[i] in PREFIXES and i + 1 < len(words) and spans[i + 1][1] == spans[i][2] + 1 \
                    and text[spans[i][2]] == "-":
                tags.append(("prefix", i, i + 1, words[i] + "-"))
            i += 1
    stops = {first for kind, first, _, _ in tags if kind == "termination"} | {
        i for i, word in enumerate(words) if word in _BREAK}
    result = []
    for kind, first, after, trigger in tags:
        if kind in ("preceding", "prefix"):
            reach = 1 if kind == "prefix" else WINDOW
            last = after
            while last < len(words) and last < after + reach and last not in stops:
                last += 1
            covered = range(after, last)
        elif kind == "following":
            start = first
            while start > 0 and start > first - WINDOW and (start - 1) not in stops:
                start -= 1
            covered = range(start, first)
        else:
            continue
        if covered:
            result.append(Scope(spans[covered[0]][1], spans[covered[-1]][2], trigger))
    return tuple(result)


class Negations:
    """The negation scopes of one text, looked up in logarithmic time (a long paste has thousands)."""

    def __init__(self, text: str):
        self.scopes = tuple(sorted(scopes(text), key=lambda scope: scope.start))
        self._starts = [scope.start for scope in self.scopes]

    def at(self, start: int, end: int) -> str:
        """The trigger negating the characters [start, end), or "" when they are not negated."""
        # A scope spans at most WINDOW words and each trigger opens one, so a scope holding `start` is among
        # those opened by the triggers within 2 * WINDOW words of it: fewer than the last 4 * WINDOW.
        last = bisect.bisect_right(self._starts, start)
        for scope in self.scopes[max(0, last - 4 * WINDOW) : last]:
            if scope.start <= start and end <= scope.end:
                return scope.trigger
        return ""


def negated_spans(text: str, phrases: Iterable[str]) -> frozenset[str]:
    """The phrases that occur in `text` and are negated wherever they occur ("not in the final cut")."""
    found = Negations(text)
    normal = _normal(text)
    negated = set()
    for phrase in phrases:
        matches = list(re.finditer(rf"(?<!\w){re.escape(_normal(phrase))}(?!\w)", normal))
        if matches and all(found.at(m.start(), m.end()) for m in matches):
            negated.add(phrase)
    return frozenset(negated)
