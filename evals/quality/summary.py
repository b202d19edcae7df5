"""Aggregating scored records into metrics, outcome counts, per-topic and per-kind tables, and the failed questions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from evals.quality.metrics import MRR_DEPTH, percentile

# Metric name -> label, in the order tables show them.
METRICS = {
    "must_mention_coverage": "Coverage: answer + cited passages (answerable)",
    "answer_text_coverage": "Coverage: answer text alone (answerable)",
    "decline_accuracy": "Decline accuracy: handled as expected (all)",
    "out_of_scope_handled": "Out-of-scope declined or partly answered",
    "wrongly_declined_rate": "Wrongly declined (answerable)",
    "wrongly_answered_rate": "Out-of-scope answered outright",
    "must_not_mention_pass": "Earlier topic kept out (must_not_mention)",
    "citation_validity": "Citation validity (cited replies)",
    "hit_at_k": "Retrieval hit@k (answerable)",
    "mrr": f"Retrieval MRR@{MRR_DEPTH} (answerable)",
    "latency_p50_ms": "Latency p50 (ms)",
    "latency_p95_ms": "Latency p95 (ms)",
}
OUTCOME_COLUMNS = ("answered", "partly", "declined", "error")


def summarize(records: Sequence[dict], *, k: int) -> dict:
    """Overall metrics, outcome counts, per-topic and per-kind scores, and the failed questions of one run."""
    answerable = [r for r in records if r["answerable"]]
    out_of_scope = [r for r in records if not r["answerable"]]
    cited = [r for r in records if r["scores"]["citations_valid"] is not None]
    conversations = [r for r in records if r["must_not_mention"]]
    latencies = [r["latency_ms"] for r in records if not r["error"]]
    overall = {
        "must_mention_coverage": _mean(r["scores"]["must_mention_ok"] for r in answerable),
        "answer_text_coverage": _mean(r["scores"]["answer_text_ok"] for r in answerable),
        "decline_accuracy": _mean(r["scores"]["handled"] for r in records),
        "out_of_scope_handled": _mean(r["scores"]["handled"] for r in out_of_scope),
        "wrongly_declined_rate": _mean(r["outcome"] in ("declined", "error") for r in answerable),
        "wrongly_answered_rate": _mean(r["outcome"] == "answered" for r in out_of_scope),
        "must_not_mention_pass": _mean(r["scores"]["must_not_mention_ok"] for r in conversations),
        "citation_validity": _mean(r["scores"]["citations_valid"] for r in cited),
        "hit_at_k": _mean(r["scores"]["hit_at_k"] for r in answerable),
        "mrr": _mean(r["scores"]["reciprocal_rank"] for r in answerable),
        "latency_p50_ms": round(percentile(latencies, 50), 1),
        "latency_p95_ms": round(percentile(latencies, 95), 1),
    }
    return {
        "metrics": overall,
        "counts": {
            "questions": len(records),
            "answerable": len(answerable),
            "unanswerable": len(out_of_scope),
            "conversations": sum(1 for r in records if r["history"]),
            "answered": sum(1 for r in records if r["outcome"] in ("answered", "partly")),
            "answered_without_citations": sum(1 for r in records
                                              if r["outcome"] in ("answered", "partly") and not r["citations"]),
            "errors": sum(1 for r in records if r["error"]),
            "failed": sum(1 for r in records if failure_reasons(r)),
        },
        "outcomes": {"answerable": outcome_counts(answerable), "out_of_scope": outcome_counts(out_of_scope)},
        "k": k,
        "per_topic": breakdown(records, "topic"),
        "per_kind": breakdown(records, "kind"),
        "failures": [failure(r) for r in records if failure_reasons(r)],
    }


def outcome_counts(records: Iterable[dict]) -> dict[str, int]:
    """How many replies were answered, partly answered, declined, or raised an error."""
    counts = dict.fromkeys(OUTCOME_COLUMNS, 0)
    for record in records:
        counts[record["outcome"] if record["outcome"] in counts else "error"] += 1
    return counts


def breakdown(records: Iterable[dict], field: str) -> dict[str, dict]:
    """For each value of `field` (topic or kind): questions, share passing every check, coverage, handled, hit@k."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        grouped[record[field] or "-"].append(record)
    table = {}
    for name in sorted(grouped):
        rows = grouped[name]
        answerable = [r for r in rows if r["answerable"]]
        table[name] = {
            "questions": len(rows),
            "pass_rate": _mean(not failure_reasons(r) for r in rows),
            "must_mention_coverage": _mean(r["scores"]["must_mention_ok"] for r in answerable),
            "answer_text_coverage": _mean(r["scores"]["answer_text_ok"] for r in answerable),
            "decline_accuracy": _mean(r["scores"]["handled"] for r in rows),
            "hit_at_k": _mean(r["scores"]["hit_at_k"] for r in answerable),
        }
    return table


def failure_reasons(record: dict) -> list[str]:
    """Why a record fails the gated checks; empty when it passes."""
    scores = record["scores"]
    if record["error"]:
        return [f"error: {record['error']}"]
    reasons = []
    if not scores["handled"]:
        reasons.append("declined an answerable question" if record["answerable"]
                       else "answered an out-of-scope question without saying what the sources do not settle")
    if scores["citations_valid"] is False:
        reasons.append("a cited passage is not in the store")
    if record["answerable"] and scores["missing_groups"]:
        reasons.append(f"answer and citations do not mention {_groups(scores['missing_groups'])}")
    if scores.get("carried_over"):
        reasons.append(f"the answer carries the earlier topic over: {', '.join(scores['carried_over'])}")
    return reasons


def failure(record: dict) -> dict:
    """What a reader needs to judge a failed question: what was expected and what came back."""
    scores = record["scores"]
    return {
        "id": record["id"],
        "topic": record["topic"],
        "kind": record["kind"],
        "question": record["question"],
        "history": record["history"],
        "reasons": failure_reasons(record),
        "expected": record["expected"],
        "expected_outcome": record["expected_outcome"],
        "outcome": record["outcome"],
        "must_mention": record["must_mention"],
        "must_not_mention": record["must_not_mention"],
        "missing_in_answer": scores.get("missing_in_answer", []),
        "answer": record["answer"],
        "cited": [f"{c['title']} > {c['section']}" for c in record["citations"]],
        "hit_rank": scores.get("hit_rank"),
        "top_retrieved": [f"{p['source']} > {p['section']} ({p['score']})" for p in record["retrieved"][:3]],
    }


def _groups(groups: Iterable[Iterable[str]]) -> str:
    return " and ".join("/".join(group) for group in groups)


def _mean(values: Iterable[object]) -> float | None:
    """The average of the values (booleans count 1/0); None when there is nothing to average."""
    items = [float(v) for v in values]
    return round(sum(items) / len(items), 4) if items else None
