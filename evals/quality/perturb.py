"""Typo variants of a question set: one or two dropped, swapped or doubled letters in the longer words, seeded."""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Sequence

from evals.quality.dataset import Question

# Words this long or longer take typos: short words are rarely mistyped in a way that still reads as a question.
MIN_WORD_LETTERS = 5
OPERATIONS = ("drop", "swap", "double")
DEFAULT_SEED = 0
_WORD = re.compile(rf"[^\W\d_]{{{MIN_WORD_LETTERS},}}")


def parse_spec(spec: str) -> int:
    """The seed of a `--perturb` value: "typos" (seed 0) or "typos:SEED".

    Raises:
        ValueError: for any other kind of perturbation or a seed that is not a whole number.
    """
    kind, _, seed = spec.partition(":")
    if kind != "typos":
        raise ValueError(f"unknown perturbation {spec!r}; use typos or typos:SEED (for example typos:3).")
    if not seed:
        return DEFAULT_SEED
    try:
        return int(seed)
    except ValueError:
        raise ValueError(f"the seed in --perturb {spec!r} must be a whole number, as in typos:3.") from None


def add_typos(text: str, rng: random.Random) -> str:
    """`text` with one or two typos, each in a different word of at least MIN_WORD_LETTERS letters.

    The first letter of a word is never touched, as people rarely mistype it. Text without such words comes back
    unchanged.
    """
    words = list(_WORD.finditer(text))
    if not words:
        return text
    chosen = rng.sample(words, min(rng.choice((1, 2)), len(words)))
    for match in sorted(chosen, key=lambda m: m.start(), reverse=True):  # right to left keeps earlier offsets valid
        text = text[: match.start()] + mistype(match.group(), rng) + text[match.end():]
    return text


def mistype(word: str, rng: random.Random) -> str:
    """One drop, swap of two neighbouring letters, or doubled letter in `word` (never at its first letter)."""
    operation = rng.choice(OPERATIONS)
    if operation == "swap":
        positions = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
        if positions:
            i = rng.choice(positions)
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        operation = "drop"  # every neighbouring pair is the same letter: a swap would change nothing
    i = rng.randrange(1, len(word))
    if operation == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def with_typos(questions: Sequence[Question], seed: int) -> list[Question]:
    """Each question with typos in its last turn; the same seed and id always give the same variant."""
    return [
        dataclasses.replace(question, question=add_typos(question.question, random.Random(f"{seed}:{question.id}")))
        for question in questions
    ]
