"""Fit the answer / partly / decline decision on the dev split and write it as data for the bot.

    python -m evals.fit_decision --questions evals/quality/questions/questions.jsonl \
        [--also evals/quality/questions/legacy.jsonl] [--features FEATURES.jsonl] [--out FILE]

Only rows whose split field is "dev" are read from --questions: the test split stays unseen. --also adds every row
of a file with no split, one that tuning may read. Without --features, each question's retrieval features are
measured with the bot (the index must exist). The logistic model is fitted first, then the decline's offset that
makes the decisions worth most (UTILITY).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from chatbot.answer.decision import FEATURES, OUTCOMES, DecisionModel

log = logging.getLogger(__name__)

# Beside the module that reads it, so the fitted numbers ship with the package.
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "chatbot" / "answer" / "decision_model.json"
# Fields an expected outcome may be given in, first found wins; else the answerable flag decides.
OUTCOME_FIELDS = ("expected_outcome", "outcome", "expect")
_OUTCOME_WORDS = {"answer": "answered", "answered": "answered", "partly": "partly", "partly answered": "partly",
                  "partial": "partly", "decline": "declined", "declined": "declined"}


def read_rows(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def split_rows(rows: Iterable[dict], split: str = "dev", split_field: str = "split") -> list[dict]:
    """The rows of one split; a file with no split field at all is refused, so no test row is fitted on."""
    rows = list(rows)
    if rows and not any(split_field in row for row in rows):
        raise ValueError(f"No row has a {split_field!r} field: split the question file first, so that the fit "
                         "reads the dev split only.")
    return [row for row in rows if row.get(split_field) == split]


def unsplit_rows(path: Path, split_field: str = "split") -> list[dict]:
    """Every row of a file that has no split; a file with one is refused, so no test row slips in through it."""
    rows = read_rows(path)
    if any(split_field in row for row in rows):
        raise ValueError(f"{path} has a {split_field!r} field: pass it as --questions, where only dev rows are read.")
    return rows


def expected_outcome(row: Mapping, outcome_fields: Sequence[str] = OUTCOME_FIELDS,
                     answerable_field: str = "answerable") -> str:
    """"answered", "partly" or "declined" as the row expects it."""
    for field in outcome_fields:
        value = row.get(field)
        if isinstance(value, str) and value.strip().lower() in _OUTCOME_WORDS:
            return _OUTCOME_WORDS[value.strip().lower()]
    if answerable_field in row:
        return "answered" if row[answerable_field] else "declined"
    raise ValueError(f"Row {row.get('id', '?')!r} names no expected outcome ({', '.join(outcome_fields)}) "
                     f"and no {answerable_field!r} flag.")


def fit(features: np.ndarray, outcomes: Sequence[str], names: Sequence[str] = FEATURES, l2: float = 0.01,
        steps: int = 3000, rate: float = 0.5) -> DecisionModel:
    """Multinomial logistic regression by gradient descent on standardised features, L2-regularised.

    Args:
        features: one row per question, one column per name in `names`.
        outcomes: each row's expected outcome; only outcomes that occur are modelled.
    """
    x = np.asarray(features, dtype=float)
    present = tuple(outcome for outcome in OUTCOMES if outcome in set(outcomes))
    if len(present) < 2:
        raise ValueError(f"The dev rows expect only {present}: fitting needs at least two outcomes.")
    y = np.eye(len(present))[[present.index(outcome) for outcome in outcomes]]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    weights, bias = np.zeros((len(present), x.shape[1])), np.zeros(len(present))
    # Classes are weighted by their inverse frequency, so a rare outcome (partly) is not simply ignored.
    class_weight = len(y) / (len(present) * y.sum(axis=0))
    sample_weight = (y * class_weight).sum(axis=1, keepdims=True)
    for _ in range(steps):
        logits = z @ weights.T + bias
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        error = (p - y) * sample_weight / len(y)
        weights -= rate * (error.T @ z + l2 * weights)
        bias -= rate * error.sum(axis=0)
    return DecisionModel(present, tuple(names), mean, scale, weights, bias)


# What each decision is worth for a question expecting another (rows: expected, decided). The expected outcome
# is worth 1. A cautious one is worth half: partly where an answer was expected (the answer is there, under a
# needless caveat), declined where partly was right (the reader learns the sources do not settle it). Partly where
# a decline was right is worth nothing: the first line is honest, but the "nearest rules" quoted after it are
# unrelated to the question. Answering what the sources do not settle, or declining what they answer, is worth
# nothing either.
CAUTIOUS = 0.5
UNRELATED = 0.0
UTILITY = {("answered", "answered"): 1.0, ("answered", "partly"): CAUTIOUS, ("answered", "declined"): 0.0,
           ("partly", "partly"): 1.0, ("partly", "declined"): CAUTIOUS, ("partly", "answered"): 0.0,
           ("declined", "declined"): 1.0, ("declined", "partly"): UNRELATED, ("declined", "answered"): 0.0}
OFFSET_GRID = np.arange(-3.0, 3.01, 0.25)
# Only the decline is offset. Saying what the sources do not settle is never traded for a better score, and
# "partly" is not to be widened either: a gap named in an answer the sources do give misleads the reader.
OFFSET_OUTCOMES = ("declined",)


def utility(model: DecisionModel, features: np.ndarray, outcomes: Sequence[str]) -> float:
    """Mean worth of the model's decisions, averaged within each expected outcome and then across them, so the
    many answerable questions of a question set do not outvote the few it expects declined."""
    names = model.features
    worth: dict[str, list[float]] = {}
    for row, expected in zip(np.asarray(features, dtype=float), outcomes):
        worth.setdefault(expected, []).append(UTILITY[(expected, model.decide(dict(zip(names, row))))])
    return float(np.mean([np.mean(values) for values in worth.values()])) if worth else 0.0


def fit_offsets(model: DecisionModel, features: np.ndarray, outcomes: Sequence[str]) -> DecisionModel:
    """The model with the decision offsets, from OFFSET_GRID, of highest `utility` on these rows.

    Only the outcomes in OFFSET_OUTCOMES are offset; among equal utilities the smallest offsets win.
    """
    others = [outcome for outcome in model.outcomes if outcome in OFFSET_OUTCOMES]
    best, best_key = model.with_offsets({}), None
    for values in itertools.product(OFFSET_GRID, repeat=len(others)):
        candidate = model.with_offsets(dict(zip(others, values)))
        key = (round(utility(candidate, features, outcomes), 9), -float(np.abs(values).sum()))
        if best_key is None or key > best_key:
            best, best_key = candidate, key
    return best


def accuracy(model: DecisionModel, features: np.ndarray, outcomes: Sequence[str]) -> float:
    names = model.features
    predicted = [model.decide(dict(zip(names, row))) for row in np.asarray(features, dtype=float)]
    return float(np.mean([p == o for p, o in zip(predicted, outcomes)])) if outcomes else 0.0


def measure_features(rows: Sequence[Mapping]) -> list[dict[str, float]]:
    """Each question's features as the bot measures them on the index of the current settings.

    Conversations are read as the bot reads them, which needs a fitted model to choose between reading the last
    turn alone or as a follow-up; without one they are read alone (fit twice to settle them).
    """
    from chatbot.answer import decision
    from chatbot.bot import build_bot
    from chatbot.settings import Settings
    from evals.quality.dataset import parse_history
    from evals.quality.runner import replay, warn_of_other_documents

    settings = Settings.from_env()
    warn_of_other_documents(settings)
    bot = build_bot(settings)
    bot.warm_up()
    try:
        decision.shipped()
        settled = True
    except FileNotFoundError:
        settled = False
    measured = []
    for row in rows:
        # The earlier turns are asked as the eval asks them, so the history holds the bot's own replies too.
        reading = bot.assess(row["question"], replay(bot, parse_history(row.get("history") or []))
                             if settled else ())
        measured.append(reading.features if reading else decision.features(0.0, 0.0, 0.0, 1.0))
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fit_decision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, required=True, help="question file (JSONL) with a split field")
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="a further question file, without a split, that tuning may read (e.g. the legacy "
                             "set); repeatable")
    parser.add_argument("--features", type=Path, help="JSONL of {id, feature: value, ...}; measured when absent")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the model file (default {DEFAULT_OUT})")
    parser.add_argument("--split-field", default="split")
    parser.add_argument("--split", default="dev", help="the split to fit on (default dev)")
    parser.add_argument("--answerable-field", default="answerable")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        rows = split_rows(read_rows(args.questions), args.split, args.split_field)
        rows += [row for path in args.also for row in unsplit_rows(path, args.split_field)]
        outcomes = [expected_outcome(row, answerable_field=args.answerable_field) for row in rows]
        if args.features:
            by_id = {str(row["id"]): row for row in read_rows(args.features)}
            values = [by_id[str(row["id"])] for row in rows]
        else:
            values = measure_features(rows)
        matrix = np.array([[float(value[name]) for name in FEATURES] for value in values])
        model = fit_offsets(fit(matrix, outcomes), matrix, outcomes)
    except (OSError, ValueError, KeyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    fitted_accuracy, fitted_utility = accuracy(model, matrix, outcomes), utility(model, matrix, outcomes)
    report = {"model": model.to_dict(), "fitted_on": {"questions": str(args.questions), "split": args.split,
                                                      "also": [str(path) for path in args.also],
                                                      "rows": len(rows), "accuracy": round(fitted_accuracy, 4),
                                                      "utility": round(fitted_utility, 4)}}
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"Fitted on {len(rows)} {args.split} questions: accuracy {fitted_accuracy:.3f}, utility "
          f"{fitted_utility:.3f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
