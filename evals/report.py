"""Run summaries, kept importable here for the benchmark; see evals.quality.report."""

from evals.quality.report import METRICS, summarize

__all__ = ["METRICS", "summarize"]
