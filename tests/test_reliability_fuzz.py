"""Property-based fuzzing of ask() and the loaders: only ChatbotError or a sound result, and nothing written elsewhere."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from evals.confinement import confined, tree
from evals.fuzzing import FuzzReport, check_answer, fuzz_ask, fuzz_ingest, fuzz_loaders

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# The CI sizes; `python -m evals.reliability` runs hundreds of each.
QUESTIONS, FILES, CORPORA = 60, 150, 8
SEED = 20251125


def corpus_snapshot() -> dict[str, float]:
    return {str(path): path.stat().st_mtime for path in CORPUS.rglob("*")}


def fuzz_confined(tmp_path: Path, fuzz: Callable[[], FuzzReport]) -> FuzzReport:
    """Run `fuzz` in empty current and temp folders; it must break no rule and leave nothing there or in corpus/."""
    before = corpus_snapshot()
    with confined(tmp_path) as leftovers:
        report = fuzz()
        left = leftovers()
    print(f"\n{report.name}: {report.cases} cases, {report.refused} refused with a ChatbotError")
    assert report.failures == []
    assert left == [], "nothing is written to the current or temp folder"
    assert corpus_snapshot() == before
    return report


@pytest.mark.slow
def test_random_questions_get_a_sound_answer_or_a_chatbot_error(bot, tmp_path):
    bot.ask("warm up")  # the model and index load outside the confined folders
    report = fuzz_confined(tmp_path, lambda: fuzz_ask(bot, QUESTIONS, seed=SEED))
    assert report.cases == 2 * QUESTIONS
    assert report.refused == 0, "over a sound index no question is an error"


def test_random_files_load_or_fail_with_an_ingest_error(tmp_path):
    work = tmp_path / "work"
    report = fuzz_confined(tmp_path, lambda: fuzz_loaders(work, FILES, seed=SEED))
    assert report.cases == 2 * FILES
    assert 0 < report.refused < report.cases, "some random files load, others are refused"
    assert tree(work) == {"files"}, "each file written for a case is gone after it"


@pytest.mark.slow
def test_corpora_of_random_files_ingest_and_answer_without_writing_outside_their_data_folders(tmp_path, embedder):
    work = tmp_path / "work"
    report = fuzz_confined(tmp_path, lambda: fuzz_ingest(work, CORPORA, seed=SEED))
    assert report.cases == CORPORA + 1  # one explicit case: a corpus without a single indexable word
    top = {path.split("/")[0] for path in tree(work)}
    assert top == {f"{kind}-{n}" for kind in ("corpus", "data") for n in range(1, report.cases + 1)}


def test_the_answer_check_can_fail(bot):
    answer = bot.ask("Can I use Midjourney for mood boards?")
    assert check_answer(answer, 2000) == []

    assert check_answer(dataclasses.replace(answer, text=answer.text + " [9]"), 2000)
    assert check_answer(dataclasses.replace(answer, citations=answer.citations[1:]), 2000)
    assert check_answer(dataclasses.replace(answer, declined=True), 2000)
    assert check_answer(dataclasses.replace(answer, question="x" * 2001), 2000)
    assert check_answer(dataclasses.replace(answer, question="bell \x07"), 2000)
    assert check_answer("Traceback", 2000)
