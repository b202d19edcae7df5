"""Fit how the extractive answerer scores and chooses sentences on the dev split, and write the weights as data.

    python -m evals.fit_selection --questions evals/quality/questions/questions.jsonl \
        [--also evals/quality/questions/legacy.jsonl] [--rounds 2] [--out FILE]

Only answerable rows whose split is "dev" are read from --questions: the test split stays unseen. --also adds the
answerable rows of a file with no split. Each candidate set of weights answers every question through the bot's
own ask() (the index must exist), and is worth the mean of two shares: questions whose must-mention groups the
answer and its cited passages hold, and questions whose answer text alone holds them (evals/README.md).

The fit is coordinate ascent over GRID, from the weights shipped now: each weight in turn takes the grid value
worth most, the others held, for --rounds rounds. Among equal worths the value nearest the current one wins, so a
weight the questions do not bear on stays where it is. Two-fold cross-validation within the rows (each half
fitted, then scored on the other) reports how much of the gain holds on questions the fit did not see; when none
does, the fit only learned its questions, and the weights it started from are written back unchanged.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from chatbot.answer.extractive import WEIGHTS_FILE, Weights, shipped_weights, using
from evals.quality.dataset import Question, load_questions

log = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "chatbot" / "answer" / WEIGHTS_FILE
GRID: dict[str, tuple[float, ...]] = {
    "overlap": (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5),
    "rank": (0.0, 0.025, 0.05, 0.1, 0.15),
    "keep_ratio": (0.6, 0.7, 0.75, 0.8, 0.85, 0.9),
    "context_ratio": (0.4, 0.5, 0.6, 0.7, 0.8),
    "repeat_from": (0.3, 0.4, 0.5, 0.6, 0.7),
    "repeat_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
    "coverage": (0.0, 0.1, 0.2, 0.3, 0.4),
    "focus_ranks": (1, 2, 3, 4, 6),
    "floor_ratio": (0.6, 0.7, 0.75, 0.8, 0.9),
    "floor_words": (0.2, 0.3, 0.4, 0.5, 0.6),
    "definition": (0.0, 0.05, 0.1, 0.15, 0.2),
    "reported": (0.0, 0.04, 0.08, 0.12, 0.16),
    "new_passage": (0.0, 0.025, 0.05, 0.1, 0.15, 0.2),
    "next_sentence": (0.0, 0.025, 0.05, 0.1, 0.15),
    "heading": (0.0, 0.05, 0.1, 0.15, 0.2),
}
Worth = Callable[[Weights, Sequence[Question]], float]


def answerable_rows(path: Path, split: str | None) -> list[Question]:
    """The answerable questions of a file with must-mention groups: those of `split`, or all when it is None."""
    return [q for q in load_questions(path) if q.answerable and q.must_mention and (split is None or q.split == split)]


def bot_worth(bot, store: set[str], k: int) -> Worth:
    """Mean of the coverage and answer-text shares of `questions`, answered by `bot` with the given weights."""
    from evals.quality.runner import run_one

    def worth(weights: Weights, questions: Sequence[Question]) -> float:
        with using(weights):
            scores = [run_one(bot, question, store, k=k)["scores"] for question in questions]
        if not scores:
            return 0.0
        return sum(bool(s["must_mention_ok"]) + bool(s["answer_text_ok"]) for s in scores) / (2 * len(scores))

    return worth


def coordinate_ascent(start: Weights, questions: Sequence[Question], worth: Worth, rounds: int = 2,
                      grid: dict[str, tuple[float, ...]] = GRID) -> tuple[Weights, float]:
    """The weights, reached one coordinate at a time from `start`, worth most on `questions`; and that worth."""
    best, best_worth = start, worth(start, questions)
    for round_number in range(rounds):
        moved = False
        for name, values in grid.items():
            current = getattr(best, name)
            tried = {value: best_worth if value == current else worth(dataclasses.replace(best, **{name: value}),
                                                                       questions) for value in values}
            value = max(tried, key=lambda v: (round(tried[v], 9), -abs(v - current)))
            if value != current:
                log.info("round %d: %s %s -> %s (%.4f -> %.4f)", round_number + 1, name, current, value, best_worth,
                         tried[value])
                best, best_worth, moved = dataclasses.replace(best, **{name: value}), tried[value], True
        if not moved:
            break
    return best, best_worth


def halves(questions: Sequence[Question]) -> tuple[list[Question], list[Question]]:
    """A fixed two-way split of the rows by a digest of their ids, for cross-validation."""
    first, second = [], []
    for question in questions:
        (first if hashlib.sha256(question.id.encode()).digest()[0] % 2 == 0 else second).append(question)
    return first, second


def cross_validate(start: Weights, questions: Sequence[Question], worth: Worth, rounds: int,
                   grid: dict[str, tuple[float, ...]] = GRID) -> dict[str, float]:
    """Worth on each half of the weights fitted on the other half, against the starting weights' worth there."""
    first, second = halves(questions)
    fitted_on_first, _ = coordinate_ascent(start, first, worth, rounds, grid)
    fitted_on_second, _ = coordinate_ascent(start, second, worth, rounds, grid)
    held_out = (worth(fitted_on_first, second) * len(second) + worth(fitted_on_second, first) * len(first))
    before = worth(start, first) * len(first) + worth(start, second) * len(second)
    total = len(questions) or 1
    return {"held_out_before": round(before / total, 4), "held_out_after": round(held_out / total, 4)}


def choose(start: Weights, fitted: Weights, checked: dict[str, float]) -> tuple[Weights, bool]:
    """The weights to ship, and whether they are the start: a fit whose gain does not hold on the questions it did
    not see only learned its own questions."""
    kept = bool(checked) and checked["held_out_after"] <= checked["held_out_before"]
    return (start if kept else fitted), kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fit_selection", description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, required=True, help="question file (JSONL) with a split field")
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="a further question file, without a split, that tuning may read; repeatable")
    parser.add_argument("--split", default="dev", help="the split to fit on (default dev)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the weights (default 2)")
    parser.add_argument("--weights", default=",".join(GRID),
                        help="comma-separated names of the weights to fit; the others keep their values "
                             "(default: all of GRID)")
    parser.add_argument("--no-cross-validation", action="store_true", help="skip the two-fold check (faster)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the weights file (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        questions = answerable_rows(args.questions, args.split)
        questions += [q for path in args.also for q in answerable_rows(path, None)]
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not questions:
        print(f"error: no answerable {args.split} questions with must_mention groups in {args.questions}",
              file=sys.stderr)
        return 1

    from chatbot.bot import build_bot
    from chatbot.settings import Settings
    from evals.quality.runner import stored_texts, warn_of_other_documents

    names = [name.strip() for name in args.weights.split(",") if name.strip()]
    unknown = sorted(set(names) - set(GRID))
    if unknown or not names:
        print(f"error: unknown weights {unknown}; choose from {', '.join(GRID)}", file=sys.stderr)
        return 1
    grid = {name: GRID[name] for name in names}
    settings = Settings.from_env()
    warn_of_other_documents(settings)
    bot = build_bot(settings)
    bot.warm_up()
    worth = bot_worth(bot, stored_texts(settings), settings.top_k)
    start = shipped_weights()
    checked = {} if args.no_cross_validation else cross_validate(start, questions, worth, args.rounds, grid)
    before = worth(start, questions)
    fitted, after = coordinate_ascent(start, questions, worth, args.rounds, grid)
    chosen, kept = choose(start, fitted, checked)
    report = {"weights": chosen.to_dict(),
              "fitted_on": {"questions": str(args.questions), "split": args.split,
                            "also": [str(path) for path in args.also], "rows": len(questions), "rounds": args.rounds,
                            "fitted": names, "worth_before": round(before, 4), "worth_after": round(after, 4),
                            **checked, "kept_the_start": kept}}
    if kept:
        report["fitted_on"]["rejected"] = fitted.to_dict()
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    held = (f"; held out {checked['held_out_before']:.3f} -> {checked['held_out_after']:.3f}" if checked else "")
    verdict = "no gain on held-out questions, kept the weights it started from" if kept else "wrote the fitted weights"
    print(f"Fitted on {len(questions)} answerable {args.split} questions: worth {before:.3f} -> {after:.3f}{held}; "
          f"{verdict} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
