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
QUESTIONS, FILES, CORPORA, REQUESTS = 60, 150, 8, 80
SEED = 20251125


def corpus_snapshot() -> dict[str, float]:
    return {str(path): path.stat().st_mtime for path in CORPUS.rglob("*")}


def fuzz_confined(tmp_path: Path, fuzz: Callable[[], FuzzReport]) -> FuzzReport:
    """Run `fuzz` in empty current and temp folders; it must break no rule and leave nothing there or in corpus/."""
    before = corpus_snapshot()
    with confined(tmp_path) as leftovers:
        report = fuzz()
        left = leftovers()
    print(f"\n{report.name}: {report.inputs} distinct inputs, {report.checks} checks, {report.refused} refused")
    assert report.failures == []
    assert left == [], "nothing is written to the current or temp folder"
    assert corpus_snapshot() == before
    return report


@pytest.mark.slow
def test_random_questions_get_a_sound_answer_or_a_chatbot_error(bot, tmp_path):
    bot.ask("warm up")  # the model and index load outside the confined folders
    report = fuzz_confined(tmp_path, lambda: fuzz_ask(bot, QUESTIONS, seed=SEED))
    assert report.checks == 2 * QUESTIONS, "each input is asked and retrieved"
    assert QUESTIONS * 0.8 <= report.inputs <= QUESTIONS, "inputs are counted once, however often they come"
    assert report.refused == 0, "over a sound index no question is an error"


def test_random_files_load_or_fail_with_an_ingest_error(tmp_path):
    work = tmp_path / "work"
    report = fuzz_confined(tmp_path, lambda: fuzz_loaders(work, FILES, seed=SEED))
    assert report.checks == 2 * FILES and FILES * 0.8 <= report.inputs <= FILES
    assert 0 < report.refused < report.checks, "some random files load, others are refused"
    assert tree(work) == {"files"}, "each file written for a case is gone after it"


@pytest.mark.slow
def test_corpora_of_random_files_ingest_and_answer_without_writing_outside_their_data_folders(tmp_path, embedder):
    work = tmp_path / "work"
    report = fuzz_confined(tmp_path, lambda: fuzz_ingest(work, CORPORA, seed=SEED))
    assert report.checks == CORPORA + 1  # one explicit case: a corpus without a single indexable word
    top = {path.split("/")[0] for path in tree(work)}
    assert top == {f"{kind}-{n}" for kind in ("corpus", "data") for n in range(1, report.checks + 1)}


@pytest.mark.slow
def test_random_requests_to_the_running_app_get_no_error_page_and_leave_it_answering(bot, tmp_path):
    from ui_helpers import serve

    from chatbot.ui.feedback import FeedbackStore
    from evals.fuzz_http import fuzz_http

    with serve(bot, bot.settings, feedback=FeedbackStore(tmp_path / "feedback.sqlite"), documents=[]) as demo:
        report = fuzz_http(demo.local_url, REQUESTS, seed=SEED)
    print(f"\nhttp: {report.inputs} distinct inputs, {report.checks} checks")
    assert report.failures == []
    assert report.checks == 2 * REQUESTS and report.inputs >= REQUESTS


def test_the_answer_check_can_fail(bot):
    answer = bot.ask("Can I use Midjourney for mood boards?")
    assert check_answer(answer, 2000) == []

    assert check_answer(dataclasses.replace(answer, text=answer.text + " [9]"), 2000)
    assert check_answer(dataclasses.replace(answer, citations=answer.citations[1:]), 2000)
    assert check_answer(dataclasses.replace(answer, declined=True), 2000)
    assert check_answer(dataclasses.replace(answer, question="x" * 2001), 2000)
    assert check_answer(dataclasses.replace(answer, question="bell \x07"), 2000)
    assert check_answer("Traceback", 2000)
