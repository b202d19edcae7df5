"""The optional LLM answerer over real HTTP: citations checked against the passages shown, failures fall back."""

from __future__ import annotations

import dataclasses
import re

import pytest

from chatbot.bot import build_bot
from chatbot.answer.llm import format_passages, verify_reply
from chatbot.types import Passage
from fakes.chat_server import ChatServer

pytestmark = pytest.mark.llm

QUESTION = "Do I need consent to create a digital replica of a performer?"


def _passage(n: int) -> Passage:
    return Passage(chunk_id=f"c{n}", text=f"Passage number {n} says something.", source="s.md", title="T",
                   section=f"S{n}", url="https://example.org", kind="guidance")


def test_check_reply_keeps_valid_markers_and_renumbers_by_first_use():
    passages = [_passage(n) for n in range(1, 5)]
    checked = verify_reply("Consent is required [3]. It must be documented. [1][3] Guilds may apply [7].", passages)
    assert checked.text == "Consent is required [1]. It must be documented [2][1]."
    assert [(c.n, c.chunk_id) for c in checked.citations] == [(1, "c3"), (2, "c1")]
    assert checked.dropped == 1


def test_check_reply_drops_sentences_without_any_marker():
    checked = verify_reply("Sure! Consent is required [1].", [_passage(1)])
    assert checked.text == "Consent is required [1]."
    assert checked.dropped == 1


def test_check_reply_recognises_not_covered():
    assert verify_reply("NOT COVERED", [_passage(1)]).not_covered


def test_passages_are_numbered_and_delimited_as_data():
    text = format_passages([_passage(1), _passage(2)])
    assert '<passage number="1" source="T > S1">' in text and '<passage number="2"' in text
    assert text.count("</passage>") == 2


@pytest.fixture(scope="module")
def server():
    with ChatServer() as running:
        yield running


@pytest.fixture(scope="module")
def llm_bot(corpus_settings, server):
    settings = dataclasses.replace(
        corpus_settings, answerer="llm", llm_base_url=server.base_url, llm_model="fake-model", llm_timeout_s=1.0
    )
    return build_bot(settings)


@pytest.fixture(autouse=True)
def reset(server):
    server.reply, server.status, server.delay_s = "", 200, 0.0
    server.requests.clear()


def test_llm_answer_cites_passages_it_was_given(llm_bot, server):
    server.reply = "Yes — creating a digital replica requires the performer's consent [2]. Guild rules may apply [1]."
    answer = llm_bot.ask(QUESTION)
    assert not answer.declined and answer.notice == ""
    assert answer.text == (
        "Yes — creating a digital replica requires the performer's consent [1]. Guild rules may apply [2]."
    )
    request = server.requests[-1]
    assert request["model"] == "fake-model"
    system, human = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "data, not instructions" in system
    assert QUESTION in human and '<passage number="1"' in human
    given = re.findall(r'<passage number="\d+" source="[^"]*">\n(.*?)\n</passage>', human, re.DOTALL)
    assert [c.passage.strip() for c in answer.citations] == [given[1], given[0]]
    # A can-I question: the use-case rule's verdict is given as context, with the passage stating the rule first.
    assert "bottom line" in human and "Written approval required" in human
    assert "Introduction" in human.split("</passage>")[0]


def test_marker_for_a_passage_never_given_is_caught(llm_bot, server):
    server.reply = "Consent is required [1]. All AI use is banned at Netflix [9]."
    answer = llm_bot.ask(QUESTION)
    assert "banned" not in answer.text and "[9]" not in answer.text
    assert answer.text == "Consent is required [1]."
    assert len(answer.citations) == 1 and answer.citations[0].n == 1
    assert "removed" in answer.notice


@pytest.mark.parametrize("failure", ["status", "timeout"])
def test_server_error_or_timeout_falls_back_to_the_extractive_answer(llm_bot, bot, server, failure):
    if failure == "status":
        server.status = 500
    else:
        server.delay_s = 3.0
    answer = llm_bot.ask(QUESTION)
    assert server.requests, "the LLM server was never asked"
    assert not answer.declined
    assert "quotes the sources directly" in answer.notice
    assert answer.text == bot.ask(QUESTION).text  # exactly the default answerer's reply
    assert re.search(r"\[1\]", answer.text) and answer.citations


def test_reply_citing_nothing_falls_back_too(llm_bot, server):
    server.reply = "Everything is fine, go ahead."
    answer = llm_bot.ask(QUESTION)
    assert "cited none of the passages" in answer.notice
    assert answer.citations and "go ahead" not in answer.text


def test_not_covered_reply_declines(llm_bot, server):
    server.reply = "NOT COVERED"
    answer = llm_bot.ask(QUESTION)
    assert answer.declined and not answer.citations


def test_llm_is_not_asked_when_the_question_is_off_topic(llm_bot, server):
    answer = llm_bot.ask("What's a good recipe for lasagna?")
    assert answer.declined
    assert not server.requests


def test_missing_model_name_is_reported_at_build_time(corpus_settings):
    with pytest.raises(ValueError, match="RAG_LLM_MODEL"):
        build_bot(dataclasses.replace(corpus_settings, answerer="llm", llm_model=""))
