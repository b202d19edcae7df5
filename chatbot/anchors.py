"""Deep links into an original page: a restated sentence's anchor as a `#:~:text=` text fragment."""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote


def fragment_term(words: str) -> str:
    """One term of a text fragment, percent-encoded as the Text Fragments spec asks.

    `quote` leaves "-" alone, but in a text directive "-" marks a prefix or suffix and "," separates
    the start from the end, so both (and "&", which separates directives) must be encoded.
    """
    return quote(" ".join(words.split()), safe="").replace("-", "%2D")


def text_fragment_url(url: str, ranges: Iterable[tuple[str, str]]) -> str:
    """`url` with a text fragment highlighting each (start, end) range; an empty `end` matches `start` alone."""
    directives = [
        "text=" + fragment_term(start) + ("," + fragment_term(end) if end.strip() else "")
        for start, end in ranges
        if start.strip()
    ]
    base = url.split("#", 1)[0]
    return f"{base}#:~:{'&'.join(directives)}" if directives else url


def deep_link(url: str, anchors_json: str, sentence: str) -> str:
    """The link that lands on the original words a cited sentence restates, else `url` itself.

    Args:
        url: the passage's source URL, returned unchanged when no anchor fits.
        anchors_json: the chunk's `anchors` metadata, a JSON object {restated sentence: link}.
        sentence: the cited sentence; a whole passage also works, and gets the link of the first
            anchored sentence it holds.
    """
    try:
        anchors = json.loads(anchors_json) if anchors_json else {}
    except ValueError:
        return url
    if not isinstance(anchors, dict) or not sentence.strip():
        return url
    wanted = _plain(sentence)
    links = {_plain(restated): link for restated, link in anchors.items() if isinstance(link, str)}
    if wanted in links:
        return links[wanted]
    inside = [(wanted.find(restated), link) for restated, link in links.items() if restated and restated in wanted]
    if inside:
        return min(inside)[1]
    # A piece of a longer restated sentence (a clause quoted alone) still lands on that sentence's original.
    around = [link for restated, link in links.items() if wanted in restated] if len(wanted.split()) >= 4 else []
    return around[0] if around else url


def _plain(text: str) -> str:
    return " ".join(text.split()).strip().lstrip("-*+ ").strip()
