"""A "which …" question that asks what a heading of the sources asks, or a "list the …" question that names a
section by its title, is answered from that section's parts.

Documents often ask the reader's question in a heading ("What use cases always require written approval?") and
answer it in subsections, one case each. A reply quoting the passages closest to the question names the heading
("the situations listed under …") instead of the cases; this module finds the heading and its parts, so the reply
can quote one sentence from each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from chatbot.types import Passage

# A heading asks what the question asks when this close in meaning. Measured on the index's question headings:
# rewordings of a heading score 0.66-0.94, other "which" questions at most 0.50.
HEADING_MATCH = 0.65
# A question that opens by asking for a list ("list the principles", "what are the …", "which …") may name a
# section by its title ("Guiding Principles") rather than ask its question. Measured on the dev questions of that
# shape: 0.60-0.84 to the heading whose parts answer them, at most 0.44 to any other heading with parts.
TITLE_MATCH = 0.55
MIN_PARTS = 2  # a heading with fewer subsections is not a list


def section_headings(passage: Passage) -> tuple[str, ...]:
    """The headings above a passage, outermost first."""
    return tuple(part.strip() for part in passage.section.split(">") if part.strip())


Heading = tuple[str, tuple[str, ...]]  # a document's source and a section path in it


def asked_headings(vector: np.ndarray, found: Sequence[Passage], embed: Callable[[str], np.ndarray],
                   titles: bool = False) -> list[Heading]:
    """The sections, among those of the passages found, whose last heading is a question asking what the question
    (its `vector`) asks, closest first; empty when none does.

    Args:
        titles: the question opens by asking for a list, so a heading that only names what it lists counts too
            (at TITLE_MATCH, as does a question heading).
    """
    closeness: dict[Heading, float] = {}
    for passage in found:
        path = section_headings(passage)
        for depth, heading in enumerate(path):
            section = (passage.source, path[: depth + 1])
            if section in closeness or not (heading.endswith("?") or titles):
                continue
            closeness[section] = float(embed(heading) @ vector)
    floor = TITLE_MATCH if titles else HEADING_MATCH
    return sorted((section for section, similarity in closeness.items() if similarity >= floor),
                  key=lambda section: -closeness[section])


def section_intro(heading: Heading, passages: Sequence[Passage]) -> list[Passage]:
    """The chunks of `heading`'s own text, before its first subsection: what the list is ("a few examples, not a
    complete list")."""
    source, path = heading
    return [passage for passage in passages if passage.source == source and section_headings(passage) == path]


def section_parts(heading: Heading, passages: Sequence[Passage]) -> list[list[Passage]]:
    """The chunks of each direct subsection of `heading` in its document, subsections in the order the index
    holds them; empty when it has fewer than MIN_PARTS."""
    source, path = heading
    parts: dict[tuple[str, ...], list[Passage]] = {}
    for passage in passages:
        sub = section_headings(passage)
        if passage.source == source and len(sub) == len(path) + 1 and sub[: len(path)] == path:
            parts.setdefault(sub, []).append(passage)
    return list(parts.values()) if len(parts) >= MIN_PARTS else []
