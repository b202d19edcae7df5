"""Warm answers: `ask()` against the question-embedding floor, the plain baseline and the torch path; speed, quality."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from chatbot.settings import Settings
from evals import report, runner
from evals.bench.baseline import TOP_K, BaselineBot
from evals.bench.stats import ratio, summarize, timed_ms
from evals.dataset import Question

log = logging.getLogger(__name__)

# Quality metrics where a lower figure is the better one; the latency figures are compared as timings instead.
LOWER_IS_BETTER = ("wrongly_declined_rate", "wrongly_answered_rate")
QUALITY_METRICS = tuple(name for name in report.METRICS if not name.startswith("latency_"))
PARTS = ("retrieve_ms", "answer_ms", "total_ms")


def run(settings: Settings, questions: Sequence[Question], *, repeats: int, full_warm_up: bool = True,
        old: Settings | None = None) -> dict:
    """Score each pipeline once (that pass also warms every cache), then time `repeats` passes over the questions.

    Each pass asks every question of the floor (embedding the question alone), the bot and the baseline in turn,
    so all three meet the same machine load; with `old` (the torch path, its own store), its floor and bot too.
    """
    from chatbot.bot import build_bot
    from chatbot.store.embedding import question_embedder

    paths = {"new": settings, **({"old": old} if old is not None else {})}
    bots = {name: build_bot(path_settings) for name, path_settings in paths.items()}
    for bot in bots.values():
        bot.warm_up(sentences=full_warm_up)
    embedders = {name: question_embedder(path_settings) for name, path_settings in paths.items()}
    baseline = BaselineBot(settings)
    store = runner.stored_texts(settings)

    log.info("answers: scoring %d questions with the bot and the baseline", len(questions))
    records = {name: runner.run_questions(bot, questions, store, k=settings.top_k, progress=False)
               for name, bot in bots.items()}
    ours = report.summarize(records["new"], k=settings.top_k)
    theirs = report.summarize(runner.run_questions(baseline, questions, store, k=TOP_K, progress=False), k=TOP_K)

    floors: dict[str, list[float]] = {name: [] for name in paths}
    samples = {name: {part: [] for part in PARTS} for name in ("bot", "baseline", *(["old"] if old else []))}
    pipelines = {"bot": bots["new"], "baseline": baseline, **({"old": bots["old"]} if old else {})}
    for number in range(repeats):
        log.info("answers: timed pass %d of %d", number + 1, repeats)
        for question in questions:
            for name, embedder in embedders.items():
                floors[name].append(timed_ms(lambda: embedder.embed_query(question.question))[1])
            for name, pipeline in pipelines.items():
                answer, total = timed_ms(lambda: pipeline.ask(question.question))
                samples[name]["retrieve_ms"].append(answer.timings.retrieve_ms)
                samples[name]["answer_ms"].append(answer.timings.answer_ms)
                samples[name]["total_ms"].append(total)  # the wall clock around ask(), as a caller feels it

    floor_summary = summarize(floors["new"])
    timing = {name: {part: summarize(values) for part, values in parts.items()} for name, parts in samples.items()}
    results = {
        "questions": len(questions),
        "repeats": repeats,
        "backend": settings.embedding_backend,
        "floor_ms": floor_summary,
        "bot": {**timing["bot"], "total_over_floor": ratio(timing["bot"]["total_ms"]["median"], floor_summary["median"])},
        "baseline": {
            **timing["baseline"],
            "total_over_floor": ratio(timing["baseline"]["total_ms"]["median"], floor_summary["median"]),
            "top_k": TOP_K,
        },
        "quality": compare(ours["metrics"], theirs["metrics"]),
    }
    if old is not None:
        old_floor = summarize(floors["old"])
        results["old"] = {
            "backend": old.embedding_backend,
            "floor_ms": old_floor,
            "bot": {**timing["old"], "total_over_floor": ratio(timing["old"]["total_ms"]["median"], old_floor["median"])},
            "same_answers": same_answers(records["new"], records["old"]),
        }
    return results


# The two backends' vectors agree to a cosine of 0.9999 or better, not bit for bit: a similarity may move in its
# fourth decimal. A score counts as the same within this much; every other field must be equal.
SCORE_TOLERANCE = 1e-3


def same_answers(new: Sequence[dict], old: Sequence[dict]) -> dict:
    """Whether both paths gave every question the same answer, citations, passages and scores (timings aside)."""
    differ = [a["id"] for a, b in zip(new, old) if not _same({k: v for k, v in a.items() if k != "latency_ms"},
                                                             {k: v for k, v in b.items() if k != "latency_ms"})]
    return {"questions": len(new), "differ": differ, "identical": not differ and len(new) == len(old),
            "score_tolerance": SCORE_TOLERANCE}


def _same(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= SCORE_TOLERANCE
    return a == b


def compare(ours: dict, theirs: dict) -> dict:
    """Each quality metric of both pipelines, and whether ours is at least as good (strictly, for coverage)."""
    rows = {}
    for name in QUALITY_METRICS:
        mine, other = ours.get(name), theirs.get(name)
        if mine is None or other is None:
            at_least = None
        elif name in LOWER_IS_BETTER:
            at_least = mine <= other
        else:
            at_least = mine >= other
        rows[name] = {"bot": mine, "baseline": other, "at_least_baseline": at_least}
    coverage = rows["must_mention_coverage"]
    return {
        "metrics": rows,
        "at_least_baseline_everywhere": all(row["at_least_baseline"] is not False for row in rows.values()),
        "coverage_strictly_better": None if coverage["bot"] is None or coverage["baseline"] is None
        else coverage["bot"] > coverage["baseline"],
    }
