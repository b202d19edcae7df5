"""Link and image markup removed from document text: a link keeps its words, an image goes, nested brackets included."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from chatbot.types import Citation

# A reference definition ("[label]: http://host/page") is a whole line that only names an address.
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.MULTILINE)
# Raw HTML links and images in Markdown: the words of <a> stay, <img> goes.
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HTML_LINK = re.compile(r"</?a\b[^>]*>", re.IGNORECASE)


def without_links(text: str) -> str:
    """`text` with Markdown and HTML links reduced to their words and images removed.

    Handles nested brackets (`[a [b]](url)`), parentheses inside addresses, reference links (`[a][ref]`) and
    their definitions; brackets that open no link (`[1]`) stay as they are.
    """
    if "[" not in text and "<" not in text:
        return text
    text = _DEFINITION.sub("", text)
    text = _HTML_IMAGE.sub("", text)
    text = _HTML_LINK.sub("", text)
    return _inline(text)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~])")
_BLOCK_START = re.compile(r"^(\d*)([#+.)-])")


def escape_markdown(text: str) -> str:
    """`text` as literal words inside Markdown written elsewhere: one line, with every character that could start
    markup (a link, an image, emphasis, code, a table cell, HTML, a heading or list) escaped with a backslash."""
    line = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _BLOCK_START.sub(r"\1\\\2", line)


def citation_fields(citation: "Citation") -> dict:
    """A citation as plain data for API clients: its text without link markup, its address only when http(s)."""
    fields = dataclasses.asdict(citation)
    for name in ("title", "section", "passage"):
        fields[name] = without_links(fields[name])
    url = urlparse(citation.url.strip()) if citation.url else None
    fields["url"] = citation.url.strip() if url and url.scheme in ("http", "https") and url.netloc else ""
    return fields


def _inline(text: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(text):
        start = text.find("[", position)
        if start < 0:
            out.append(text[position:])
            break
        image = start > 0 and text[start - 1] == "!" and not _escaped(text, start - 1)
        label_end = _closing(text, start, "[", "]")
        target_end = _target_end(text, label_end) if label_end is not None else None
        if _escaped(text, start) or target_end is None:
            out.append(text[position : start + 1])
            position = start + 1
            continue
        out.append(text[position : start - 1] if image else text[position:start])
        if not image:
            out.append(_inline(text[start + 1 : label_end]))
        position = target_end
    return "".join(out)


def _target_end(text: str, label_end: int) -> int | None:
    """Where the `(address)` or `[ref]` after a link's label ends, or None when the label opens no link."""
    after = label_end + 1
    if after < len(text) and text[after] == "(":
        end = _closing(text, after, "(", ")")
        return None if end is None else end + 1
    if after < len(text) and text[after] == "[":
        end = _closing(text, after, "[", "]")
        return None if end is None or "\n" in text[after:end] else end + 1
    return None


def _closing(text: str, start: int, opening: str, closing: str) -> int | None:
    """Index of the bracket that closes the one at `start`, counting nested pairs and skipping escapes."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char in (opening, closing) and _escaped(text, index):
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index
        elif char == "\n" and index + 1 < len(text) and text[index + 1] == "\n":
            return None  # a link never spans paragraphs
    return None


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
