"""HTML for the "Check my use case" tab: the outcome, what triggered it and the closest matrix rows, all escaped."""

from __future__ import annotations

import html

from chatbot.usecase.assessment import ROWS_NOTE, Assessment
from chatbot.usecase.rules import AREAS_BY_KEY, DISCLAIMER

OUTCOME_ICONS = {"proceed": "✓", "escalate": "!", "written-approval": "■"}


def assessment_html(assessment: Assessment) -> str:
    """The result panel: outcome first and prominent, then the reasons and the matrix rows, each with [n] marks."""
    level = assessment.level
    parts = [
        f'<section class="check-result" data-level="{level}">',
        f'<div class="check-outcome" id="check-outcome" data-level="{level}">'
        f'<span class="check-outcome-icon" aria-hidden="true">{OUTCOME_ICONS[level]}</span>'
        f'<span class="check-outcome-text">{html.escape(assessment.outcome)}</span>'
        f'{_marks(assessment.outcome_cites)}</div>',
        # What the outcome was read from comes right under it: an unanswered principle counted as unsure, say.
        *(f'<p class="check-notice">{html.escape(notice)}</p>' for notice in assessment.notices),
    ]
    if assessment.triggers:
        items = "".join(
            f'<li data-kind="{t.kind}" data-key="{html.escape(t.key)}"><strong>{html.escape(t.label)}</strong>: '
            f"{html.escape(t.reason)} {_marks(t.cites)}</li>"
            for t in assessment.triggers
        )
        parts.append(f'<h2 class="check-heading">Why</h2><ul class="check-triggers">{items}</ul>')
    else:
        parts.append('<p class="check-note">Every principle answered yes and no always-approval area applies: '
                     "share the intended use with your Netflix contact.</p>")
    ignored = assessment.ignored_detections
    if ignored:
        noted = "; ".join(f'"{html.escape(d.phrase)}" ({html.escape(AREAS_BY_KEY[d.area].label.split(":")[0])}, '
                          f'after "{html.escape(d.negation)}")' for d in ignored)
        parts.append(f'<p class="check-note">Not counted, because the description says otherwise: {noted}. '
                     "Tick the area if it does apply.</p>")
    if assessment.matrix_rows:
        rows = "".join(
            f'<li><span class="check-row-title">{html.escape(row.title)}</span> '
            f'<span class="check-row-action" data-action="{html.escape(row.action)}">{html.escape(row.action)}</span>'
            f" {_marks((row.cite,))}</li>"
            for row in assessment.matrix_rows
        )
        parts.append('<h2 class="check-heading">Closest rows of the Proposed Use Case Matrix</h2>'
                     f'<p class="check-note">{html.escape(ROWS_NOTE)}</p>'
                     f'<ul class="check-matrix">{rows}</ul>')
    parts.append(f'<p class="check-disclaimer">{html.escape(DISCLAIMER)}</p></section>')
    return "".join(parts)


def relied_on_text(assessment: Assessment) -> str:
    """The key sentences of each cited passage, each followed by its [n], for the source cards to highlight."""
    return " ".join(f"{sentence} [{n}]" for n, sentences in assessment.relied_on.items() for sentence in sentences)


def placeholder_html(message: str, state: str = "idle") -> str:
    """The result panel before an outcome: a hint ("idle"), a missing input ("missing") or an error ("error")."""
    return (f'<section class="check-result" data-level="none" data-state="{html.escape(state)}">'
            f'<p class="check-note">{html.escape(message)}</p></section>')


def _marks(numbers) -> str:
    return "".join(f'<span class="check-cite">[{int(n)}]</span>' for n in numbers)
