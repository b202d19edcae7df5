"""Summaries of repeated timings: median, p95 and spread, the form every figure of the benchmark takes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from evals.metrics import percentile

T = TypeVar("T")


def summarize(samples: Iterable[float], digits: int = 2) -> dict[str, float]:
    """`n`, `median`, `p95`, `iqr` (p75 - p25), `min` and `max` of the samples; all 0.0 for none."""
    values = [float(value) for value in samples]
    return {
        "n": len(values),
        "median": round(percentile(values, 50), digits),
        "p95": round(percentile(values, 95), digits),
        "iqr": round(percentile(values, 75) - percentile(values, 25), digits),
        "min": round(min(values), digits) if values else 0.0,
        "max": round(max(values), digits) if values else 0.0,
    }


def timed_ms(call: Callable[[], T]) -> tuple[T, float]:
    """`call()`'s result and how long it took, in milliseconds."""
    started = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - started) * 1000


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator rounded to two places; None when the denominator is zero."""
    return round(numerator / denominator, 2) if denominator else None
