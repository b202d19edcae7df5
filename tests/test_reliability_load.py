"""Several clients at once through `python app.py` while the index is rebuilt under it, and many voters at once:
nothing fails, nothing is lost or mixed, and every request's time is counted."""

from __future__ import annotations

import dataclasses

import pytest
from ui_helpers import serve

from chatbot.answer.markup import citation_fields
from chatbot.ui.feedback import FeedbackStore
from evals.load import LoadReport, app_process, check_chat, check_payload, rebuilding, reference_answers, run_load
from evals.runner import stored_texts
from evals.votes import vote_storm

# The CI size; `python -m evals.reliability` runs more clients and questions.
CLIENTS, PER_CLIENT = 4, 3
P95_BOUND_MS = 10_000


@pytest.fixture(scope="module")
def references(bot):
    answers = reference_answers(bot)
    assert [question for question, answer in answers.items() if answer.declined] == []
    return answers


@pytest.mark.slow
def test_clients_get_whole_answers_from_app_py_while_a_rebuild_replaces_the_index(bot, references, tmp_path):
    rebuilds = LoadReport(clients=0)
    with app_process(bot.settings, tmp_path) as (url, env), rebuilding(env, rebuilds):
        report = run_load(url, references, clients=CLIENTS, per_client=PER_CLIENT, stored=stored_texts(bot.settings),
                          timeout_s=400, until=lambda: rebuilds.rebuilds >= 1)
        swapped = rebuilds.rebuilds

    print(f"\n{report.requests} requests from {CLIENTS} clients in {report.seconds:.1f} s, {swapped} rebuilds: "
          f"p50 {report.percentile(0.5):.0f} ms, p95 {report.percentile(0.95):.0f} ms, errors {report.errors}")
    assert swapped >= 1, "an index built beside the app's replaced it while the clients asked"
    assert report.problems == [] and rebuilds.ingest_problems == []
    assert report.requests >= CLIENTS * PER_CLIENT and len(report.latencies_ms) == report.requests
    assert report.percentile(0.95) <= P95_BOUND_MS


@pytest.mark.slow
def test_a_wrong_or_failed_request_is_counted_with_its_time(bot, references, tmp_path):
    first = next(iter(references))
    wrong = {**references, first: dataclasses.replace(references[first], text="Something else [1].")}
    with serve(bot, bot.settings, feedback=FeedbackStore(tmp_path / "feedback.sqlite"), documents=[]) as demo:
        report = run_load(demo.local_url, wrong, clients=2, per_client=len(references), timeout_s=240)
    assert report.requests == 2 * len(references) == len(report.latencies_ms)
    assert report.errors == 2 and all(repr(first) in problem for problem in report.problems)


def test_the_answer_check_catches_cut_mixed_and_miscited_answers(bot, references):
    first, second = list(references.values())[:2]
    payload = {"answer": first.text, "declined": False, "notice": first.notice,
               "citations": [citation_fields(citation) for citation in first.citations]}
    stored = stored_texts(bot.settings)
    assert check_payload(payload, first, stored) == []

    cut = {**payload, "answer": first.text[: len(first.text) // 2]}
    mixed = {**payload, "answer": second.text}
    stray = {**payload, "answer": first.text + " [99]"}
    renumbered = {**payload, "citations": payload["citations"][::-1]}
    invented = {**payload, "citations": [{**payload["citations"][0], "passage": "Made up."}, *payload["citations"][1:]]}
    for broken in (cut, mixed, stray, renumbered, invented):
        assert check_payload(broken, first, stored), broken
    assert check_payload("Traceback (most recent call last)", first)
    assert check_chat([{"role": "assistant", "content": first.text[:20]}], first)


def test_percentiles_are_nearest_rank():
    report = LoadReport(clients=1, latencies_ms=[float(n) for n in range(100, 0, -1)])
    assert (report.percentile(0.5), report.percentile(0.95), report.percentile(1.0)) == (50.0, 95.0, 100.0)
    assert LoadReport(clients=1).percentile(0.95) == 0.0


def test_concurrent_votes_from_two_processes_are_all_kept(tmp_path):
    report = vote_storm(tmp_path / "feedback.sqlite", processes=2, threads=8, votes=50)

    print(f"\n{report.stored} votes from 16 writers in {report.seconds:.1f} s")
    assert (report.expected, report.stored, report.distinct) == (800, 800, 800)
