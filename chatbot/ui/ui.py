"""The Gradio window over one shared bot: the chat and use-case tabs, the About panel, the API and the look."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from chatbot.answer.markup import citation_fields
from chatbot.ui import render
from chatbot.ui.changes_view import versions_html
from chatbot.store.catalog import DocumentInfo, list_documents
from chatbot.usecase.checker import UseCaseChecker
from chatbot.errors import ChatbotError
from chatbot.ui.feedback import FeedbackStore
from chatbot.settings import Settings
from chatbot.types import Answer
from chatbot.ui.ui_chat import EMPTY_QUESTION, GENERIC_FAILURE, chat_tab
from chatbot.ui.ui_check import CHECK_EMPTY, check_tab

if TYPE_CHECKING:
    from chatbot.bot import Bot

__all__ = ["CHECK_EMPTY", "EMPTY_QUESTION", "GENERIC_FAILURE", "build_ui", "launch", "theme"]

log = logging.getLogger(__name__)

TITLE = "Generative AI in Production: Guidance Assistant"
SUBTITLE = "Answers from Netflix's guidance on generative AI in production, with sources"
CSS_PATH = Path(__file__).with_name("ui.css")
CHECK_CSS_PATH = Path(__file__).with_name("check.css")
CHANGES_CSS_PATH = Path(__file__).with_name("changes.css")
JS_PATH = Path(__file__).with_name("ui.js")
# Gradio scopes css= rules to the app's content; the page margins around it can only be set from the head.
HEAD = ("<style>@media (max-width: 720px) { .gradio-container .main.app { padding-left: 10px; padding-right: 10px; } }"
        "</style>")


def build_ui(bot: "Bot", settings: Settings | None = None, *, documents: list[DocumentInfo] | None = None,
             feedback: FeedbackStore | None = None, stream_delay_s: float = 0.02) -> gr.Blocks:
    """The whole app as one Blocks; each tab is built by its own function inside `gr.Tabs()`.

    Args:
        settings: the deployment's settings; the bot's own when None.
        documents: what the About panel lists; read from the index when None.
        feedback: where votes go; RAG_DATABASE_URL or `settings.feedback_db` when None.
        stream_delay_s: pause between streamed chunks of an answer.
    """
    settings = settings or bot.settings
    feedback = feedback or FeedbackStore.for_settings(settings)
    documents = list_documents(settings) if documents is None else documents
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.HTML(
            f'<header class="app-header"><h1>{TITLE}</h1><p class="app-subtitle">{SUBTITLE}</p></header>',
            elem_id="app-header",
        )
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Ask the guidance", id="ask", elem_id="tab-ask"):
                chat_tab(demo, bot, feedback, stream_delay_s, TITLE)
            with gr.Tab("Check my use case", id="check", elem_id="tab-check"):
                check_tab(UseCaseChecker(settings))
        with gr.Accordion("About these answers", open=False, elem_id="about"):
            gr.Markdown(render.about_markdown(documents), elem_id="about-text")
            gr.HTML(versions_html(settings, [document.source for document in documents]), elem_id="about-versions")
        gr.api(_api_ask(bot), api_name="ask")
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    return demo


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
        css_paths=[CSS_PATH, CHECK_CSS_PATH, CHANGES_CSS_PATH],
        js=JS_PATH.read_text(encoding="utf-8"),
        head=HEAD,
        footer_links=["api"],
    )
    from chatbot.ui import http_guard

    arguments["app_kwargs"] = {"middleware": http_guard.middleware(settings)}
    arguments.update(options)
    launched = demo.launch(**arguments)
    http_guard.drop_gradio_cors(demo.server_app)
    return launched


def theme() -> gr.themes.Base:
    """Slate neutrals with a deep red accent; every text colour at WCAG AA on its background, in light and dark."""
    slate, red = gr.themes.colors.slate, gr.themes.colors.red
    return gr.themes.Default(primary_hue=red, secondary_hue=slate, neutral_hue=slate,
                             font=["ui-sans-serif", "system-ui", "sans-serif"]).set(
        body_text_color_subdued=slate.c600, body_text_color_subdued_dark=slate.c300,
        link_text_color=red.c700, link_text_color_dark=red.c300,
        link_text_color_hover=red.c800, link_text_color_hover_dark=red.c200,
        link_text_color_visited=red.c800, link_text_color_visited_dark=red.c300,
        link_text_color_active=red.c800, link_text_color_active_dark=red.c200,
        color_accent=red.c700, color_accent_soft=red.c50, color_accent_soft_dark=slate.c700,
        border_color_accent=red.c700, border_color_accent_dark=red.c300,
        block_info_text_color=slate.c600, block_info_text_color_dark=slate.c300,
        block_label_text_color=slate.c700, block_label_text_color_dark=slate.c200,
        block_title_text_color=slate.c800, block_title_text_color_dark=slate.c100,
        input_placeholder_color=slate.c500, input_placeholder_color_dark=slate.c400,
        button_primary_background_fill=red.c700, button_primary_background_fill_dark=red.c700,
        button_primary_background_fill_hover=red.c800, button_primary_background_fill_hover_dark=red.c800,
        button_primary_text_color="white", button_primary_text_color_dark="white",
        button_primary_border_color=red.c700, button_primary_border_color_dark=red.c700,
        # The form's choices stay neutral: choosing "yes" is not an alarm.
        checkbox_label_background_fill_selected=slate.c200, checkbox_label_background_fill_selected_dark=slate.c600,
        checkbox_label_text_color_selected=slate.c900, checkbox_label_text_color_selected_dark="white",
        checkbox_label_border_color_selected=slate.c500, checkbox_label_border_color_selected_dark=slate.c300,
        checkbox_background_color_selected=slate.c700, checkbox_background_color_selected_dark=slate.c200,
        checkbox_border_color_selected=slate.c700, checkbox_border_color_selected_dark=slate.c200,
    )
