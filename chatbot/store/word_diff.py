"""Word-level differences between two versions of a section, as plain text for terminals and as escaped HTML."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

CONTEXT_WORDS = 8  # unchanged words shown on each side of a change


@dataclass(frozen=True)
class Hunk:
    """A stretch of the text around one or more nearby changes."""

    parts: tuple[tuple[str, str], ...]  # ("=", kept words), ("-", removed words) or ("+", added words)
    cut_before: bool  # the section goes on before this stretch
    cut_after: bool


def word_hunks(old: str, new: str, context: int = CONTEXT_WORDS) -> list[Hunk]:
    """The changed stretches of `new` against `old`, each with `context` unchanged words around it.

    Whitespace is not a change: the texts are compared word by word.
    """
    a, b = old.split(), new.split()
    if a == b:
        return []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        parts: list[tuple[str, str]] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                parts.append(("=", " ".join(a[i1:i2])))
                continue
            if i2 > i1:
                parts.append(("-", " ".join(a[i1:i2])))
            if j2 > j1:
                parts.append(("+", " ".join(b[j1:j2])))
        hunks.append(Hunk(tuple(parts), cut_before=group[0][1] > 0, cut_after=group[-1][2] < len(a)))
    return hunks


def diff_text(old: str, new: str, context: int = CONTEXT_WORDS) -> list[str]:
    """One line per changed stretch, marked as `git diff --word-diff` does: [-removed-] {+added+}."""
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    lines = []
    for hunk in word_hunks(old, new, context):
        words = " ".join(marks[op].format(text) for op, text in hunk.parts)
        lines.append(("… " if hunk.cut_before else "") + words + (" …" if hunk.cut_after else ""))
    return lines


def diff_html(old: str, new: str, context: int = CONTEXT_WORDS) -> str:
    """The changed stretches as paragraphs with <del> and <ins>; every word escaped."""
    tags = {"=": "{}", "-": '<del class="diff-del">{}</del>', "+": '<ins class="diff-ins">{}</ins>'}
    paragraphs = []
    for hunk in word_hunks(old, new, context):
        words = " ".join(tags[op].format(html.escape(text)) for op, text in hunk.parts)
        paragraphs.append('<p class="diff-hunk">' + ("… " if hunk.cut_before else "") + words
                          + (" …" if hunk.cut_after else "") + "</p>")
    return "".join(paragraphs)
