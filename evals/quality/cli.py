"""Command line: `python -m evals` runs a question file (and its typo variants) through the bot and writes the report."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path

from chatbot.errors import ChatbotError
from chatbot.settings import Settings
from evals.quality import gate, perturb, report, runner
from evals.quality.dataset import SPLITS, DatasetError, load_questions
from evals.quality.evaluation import evaluate, gate_figures

RETRIEVERS = ("dense", "bm25", "hybrid")
QUESTIONS_DIR = Path(__file__).with_name("questions")
DEFAULT_QUESTIONS = QUESTIONS_DIR / "questions.jsonl"
FULL_WARM_UP_QUESTIONS = 20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL question file")
    parser.add_argument("--out", type=Path, default=Path("evals/out"), help="folder for results and reports")
    parser.add_argument("--split", choices=SPLITS, help="only the questions of this split (tune on dev)")
    parser.add_argument("--perturb", metavar="typos[:SEED]",
                        help="also run every question with one or two typos (--check runs typos:0 unless given)")
    parser.add_argument("--retriever", choices=RETRIEVERS, help="override RAG_RETRIEVER")
    parser.add_argument("--answerer", choices=("extractive", "llm"), help="override RAG_ANSWERER")
    parser.add_argument("--compare", action="store_true", help="run all three retrievers side by side")
    parser.add_argument("--check", action="store_true", help="exit 1 when a limit of the thresholds file is missed")
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
    if args.check and args.split:
        raise ValueError("--check gates on the test split and the dev-test gap, so it runs every question; "
                         "drop --split.")
    thresholds = gate.load_thresholds(args.thresholds) if args.check else None
    seed = perturb.parse_spec(args.perturb) if args.perturb else (perturb.DEFAULT_SEED if args.check else None)
    questions = load_questions(args.questions)
    if args.split:
        questions = [q for q in questions if q.split == args.split]
    if args.limit is not None:
        questions = questions[: max(args.limit, 0)]
    if not questions:
        raise ValueError(f"no questions to run in {args.questions} with the options given.")
    variants = perturb.with_typos(questions, seed) if seed is not None else None
    overrides = {name: getattr(args, name) for name in ("retriever", "answerer") if getattr(args, name)}
    settings = Settings.from_env(**overrides)
    runner.ensure_index(settings, progress_bar=False)
    runner.warn_of_other_documents(settings)
    store = runner.stored_texts(settings)

    from chatbot.bot import build_bot

    retrievers = RETRIEVERS if args.compare else (settings.retriever,)
    evaluations, verdicts = {}, {}
    for retriever in retrievers:
        run_settings = dataclasses.replace(settings, retriever=retriever)
        bot = build_bot(run_settings)
        # Latencies should measure answering, as in the warmed-up app; a handful of questions touches few
        # passages, so embedding every sentence up front would cost more than it saves.
        bot.warm_up(sentences=len(questions) >= FULL_WARM_UP_QUESTIONS)
        k = run_settings.top_k
        clean = runner.run_questions(bot, questions, store, k=k, progress=not args.quiet, label=retriever)
        perturbed = None if variants is None else runner.run_questions(
            bot, variants, store, k=k, progress=not args.quiet, label=f"{retriever} + typos")
        evaluation = evaluate(clean, perturbed, k=k,
                              perturbation=None if seed is None else {"kind": "typos", "seed": seed})
        problems = gate.check(gate_figures(evaluation), thresholds) if thresholds is not None else None
        evaluations[retriever], verdicts[retriever] = evaluation, problems
        out_dir = args.out / retriever if args.compare else args.out
        report.write_report(evaluation, clean, perturbed, out_dir, settings=run_settings.describe(),
                            title=f"Evaluation: {args.questions.name}, {retriever} retriever",
                            thresholds=thresholds, problems=problems)

    if args.compare:
        _write_compare(evaluations, args.out, args.questions.name)
    else:
        print(report.metrics_table(evaluations[settings.retriever], thresholds))
    print(f"\nReports in {args.out}", file=sys.stderr)
    problems = verdicts[settings.retriever]
    if problems is None:
        return 0
    for problem in problems:
        print(f"gate failed ({settings.retriever}): {problem}", file=sys.stderr)
    if not problems:
        print(f"gate passed ({settings.retriever}, thresholds from {args.thresholds})", file=sys.stderr)
    return 1 if problems else 0


def _write_compare(evaluations: dict[str, dict], out: Path, name: str) -> None:
    """compare.md and compare.json: the gated split's metrics, one column per retriever."""
    metrics = {retriever: e["splits"][e["gated_split"]]["metrics"] for retriever, e in evaluations.items()}
    failed = {retriever: e["splits"][e["gated_split"]]["counts"]["failed"] for retriever, e in evaluations.items()}
    table = report.compare_table(metrics, failed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.md").write_text(f"# Retrievers compared on {name}\n\n{table}\n", encoding="utf-8")
    (out / "compare.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    print(table)
