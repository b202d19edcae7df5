"""Reciprocal rank fusion: merge several rankings of the same items into one."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[tuple[Sequence[Hashable], float]], k: int = 60
) -> list[tuple[Hashable, float]]:
    """Fuse weighted rankings (best first) into one list of (item, fused score), best first.

    Each ranking adds weight / (k + rank) to its items, rank counted from 1; ties keep the order in which
    items were first seen, so the first ranking given breaks them.
    """
    scores: dict[Hashable, float] = {}
    for items, weight in rankings:
        for rank, item in enumerate(items, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
