"""What the use-case check returns: the outcome, its cited triggers and matrix rows, and a brief for email."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from chatbot.answer.markup import escape_markdown
from chatbot.usecase.detection import Detection
from chatbot.usecase.rules import DISCLAIMER, ESCALATE, PRINCIPLES, PROCEED, WRITTEN_APPROVAL
from chatbot.types import Citation
from chatbot.store.versions import CitedVersion

OUTCOME_LEVELS = {PROCEED: "proceed", ESCALATE: "escalate", WRITTEN_APPROVAL: "written-approval"}
# Said above the closest matrix rows, so that a stricter or looser row near a plan is not read as its outcome.
ROWS_NOTE = "Nearest the description in meaning, for comparison; the outcome above is what applies."


@dataclass(frozen=True)
class CitedTrigger:
    kind: str  # "principle", "area" or "matrix"
    key: str
    label: str
    reason: str
    cites: tuple[int, ...]


@dataclass(frozen=True)
class MatrixRow:
    title: str
    symbol: str  # the row's own mark: ✅, ⚠️ or 🛑 ("" when the passage shows none)
    action: str  # what the mark means, e.g. "requires escalation"
    score: float
    cite: int


@dataclass(frozen=True)
class Assessment:
    """What the check returns to every front end."""

    description: str
    answers: dict[str, str]
    outcome: str
    outcome_cites: tuple[int, ...]
    triggers: tuple[CitedTrigger, ...]
    detections: tuple[Detection, ...]
    matrix_rows: tuple[MatrixRow, ...]
    citations: tuple[Citation, ...]
    notices: tuple[str, ...] = ()
    relied_on: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)  # citation n: its key sentences
    disclaimer: str = DISCLAIMER
    versions: tuple[CitedVersion, ...] = ()  # of the cited documents, so that a recheck can compare

    @property
    def level(self) -> str:
        return OUTCOME_LEVELS[self.outcome]

    @property
    def ignored_detections(self) -> tuple[Detection, ...]:
        """Phrases found after a negation ("not in the final cut") for areas nothing else triggered."""
        triggered = {trigger.key for trigger in self.triggers}
        return tuple(d for d in self.detections if not d.counted and d.area not in triggered)

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "level": self.level}

    def to_markdown(self) -> str:
        """A short brief to paste into an email to the Netflix contact."""
        lines = ["**Planned GenAI use: self-check against Netflix's GenAI guidance**", ""]
        lines += ["**Intended use:** " + (escape_markdown(self.description) or "(not described)"), ""]
        lines += [f"**Outcome:** {self.outcome} {_marks(self.outcome_cites)}".rstrip(), ""]
        lines.append("**Guiding principles**")
        for principle in PRINCIPLES:
            lines.append(f"{principle.number}. {principle.question} **{self.answers[principle.key]}**")
        lines.append("")
        if self.triggers:
            lines.append("**Why**")
            lines += [f"- {t.label} ({escape_markdown(t.reason)}) {_marks(t.cites)}".rstrip() for t in self.triggers]
            lines.append("")
        if self.matrix_rows:
            lines.append("**Closest rows of the Proposed Use Case Matrix**")
            lines.append(f"_{ROWS_NOTE}_")
            lines += [f"- {row.title}: {row.symbol} {row.action} [{row.cite}]".replace("  ", " ")
                      for row in self.matrix_rows]
            lines.append("")
        if self.notices:
            lines += [f"_{notice}_" for notice in self.notices] + [""]
        lines.append("**Sources**")
        documents: dict[tuple[str, str], list[Citation]] = {}
        for citation in self.citations:  # each document once, its cited sections under it
            documents.setdefault((citation.title or citation.source, citation.url), []).append(citation)
        for (title, url), cited in documents.items():
            lines.append(f"- {title}" + (f", {url}" if url else ""))
            lines += [f"  - [{citation.n}] {citation.section or title}" for citation in cited]
        if self.versions:
            lines += ["", "**Versions of the cited documents**", *(version.brief_line() for version in self.versions)]
        lines += ["", f"_{self.disclaimer}_"]
        return "\n".join(lines)


def _marks(numbers: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)
