"""A question read once: cleaned, joined to the chat it leans on, its words, the guidance's words, its vector."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from chatbot.query.cleaning import clean_question
from chatbot.query.expansion import expand, search_text
from chatbot.query.history import resolve
from chatbot.query.words import tokenize

Embed = Callable[[str], np.ndarray]


def terms(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(content words of `text`, content words of the guidance's terms for its everyday words)."""
    return tuple(tokenize(text)), tuple(tokenize(expand(text)))


@dataclasses.dataclass(frozen=True)
class Query:
    """What every later stage reads about a question; built once by `read_question`."""

    asked: str  # the question as asked, cleaned
    text: str  # what is searched: `asked`, joined to the earlier question(s) a follow-up leans on
    tokens: tuple[str, ...]  # content words of `text`
    expanded: tuple[str, ...]  # content words of the guidance's terms for the everyday words of `text`
    vector: np.ndarray | None  # unit embedding of `text` with its expansion; None for an empty question
    notices: tuple[str, ...] = ()  # what the asker should know was changed (cut, instructions removed)
    asked_words: frozenset[str] = frozenset()  # content words of `asked` and of its expansion

    @property
    def words(self) -> tuple[str, ...]:
        """The words lexical search and lexical support read: the question's, then the guidance's terms."""
        return self.tokens + self.expanded

    @property
    def empty(self) -> bool:
        return not self.asked

    def with_vector(self, embed: Embed) -> "Query":
        """This query with its vector, embedded now."""
        return dataclasses.replace(self, vector=embed(search_text(self.text)))


def read_question(question: object, history: Sequence = (), *, max_chars: int, embed: Embed | None) -> Query:
    """The question cleaned and read in the light of `history`, embedded with `embed` unless empty.

    With `embed=None` the vector is left for `with_vector`, so that a caller can time the embedding apart.
    """
    clean = clean_question(question, max_chars)
    if not clean.text:
        return Query(asked="", text="", tokens=(), expanded=(), vector=None, notices=clean.notices)
    text = resolve(clean.text, history, max_chars)
    tokens, expanded = terms(text)
    asked_words = frozenset(tokens + expanded) if text == clean.text else frozenset(sum(terms(clean.text), ()))
    return Query(asked=clean.text, text=text, tokens=tokens, expanded=expanded, vector=embed(search_text(text)) if embed else None,
                 notices=clean.notices, asked_words=asked_words)
