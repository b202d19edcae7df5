"""Several clients at once through the running app, and many voters at once: nothing fails, nothing is lost or mixed."""

from __future__ import annotations

import dataclasses

import pytest
from ui_helpers import serve

from chatbot.ui.feedback import FeedbackStore
from evals.load import LoadReport, check_chat, check_payload, reference_answers, run_load
from evals.runner import stored_texts
from evals.votes import vote_storm

# The CI size; `python -m evals.reliability` runs 16 clients x 10 questions.
CLIENTS, PER_CLIENT = 8, 3


@pytest.fixture(scope="module")
def references(bot):
    answers = reference_answers(bot)
    assert [question for question, answer in answers.items() if answer.declined] == []
    return answers


@pytest.mark.slow
def test_concurrent_clients_all_get_whole_correctly_cited_answers(bot, references, tmp_path):
    with serve(bot, bot.settings, feedback=FeedbackStore(tmp_path / "feedback.sqlite")) as demo:
        report = run_load(demo.local_url, references, clients=CLIENTS, per_client=PER_CLIENT,
                          stored=stored_texts(bot.settings), timeout_s=240)

    print(f"\n{report.requests} requests from {CLIENTS} clients in {report.seconds:.1f} s: "
          f"p50 {report.percentile(0.5):.0f} ms, p95 {report.percentile(0.95):.0f} ms, errors {report.errors}")
    assert report.problems == []
    assert report.requests == CLIENTS * PER_CLIENT
    assert len(report.latencies_ms) == report.requests
    assert 0 < report.percentile(0.5) <= report.percentile(0.95) <= max(report.latencies_ms)


def test_the_answer_check_catches_cut_mixed_and_miscited_answers(bot, references):
    first, second = list(references.values())[:2]
    payload = {"answer": first.text, "declined": False, "notice": first.notice,
               "citations": [dataclasses.asdict(citation) for citation in first.citations],
               "sources_html": "".join(f'<article class="source-card" id="source-{c.n}" data-n="{c.n}">'
                                       for c in first.citations)}
    stored = stored_texts(bot.settings)
    assert check_payload(payload, first, stored) == []

    cut = {**payload, "answer": first.text[: len(first.text) // 2]}
    mixed = {**payload, "answer": second.text}
    stray = {**payload, "answer": first.text + " [99]"}
    renumbered = {**payload, "citations": payload["citations"][::-1]}
    invented = {**payload, "citations": [{**payload["citations"][0], "passage": "Made up."}, *payload["citations"][1:]]}
    no_cards = {**payload, "sources_html": ""}
    for broken in (cut, mixed, stray, renumbered, invented, no_cards):
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
