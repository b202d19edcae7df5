"""Everyday production words mapped to the guidance's own terms, so lexical search meets both."""

from __future__ import annotations

import functools
import re
from pathlib import Path

SYNONYMS_FILE = Path(__file__).with_name("synonyms.tsv")


def read_synonyms(path: Path = SYNONYMS_FILE) -> tuple[tuple[str, str], ...]:
    """(pattern in the question, words the guidance uses for the same thing), one row a line of `path`."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        pattern, tab, words = line.partition("\t")
        if not tab or not words.strip():
            raise ValueError(f"{path}:{number}: expected a pattern, a tab, then the guidance's words")
        rows.append((pattern, words.strip()))
    return tuple(rows)


SYNONYMS = read_synonyms()
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
