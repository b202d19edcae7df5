"""Warm answers: the bot's `ask()` against the question-embedding floor and the plain baseline, speed and quality."""

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


def run(settings: Settings, questions: Sequence[Question], *, repeats: int, full_warm_up: bool = True) -> dict:
    """Score each pipeline once (that pass also warms every cache), then time `repeats` passes over the questions.

    Each pass asks every question of the floor (embedding the question alone), the bot and the baseline in turn,
    so all three meet the same machine load.
    """
    from chatbot.bot import build_bot
    from chatbot.store.client import get_embedder

    bot = build_bot(settings)
    bot.warm_up(sentences=full_warm_up)
    baseline = BaselineBot(settings)
    embedder = get_embedder(settings.embedding_model)
    store = runner.stored_texts(settings)

    log.info("answers: scoring %d questions with the bot and the baseline", len(questions))
    ours = report.summarize(runner.run_questions(bot, questions, store, k=settings.top_k, progress=False), k=settings.top_k)
    theirs = report.summarize(runner.run_questions(baseline, questions, store, k=TOP_K, progress=False), k=TOP_K)

    floor: list[float] = []
    samples = {"bot": {part: [] for part in PARTS}, "baseline": {part: [] for part in PARTS}}
    for number in range(repeats):
        log.info("answers: timed pass %d of %d", number + 1, repeats)
        for question in questions:
            floor.append(timed_ms(lambda: embedder.embed_query(question.question))[1])
            for name, pipeline in (("bot", bot), ("baseline", baseline)):
                answer, total = timed_ms(lambda: pipeline.ask(question.question))
                samples[name]["retrieve_ms"].append(answer.timings.retrieve_ms)
                samples[name]["answer_ms"].append(answer.timings.answer_ms)
                samples[name]["total_ms"].append(total)  # the wall clock around ask(), as a caller feels it

    floor_summary = summarize(floor)
    timing = {name: {part: summarize(values) for part, values in parts.items()} for name, parts in samples.items()}
    return {
        "questions": len(questions),
        "repeats": repeats,
        "floor_ms": floor_summary,
        "bot": {**timing["bot"], "total_over_floor": ratio(timing["bot"]["total_ms"]["median"], floor_summary["median"])},
        "baseline": {
            **timing["baseline"],
            "total_over_floor": ratio(timing["baseline"]["total_ms"]["median"], floor_summary["median"]),
            "top_k": TOP_K,
        },
        "quality": compare(ours["metrics"], theirs["metrics"]),
    }


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
