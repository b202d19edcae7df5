"""Answer text a reader can act on: self-contained sentences, no repeats, one bullet per part or list item."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from chatbot.query.words import tokenize
from chatbot.sentences import LIST_MARK

# Openers that only link to the sentence before: removed, the rest of the sentence stands alone.
_CONNECTIVE = re.compile(
    r"^(?:also|however|therefore|moreover|furthermore|in addition|additionally|still|thus|hence|so|and|but"
    r"|as a result|even so|instead|likewise|similarly|in turn|otherwise|nevertheless|nonetheless)\b,?\s+",
    re.IGNORECASE,
)
# Openers that point at something only the sentence before names: the sentence cannot stand without it.
_NEEDS_PREDECESSOR = re.compile(
    r"^(?:for (?:this|that|these|those|such) (?:reason|reasons|situations?|cases?|uses?)\b"
    r"|in (?:this|that|such) cases?\b"
    r"|(?:this|that|these|those|such|it|they|he|she)\b(?! (?:is|are) (?:why|how|what)\b)"
    r"|the (?:same|latter|former|above|following)\b|(?:here|there)(?:in|by|fore)?\b(?! (?:is|are))|both\b|either\b)",
    re.IGNORECASE,
)
SAME_MEANING = 0.9  # cosine between sentence vectors at which two sentences say the same thing
SAME_WORDS = 0.8  # without vectors: share of the shorter sentence's words both hold
_PART_SPLIT = re.compile(
    r"\?\s+(?=\S)|,?\s+\band\s+(?=(?:who|what|which|how|when|where|why|whom|do|does|can|could|should|is|are|must)\b)"
    r"|;\s+(?=(?:who|what|which|how|when|where|why|do|does|can|should|is|are)\b)",
    re.IGNORECASE,
)
_LIST_WORD = r"(?:which|list|name|enumerate)\b"
_WHAT_ARE_THE = r"what (?:are|r|were) (?:the|all)\b"
_ASKS_LIST = re.compile(
    rf"^\s*{_LIST_WORD}|\b{_WHAT_ARE_THE}|\b(?:all|every) the\b"
    r"|\b(?:two|three|four|five|six|seven|\d+) (?:\w+ )?(?:things|areas|principles|rows|cases|uses|rules|steps|ways"
    r"|situations|examples|kinds|types)\b",
    re.IGNORECASE,
)
_OPENS_WITH_LIST = re.compile(rf"^\s*(?:{_LIST_WORD}|{_WHAT_ARE_THE})", re.IGNORECASE)
_LIST_ITEM = re.compile(LIST_MARK.pattern + r"(.+?)\s*$")
_MIN_PART_WORDS = 1  # content words a part needs to stand as a question of its own


def standalone(sentence: str, predecessor: str = "", kept_before: str = "") -> str | None:
    """The sentence without a dangling connective, or None when it leans on a sentence the answer lacks.

    Args:
        predecessor: the sentence before it in its passage.
        kept_before: the sentence just before it in the answer; when that is its predecessor, it may lean on it.
    """
    text = sentence.strip()
    if predecessor.strip() and predecessor.strip() == kept_before.strip():
        return text
    text = _without_connectives(text)
    if not text or _NEEDS_PREDECESSOR.match(text):
        return None
    return text[0].upper() + text[1:]


def _without_connectives(text: str) -> str:
    """`text` without the connectives it opens with ("Also, however, …")."""
    while match := _CONNECTIVE.match(text):
        text = text[match.end():]
    return text


def drop_near_duplicates(sentences: Sequence[str], vectors: np.ndarray | None = None) -> list[str]:
    """The sentences in order, without any that repeats an earlier one (by meaning, or by words when no vectors)."""
    kept: list[int] = []
    for i, sentence in enumerate(sentences):
        if not any(_same(sentences, vectors, i, j) for j in kept):
            kept.append(i)
    return [sentences[i] for i in kept]


def _same(sentences: Sequence[str], vectors: np.ndarray | None, i: int, j: int) -> bool:
    if vectors is not None:
        a, b = vectors[i], vectors[j]
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        return norm > 0 and float(a @ b) / norm >= SAME_MEANING
    first, second = set(tokenize(sentences[i])), set(tokenize(sentences[j]))
    shorter = min(len(first), len(second))
    return shorter > 0 and len(first & second) / shorter >= SAME_WORDS


def part_label(part: str) -> str:
    """A part of a question as a list's label: "also can i use it for storyboards?" -> "Can i use it for storyboards"."""
    text = _without_connectives(part.rstrip("?").strip())
    return text[:1].upper() + text[1:] if text else part.rstrip("?").strip()


def question_parts(question: str) -> list[str]:
    """The separate questions a multi-part question asks ("Which uses need approval, and who do I contact?")."""
    pieces = [piece.strip(" ,;") for piece in _PART_SPLIT.split(question.strip()) if piece and piece.strip(" ,;?")]
    parts: list[str] = []
    for piece in pieces:
        piece = piece if piece.endswith("?") else piece + "?"
        if parts and len(tokenize(piece)) < _MIN_PART_WORDS:
            parts[-1] = f"{parts[-1].rstrip('?')} and {piece}"
        else:
            parts.append(piece[0].upper() + piece[1:])
    return parts if len(parts) > 1 else [question.strip()]


def asks_for_list(question: str) -> bool:
    """True for "which …", "what are the …", "the five principles" questions, answered best as a list."""
    return bool(_ASKS_LIST.search(question))


def opens_with_list(question: str) -> bool:
    """True when the question opens by asking for a list ("which …", "list …", "what are the …")."""
    return bool(_OPENS_WITH_LIST.search(question))


def list_items(passage_text: str) -> list[str]:
    """A passage's list items (markdown bullets or numbers), in order."""
    return [match.group(1) for line in passage_text.splitlines() if (match := _LIST_ITEM.match(line))]


def bullets(items: Sequence[str]) -> str:
    """Items as a markdown list, one per line."""
    return "\n".join(f"- {item.strip()}" for item in items if item.strip())
