"""The "Ask the guidance" tab: streamed cited answers, their sources, votes with reasons, export, kept across reloads."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import gradio as gr

from chatbot.ui import conversation, render
from chatbot.ui.downloads import markdown_file
from chatbot.answer.decline import EMPTY_QUESTION  # one text for every front end
from chatbot.errors import ChatbotError
from chatbot.ui.changes_view import RecentChanges, recent_changes
from chatbot.ui.feedback import FeedbackStore

if TYPE_CHECKING:
    from chatbot.bot import Bot

log = logging.getLogger(__name__)

EXAMPLES = (
    "Can I use Midjourney for mood boards?",
    "Do we need written approval for a digital double of our lead?",
    "Can AI-generated signage appear in the background of a scene?",
    "Can we train a model on a famous painter's work?",
    "What happened with What Jennifer Did?",
)
GENERIC_FAILURE = "Sorry, something went wrong while answering. Please try again, or rephrase the question."
IDLE = "Ask a question: the passages behind the answer appear here."
HINT = "Answers quote restatements of the sources: check the original before you rely on one."
HISTORY_TURNS = 3  # earlier exchanges passed to the bot for follow-up questions
STORAGE_KEY = "genai-guidance-conversation"


def chat_tab(demo: gr.Blocks, bot: "Bot", feedback: FeedbackStore, stream_delay_s: float, title: str) -> None:
    """Chat on the left, the cited sources of the selected answer on the right (below it on a phone)."""
    saved = gr.BrowserState([], storage_key=STORAGE_KEY)  # the turns, kept in this browser between visits
    turns = gr.State([])  # one dict per question asked, see conversation.turn_of
    down_vote = gr.State(None)  # the id of the down vote a reason would go with
    with gr.Row(equal_height=False, elem_id="chat-row"):
        with gr.Column(scale=3, min_width=420, elem_id="chat-column"):
            chatbot = gr.Chatbot(
                elem_id="chat", label="Conversation", show_label=False, height=560, layout="panel", buttons=["copy"],
                placeholder="**Ask about using generative AI on a production.**  \n"
                            "Every answer cites the passages it comes from; click an answer to see its sources.",
                examples=[{"text": question} for question in EXAMPLES], feedback_options=("Like", "Dislike"),
                allow_tags=False,
                autoscroll=False,  # ui.js shows each new answer from its first line, the verdict
            )
            with gr.Group(visible=False) as reason_box:
                reason = gr.Textbox(label="What was wrong with this answer? (optional)", lines=2, max_lines=6,
                                    elem_id="vote-reason-text", placeholder="e.g. it cites the wrong section")
                with gr.Row():
                    send_reason = gr.Button("Send reason", size="sm", variant="primary", elem_id="vote-reason-send")
                    skip_reason = gr.Button("No reason", size="sm", elem_id="vote-reason-skip")
            question = gr.Textbox(
                elem_id="question", label="Your question", show_label=False, lines=1, max_lines=6, submit_btn="Ask",
                placeholder="Ask a question, e.g. Do we need approval to use AI for a digital double?",
            )
            with gr.Row(elem_id="chat-actions"):
                gr.Markdown(HINT, elem_id="chat-hint")
                export = gr.DownloadButton("Export", elem_id="export", size="sm", scale=0, min_width=90,
                                           interactive=False)
                clear = gr.Button("Clear conversation", elem_id="clear", size="sm", scale=0, min_width=160)
            with gr.Row(visible=False, elem_id="clear-confirm") as confirm_row:
                gr.Markdown("Clear the whole conversation? It is removed from this browser too.", elem_id="clear-ask")
                clear_yes = gr.Button("Clear it", variant="stop", size="sm", scale=0, min_width=90, elem_id="clear-yes")
                clear_no = gr.Button("Keep it", size="sm", scale=0, min_width=90, elem_id="clear-no")
        with gr.Column(scale=2, min_width=320, elem_id="sources-column"):
            sources = gr.HTML(render.sources_placeholder(IDLE), elem_id="sources")
            previews = gr.HTML("", elem_id="cite-previews", padding=False)

    def respond(message: str, history: list[dict], past: list[dict]):
        text = (message or "").strip()
        if not text:
            gr.Warning(EMPTY_QUESTION)
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        past = past if history else []  # an empty window starts a new conversation
        number = len(past) + 1
        shown = [*_without_options(history), conversation.question_message(text), {"role": "assistant", "content": "…"}]
        yield shown, "", render.sources_placeholder("Searching the documents…", number), past
        earlier = [(turn["question"], turn["answer"]) for turn in past if not turn["failed"]][-HISTORY_TURNS:]
        try:
            answer = bot.ask(text, history=earlier)
        except ChatbotError as err:
            turn = conversation.failed_turn(text, str(err))
        except Exception:
            log.exception("Answering a question failed (%d characters)", len(text))
            turn = conversation.failed_turn(text, GENERIC_FAILURE)
        else:
            turn = conversation.turn_of(answer, text)
            cards = panel(turn, number, recent_changes(bot.settings))
            for partial in render.stream_chunks(answer.text):
                shown[-1] = {"role": "assistant", "content": render.answer_markdown(partial)}
                yield shown, gr.skip(), cards, past
                time.sleep(stream_delay_s)
        past = [*past, turn]
        yield shown[:-2] + conversation.messages(past)[-_size(turn):], gr.skip(), panel(turn, number, recent_changes(bot.settings)), past

    def retry(history: list[dict], past: list[dict], _: gr.RetryData):
        if not past:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from respond(past[-1]["question"], conversation.messages(past[:-1]), past[:-1])

    def persist(past: list[dict]):
        """Keep the turns in the browser, refresh the marker previews and the export file."""
        return past, previews_html(past), export_update(past, title)

    def restore(stored: Any):
        return restored(stored, title)

    def vote(past: list[dict], like: gr.LikeData):
        position = conversation.turn_at(past, like.index)
        if position is None:
            gr.Warning("That answer is no longer in this conversation, so the vote was not saved.")
            return gr.skip(), gr.skip(), None
        turn = past[position]
        choice = "up" if like.liked is True else "down" if like.liked is False else "cleared"
        try:
            vote_id = feedback.record(turn["question"], turn["answer"], turn["citations"], choice)
        except ChatbotError as err:
            gr.Warning(str(err))
            return gr.skip(), gr.skip(), None
        if choice == "cleared":
            return gr.update(visible=False), gr.skip(), None
        gr.Info("Thanks, your vote was saved.", duration=3)
        if choice == "up":
            return gr.update(visible=False), gr.skip(), None
        return (gr.update(visible=True), gr.update(value="", label=f"What was wrong with answer {position + 1}? "
                                                                   "(optional)"), vote_id)

    def keep_reason(vote_id: int | None, text: str):
        if vote_id is not None and (text or "").strip():
            try:
                feedback.add_reason(vote_id, text)
            except ChatbotError as err:
                gr.Warning(str(err))
                return gr.skip(), gr.skip(), vote_id
            gr.Info("Thanks, the reason was saved with your vote.", duration=3)
        return gr.update(visible=False), "", None

    def show_sources(past: list[dict], selected: gr.SelectData):
        position = conversation.turn_at(past, selected.index)
        return panel(past[position], position + 1, recent_changes(bot.settings)) if position is not None else gr.skip()

    def pick(selected: gr.SelectData) -> str:
        value = selected.value
        return value.get("text", "") if isinstance(value, dict) else str(value)

    def reset():
        return [], "", render.sources_placeholder(IDLE), [], gr.update(visible=False), gr.update(visible=False)

    answer_outputs = [chatbot, question, sources, turns]
    saved_outputs = [saved, previews, export]
    private: dict[str, Any] = dict(api_visibility="private")
    question.submit(respond, [question, chatbot, turns], answer_outputs, api_name="chat",
                    show_progress="minimal").then(persist, turns, saved_outputs, **private)
    for event in (chatbot.example_select, chatbot.option_select):
        event(pick, None, question, **private).then(
            respond, [question, chatbot, turns], answer_outputs, show_progress="minimal", **private).then(
            persist, turns, saved_outputs, **private)
    chatbot.retry(retry, [chatbot, turns], answer_outputs, show_progress="minimal", **private).then(
        persist, turns, saved_outputs, **private)
    chatbot.like(vote, [turns], [reason_box, reason, down_vote], concurrency_limit=None, show_progress="hidden",
                 **private)
    gr.on([send_reason.click, reason.submit], keep_reason, [down_vote, reason], [reason_box, reason, down_vote],
          **private)
    skip_reason.click(lambda: (gr.update(visible=False), "", None), None, [reason_box, reason, down_vote], **private)
    chatbot.select(show_sources, [turns], sources, concurrency_limit=None, show_progress="hidden", **private)
    clear.click(lambda: gr.update(visible=True), None, confirm_row, queue=False, **private)
    clear_no.click(lambda: gr.update(visible=False), None, confirm_row, queue=False, **private)
    clear_yes.click(reset, None, [*answer_outputs, confirm_row, reason_box], queue=False, **private).then(
        persist, turns, saved_outputs, **private)
    demo.load(restore, saved, [chatbot, turns, sources, previews, export], show_progress="hidden", **private)


def restored(stored: Any, title: str) -> tuple:
    """The window for a conversation kept in the browser: messages, turns, sources panel, previews, export."""
    past = _valid_turns(stored)
    try:
        shown = conversation.messages(past)
        last = panel(past[-1], len(past)) if past else render.sources_placeholder(IDLE)
        return shown, past, last, previews_html(past), export_update(past, title)
    except (TypeError, ValueError, KeyError, AttributeError):  # kept by an incompatible version: start afresh
        log.warning("A conversation kept in the browser could not be read; starting a new one", exc_info=True)
        return [], [], render.sources_placeholder(IDLE), previews_html([]), export_update([], title)


def panel(turn: dict, number: int, changes: "RecentChanges | None" = None) -> str:
    """The sources panel for answer `number`; `changes` puts a "changed on" badge on cards of revised sections."""
    heading = conversation.SOURCES_TITLE.format(number=number)
    if turn.get("failed"):
        return render.sources_placeholder("No sources: the question could not be answered.", number)
    return render.sources_html(conversation.citations_of(turn), declined=turn.get("declined", False), heading=heading,
                               answer=turn["answer"], answer_number=number, changes=changes)


def previews_html(past: list[dict]) -> str:
    return render.cite_previews_html(
        (number, turn["answer"], conversation.citations_of(turn)) for number, turn in enumerate(past, start=1))


def export_update(past: list[dict], title: str):
    if not past:
        return gr.update(value=None, interactive=False)
    return gr.update(value=markdown_file(conversation.export_markdown(past, title), "conversation.md"), interactive=True)


def _size(turn: dict) -> int:
    return 3 if turn["citations"] else 2


def _without_options(history: list[dict]) -> list[dict]:
    """Earlier messages without their suggested questions: only the latest answer offers some."""
    return [{key: value for key, value in message.items() if key != "options"} for message in history or []]


def _valid_turns(stored: Any) -> list[dict]:
    """The turns kept in the browser, or [] when they are missing or from an incompatible version."""
    if not isinstance(stored, list):
        return []
    keys = {"question", "answer", "citations"}
    turns = [turn for turn in stored if isinstance(turn, dict) and keys <= turn.keys()]
    return [{"notice": "", "declined": False, "failed": False, **turn} for turn in turns] if len(turns) == len(stored) else []
