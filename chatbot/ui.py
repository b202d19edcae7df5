"""The Gradio chat window over one shared bot: streamed cited answers, source cards, votes and an About panel."""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from chatbot import check_view, render
from chatbot.answer.markup import citation_fields
from chatbot.catalog import DocumentInfo, list_documents
from chatbot.check import UseCaseChecker
from chatbot.check_rules import ANSWER_VALUES, AREAS, DISCLAIMER, PRINCIPLES
from chatbot.errors import ChatbotError
from chatbot.feedback import FeedbackStore
from chatbot.settings import Settings
from chatbot.types import Answer

if TYPE_CHECKING:
    from chatbot.bot import Bot

log = logging.getLogger(__name__)

TITLE = "Generative AI in Production: Guidance Assistant"
SUBTITLE = "Answers from Netflix's guidance on generative AI in production, with sources"
EXAMPLES = (
    "Can I use Midjourney for mood boards?",
    "Do we need written approval for a digital double of our lead?",
    "Can AI-generated signage appear in the background of a scene?",
    "Can we train a model on a famous painter's work?",
    "What happened with What Jennifer Did?",
)
EMPTY_QUESTION = "Type a question first, or pick one of the examples."
CHECK_INTRO = (
    "**Check a planned GenAI use against the guidance's own rule.** Describe the use, answer the five guiding "
    "principles and tick any area that applies. \"Yes\" to every principle means telling your Netflix contact may be "
    "enough; a \"no\" or \"unsure\" means escalating first; some areas always need written approval."
)
CHECK_PLACEHOLDER = "Describe the use, answer the questions and press Assess: the outcome and its sources appear here."
CHECK_EMPTY = "Describe the intended use first."
GENERIC_FAILURE = "Sorry, something went wrong while answering. Please try again, or rephrase the question."
HISTORY_TURNS = 3  # earlier exchanges passed to the bot for follow-up questions
CSS_PATH = Path(__file__).with_name("ui.css")
CHECK_CSS_PATH = Path(__file__).with_name("check.css")


def build_ui(bot: "Bot", settings: Settings | None = None, *, documents: list[DocumentInfo] | None = None,
             feedback: FeedbackStore | None = None, stream_delay_s: float = 0.02) -> gr.Blocks:
    """The whole app as one Blocks; each tab is built by its own function inside `gr.Tabs()`.

    Args:
        settings: the deployment's settings; the bot's own when None.
        documents: what the About panel lists; read from the index when None.
        feedback: where votes go; `settings.feedback_db` when None.
        stream_delay_s: pause between streamed chunks of an answer.
    """
    settings = settings or bot.settings
    feedback = feedback or FeedbackStore(settings.feedback_db)
    documents = list_documents(settings) if documents is None else documents
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.HTML(
            f'<header class="app-header"><h1>{TITLE}</h1><p class="app-subtitle">{SUBTITLE}</p></header>',
            elem_id="app-header",
        )
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Ask the guidance", id="ask", elem_id="tab-ask"):
                chat_tab(bot, feedback, stream_delay_s)
            with gr.Tab("Check my use case", id="check", elem_id="tab-check"):
                check_tab(UseCaseChecker(settings))
        with gr.Accordion("About these answers", open=False, elem_id="about"):
            gr.Markdown(render.about_markdown(documents), elem_id="about-text")
        gr.api(_api_ask(bot), api_name="ask")
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    return demo


def chat_tab(bot: "Bot", feedback: FeedbackStore, stream_delay_s: float) -> None:
    """Chat on the left, the cited sources of the selected answer on the right."""
    turns = gr.State([])  # one dict per answered question: message index, question, answer, citations, cards
    with gr.Row(equal_height=False, elem_id="chat-row"):
        with gr.Column(scale=3, min_width=420, elem_id="chat-column"):
            chatbot = gr.Chatbot(
                elem_id="chat", show_label=False, height=560, layout="panel", buttons=["copy"],
                placeholder="**Ask about using generative AI on a production.**  \n"
                            "Every answer cites the passages it comes from; click an answer to see its sources.",
                examples=[{"text": question} for question in EXAMPLES], feedback_options=("Like", "Dislike"),
                allow_tags=False,
            )
            question = gr.Textbox(
                elem_id="question", show_label=False, lines=1, max_lines=6, submit_btn=True, autofocus=True,
                placeholder="Ask a question, e.g. Do we need approval to use AI for a digital double?",
            )
            with gr.Row(elem_id="chat-actions"):
                gr.Markdown("Answers quote restatements of the sources: check the original before you rely on one.",
                            elem_id="chat-hint")
                clear = gr.Button("Clear conversation", elem_id="clear", variant="secondary", size="sm", scale=0,
                                  min_width=160)
        with gr.Column(scale=2, min_width=320, elem_id="sources-column"):
            sources = gr.HTML(render.sources_placeholder("Ask a question: the passages behind the answer appear here."),
                              elem_id="sources")

    def respond(message: str, history: list[dict], past: list[dict]):
        text = (message or "").strip()
        if not text:
            gr.Warning(EMPTY_QUESTION)
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = [*history, {"role": "user", "content": render.escape_markdown_html(_shorten(text))},
                   {"role": "assistant", "content": "…"}]
        yield history, "", render.sources_placeholder("Searching the documents…"), past
        try:
            answer = bot.ask(text, history=[(turn["question"], turn["answer"]) for turn in past[-HISTORY_TURNS:]])
        except ChatbotError as err:
            gr.Warning(str(err))
            history[-1] = {"role": "assistant", "content": render.escape_markdown_html(str(err))}
            yield history, gr.skip(), render.sources_placeholder("No sources: the question could not be answered."), past
            return
        except Exception:
            log.exception("Answering a question failed (%d characters)", len(text))
            history[-1] = {"role": "assistant", "content": GENERIC_FAILURE}
            yield history, gr.skip(), render.sources_placeholder("No sources: the question could not be answered."), past
            return
        cards = render.sources_html(answer.citations, declined=answer.declined,
                                    heading=f"Sources for answer {len(past) + 1}", answer=answer.text)
        for partial in render.stream_chunks(answer.text):
            history[-1] = {"role": "assistant", "content": render.answer_markdown(partial)}
            yield history, gr.skip(), cards, past
            time.sleep(stream_delay_s)
        history[-1] = {"role": "assistant",
                       "content": render.answer_markdown(answer.text, answer.notice, answer.declined)}
        turn = {"index": len(history) - 1, "question": answer.question or text, "answer": answer.text,
                "citations": [dataclasses.asdict(c) for c in answer.citations], "cards": cards}
        yield history, gr.skip(), cards, [*past, turn]

    def vote(past: list[dict], like: gr.LikeData) -> None:
        turn = _turn_at(past, like.index)
        if turn is None:
            gr.Warning("That answer is no longer in this conversation, so the vote was not saved.")
            return
        choice = "up" if like.liked is True else "down" if like.liked is False else "cleared"
        try:
            feedback.record(turn["question"], turn["answer"], turn["citations"], choice)
        except ChatbotError as err:
            gr.Warning(str(err))
            return
        if choice != "cleared":
            gr.Info("Thanks, your vote was saved.", duration=3)

    def show_sources(past: list[dict], selected: gr.SelectData):
        turn = _turn_at(past, selected.index)
        return turn["cards"] if turn else gr.skip()

    def pick_example(example: gr.SelectData) -> str:
        return example.value["text"]

    def reset():
        return [], "", render.sources_placeholder("Ask a question: the passages behind the answer appear here."), []

    question.submit(respond, [question, chatbot, turns], [chatbot, question, sources, turns], api_name="chat",
                    show_progress="minimal")
    chatbot.example_select(pick_example, None, question, api_visibility="private").then(
        respond, [question, chatbot, turns], [chatbot, question, sources, turns], api_visibility="private",
        show_progress="minimal")
    chatbot.like(vote, [turns], None, api_visibility="private", concurrency_limit=None, show_progress="hidden")
    chatbot.select(show_sources, [turns], sources, api_visibility="private", concurrency_limit=None,
                   show_progress="hidden")
    clear.click(reset, None, [chatbot, question, sources, turns], api_visibility="private", queue=False)
    chatbot.clear(reset, None, [chatbot, question, sources, turns], api_visibility="private", queue=False)


def check_tab(checker: UseCaseChecker) -> None:
    """Describe a planned use, answer the five guiding principles, tick any area: the guidance's rule says what next."""
    meanings = _principle_meanings(checker)
    gr.Markdown(CHECK_INTRO, elem_id="check-intro")
    with gr.Row(equal_height=False, elem_id="check-row"):
        with gr.Column(scale=3, min_width=420, elem_id="check-form"):
            description = gr.Textbox(label="Intended use", lines=3, max_lines=8, elem_id="check-description",
                                     placeholder="e.g. Generate shop signage for the background of a street scene")
            radios = [
                gr.Radio(list(ANSWER_VALUES), label=f"{p.number}. {p.question}", info=meanings.get(p.key) or None,
                         elem_id=f"check-principle-{p.number}")
                for p in PRINCIPLES
            ]
            areas = gr.CheckboxGroup([(area.label, area.key) for area in AREAS], elem_id="check-areas",
                                     label="Does the use involve any of these? Each always needs written approval.")
            assess = gr.Button("Assess", variant="primary", elem_id="check-assess")
        with gr.Column(scale=2, min_width=360, elem_id="check-output"):
            result = gr.HTML(check_view.placeholder_html(CHECK_PLACEHOLDER), elem_id="check-result")
            brief = gr.Textbox(label="Summary for your Netflix contact (Markdown)", lines=8, max_lines=24,
                               interactive=False, buttons=["copy"], elem_id="check-brief")
            sources = gr.HTML(elem_id="check-sources")
    gr.Markdown(f"*{DISCLAIMER}*", elem_id="check-disclaimer")

    def run_check(text: str, *values):
        *answers, ticked = values
        if not (text or "").strip():
            gr.Warning(CHECK_EMPTY)
            return gr.skip(), gr.skip(), gr.skip()
        given = {p.key: answer for p, answer in zip(PRINCIPLES, answers) if answer}
        try:
            assessment = checker.assess(text, given, ticked)
        except ChatbotError as err:
            gr.Warning(str(err))
            return check_view.placeholder_html(str(err)), "", ""
        except Exception:
            log.exception("The use-case check failed (%d characters)", len(text))
            return check_view.placeholder_html(GENERIC_FAILURE), "", ""
        cards = render.sources_html(assessment.citations, heading="Passages behind this result",
                                    answer=check_view.relied_on_text(assessment))
        return check_view.assessment_html(assessment), assessment.to_markdown(), cards

    assess.click(run_check, [description, *radios, areas], [result, brief, sources], api_name="check",
                 show_progress="minimal")


def _principle_meanings(checker: UseCaseChecker) -> dict[str, str]:
    """"What this means" for each principle, from its passage; empty when nothing is indexed yet."""
    try:
        questions = checker.questions()
    except ChatbotError as err:
        log.warning("Principle explanations unavailable (%s)", err)
        return {}
    return {q.principle.key: f"{q.meaning} (Guidance: {q.passage.section.replace(' > ', ' › ')})"
            for q in questions if q.passage is not None and q.meaning}


def _api_ask(bot: "Bot"):
    def ask(question: str) -> dict[str, Any]:
        """Answer one question. Returns the answer as plain text with [n] markers, whether it was declined, a notice,
        and the numbered citations (title, section, url, passage, ...), with only http(s) addresses."""
        text = question.strip() if isinstance(question, str) else ""  # API clients may send any JSON value
        if not text:
            raise gr.Error(EMPTY_QUESTION)
        try:
            answer = bot.ask(text)
        except ChatbotError as err:
            raise gr.Error(str(err)) from err
        except Exception as err:
            log.exception("Answering a question failed (%d characters)", len(text))
            raise gr.Error(GENERIC_FAILURE) from err
        return _answer_payload(answer)

    return ask


def _answer_payload(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "answer": answer.text,
        "declined": answer.declined,
        "notice": answer.notice,
        "citations": [citation_fields(citation) for citation in answer.citations],
    }


def _turn_at(past: list[dict], index: Any) -> dict | None:
    index = index[0] if isinstance(index, (list, tuple)) else index
    return next((turn for turn in past if turn["index"] == index), None)


def _shorten(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def launch(demo: gr.Blocks, settings: Settings, **options: Any):
    """Start the server with the project's look and the deployment's host, port and login.

    `options` override `Blocks.launch` arguments (tests pass `prevent_thread_lock=True` and a free port).
    """
    if bool(settings.auth_user) != bool(settings.auth_password):
        raise ChatbotError("Set both RAG_AUTH_USER and RAG_AUTH_PASSWORD to require a login, or neither.")
    arguments = dict(
        server_name=settings.host,
        server_port=settings.port,
        auth=(settings.auth_user, settings.auth_password) if settings.auth_user else None,
        auth_message="Log in to ask about the generative AI guidance." if settings.auth_user else None,
        show_error=True,
        quiet=True,
        ssr_mode=False,
        theme=theme(),
        css_paths=[CSS_PATH, CHECK_CSS_PATH],
        footer_links=["api"],
    )
    from chatbot import http_guard

    arguments["app_kwargs"] = {"middleware": http_guard.middleware(settings)}
    arguments.update(options)
    launched = demo.launch(**arguments)
    http_guard.drop_gradio_cors(demo.server_app)
    return launched


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="red", secondary_hue="slate", neutral_hue="slate",
                          font=["ui-sans-serif", "system-ui", "sans-serif"])
