"""Typo variants: one or two drops, swaps or doubled letters in words of five letters or more, the same for a seed."""

from __future__ import annotations

import random
import re

import pytest

from evals.quality.dataset import Question
from evals.quality.perturb import DEFAULT_SEED, add_typos, mistype, parse_spec, with_typos

QUESTION = "Do we need written approval before using generative tools for storyboards?"


def question(id: str, text: str = QUESTION) -> Question:
    return Question(id=id, question=text, answerable=True, must_mention=(("approval",),), topic="t", expected="e")


def one_typo_apart(clean: str, typo: str) -> bool:
    """True when `typo` is `clean` with one letter dropped, two neighbours swapped, or one letter doubled."""
    if len(typo) == len(clean) - 1:
        return any(clean[:i] + clean[i + 1:] == typo for i in range(len(clean)))
    if len(typo) == len(clean) + 1:
        return any(clean[:i] + clean[i] + clean[i:] == typo for i in range(len(clean)))
    return len(typo) == len(clean) and any(
        clean[:i] + clean[i + 1] + clean[i] + clean[i + 2:] == typo for i in range(len(clean) - 1))


def test_parse_spec():
    assert parse_spec("typos") == DEFAULT_SEED == 0
    assert parse_spec("typos:7") == 7
    with pytest.raises(ValueError, match="unknown perturbation 'spaces'"):
        parse_spec("spaces")
    with pytest.raises(ValueError, match="must be a whole number"):
        parse_spec("typos:x")


def test_mistype_by_hand():
    class Fixed(random.Random):
        """choice() returns the named operation; positions are the first allowed."""

        def __init__(self, operation):
            super().__init__(0)
            self.operation = operation

        def choice(self, options):
            return self.operation if self.operation in options else options[0]

        def randrange(self, start, stop=None):
            return start

    assert mistype("approval", Fixed("drop")) == "aproval"
    assert mistype("approval", Fixed("double")) == "appproval"
    assert mistype("approval", Fixed("swap")) == "aprpoval"  # "pp" is skipped: swapping it changes nothing
    assert mistype("aaaaa", Fixed("swap")) == "aaaa"  # no pair to swap: a drop instead


def test_variants_are_deterministic_per_seed_and_id():
    questions = [question(f"q{n}") for n in range(20)]
    first, again = with_typos(questions, 3), with_typos(questions, 3)
    assert [q.question for q in first] == [q.question for q in again]
    assert [q.question for q in with_typos(questions[5:6], 3)] == [first[5].question]  # no dependence on order
    other = with_typos(questions, 4)
    assert sum(a.question != b.question for a, b in zip(first, other)) >= 10
    assert with_typos([question("golden")], 0)[0].question == (
        "Do we need written approval before using geenrative tools for storyboards?")
    assert [q.id for q in first] == [q.id for q in questions] and first[0].must_mention == questions[0].must_mention


def test_each_variant_has_one_or_two_typos_in_long_words_and_keeps_first_letters():
    counts = set()
    for seed in range(40):
        typo = add_typos(QUESTION, random.Random(seed))
        clean_words, typo_words = QUESTION.split(" "), typo.split(" ")
        assert len(clean_words) == len(typo_words)
        changed = [(c, t) for c, t in zip(clean_words, typo_words) if c != t]
        counts.add(len(changed))
        for clean, mistyped in changed:
            assert len(re.sub(r"\W", "", clean)) >= 5 and clean[0] == mistyped[0]
            assert one_typo_apart(clean, mistyped), (clean, mistyped)
    assert counts == {1, 2}


def test_text_without_long_words_is_unchanged():
    assert add_typos("is it ok?", random.Random(1)) == "is it ok?"
    assert add_typos("🤖🎬 1234567", random.Random(1)) == "🤖🎬 1234567"
