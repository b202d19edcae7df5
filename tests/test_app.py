"""The chat window through Gradio's own Python client: cited answers, streaming, bad input, load, login."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import re

import httpx
import pytest
from ui_helpers import free_port, serve

from chatbot.ui.feedback import FeedbackStore
from chatbot.ui.render import cited_numbers
from chatbot.ui.ui import EMPTY_QUESTION, GENERIC_FAILURE

pytestmark = pytest.mark.slow

QUESTION = "Can AI-generated signage appear in the background of a scene?"


@pytest.fixture(scope="module")
def app(bot, tmp_path_factory):
    with serve(bot, bot.settings, feedback=FeedbackStore(tmp_path_factory.mktemp("votes") / "feedback.sqlite")) as demo:
        yield demo


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app.local_url, verbose=False)


def test_a_question_returns_an_answer_with_numbered_sources(client):
    result = client.predict(QUESTION, api_name="/ask")

    assert result["declined"] is False
    numbers = [citation["n"] for citation in result["citations"]]
    assert numbers and numbers == list(range(1, len(numbers) + 1))
    assert set(cited_numbers(result["answer"])) <= set(numbers) and cited_numbers(result["answer"])
    first = result["citations"][0]
    assert first["title"] and first["passage"] and first["url"].startswith("https://")
    assert "sources_html" not in result, "the API answers with plain text and structured citations"


def test_the_chat_streams_the_answer_and_fills_the_sources_panel(client):
    job = client.submit(QUESTION, [], api_name="/chat")
    history, _, sources = job.result(timeout=120)

    assert job.outputs()[0][1] == "", "the question box is emptied as soon as the question is taken"
    answers = [_text(outputs[0][-1]) for outputs in job.outputs() if outputs[0] and outputs[0][-1]["role"] == "assistant"]
    assert len(set(answers)) >= 3, "the answer should arrive in several growing chunks"
    assert _text(history[0]) == QUESTION and history[-1]["role"] == "assistant"
    cards = re.findall(r'data-n="(\d+)"', _value(sources))
    assert cards and set(map(str, cited_numbers(_text(history[-1])))) <= set(cards)


def test_a_follow_up_sees_the_conversation(client):
    first = client.submit("Do we need written approval for a digital double of our lead?", [], api_name="/chat")
    history, _, _ = first.result(timeout=120)
    follow_up = client.submit("What about for background extras?", history, api_name="/chat")
    history, _, _ = follow_up.result(timeout=120)

    alone = client.predict("What about for background extras?", api_name="/ask")["answer"]

    answers = [message for message in history if not message.get("metadata")]  # folded sources aside
    assert [message["role"] for message in answers] == ["user", "assistant", "user", "assistant"]
    assert [message["metadata"]["title"] for message in history if message.get("metadata")] == [
        "Sources for answer 1", "Sources for answer 2"]
    # Read with the question before it, the follow-up is answered about digital doubles too, and differently from
    # the same words asked alone.
    assert "digital double" in _text(answers[-1]).lower() or "digital replica" in _text(answers[-1]).lower()
    assert alone not in _text(answers[-1])


def test_a_question_outside_the_documents_is_declined_without_sources(client):
    result = client.predict("What is the best pizza topping in Naples?", api_name="/ask")

    assert result["declined"] is True
    assert result["citations"] == []


@pytest.mark.parametrize("question", ["", "   \n  "])
def test_an_empty_question_gets_a_friendly_message(client, question):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=re.escape(EMPTY_QUESTION)):
        client.predict(question, api_name="/ask")
    history, _, _ = client.submit(question, [], api_name="/chat").result(timeout=60)
    assert not _history_list(history), "an empty question adds nothing to the conversation"


@pytest.mark.parametrize(
    "question",
    [
        "Can I use Midjourney for mood boards? " * 1400,  # a 50,000-character paste
        "🎬🤖 Can we use AI for storyboards? 🎨✨",
        "هل يمكننا استخدام الذكاء الاصطناعي في المؤثرات البصرية؟ Can we use AI for visual effects?",
        "<script>alert(1)</script> Can AI-generated signage appear in the background of a scene?",
    ],
    ids=["long-paste", "emoji", "right-to-left", "markup"],
)
def test_awkward_input_gets_a_normal_answer(client, question):
    result = client.predict(question, api_name="/ask")
    history, _, _ = client.submit(question, [], api_name="/chat").result(timeout=120)

    assert result["answer"].strip()
    if len(question) > 2000:
        assert result["notice"], "a cut question says so"
    reply = _text(history[-1])
    assert reply.strip() and reply != "…" and "Traceback" not in reply
    assert "<script>" not in _text(history[0])


def test_concurrent_questions_are_all_answered(app, client, bot):
    questions = ["Can I use Midjourney for mood boards?", "Can we train a model on a famous painter's work?",
                 "What happened with What Jennifer Did?", "Can AI-generated signage appear in the background of a scene?",
                 "Do we need written approval for a digital double of our lead?", "Can I use AI for subtitles?"]
    jobs = [client.submit(question, api_name="/ask") for question in questions]
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda job: job.result(timeout=180), jobs))

    # Each reply is its own question's, as the bot reads it ("mood boards" is searched as the documents' "moodboards").
    assert [result["question"] for result in results] == [bot.ask(question).question for question in questions]
    assert all(result["answer"].strip() for result in results)
    assert app._queue.default_concurrency_limit == bot.settings.concurrency_limit > 1


def test_a_missing_index_is_explained_in_the_window(make_settings):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from chatbot.bot import build_bot

    settings = make_settings()  # an empty data folder
    with serve(build_bot(settings), settings, documents=[]) as demo:
        client = Client(demo.local_url, verbose=False)
        with pytest.raises(AppError, match="No index in .*Run `python -m ingest` first"):
            client.predict(QUESTION, api_name="/ask")
        history, _, sources = client.submit(QUESTION, [], api_name="/chat").result(timeout=60)

    assert re.search(r"No index in .*Run `python -m ingest` first", _text(history[-1]))
    assert "source-card" not in _value(sources)


def test_an_unexpected_failure_shows_a_generic_message_not_a_trace(corpus_settings, tmp_path):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from chatbot.bot import build_bot

    missing_model = tmp_path / "no-such-model"
    settings = dataclasses.replace(corpus_settings, embedding_model=str(missing_model))
    with serve(build_bot(settings), settings, documents=[]) as demo:
        client = Client(demo.local_url, verbose=False)
        with pytest.raises(AppError, match=re.escape(GENERIC_FAILURE)):
            client.predict(QUESTION, api_name="/ask")
        history, _, _ = client.submit(QUESTION, [], api_name="/chat").result(timeout=60)

    assert _text(history[-1]) == GENERIC_FAILURE
    assert str(missing_model) not in _text(history[-1])


def test_with_a_login_set_the_page_and_api_are_refused_without_it(bot, tmp_path):
    from gradio_client import Client

    settings = dataclasses.replace(bot.settings, auth_user="crew", auth_password="s3cret-Pass")
    with serve(bot, settings, documents=[], feedback=FeedbackStore(tmp_path / "feedback.sqlite")) as demo:
        url = demo.local_url
        assert httpx.get(url + "config").status_code == 401
        assert httpx.post(url + "gradio_api/queue/join", json={"data": [QUESTION], "fn_index": 0,
                                                               "session_hash": "x"}).status_code == 401
        with pytest.raises(Exception, match="(?i)login|auth|401|unauthorized"):
            Client(url, verbose=False)
        wrong = httpx.post(url + "login", data={"username": "crew", "password": "wrong"})
        assert wrong.status_code == 400

        result = Client(url, auth=("crew", "s3cret-Pass"), verbose=False).predict(QUESTION, api_name="/ask")
    assert result["citations"]


def test_launch_refuses_half_a_login(bot):
    from chatbot.errors import ChatbotError
    from chatbot.ui.ui import build_ui, launch

    settings = dataclasses.replace(bot.settings, auth_user="crew", auth_password="", port=free_port())
    with pytest.raises(ChatbotError, match="Set both RAG_AUTH_USER and RAG_AUTH_PASSWORD"):
        launch(build_ui(bot, settings, documents=[]), settings, prevent_thread_lock=True)


def _history_list(history) -> list:
    return history if isinstance(history, list) else []


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def _value(update) -> str:
    """An HTML output as the client returns it: the value itself, or an update carrying it."""
    if isinstance(update, dict):
        return str(update.get("value", update.get("props", {}).get("value", "")))
    return str(update)
