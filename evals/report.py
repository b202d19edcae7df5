"""Run summaries, kept importable here for the benchmark; see evals.quality.summary and evals.quality.report."""

from evals.quality.summary import METRICS as ALL_METRICS
from evals.quality.summary import summarize

# The metrics the benchmark has always compared with its baseline; the quality report shows them all.
METRICS = {name: ALL_METRICS[name] for name in (
    "must_mention_coverage", "decline_accuracy", "wrongly_declined_rate", "wrongly_answered_rate",
    "citation_validity", "hit_at_k", "mrr", "latency_p50_ms", "latency_p95_ms")}

__all__ = ["ALL_METRICS", "METRICS", "summarize"]
