"""Aggregating scored records into metrics, a per-topic table and the failures, written as Markdown, JSON and a chart."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from evals.quality.metrics import MRR_DEPTH, percentile

# Metric name -> label, in the order tables show them.
METRICS = {
    "must_mention_coverage": "Must-mention coverage (answerable)",
    "decline_accuracy": "Decline accuracy (all)",
    "wrongly_declined_rate": "Wrongly declined (answerable)",
    "wrongly_answered_rate": "Wrongly answered (unanswerable)",
    "citation_validity": "Citation validity (answered)",
    "hit_at_k": "Retrieval hit@k (answerable)",
    "mrr": f"Retrieval MRR@{MRR_DEPTH} (answerable)",
    "latency_p50_ms": "Latency p50 (ms)",
    "latency_p95_ms": "Latency p95 (ms)",
}
SHOWN_CHARS = 300


def summarize(records: Sequence[dict], *, k: int) -> dict:
    """Overall metrics, per-topic scores and the failed questions of one run."""
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    answered = [r for r in records if r["scores"]["citations_valid"] is not None]
    overall = {
        "must_mention_coverage": _mean(r["scores"]["must_mention_ok"] for r in answerable),
        "decline_accuracy": _mean(r["scores"]["decline_correct"] for r in records),
        "wrongly_declined_rate": _mean(r["declined"] or bool(r["error"]) for r in answerable),
        "wrongly_answered_rate": _mean(not r["declined"] and not r["error"] for r in unanswerable),
        "citation_validity": _mean(r["scores"]["citations_valid"] for r in answered),
        "hit_at_k": _mean(r["scores"]["hit_at_k"] for r in answerable),
        "mrr": _mean(r["scores"]["reciprocal_rank"] for r in answerable),
        "latency_p50_ms": round(percentile([r["latency_ms"] for r in records], 50), 1),
        "latency_p95_ms": round(percentile([r["latency_ms"] for r in records], 95), 1),
    }
    return {
        "metrics": overall,
        "counts": {
            "questions": len(records),
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "answered": len(answered),
            "answered_without_citations": sum(1 for r in answered if not r["citations"]),
            "errors": sum(1 for r in records if r["error"]),
            "failed": sum(1 for r in records if failure_reasons(r)),
        },
        "k": k,
        "per_topic": per_topic(records),
        "failures": [failure(r) for r in records if failure_reasons(r)],
    }


def per_topic(records: Iterable[dict]) -> dict[str, dict]:
    """For each topic: how many questions, how many passed every check, coverage and hit@k where answerable."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        grouped[record["topic"]].append(record)
    table = {}
    for topic in sorted(grouped):
        rows = grouped[topic]
        answerable = [r for r in rows if r["answerable"]]
        table[topic] = {
            "questions": len(rows),
            "pass_rate": _mean(not failure_reasons(r) for r in rows),
            "must_mention_coverage": _mean(r["scores"]["must_mention_ok"] for r in answerable),
            "decline_accuracy": _mean(r["scores"]["decline_correct"] for r in rows),
            "hit_at_k": _mean(r["scores"]["hit_at_k"] for r in answerable),
        }
    return table


def failure_reasons(record: dict) -> list[str]:
    """Why a record fails the gated checks; empty when it passes."""
    scores = record["scores"]
    if record["error"]:
        return [f"error: {record['error']}"]
    reasons = []
    if not scores["decline_correct"]:
        reasons.append("declined an answerable question" if record["answerable"] else "answered an unanswerable question")
    if scores["citations_valid"] is False:
        reasons.append("a cited passage is not in the store")
    if record["answerable"] and not record["declined"] and scores["missing_groups"]:
        missing = " and ".join("/".join(group) for group in scores["missing_groups"])
        reasons.append(f"answer and citations do not mention {missing}")
    return reasons


def failure(record: dict) -> dict:
    """What a reader needs to judge a failed question: what was expected and what came back."""
    scores = record["scores"]
    return {
        "id": record["id"],
        "topic": record["topic"],
        "question": _shorten(record["question"]),
        "reasons": failure_reasons(record),
        "expected": record["expected"],
        "must_mention": record["must_mention"],
        "answer": _shorten(record["answer"]),
        "declined": record["declined"],
        "cited": [f"{c['title']} > {c['section']}" for c in record["citations"]],
        "hit_rank": scores.get("hit_rank"),
        "top_retrieved": [f"{p['source']} > {p['section']} ({p['score']})" for p in record["retrieved"][:3]],
    }


def metrics_table(summary: dict, thresholds: dict | None = None) -> str:
    """The overall metrics as a Markdown table, with the gate's limits when given."""
    lines = ["| Metric | Value | Gate |", "| --- | ---: | ---: |"]
    for name, label in METRICS.items():
        lines.append(f"| {label} | {_format(name, summary['metrics'][name])} | {_limit(name, thresholds)} |")
    return "\n".join(lines)


def compare_table(summaries: dict[str, dict]) -> str:
    """Side-by-side metrics of several runs (one column per retriever)."""
    names = list(summaries)
    lines = ["| Metric | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    for name, label in METRICS.items():
        values = " | ".join(_format(name, summaries[run]["metrics"][name]) for run in names)
        lines.append(f"| {label} | {values} |")
    lines.append("| Failed questions | " + " | ".join(str(summaries[run]["counts"]["failed"]) for run in names) + " |")
    return "\n".join(lines)


def markdown(summary: dict, *, title: str, settings: dict, thresholds: dict | None = None) -> str:
    """The whole report: metrics, per-topic table, failed questions."""
    counts = summary["counts"]
    parts = [
        f"# {title}",
        "",
        f"{counts['questions']} questions ({counts['answerable']} answerable, {counts['unanswerable']} not); "
        f"retriever `{settings.get('retriever')}`, answerer `{settings.get('answerer')}`, k = {summary['k']}; "
        f"{counts['failed']} failed, {counts['errors']} errors, "
        f"{counts['answered_without_citations']} answers without citations.",
        "",
        metrics_table(summary, thresholds),
        "",
        "## Per topic",
        "",
        "| Topic | Questions | Passed | Must-mention | Decline acc. | Hit@k |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for topic, row in summary["per_topic"].items():
        cells = [row["questions"], _ratio(row["pass_rate"]), _ratio(row["must_mention_coverage"]),
                 _ratio(row["decline_accuracy"]), _ratio(row["hit_at_k"])]
        parts.append(f"| {topic} | " + " | ".join(str(cell) for cell in cells) + " |")
    parts += ["", f"## Failed questions ({len(summary['failures'])})", ""]
    if not summary["failures"]:
        parts.append("None.")
    for item in summary["failures"]:
        parts += [
            f"### {item['id']} ({item['topic']})",
            "",
            f"- **Question:** {_inline(item['question'])}",
            f"- **Why it failed:** {'; '.join(item['reasons'])}",
            f"- **Expected:** {item['expected']}",
            f"- **Must mention:** {' AND '.join('(' + ' / '.join(group) + ')' for group in item['must_mention']) or '-'}",
            f"- **Came back:** {'(declined) ' if item['declined'] else ''}{_inline(item['answer']) or '(nothing)'}",
            f"- **Cited:** {'; '.join(item['cited']) or '-'}",
            f"- **Top retrieved:** {'; '.join(item['top_retrieved']) or '-'} (first satisfying rank: {item['hit_rank']})",
            "",
        ]
    return "\n".join(parts).rstrip() + "\n"


def write_results(records: Sequence[dict], path: Path) -> None:
    """One JSON object a line, in question order."""
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_report(summary: dict, records: Sequence[dict], out_dir: Path, *, title: str, settings: dict,
                 thresholds: dict | None = None) -> None:
    """results.jsonl, report.md, report.json and topics.png in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_results(records, out_dir / "results.jsonl")
    (out_dir / "report.md").write_text(markdown(summary, title=title, settings=settings, thresholds=thresholds),
                                       encoding="utf-8")
    (out_dir / "report.json").write_text(json.dumps({"title": title, "settings": settings, **summary}, indent=2,
                                                    ensure_ascii=False), encoding="utf-8")
    write_chart(summary["per_topic"], out_dir / "topics.png", title=title)


def write_chart(topics: dict[str, dict], path: Path, *, title: str) -> None:
    """Horizontal bars per topic: share of questions passing every check, and retrieval hit@k."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(topics)
    labels = [f"{name} ({topics[name]['questions']})" for name in names]
    positions = range(len(names))
    figure, axes = plt.subplots(figsize=(9, 1.5 + 0.32 * len(names)))
    axes.barh([p - 0.2 for p in positions], [topics[n]["pass_rate"] for n in names], height=0.4, label="passed")
    axes.barh([p + 0.2 for p in positions], [topics[n]["hit_at_k"] or 0.0 for n in names], height=0.4,
              label="retrieval hit@k")
    axes.set_yticks(list(positions), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of the topic's questions")
    axes.set_title(title, fontsize=10, loc="left")
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8, frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _mean(values: Iterable[object]) -> float | None:
    """The average of the values (booleans count 1/0); None when there is nothing to average."""
    items = [float(v) for v in values]
    return round(sum(items) / len(items), 4) if items else None


def _format(name: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if name.endswith("_ms") else f"{value:.3f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _limit(name: str, thresholds: dict | None) -> str:
    if not thresholds:
        return ""
    if name in thresholds.get("minimum", {}):
        return f"≥ {_format(name, thresholds['minimum'][name])}"
    if name in thresholds.get("maximum", {}):
        return f"≤ {_format(name, thresholds['maximum'][name])}"
    return ""


def _shorten(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + f"… ({len(text)} characters)"


def _inline(text: str) -> str:
    return " ".join(text.split())
