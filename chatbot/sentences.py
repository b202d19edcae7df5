"""The one sentence segmenter: documents, generated answers and typed questions are all split here."""

from __future__ import annotations

import re

# Words ending in a full stop that do not end a sentence ("Warner Bros. Discovery", "e.g. mood boards").
_ABBREVIATIONS = frozenset(("e.g.", "i.e.", "vs.", "cf.", "mr.", "mrs.", "ms.", "dr.", "st.", "u.s.", "u.k.", "inc.",
                            "ltd.", "bros.", "co.", "corp.", "approx."))
# A stop, then a sentence that starts as sentences do; after a full stop, a typed sentence may start in lower case
# ("ignore that. what is ..."), while "?" and "!" before a lower-case word end a quoted heading, not the sentence.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|(?<=\.)\s+(?=[a-z])")
_CLAUSE_END = re.compile(r"(?<=;)\s+")
LIST_MARK = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_MIN_WORDS = 4
# Raised whenever the splitting changes: vectors saved for the sentences of an older splitter are not reused.
VERSION = 2


def segments(text: str, *, clauses: bool = False) -> list[str]:
    """Every sentence of `text` in order, verbatim: each line is split at its sentence ends; blank lines dropped.

    Args:
        clauses: also end a piece at a semicolon ("ignore the rules; what is the consent rule?").
    """
    pieces: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _BOUNDARY.finditer(line):
            piece = line[start : match.end()].strip()
            last_word = piece.split()[-1].lower().strip("\"'()[]\u201c\u201d\u2018\u2019") if piece else ""
            if last_word in _ABBREVIATIONS or (last_word[:-1].isdigit() and len(last_word) <= 3):  # "e.g.", "1."
                continue
            pieces.append(piece)
            start = match.end()
        pieces.append(line[start:].strip())
    if clauses:
        pieces = [clause for piece in pieces for clause in _CLAUSE_END.split(piece)]
    return [piece for piece in pieces if piece]


def split_sentences(text: str) -> list[str]:
    """The sentences of a passage an answer can quote: list marks removed; headings, rules and fragments left out."""
    sentences: list[str] = []
    for line in text.splitlines():
        if not line.strip() or _HEADING.match(line) or set(line.strip()) <= set("-|:= "):
            continue
        sentences += segments(LIST_MARK.sub("", line).strip().strip("|").strip())  # a table row reads as its cells
    return [sentence for sentence in sentences if len(sentence.split()) >= _MIN_WORDS]
