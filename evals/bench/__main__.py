"""`python -m evals.bench [--quick] [--out DIR]`: time answers, cold start, ingest and growth; print a table, write JSON."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from chatbot.errors import ChatbotError
from chatbot.settings import Settings
from evals.dataset import DatasetError, load_questions

SECTIONS = ("ingest", "answers", "cold_start", "scale")
# Settings of the path compared with the new one: sentence-transformers on torch, the snapshot rebuilt at each start.
OLD_PATH = {"embedding_backend": "torch", "load_cache": False}
DEFAULT_QUESTIONS = Path(__file__).resolve().parents[1] / "quality" / "questions" / "legacy.jsonl"
QUICK_QUESTIONS = 8


@dataclasses.dataclass(frozen=True)
class Plan:
    """How much of each section to run."""

    repeats: int  # timed passes over the questions, cold ingests, edits
    cold_repeats: int  # launches of each command
    sizes: tuple[int, ...]  # synthetic store sizes
    scale_queries: int
    full_warm_up: bool


FULL = Plan(repeats=3, cold_repeats=3, sizes=(10_000, 100_000), scale_queries=40, full_warm_up=True)
QUICK = Plan(repeats=1, cold_repeats=1, sizes=(1_000, 2_000), scale_queries=8, full_warm_up=False)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench-out"), help="folder for bench.json and bench.md")
    parser.add_argument("--quick", action="store_true",
                        help=f"one repetition, {QUICK_QUESTIONS} questions, stores of 1k and 2k chunks: proves it runs")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL question file")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--repeats", type=int, help="timed passes (default 3, 1 with --quick)")
    parser.add_argument("--sizes", help="comma-separated synthetic store sizes, e.g. 10000,100000")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {', '.join(SECTIONS)}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("evals.bench").setLevel(logging.INFO)  # progress of the long sections
    try:
        results = run(args)
    except (ChatbotError, DatasetError, ValueError, OSError, RuntimeError) as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    from evals.bench import table, targets

    checked = targets.check(results)
    results["targets"] = [target.to_dict() for target in checked]
    text = table.render(results, checked)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (args.out / "bench.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"Results in {args.out / 'bench.json'} and {args.out / 'bench.md'}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> dict:
    plan = _plan(args)
    sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"Unknown section(s) {', '.join(sorted(unknown))}: use some of {', '.join(SECTIONS)}.")
    questions = load_questions(args.questions)
    limit = args.limit if args.limit is not None else QUICK_QUESTIONS if args.quick else None
    questions = questions[:limit] if limit is not None else questions
    base = Settings.from_env()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        shutil.copytree(base.corpus_dir, work / "corpus")
        # The bench's own store and corpus copy: the deployment's index is never touched.
        settings = dataclasses.replace(base, data_dir=work / "data", corpus_dir=work / "corpus", chroma_url="")
        results: dict = {"meta": _meta(args, plan, len(questions))}
        from ingest import pipeline
        from ingest.ensure import prepare_sentences

        if "ingest" in sections:
            from evals.bench import ingest_runs

            results["ingest"] = ingest_runs.run(settings, repeats=plan.repeats)
        else:
            pipeline.run(settings)
        prepare_sentences(settings)  # as `python -m ingest` and the app's first-run ingest leave the store
        # The path before ONNX and the load cache, in a store of its own so that it embeds its own sentences.
        old = dataclasses.replace(settings, data_dir=work / "data-old", **OLD_PATH)
        if {"answers", "cold_start"} & set(sections):
            pipeline.run(old)
        if "answers" in sections:
            from evals.bench import answers

            results["answers"] = answers.run(settings, questions, repeats=plan.repeats, full_warm_up=plan.full_warm_up,
                                             old=old)
        if "cold_start" in sections:
            from evals.bench import cold_start

            results["cold_start"] = cold_start.run(settings, repeats=plan.cold_repeats, old=old)
        if "scale" in sections:
            results["scale"] = _scale(settings, questions, plan)
        results["meta"]["load_after"] = _load()
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _plan(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else FULL
    if args.repeats is not None:
        if args.repeats < 1:
            raise ValueError("--repeats must be 1 or more.")
        plan = dataclasses.replace(plan, repeats=args.repeats, cold_repeats=args.repeats)
    if args.sizes:
        try:
            sizes = tuple(sorted(int(size) for size in args.sizes.split(",")))
        except ValueError:
            raise ValueError(f"--sizes {args.sizes!r} is not a comma-separated list of numbers.") from None
        plan = dataclasses.replace(plan, sizes=sizes)
    return plan


def _scale(settings: Settings, questions, plan: Plan) -> dict:
    import numpy as np

    from chatbot.query.expansion import search_text
    from chatbot.store.embedding import question_embedder
    from evals.bench import scale

    texts = [question.question for question in questions[: plan.scale_queries]]
    vectors = np.asarray(question_embedder(settings).embed_documents([search_text(t) for t in texts]),
                         dtype=np.float32)
    return scale.run(settings, texts, vectors, sizes=plan.sizes, repeats=plan.repeats)


def _meta(args: argparse.Namespace, plan: Plan, questions: int) -> dict:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} x {_cpu_model()}",
        "python": platform.python_version(),
        "commit": _commit(),
        "quick": args.quick,
        "plan": dataclasses.asdict(plan),
        "questions": questions,
        "load_before": _load(),
    }


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


if __name__ == "__main__":
    sys.exit(main())
