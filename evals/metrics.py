"""Metric functions, kept importable here for the benchmark; see evals.quality.metrics."""

from evals.quality.metrics import percentile

__all__ = ["percentile"]
