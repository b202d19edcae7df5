"""`python -m evals.reliability [--quick | --full]`: load under a rebuild, concurrent votes, killed ingests, fuzzing
and injection, as figures; exits 1 on any loss."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatbot.errors import ChatbotError
from chatbot.settings import Settings

PARTS = ("load", "votes", "kills", "fuzz", "injection")


@dataclass(frozen=True)
class Sizes:
    clients: int
    questions_per_client: int
    p95_bound_ms: float  # every request, answered or not, while the index is rebuilt under the app
    voting_processes: int
    voting_threads: int
    votes_per_thread: int
    kill_trials: int
    fuzz_questions: int
    fuzz_files: int
    fuzz_corpora: int
    fuzz_requests: int
    injection_variants: int


# The default run takes a few minutes on two busy cores; --quick is the CI size, --full the thorough one.
DEFAULT = Sizes(clients=8, questions_per_client=6, p95_bound_ms=10_000, voting_processes=2, voting_threads=8,
                votes_per_thread=50, kill_trials=4, fuzz_questions=100, fuzz_files=300, fuzz_corpora=5,
                fuzz_requests=150, injection_variants=30)
QUICK = Sizes(clients=4, questions_per_client=4, p95_bound_ms=10_000, voting_processes=2, voting_threads=8,
              votes_per_thread=50, kill_trials=2, fuzz_questions=30, fuzz_files=100, fuzz_corpora=3,
              fuzz_requests=50, injection_variants=12)
FULL = Sizes(clients=16, questions_per_client=10, p95_bound_ms=10_000, voting_processes=2, voting_threads=8,
             votes_per_thread=50, kill_trials=12, fuzz_questions=300, fuzz_files=1000, fuzz_corpora=20,
             fuzz_requests=600, injection_variants=120)
MIN_PARTIAL_SHARE = 0.5  # of the kills, that must catch the store half way between its old and new state
MIN_REACHED_SHARE = 0.8  # of the generated variants, whose document must be among the passages answered from


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m evals.reliability", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="CI sizes: 4 clients, 2 kills, fewer fuzz inputs and variants")
    size.add_argument("--full", action="store_true", help="16 clients x 10 questions, 12 kills, 120 variants, more fuzzing")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts to run (default: {','.join(PARTS)})")
    parser.add_argument("--seed", type=int, default=0, help="seed for the kill moments, the fuzzing and the variants")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    args.parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # Fuzzing feeds the parsers broken files on purpose: their complaints are expected, not news.
    for name in ("trafilatura", "pypdf"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    sizes, size_name = (QUICK, "quick") if args.quick else (FULL, "full") if args.full else (DEFAULT, "default")
    try:
        settings = Settings.from_env()
        # Absolute, because the fuzzing runs in an empty current folder of its own.
        settings = dataclasses.replace(settings, data_dir=settings.data_dir.resolve(),
                                       corpus_dir=settings.corpus_dir.resolve())
        with tempfile.TemporaryDirectory(prefix="reliability-") as work:
            figures = run(args.parts, settings, sizes, Path(work), args.seed)
    except (ChatbotError, ValueError, OSError, ImportError) as err:
        print(f"reliability: {err}", file=sys.stderr)
        return 1
    print(f"Reliability, {size_name} run")
    for part, figure in figures.items():
        print(f"  {part:<10} {figure['line']}")
    problems = [f"{part}: {problem}" for part, figure in figures.items() for problem in figure["problems"]]
    for problem in problems:
        print(f"  FAILED {problem}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 1 if problems else 0


def run(parts: list[str], settings: Settings, sizes: Sizes, work: Path, seed: int) -> dict[str, dict]:
    """The figures of each part asked for, as {"line": summary, "problems": [...], and the numbers}."""
    figures: dict[str, dict] = {}
    bot = functools.cache(lambda: _warm_bot(settings))  # one bot, warmed once, for the parts that ask the index
    runners: dict[str, Callable[[], dict]] = {
        "load": lambda: _load(bot(), settings, sizes, work / "load"),
        "votes": lambda: _votes(sizes, work / "votes"),
        "kills": lambda: _kills(settings, sizes, work / "kills", seed),
        "fuzz": lambda: _fuzz(bot(), settings, sizes, work / "fuzz", seed),
        "injection": lambda: _injection(settings, sizes, work / "injection", seed),
    }
    for part in parts:
        began = time.perf_counter()
        print(f"{part}: running…", file=sys.stderr, flush=True)
        figures[part] = runners[part]()
        print(f"{part}: done in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    return figures


def _warm_bot(settings: Settings):
    from chatbot.bot import build_bot
    from ingest.ensure import ensure_index

    ensure_index(settings)
    bot = build_bot(settings)
    bot.warm_up()
    return bot


def _load(bot, settings: Settings, sizes: Sizes, work: Path) -> dict:
    from evals.load import LoadReport, app_process, rebuilding, reference_answers, run_load
    from evals.runner import stored_texts

    references = reference_answers(bot)
    declined = [f"{question!r} is declined when asked alone" for question, answer in references.items() if answer.declined]
    work.mkdir(parents=True)
    rebuilds = LoadReport(clients=0)
    with app_process(settings, work) as (url, env), rebuilding(env, rebuilds):
        # The clients keep asking until an index built beside the app's has replaced it under them.
        report = run_load(url, references, clients=sizes.clients, per_client=sizes.questions_per_client,
                          stored=stored_texts(settings), until=lambda: rebuilds.rebuilds >= 1)
        swapped = rebuilds.rebuilds
    p50, p95 = report.percentile(0.5), report.percentile(0.95)
    line = (f"{report.requests} requests from {report.clients} clients to `python app.py` in {report.seconds:.1f} s "
            f"while `--rebuild` replaced the index {swapped} times under them: {report.errors} errors; every request's "
            f"latency p50 {p50:.0f} ms, p95 {p95:.0f} ms (bound {sizes.p95_bound_ms:.0f}), "
            f"max {max(report.latencies_ms, default=0):.0f} ms")
    problems = declined + report.problems + rebuilds.ingest_problems
    if p95 > sizes.p95_bound_ms:
        problems.append(f"p95 latency {p95:.0f} ms is over the {sizes.p95_bound_ms:.0f} ms bound")
    if not swapped:
        problems.append("no rebuild finished while the clients asked: the load met no re-ingest")
    return {"line": line, "problems": problems, "requests": report.requests, "errors": report.errors,
            "p50_ms": p50, "p95_ms": p95, "seconds": report.seconds, "rebuilds": swapped}


def _votes(sizes: Sizes, work: Path) -> dict:
    from evals.votes import vote_storm

    work.mkdir(parents=True)
    report = vote_storm(work / "feedback.sqlite", processes=sizes.voting_processes, threads=sizes.voting_threads,
                        votes=sizes.votes_per_thread)
    writers = sizes.voting_processes * sizes.voting_threads
    line = f"{report.stored} of {report.expected} votes kept from {writers} concurrent writers in {report.seconds:.1f} s"
    problems = [] if report.stored == report.distinct == report.expected else [
        f"{report.stored} rows, {report.distinct} distinct, {report.expected} expected"]
    return {"line": line, "problems": problems, "expected": report.expected, "stored": report.stored}


def _kills(settings: Settings, sizes: Sizes, work: Path, seed: int) -> dict:
    from evals.kill_trials import run_kill_trials

    def progress(trial) -> None:
        verdict = "survived" if trial.survived else f"FAILED: {trial.problem}"
        state = "partial" if trial.partial else "whole"
        print(f"  kill {trial.number} ({trial.scenario}, {trial.delay_s:.2f} s into batch {trial.after_batch + 1}, "
              f"{state} store: {trial.chunks_at_kill} of {trial.expected} chunks): {verdict}", file=sys.stderr)

    trials = run_kill_trials(work, sizes.kill_trials, seed=seed, embedding_model=settings.embedding_model,
                             progress=progress)
    survived = sum(trial.survived for trial in trials)
    partial = [trial for trial in trials if trial.partial]
    recovered = sum(trial.survived for trial in partial)
    chunks = trials[0].expected if trials else 0
    line = (f"{survived} of {len(trials)} ingests of {chunks} chunks ({-(-chunks // 64)} batches) SIGKILLed inside "
            f"their write window survived; {len(partial)} caught the store part-written, {recovered} recovered; "
            f"{sum('half-written' in t.problem for t in trials)} half-written documents seen")
    problems = [f"trial {t.number}: {t.problem}" for t in trials if not t.survived]
    if len(trials) < sizes.kill_trials:
        problems.append(f"only {len(trials)} of {sizes.kill_trials} ingests could be killed before they finished")
    if len(partial) < MIN_PARTIAL_SHARE * sizes.kill_trials:
        problems.append(f"only {len(partial)} kills caught a part-written store; the trials tested too little")
    return {"line": line, "problems": problems, "trials": len(trials), "survived": survived,
            "partial": len(partial), "recovered": recovered}


def _fuzz(bot, settings: Settings, sizes: Sizes, work: Path, seed: int) -> dict:
    from evals.confinement import confined
    from evals.fuzz_http import fuzz_http
    from evals.fuzzing import fuzz_ask, fuzz_ingest, fuzz_loaders
    from evals.load import serving

    with confined(work) as leftovers:
        reports = [fuzz_ask(bot, sizes.fuzz_questions, seed), fuzz_loaders(work / "loaders", sizes.fuzz_files, seed),
                   fuzz_ingest(work / "ingest", sizes.fuzz_corpora, seed, settings.embedding_model)]
        with serving(bot, settings, work / "feedback.sqlite") as url:
            reports.append(fuzz_http(url, sizes.fuzz_requests, seed))
        left = [path for path in leftovers() if not path.startswith("tmp/gradio")]  # Gradio's own cache folder
    inputs, checks = sum(r.inputs for r in reports), sum(r.checks for r in reports)
    parts = "; ".join(f"{r.name} {r.inputs} ({r.refused} refused, {len(r.failures)} failed)" for r in reports)
    problems = [f"{r.name}: {failure}" for r in reports for failure in r.failures]
    problems += [f"left a file where nothing may be written: {path}" for path in left]
    if reports[0].refused:  # the index is sound: any question must get an answer or a decline
        problems.append(f"ask: {reports[0].refused} fuzzed questions raised a ChatbotError over a sound index")
    return {"line": f"{inputs} distinct inputs ({checks} checks): {parts}", "problems": problems, "inputs": inputs,
            "checks": checks, "failures": sum(len(r.failures) for r in reports)}


def _injection(settings: Settings, sizes: Sizes, work: Path, seed: int) -> dict:
    from chatbot.bot import build_bot
    from evals.injection import poisoned_store, run_cases, run_variants
    from ingest.ensure import ensure_index

    ensure_index(settings)
    poisoned, poison = poisoned_store(settings, work / "fixed")
    report = run_cases(build_bot(poisoned), poison)
    fixed = report.cases
    run_variants(settings, work, sizes.injection_variants, seed, report=report)
    line = (f"{report.resisted} of {report.cases} injection cases resisted: {fixed} fixed cases and "
            f"{report.variants} generated variants, {report.reached} of which reached the answerer")
    problems = list(report.failures)
    if report.reached < MIN_REACHED_SHARE * report.variants:
        problems.append(f"only {report.reached} of {report.variants} variants reached the answerer")
    return {"line": line, "problems": problems, "cases": report.cases, "resisted": report.resisted,
            "variants": report.variants, "reached": report.reached}


if __name__ == "__main__":
    sys.exit(main())
