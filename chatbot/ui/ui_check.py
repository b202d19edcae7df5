"""The "Check my use case" tab: describe a planned use, answer the five principles, read the outcome and a brief."""

from __future__ import annotations

import logging

import gradio as gr

from chatbot.ui import check_view, render
from chatbot.usecase.checker import UseCaseChecker
from chatbot.usecase.rules import ANSWER_VALUES, AREAS, DISCLAIMER, PRINCIPLES
from chatbot.ui.changes_view import recent_changes
from chatbot.ui.downloads import markdown_file
from chatbot.errors import ChatbotError

log = logging.getLogger(__name__)

CHECK_INTRO = (
    "**Check a planned GenAI use against the guidance's own rule.** Describe the use, answer the five guiding "
    "principles and tick any area that applies. \"Yes\" to every principle means telling your Netflix contact may be "
    "enough; a \"no\" or \"unsure\" means escalating first; some areas always need written approval."
)
CHECK_PLACEHOLDER = "Describe the use, answer the questions and press Assess: the outcome and its sources appear here."
CHECK_EMPTY = "Describe the intended use first."
CHECK_FAILURE = "Sorry, something went wrong while checking. Please try again."
BRIEF_NAME = "genai-use-check.md"


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
                         elem_id=f"check-principle-{p.number}", elem_classes=["check-principle"])
                for p in PRINCIPLES
            ]
            areas = gr.CheckboxGroup([(area.label, area.key) for area in AREAS], elem_id="check-areas",
                                     label="Does the use involve any of these? Each always needs written approval.")
            with gr.Row(elem_id="check-buttons"):
                assess = gr.Button("Assess", variant="primary", elem_id="check-assess")
                reset = gr.Button("Start again", variant="secondary", elem_id="check-reset")
        with gr.Column(scale=2, min_width=360, elem_id="check-output"):
            result = gr.HTML(check_view.placeholder_html(CHECK_PLACEHOLDER), elem_id="check-result")
            with gr.Group(visible=False) as brief_box:
                gr.HTML('<h2 class="check-heading">Summary for your Netflix contact</h2>', elem_id="check-brief-title")
                brief = gr.Markdown(elem_id="check-brief", buttons=["copy"])
                download = gr.DownloadButton("Download the summary (.md)", elem_id="check-brief-download",
                                             size="sm")
            sources = gr.HTML(elem_id="check-sources")
    gr.Markdown(f"*{DISCLAIMER}*", elem_id="check-disclaimer")

    def run_check(text: str, *values):
        *answers, ticked = values
        if not (text or "").strip():  # said in the result panel, and an earlier result's brief and cards go with it
            return check_view.placeholder_html(CHECK_EMPTY, "missing"), "", None, gr.update(visible=False), ""
        given = {p.key: answer for p, answer in zip(PRINCIPLES, answers) if answer}
        try:
            assessment = checker.assess(text, given, ticked)
        except ChatbotError as err:
            return check_view.placeholder_html(str(err), "error"), "", None, gr.update(visible=False), ""
        except Exception:
            log.exception("The use-case check failed (%d characters)", len(text))
            return check_view.placeholder_html(CHECK_FAILURE, "error"), "", None, gr.update(visible=False), ""
        cards = render.sources_html(assessment.citations, heading="Passages behind this result",
                                    answer=check_view.relied_on_text(assessment), id_prefix="check-source",
                                    changes=recent_changes(checker.settings))
        markdown = assessment.to_markdown()
        shown = markdown  # the brief escapes the description's markup itself, so it reads as typed
        return (check_view.assessment_html(assessment), shown,
                markdown_file(markdown, BRIEF_NAME), gr.update(visible=True), cards)

    def start_again():
        return ("", *[None] * len(radios), [], check_view.placeholder_html(CHECK_PLACEHOLDER), "", None,
                gr.update(visible=False), "")

    outputs = [result, brief, download, brief_box, sources]
    assess.click(run_check, [description, *radios, areas], outputs, api_name="check", show_progress="minimal")
    reset.click(start_again, None, [description, *radios, areas, *outputs], api_visibility="private", queue=False)


def _principle_meanings(checker: UseCaseChecker) -> dict[str, str]:
    """"What this means" for each principle, from its passage; empty when nothing is indexed yet."""
    try:
        questions = checker.questions()
    except ChatbotError as err:
        log.warning("Principle explanations unavailable (%s)", err)
        return {}
    return {q.principle.key: f"{q.meaning} (Guidance: {q.passage.section.replace(' > ', ' › ')})"
            for q in questions if q.passage is not None and q.meaning}
