"""Splitting a passage into the sentences an extractive answer can quote."""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(("e.g.", "i.e.", "vs.", "cf.", "mr.", "mrs.", "ms.", "dr.", "st.", "u.s.", "u.k.", "inc.", "ltd."))
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_LIST_MARK = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_MIN_WORDS = 4


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order, verbatim except for list marks; headings and fragments left out."""
    sentences: list[str] = []
    for line in text.splitlines():
        if not line.strip() or _HEADING.match(line) or set(line.strip()) <= set("-|:= "):
            continue
        line = _LIST_MARK.sub("", line).strip().strip("|").strip()  # a table row reads as its cells
        start = 0
        for match in _BOUNDARY.finditer(line):
            piece = line[start : match.end()].strip()
            last_word = piece.split()[-1].lower().strip("\"'()[]\u201c\u201d\u2018\u2019")
            if last_word in _ABBREVIATIONS or (last_word[:-1].isdigit() and len(last_word) <= 3):  # "e.g.", "1."
                continue
            sentences.append(piece)
            start = match.end()
        sentences.append(line[start:].strip())
    return [sentence for sentence in sentences if len(sentence.split()) >= _MIN_WORDS]
