"""Where a citation links: the cited sentence in the original when that is known, else the original page."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlparse

from chatbot.sentences import segments
from chatbot.types import Citation

EDGE_WORDS = 4  # a long sentence is found by its first and last few words (`#:~:text=start,end`)
MIN_FRAGMENT_WORDS = 4  # fewer, short words could match the wrong place on the page
_MARKUP = (
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url) reads as text on the page
    (re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)", re.MULTILINE), ""),  # heading, list, quote marks
    (re.compile(r"[*_`]{1,3}"), ""),  # emphasis and code marks
)


def safe_url(url: str) -> str:
    """The URL when it is http(s), else "" (no javascript: or data: links from a document's front matter)."""
    parsed = urlparse(url.strip()) if url else None
    return url.strip() if parsed and parsed.scheme in {"http", "https"} and parsed.netloc else ""


def citation_link(citation: Citation, quotes: Iterable[str] = ()) -> str:
    """The address a card, footnote or export gives for `citation`; "" when it has no web address.

    In order: the original sentence that a quoted (or else the first) sentence restates, when the index keeps
    anchors for the passage; for a document that is itself the original, a text fragment built from its own
    words (the quoted sentence, else the section's heading); else the page itself.

    Args:
        quotes: the answer's sentences that cite this passage, best first.
    """
    url = safe_url(citation.url)
    if not url:
        return ""
    quotes = [quote for quote in quotes if quote.strip()]
    if citation.anchors:
        anchored = _anchored(url, citation.anchors, [*quotes, *sentences(citation.passage)])
        if anchored:
            return anchored
    if not citation.restated:
        words = next((q for q in quotes if _contains(citation.passage, q)), "") or _heading(citation.section)
        directive = text_fragment(words)
        if directive:
            return with_directive(url, directive)
    return url


def text_fragment(text: str) -> str:
    """`:~:text=` directive finding `text` on a page ("" when too short to be found reliably)."""
    words = plain_text(text).split()
    if not words or (len(words) < MIN_FRAGMENT_WORDS and len(" ".join(words)) < 12):
        return ""
    if len(words) <= 2 * EDGE_WORDS + 2:
        return ":~:text=" + _encode(" ".join(words))
    return ":~:text=" + _encode(" ".join(words[:EDGE_WORDS])) + "," + _encode(" ".join(words[-EDGE_WORDS:]))


def with_directive(url: str, directive: str) -> str:
    """`url` with a fragment directive added after any fragment it already has."""
    base, _, fragment = url.partition("#")
    return f"{base}#{fragment.split(':~:', 1)[0]}{directive}"


def plain_text(text: str) -> str:
    """Markdown marks removed, so words match what a browser shows of the page."""
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def sentences(text: str) -> list[str]:
    return [part for part in segments(text) if not part.startswith("#")]


def _anchored(url: str, anchors: str, candidates: list[str]) -> str:
    from chatbot.anchors import deep_link  # written beside the anchors that ingest stores on guidance chunks

    for sentence in candidates:
        link = deep_link(url, anchors, sentence)
        if link and link != url:
            return link
    return ""


def _heading(section: str) -> str:
    return section.rsplit(">", 1)[-1].strip()


def _contains(passage: str, sentence: str) -> bool:
    return " ".join(sentence.split()) in " ".join(passage.split())


def _encode(text: str) -> str:
    # "-", "," and "&" separate the parts of a text directive, so inside one they must be escaped.
    return quote(text, safe="").replace("-", "%2D")
