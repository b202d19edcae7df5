"""Everyday production words mapped to the guidance's own terms, so lexical search meets both."""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources

# (pattern in the question, words the guidance uses for the same thing), with an example question per row,
# in a data file so the table can be read and extended without touching code.
SYNONYM_ROWS: tuple[dict[str, str], ...] = tuple(
    tomllib.loads(resources.files("chatbot.query").joinpath("synonyms.toml").read_text(encoding="utf-8"))["synonym"]
)
SYNONYMS: tuple[tuple[str, str], ...] = tuple((row["pattern"], row["words"]) for row in SYNONYM_ROWS)


_COMPILED = tuple((re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), words) for pattern, words in SYNONYMS)
# The company's name is in nearly every passage; left in a query it makes any question about Netflix
# (its share price, a subscription) look close to the guidance.
_UBIQUITOUS = re.compile(r"\bnetflix(?:'s|\u2019s)?\b", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def expand(question: str) -> str:
    """The guidance's words for the everyday terms in `question` (empty when none apply)."""
    added: list[str] = []
    for pattern, words in _COMPILED:
        if pattern.search(question) and words not in added:
            added.append(words)
    return " ".join(added)


def search_text(query: str) -> str:
    """The text embedded for dense search: the query without the company's name, plus the guidance's words."""
    focused = " ".join(_UBIQUITOUS.sub(" ", query).split())
    return " ".join(filter(None, (focused, expand(query))))
