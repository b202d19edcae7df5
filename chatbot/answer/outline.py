"""A "which …" question that asks what a heading of the sources asks is answered from that section's parts.

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
MIN_PARTS = 2  # a heading with fewer subsections is not a list


def _path(passage: Passage) -> tuple[str, ...]:
    return tuple(part.strip() for part in passage.section.split(">") if part.strip())


Heading = tuple[str, tuple[str, ...]]  # a document's source and a section path in it


def asked_heading(vector: np.ndarray, found: Sequence[Passage], embed: Callable[[str], np.ndarray]) -> Heading | None:
    """The section, among those of the passages found, whose last heading is a question asking what the question
    (its `vector`) asks; None when none does."""
    best, best_similarity = None, HEADING_MATCH
    for passage in found:
        path = _path(passage)
        for depth, heading in enumerate(path):
            if heading.endswith("?"):
                similarity = float(embed(heading) @ vector)
                if similarity >= best_similarity:
                    best, best_similarity = (passage.source, path[: depth + 1]), similarity
    return best


def section_parts(heading: Heading, passages: Sequence[Passage]) -> list[list[Passage]]:
    """The chunks of each direct subsection of `heading` in its document, subsections in the order the index
    holds them; empty when it has fewer than MIN_PARTS."""
    source, path = heading
    parts: dict[tuple[str, ...], list[Passage]] = {}
    for passage in passages:
        sub = _path(passage)
        if passage.source == source and len(sub) == len(path) + 1 and sub[: len(path)] == path:
            parts.setdefault(sub, []).append(passage)
    return list(parts.values()) if len(parts) >= MIN_PARTS else []
