"""A question read once: cleaned, joined to the chat it leans on, its words, the guidance's words, its vector."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from chatbot.query.cleaning import clean_question
from chatbot.query.shorthand import read_notice, spell_out
from chatbot.query.spelling import Corrected
from chatbot.query.expansion import expand, search_text
from chatbot.query.history import context
from chatbot.query.words import tokenize

Embed = Callable[[str], np.ndarray]
Correct = Callable[[str], "Corrected"]
FOLLOW_UP_NOTICE = "Read as a follow-up to: {context}"


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
    context: str = ""  # the earlier question(s) it would lean on as a follow-up; "" when shaped to stand alone
    follow_up: bool = False  # True when `text` joins `context` to `asked`

    @property
    def words(self) -> tuple[str, ...]:
        """The words lexical search and lexical support read: the question's, then the guidance's terms."""
        return self.tokens + self.expanded

    @property
    def empty(self) -> bool:
        return not self.asked

    def with_vector(self, embed: Embed, names: frozenset[str] = frozenset()) -> "Query":
        """This query with its vector, embedded now, without the `names` nearly every passage mentions."""
        return dataclasses.replace(self, vector=embed(search_text(self.text, names)))

    def as_follow_up(self) -> "Query":
        """This question read as a follow-up: joined to its context, with a notice saying so; not yet embedded."""
        if not self.context or self.follow_up:
            return self
        text = f"{self.context} {self.asked}"
        tokens, expanded = terms(text)
        return dataclasses.replace(self, text=text, tokens=tokens, expanded=expanded, vector=None, follow_up=True,
                                   notices=self.notices + (FOLLOW_UP_NOTICE.format(context=self.context),))


def read_question(question: object, history: Sequence = (), *, max_chars: int, embed: Embed | None,
                  correct: Correct | None = None) -> Query:
    """The question cleaned, its typos corrected (with `correct`), embedded with `embed` unless empty.

    The question is read on its own; `Query.as_follow_up` gives the reading that leans on the earlier turns, for
    the caller to choose when the question cannot stand alone. With `embed=None` the vector is left for
    `with_vector`, so that a caller can time the embedding apart.
    """
    clean = clean_question(question, max_chars)
    if not clean.text:
        return Query(asked="", text="", tokens=(), expanded=(), vector=None, notices=clean.notices)
    text, read_as = spell_out(clean.text, max_chars)
    notices = clean.notices + ((read_notice(read_as),) if read_as else ())
    earlier = spell_out(context(text, history, max_chars), max_chars)[0]
    if correct is not None:
        corrected = correct(text)
        text = corrected.text
        notices += (corrected.notice,) if corrected.notice else ()
        earlier = correct(earlier).text if earlier else ""
    tokens, expanded = terms(text)
    return Query(asked=text, text=text, tokens=tokens, expanded=expanded,
                 vector=embed(search_text(text)) if embed else None, notices=notices,
                 asked_words=frozenset(tokens + expanded), context=earlier)
