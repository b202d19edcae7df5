"""Command line: `python -m evals` runs the question set through the bot and writes the report."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path

from chatbot.errors import ChatbotError
from chatbot.settings import Settings
from evals import gate, report, runner
from evals.dataset import DatasetError, load_questions
from ingest.ensure import ensure_index

RETRIEVERS = ("dense", "bm25", "hybrid")
DEFAULT_QUESTIONS = Path(__file__).with_name("questions.jsonl")
FULL_WARM_UP_QUESTIONS = 20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL question file")
    parser.add_argument("--out", type=Path, default=Path("evals/out"), help="folder for results and reports")
    parser.add_argument("--retriever", choices=RETRIEVERS, help="override RAG_RETRIEVER")
    parser.add_argument("--answerer", choices=("extractive", "llm"), help="override RAG_ANSWERER")
    parser.add_argument("--compare", action="store_true", help="run all three retrievers side by side")
    parser.add_argument("--check", action="store_true", help="exit 1 when a metric misses its threshold")
    parser.add_argument("--thresholds", type=Path, default=gate.DEFAULT_THRESHOLDS, help="TOML file of limits")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return run(args)
    except (ChatbotError, DatasetError, ValueError, OSError, ImportError) as err:
        print(f"evals: {err}", file=sys.stderr)
        return 1


def run(args: argparse.Namespace) -> int:
    thresholds = gate.load_thresholds(args.thresholds) if args.check else None
    questions = load_questions(args.questions)
    if args.limit is not None:
        questions = questions[: max(args.limit, 0)]
    overrides = {name: getattr(args, name) for name in ("retriever", "answerer") if getattr(args, name)}
    settings = Settings.from_env(**overrides)
    ensure_index(settings, progress_bar=False)
    store = runner.stored_texts(settings)

    from chatbot.bot import build_bot

    retrievers = RETRIEVERS if args.compare else (settings.retriever,)
    summaries = {}
    for retriever in retrievers:
        run_settings = dataclasses.replace(settings, retriever=retriever)
        bot = build_bot(run_settings)
        # Latencies should measure answering, as in the warmed-up app; a handful of questions touches few
        # passages, so embedding every sentence up front would cost more than it saves.
        bot.warm_up(sentences=len(questions) >= FULL_WARM_UP_QUESTIONS)
        records = runner.run_questions(bot, questions, store, k=run_settings.top_k, progress=not args.quiet,
                                       label=retriever)
        summaries[retriever] = report.summarize(records, k=run_settings.top_k)
        out_dir = args.out / retriever if args.compare else args.out
        report.write_report(summaries[retriever], records, out_dir, settings=run_settings.describe(),
                            title=f"Evaluation: {args.questions.name}, {retriever} retriever", thresholds=thresholds)

    if args.compare:
        table = report.compare_table(summaries)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "compare.md").write_text(f"# Retrievers compared on {args.questions.name}\n\n{table}\n",
                                             encoding="utf-8")
        (args.out / "compare.json").write_text(
            json.dumps({name: summary["metrics"] for name, summary in summaries.items()}, indent=2), encoding="utf-8")
        print(table)
    else:
        print(report.metrics_table(summaries[settings.retriever], thresholds))
    print(f"\nReports in {args.out}", file=sys.stderr)

    if thresholds is None:
        return 0
    problems = gate.check(summaries[settings.retriever]["metrics"], thresholds)
    for problem in problems:
        print(f"gate failed ({settings.retriever}): {problem}", file=sys.stderr)
    if not problems:
        print(f"gate passed ({settings.retriever}, thresholds from {args.thresholds})", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
