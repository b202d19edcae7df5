"""The report's charts: per topic, and the headline metrics, each for dev, test and the typo variants."""

from __future__ import annotations

from pathlib import Path

HEADLINE = {
    "must_mention_coverage": "coverage\n(answer + cited)",
    "answer_text_coverage": "coverage\n(answer text)",
    "decline_accuracy": "decline\naccuracy",
    "out_of_scope_handled": "out-of-scope\nhandled",
    "must_not_mention_pass": "earlier topic\nkept out",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _series(evaluation: dict, field: str) -> list[tuple[str, dict]]:
    """(label, data) for dev, test (or all) and the typo variants of every question."""
    splits, typos = evaluation["splits"], evaluation["typos"]
    found = [(name, splits[name][field]) for name in ("dev", "test") if name in splits] or [("all", splits["all"][field])]
    if typos:
        found.append(("typos", typos["all"][field]))
    return found


def write_topics(evaluation: dict, path: Path, *, title: str) -> None:
    """Horizontal bars per topic: the share of its questions passing every check, for dev, test and typos."""
    plt = _pyplot()
    series = _series(evaluation, "per_topic")
    topics = sorted({topic for _, table in series for topic in table})
    height = 0.8 / len(series)
    figure, axes = plt.subplots(figsize=(9, 1.5 + 0.13 * len(topics) * len(series)))
    for index, (label, table) in enumerate(series):
        offsets = [row - 0.4 + height * (index + 0.5) for row in range(len(topics))]
        values = [(table.get(topic) or {}).get("pass_rate") or 0.0 for topic in topics]
        axes.barh(offsets, values, height=height, label=label)
    counts = evaluation["splits"]["all"]["per_topic"]
    axes.set_yticks(range(len(topics)), [f"{t} ({counts.get(t, {}).get('questions', 0)})" for t in topics], fontsize=7)
    axes.set_ylim(len(topics) - 0.5, -0.5)  # first topic on top
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of the topic's questions passing every check")
    axes.set_title(title, fontsize=10, loc="left")
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(series), fontsize=8, frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_overview(evaluation: dict, path: Path, *, title: str) -> None:
    """Grouped bars of the headline metrics for dev, test and typos (dev + typos, test + typos where split)."""
    plt = _pyplot()
    splits, typos = evaluation["splits"], evaluation["typos"]
    groups = [name for name in ("dev", "test") if name in splits] or ["all"]
    series = [(name, splits[name]["metrics"]) for name in groups]
    series += [(f"{name} + typos", typos[name]["metrics"]) for name in groups if name in typos]
    width = 0.8 / len(series)
    figure, axes = plt.subplots(figsize=(9, 4))
    for index, (label, values) in enumerate(series):
        offsets = [column - 0.4 + width * (index + 0.5) for column in range(len(HEADLINE))]
        axes.bar(offsets, [values.get(name) or 0.0 for name in HEADLINE], width=width, label=label)
    axes.set_xticks(range(len(HEADLINE)), list(HEADLINE.values()), fontsize=8)
    axes.set_ylim(0, 1)
    axes.set_title(title, fontsize=10, loc="left")
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(series), fontsize=8, frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
