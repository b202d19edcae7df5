"""`python -m evals.reliability [--quick]`: load, concurrent votes, killed ingests, fuzzing and injection, as figures."""

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
    voting_processes: int
    voting_threads: int
    votes_per_thread: int
    kill_trials: int
    fuzz_questions: int
    fuzz_files: int
    fuzz_corpora: int


FULL = Sizes(clients=16, questions_per_client=10, voting_processes=2, voting_threads=8, votes_per_thread=50,
             kill_trials=20, fuzz_questions=300, fuzz_files=1000, fuzz_corpora=30)
QUICK = Sizes(clients=8, questions_per_client=3, voting_processes=2, voting_threads=8, votes_per_thread=50,
              kill_trials=3, fuzz_questions=40, fuzz_files=150, fuzz_corpora=5)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m evals.reliability", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI sizes: 8 clients x 3 questions, 3 kills, fewer fuzz cases")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts to run (default: {','.join(PARTS)})")
    parser.add_argument("--seed", type=int, default=0, help="seed for the kill moments and the fuzzing")
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
    sizes = QUICK if args.quick else FULL
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
    print(f"Reliability, {'quick' if args.quick else 'full'} run")
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
        "injection": lambda: _injection(settings, work / "injection"),
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
    from evals.load import reference_answers, run_load, serving
    from evals.runner import stored_texts

    references = reference_answers(bot)
    declined = [f"{question!r} is declined when asked alone" for question, answer in references.items() if answer.declined]
    work.mkdir(parents=True)
    with serving(bot, settings, work / "feedback.sqlite") as url:
        report = run_load(url, references, clients=sizes.clients, per_client=sizes.questions_per_client,
                          stored=stored_texts(settings))
    line = (f"{report.requests} requests from {report.clients} clients in {report.seconds:.1f} s, "
            f"{report.errors} errors; latency p50 {report.percentile(0.5):.0f} ms, p95 {report.percentile(0.95):.0f} ms, "
            f"max {max(report.latencies_ms, default=0):.0f} ms")
    return {"line": line, "problems": declined + report.problems, "requests": report.requests, "errors": report.errors,
            "p50_ms": report.percentile(0.5), "p95_ms": report.percentile(0.95), "seconds": report.seconds}


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
        print(f"  kill {trial.number} ({trial.scenario}, {trial.delay_s:.2f} s in): {verdict}", file=sys.stderr)

    trials = run_kill_trials(work, sizes.kill_trials, seed=seed, embedding_model=settings.embedding_model,
                             progress=progress)
    survived = sum(trial.survived for trial in trials)
    counts = {scenario: sum(t.scenario == scenario for t in trials) for scenario in sorted({t.scenario for t in trials})}
    scenarios = ", ".join(f"{count} {scenario}{'s' if count != 1 else ''}" for scenario, count in counts.items())
    line = f"{survived} of {len(trials)} ingests SIGKILLed at random moments survived ({scenarios})"
    problems = [f"trial {t.number}: {t.problem}" for t in trials if not t.survived]
    if len(trials) < sizes.kill_trials:
        problems.append(f"only {len(trials)} of {sizes.kill_trials} ingests could be killed before they finished")
    return {"line": line, "problems": problems, "trials": len(trials), "survived": survived}


def _fuzz(bot, settings: Settings, sizes: Sizes, work: Path, seed: int) -> dict:
    from evals.confinement import confined
    from evals.fuzzing import fuzz_ask, fuzz_ingest, fuzz_loaders

    with confined(work) as leftovers:
        reports = [fuzz_ask(bot, sizes.fuzz_questions, seed), fuzz_loaders(work / "loaders", sizes.fuzz_files, seed),
                   fuzz_ingest(work / "ingest", sizes.fuzz_corpora, seed, settings.embedding_model)]
        left = leftovers()
    cases = sum(report.cases for report in reports)
    parts = "; ".join(f"{r.name} {r.cases} ({r.refused} refused, {len(r.failures)} failed)" for r in reports)
    problems = [f"{r.name}: {failure}" for r in reports for failure in r.failures]
    problems += [f"left a file where nothing may be written: {path}" for path in left]
    if reports[0].refused:  # the index is sound: any question must get an answer or a decline
        problems.append(f"ask: {reports[0].refused} fuzzed questions raised a ChatbotError over a sound index")
    return {"line": f"{cases} cases tried: {parts}", "problems": problems, "cases": cases,
            "failures": sum(len(r.failures) for r in reports)}


def _injection(settings: Settings, work: Path) -> dict:
    from chatbot.bot import build_bot
    from evals.injection import poisoned_store, run_cases
    from ingest.ensure import ensure_index

    ensure_index(settings)
    poisoned, poison = poisoned_store(settings, work)
    report = run_cases(build_bot(poisoned), poison)
    line = f"{report.resisted} of {report.cases} injection cases resisted ({len(poison)} poisoned documents in the index)"
    return {"line": line, "problems": report.failures, "cases": report.cases, "resisted": report.resisted}


if __name__ == "__main__":
    sys.exit(main())
