"""Scores of one answered question, as pure functions so each number in the report can be checked by hand."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from evals.quality.dataset import OUTCOMES

Groups = Sequence[Sequence[str]]
# How deep the reciprocal rank looks into the retrieved list.
MRR_DEPTH = 10


def text_of(item: object) -> str:
    """The text of a passage, citation or plain string: `.text`, `.passage`, a dict's "text"/"passage", or str."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        return str(item.get("text") or item.get("passage") or "")
    for attribute in ("text", "passage"):
        value = getattr(item, attribute, None)
        if isinstance(value, str):
            return value
    return ""


def missing_groups(text_or_texts: str | Iterable[object], groups: Groups) -> list[Sequence[str]]:
    """The must-mention groups none of whose keywords occurs (case-insensitively) in the text(s)."""
    texts = [text_or_texts] if isinstance(text_or_texts, str) else [text_of(item) for item in text_or_texts]
    haystack = "\n".join(texts).lower()
    return [group for group in groups if not any(keyword.lower() in haystack for keyword in group)]


def must_mention_ok(text_or_texts: str | Iterable[object], groups: Groups) -> bool:
    """True when every group has at least one keyword in the text(s); vacuously true for no groups."""
    return not missing_groups(text_or_texts, groups)


def outcome_of(answer: object) -> str:
    """ "answered", "partly" or "declined": the answer's own `outcome` when it has a known one, else from `declined`."""
    outcome = getattr(answer, "outcome", None)
    if outcome in OUTCOMES:
        return outcome
    return "declined" if getattr(answer, "declined", False) else "answered"


def handled(answerable: bool, outcome: str) -> bool:
    """An answerable question is handled when it is not declined; an out-of-scope one when it is declined or partly
    answered (the reply says what the sources do not settle before giving the nearest rules)."""
    return outcome in (("answered", "partly") if answerable else ("partly", "declined"))


def mentioned(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases that occur (case-insensitively) in the text, in the order given."""
    haystack = text.lower()
    return [phrase for phrase in phrases if phrase.lower() in haystack]


def citation_valid(citations: Iterable[object], store_texts: Iterable[str]) -> bool:
    """True when every cited passage occurs verbatim in some stored chunk (no citations: nothing to doubt).

    `store_texts` should be a set for speed; an exact match is tried first, then containment.
    """
    store = store_texts if isinstance(store_texts, (set, frozenset)) else set(store_texts)
    for citation in citations:
        passage = text_of(citation)
        if not passage.strip():
            return False
        if passage not in store and not any(passage in chunk for chunk in store):
            return False
    return True


def first_hit_rank(passages: Sequence[object], groups: Groups, k: int | None = None) -> int | None:
    """1-based rank by which the passages so far together mention every group, within the first k; else None.

    For a one-fact question this is the rank of the passage that states the fact; a question of several parts is
    found once the passages for all its parts have been retrieved.
    """
    remaining = list(groups)
    for rank, passage in enumerate(passages[:k] if k else passages, start=1):
        remaining = missing_groups(text_of(passage), remaining)
        if not remaining:
            return rank
    return None


def hit_at_k(passages: Sequence[object], groups: Groups, k: int) -> bool:
    """True when the first k passages together mention every must-mention group."""
    return first_hit_rank(passages, groups, k) is not None


def reciprocal_rank(passages: Sequence[object], groups: Groups, k: int) -> float:
    """1/rank by which every group has been mentioned, within the first k; 0.0 when that never happens."""
    rank = first_hit_rank(passages, groups, k)
    return 1.0 / rank if rank else 0.0


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; 0.0 for no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q={q} is outside 0..100")
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
