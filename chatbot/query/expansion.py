"""Everyday production words mapped to the guidance's own terms, so lexical search meets both."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
import tomllib
from importlib import resources

from chatbot.query.parts_of_speech import can_name_a_thing
from chatbot.query.words import ORDINALS, STOPWORDS

# (pattern in the question, words the guidance uses for the same thing), with an example question per row,
# in a data file so the table can be read and extended without touching code.
SYNONYM_ROWS: tuple[dict[str, str], ...] = tuple(
    tomllib.loads(resources.files("chatbot.query").joinpath("synonyms.toml").read_text(encoding="utf-8"))["synonym"]
)
SYNONYMS: tuple[tuple[str, str], ...] = tuple((row["pattern"], row["words"]) for row in SYNONYM_ROWS)


_COMPILED = tuple((re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), words) for pattern, words in SYNONYMS)
_NAME = re.compile(r"\b([A-Z][a-z]+)(?:'s|\u2019s)?\b")
UBIQUITOUS_SHARE = 0.6
_COMMON = frozenset(word.capitalize() for word in STOPWORDS)  # "The" opens many sentences


# A numbered part asked for by its number ("principle 2", "the 4th principle") is the part a text may name by its
# ordinal word ("the second principle"), and the reverse.
_NUMBERED = re.compile(r"\b([A-Za-z]+)\s+(\d{1,2})\b(?![.,:]\d)(?!\s+[A-Za-z]+s\b)|\b(\d{1,2})(?:st|nd|rd|th)\b",
                       re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def expand(question: str) -> str:
    """The guidance's words for the everyday terms in `question` (empty when none apply), and the ordinal word
    for a numbered part it asks about."""
    added: list[str] = []
    for pattern, words in _COMPILED:
        if pattern.search(question) and words not in added:
            added.append(words)
    return " ".join(added + numbered_parts(question))


def numbered_parts(question: str) -> list[str]:
    """For each part the question names by number, its ordinal word: "principle 2" -> "second",
    "4th principle" -> "fourth". A number after a word that names no thing ("for 2 sec") or before a plural
    ("need 3 actors") is a quantity."""
    found: list[str] = []
    for match in _NUMBERED.finditer(question):
        word, number, ordinal = match.groups()
        if ordinal:
            index = int(ordinal)
        elif word.lower() not in STOPWORDS and can_name_a_thing(word) and not word.isupper():
            index = int(number)
        else:
            continue
        if 1 <= index <= len(ORDINALS):
            found.append(ORDINALS[index - 1])
    return found


def search_text(query: str, names: frozenset[str] = frozenset()) -> str:
    """The text embedded for dense search: the query without the ubiquitous `names`, plus the guidance's words."""
    return " ".join(filter(None, (without_names(query, names), expand(query))))


def ubiquitous_names(texts: Iterable[str], share: float = UBIQUITOUS_SHARE) -> frozenset[str]:
    """Capitalised names found in at least `share` of the passages, such as the body whose guidance they restate.

    Left in a question, such a name makes anything about that body (its share price, a subscription) look close to
    every passage, so dense search leaves it out.
    """
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        total += 1
        counts.update({match.group(1) for match in _NAME.finditer(text)} - _COMMON)
    return frozenset(name.lower() for name, count in counts.items() if total and count >= share * total)


def without_names(text: str, names: frozenset[str]) -> str:
    """`text` without the `names` (and their possessives)."""
    if not names:
        return text
    pattern = re.compile(rf"\b(?:{'|'.join(map(re.escape, sorted(names)))})(?:'s|\u2019s)?\b", re.IGNORECASE)
    return " ".join(pattern.sub(" ", text).split())
