"""The report of one evaluation: results.jsonl, report.md, report.json and the charts.

Tables show dev, test, the dev-test gap and the typo variants side by side; only dev questions are listed one by one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from evals.quality.summary import METRICS, OUTCOME_COLUMNS

SHOWN_CHARS = 400


def columns(evaluation: dict) -> list[tuple[str, dict, bool]]:
    """(label, {metric: value}, is a difference) for each column of the metrics table, in order."""
    splits, typos = evaluation["splits"], evaluation["typos"]
    groups = [name for name in ("dev", "test") if name in splits] or ["all"]
    found = [(name, splits[name]["metrics"], False) for name in groups]
    if evaluation["gap"]:
        found.append(("gap (dev − test)", evaluation["gap"], True))
    found += [(f"{name} + typos", typos[name]["metrics"], False) for name in groups if name in typos]
    if evaluation["typo_cost"]:
        found.append((f"typo cost ({evaluation['gated_split']})", evaluation["typo_cost"], True))
    return found


def metrics_table(evaluation: dict, thresholds: dict | None = None) -> str:
    """The metrics of every group side by side as a Markdown table, with the gate's limits when given."""
    found = columns(evaluation)
    lines = ["| Metric | " + " | ".join(label for label, _, _ in found) + " | Gate |",
             "| --- |" + " ---: |" * len(found) + " --- |"]
    for name, label in METRICS.items():
        cells = [_format(name, values.get(name), difference=difference) for _, values, difference in found]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {_limits(name, thresholds)} |")
    return "\n".join(lines)


def compare_table(metrics: dict[str, dict], failed: dict[str, int]) -> str:
    """Side-by-side metrics of several runs (one column per retriever)."""
    names = list(metrics)
    lines = ["| Metric | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    for name, label in METRICS.items():
        lines.append(f"| {label} | " + " | ".join(_format(name, metrics[run].get(name)) for run in names) + " |")
    lines.append("| Failed questions | " + " | ".join(str(failed[run]) for run in names) + " |")
    return "\n".join(lines)


def outcomes_table(evaluation: dict) -> str:
    """How many replies were answered, partly answered or declined, for answerable and out-of-scope questions."""
    lines = ["| Group | Questions | " + " | ".join(OUTCOME_COLUMNS) + " |",
             "| --- | --- |" + " ---: |" * len(OUTCOME_COLUMNS)]
    for prefix, summaries in (("", evaluation["splits"]), (" + typos", evaluation["typos"])):
        for name, summary in summaries.items():
            if name == "all" and len(summaries) > 1:
                continue
            for expected, label in (("answerable", "answerable"), ("out_of_scope", "out of scope")):
                counts = summary["outcomes"][expected]
                lines.append(f"| {name}{prefix} | {label} | " + " | ".join(str(counts[c]) for c in OUTCOME_COLUMNS) + " |")
    return "\n".join(lines)


def breakdown_table(evaluation: dict, field: str) -> str:
    """Per topic or per kind: question counts, share passing every check and coverage, for dev, test and typos."""
    splits, typos = evaluation["splits"], evaluation["typos"]
    groups = [name for name in ("dev", "test") if name in splits] or ["all"]
    variants = [(name, splits[name][field]) for name in groups] + ([("typos", typos["all"][field])] if typos else [])
    names = sorted({name for _, table in variants for name in table})
    header = (["Questions (" + "/".join(groups) + ")"] + [f"Passed: {label}" for label, _ in variants]
              + [f"Coverage: {label}" for label, _ in variants])
    lines = [f"| {field.removeprefix('per_').capitalize()} | " + " | ".join(header) + " |",
             "| --- |" + " ---: |" * len(header)]
    for name in names:
        counts = "/".join(str(splits[group][field].get(name, {}).get("questions", 0)) for group in groups)
        passed = [_ratio(table.get(name, {}).get("pass_rate")) for _, table in variants]
        coverage = [_ratio(table.get(name, {}).get("must_mention_coverage")) for _, table in variants]
        lines.append(f"| {name} | {counts} | " + " | ".join(passed + coverage) + " |")
    return "\n".join(lines)


def markdown(evaluation: dict, *, title: str, settings: dict, thresholds: dict | None = None,
             problems: Sequence[str] | None = None) -> str:
    """The whole report: metrics, outcomes, per kind, per topic, and the dev questions that failed."""
    splits = evaluation["splits"]
    sizes = ", ".join(f"{name} {summary['counts']['questions']}" for name, summary in splits.items())
    gated = evaluation["gated_split"]
    parts = [f"# {title}", "", f"Questions: {sizes}. Retriever `{settings.get('retriever')}`, answerer "
             f"`{settings.get('answerer')}`, k = {splits['all']['k']}. The gate reads the {gated} split."]
    if evaluation["perturbation"]:
        p = evaluation["perturbation"]
        parts.append(f"Typo variants: seed {p.get('seed')}, {p.get('changed')} of {splits['all']['counts']['questions']}"
                     " questions changed (one or two dropped, swapped or doubled letters in words of five letters or more).")
    if problems is not None:
        parts += ["", "**Gate: passed.**" if not problems else "**Gate: failed.**"]
        parts += [f"- {problem}" for problem in problems]
    parts += ["", metrics_table(evaluation, thresholds), "", "## Outcomes", "", outcomes_table(evaluation),
              "", "## Per kind of question", "", breakdown_table(evaluation, "per_kind"),
              "", "## Per topic", "", breakdown_table(evaluation, "per_topic"), ""]
    if "test" in splits:
        test = splits["test"]["counts"]
        parts += [f"The test split is reported in aggregate only: {test['failed']} of {test['questions']} test questions "
                  "failed a check. Its questions are not listed here, and are not to be tuned on.", ""]
    detail = evaluation["detail_split"]
    if detail:
        parts += _failures(evaluation["failures"], detail) + _typo_only(evaluation["typo_only_failures"], detail)
    return "\n".join(parts).rstrip() + "\n"


def write_results(records: Sequence[dict], path: Path) -> None:
    """One JSON object a line, in question order."""
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_report(evaluation: dict, clean: Sequence[dict], perturbed: Sequence[dict] | None, out_dir: Path, *,
                 title: str, settings: dict, thresholds: dict | None = None,
                 problems: Sequence[str] | None = None) -> None:
    """results.jsonl (and results-typos.jsonl), report.md, report.json, topics.png and overview.png in `out_dir`."""
    from evals.quality import chart

    out_dir.mkdir(parents=True, exist_ok=True)
    write_results(clean, out_dir / "results.jsonl")
    if perturbed:
        write_results(perturbed, out_dir / "results-typos.jsonl")
    (out_dir / "report.md").write_text(
        markdown(evaluation, title=title, settings=settings, thresholds=thresholds, problems=problems),
        encoding="utf-8")
    saved = {"title": title, "settings": settings, **evaluation,
             "gate": None if problems is None else {"passed": not problems, "problems": list(problems)}}
    (out_dir / "report.json").write_text(json.dumps(saved, indent=2, ensure_ascii=False), encoding="utf-8")
    chart.write_topics(evaluation, out_dir / "topics.png", title=title)
    chart.write_overview(evaluation, out_dir / "overview.png", title=title)


def _failures(failures: Sequence[dict], detail: str) -> list[str]:
    parts = [f"## Failed {detail} questions ({len(failures)})", ""]
    if not failures:
        parts += ["None.", ""]
    for item in failures:
        fields = [
            ("Earlier turns", " / ".join(_inline(turn) for turn in item["history"]) or None),
            ("Question", _inline(item["question"])),
            ("Why it failed", "; ".join(item["reasons"])),
            (f"Expected ({item['expected_outcome']})", item["expected"] or "-"),
            ("Must mention", _groups(item["must_mention"]) or "-"),
            ("Must not mention", ", ".join(item["must_not_mention"]) or None),
            (f"Came back ({item['outcome']})", _inline(_shorten(item["answer"])) or "(nothing)"),
            ("Missing from the answer text alone", _groups(item["missing_in_answer"]) or "-"),
            ("Cited", "; ".join(item["cited"]) or "-"),
            ("Top retrieved", f"{'; '.join(item['top_retrieved']) or '-'} (first satisfying rank: {item['hit_rank']})"),
        ]
        parts += [f"### {item['id']} ({item['topic']}; {item['kind'] or '-'})", ""]
        parts += [f"- **{label}:** {value}" for label, value in fields if value is not None] + [""]
    return parts


def _typo_only(rows: Sequence[dict], detail: str) -> list[str]:
    parts = [f"## {detail.capitalize()} questions that fail only with typos ({len(rows)})", ""]
    if not rows:
        return parts + ["None.", ""]
    for item in rows:
        parts.append(f"- **{item['id']}**: “{_inline(item['question'])}” (clean: “{_inline(item['clean_question'])}”): "
                     f"{'; '.join(item['reasons'])}")
    return parts + [""]


def _groups(groups: Sequence[Sequence[str]]) -> str:
    return " AND ".join("(" + " / ".join(group) + ")" for group in groups)


def _format(name: str, value: float | None, *, difference: bool = False) -> str:
    if value is None:
        return "-"
    if name.endswith("_ms"):
        return f"{value:+.0f}" if difference else f"{value:.0f}"
    return f"{value:+.3f}" if difference else f"{value:.3f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _limits(name: str, thresholds: dict | None) -> str:
    if not thresholds:
        return ""
    found = []
    for table, bounds in thresholds.items():
        for bound, sign in (("minimum", "≥"), ("maximum", "≤")):
            if name in bounds.get(bound, {}):
                found.append(f"{table} {sign} {_format(name, bounds[bound][name])}")
    return "; ".join(found)


def _shorten(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + f"… ({len(text)} characters)"


def _inline(text: str) -> str:
    return " ".join(text.split())
