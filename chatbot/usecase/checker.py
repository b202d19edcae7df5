"""Check my use case: the guidance's rule applied to a planned GenAI use, with the passages behind it cited."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatbot.usecase.assessment import Assessment, CitedTrigger, MatrixRow
from chatbot.usecase.detection import detect_areas, matrix_row
from chatbot.usecase.rules import (
    AREAS_BY_KEY, BACKGROUND_HEADING, INTRODUCTION, PRINCIPLES, WRITTEN_APPROVAL, InvalidAssessment, Principle,
    decide,
)
from chatbot.query.cleaning import clean_text
from chatbot.query.query import terms
from chatbot.query.shorthand import spell_out
from chatbot.retrieval.fusion import reciprocal_rank_fusion
from chatbot.sentences import segments
from chatbot.settings import Settings
from chatbot.store.reader import IndexReader, reader_for
from chatbot.types import Citation, Passage
from chatbot.store.versions import cited_versions

if TYPE_CHECKING:
    from chatbot.store.snapshot import Snapshot

log = logging.getLogger(__name__)

MATRIX_SECTION = "Proposed Use Case Matrix"
GUIDING_PRINCIPLES = "Guiding Principles"
# The check reads a description whole, up to this length; a longer one is refused rather than read in part.
MAX_DESCRIPTION_CHARS = 50_000
# Rows after the best one are shown only when nearly as close in meaning; a far row would only distract.
ROW_RELATIVE_FLOOR = 0.6
UNREAD_DESCRIPTION = ("No word of the description occurs in the indexed documents, so nothing in it could be "
                      "matched: the outcome rests on the answers and ticked areas alone. Describe the planned use in "
                      "a sentence: what is generated, with which tool, and where it ends up.")
# The matrix marks each row with one of three symbols (its own legend, restated in the corpus).
MATRIX_ACTIONS = (("🛑", "requires escalation"), ("⚠", "use judgment"), ("✅", "proceed"))


@dataclass(frozen=True)
class PrincipleQuestion:
    """One guiding principle as a plain question, with what it means in the guidance's words and its passage."""

    principle: Principle
    meaning: str
    passage: Passage | None


class UseCaseChecker:
    """Assesses planned uses against the indexed guidance; reads the snapshot the chat reads too."""

    def __init__(self, settings: Settings, reader: IndexReader | None = None, matrix_rows: int = 3):
        self.settings = settings
        self.reader = reader or reader_for(settings)
        self.matrix_rows = matrix_rows

    def questions(self) -> tuple[PrincipleQuestion, ...]:
        """The five principles as questions; "what this means" comes from each principle's passage."""
        return self.reader.reading(self._questions)

    def _questions(self) -> tuple[PrincipleQuestion, ...]:
        guidance = _guidance_passages(self.reader.snapshot())
        result = []
        for principle in PRINCIPLES:
            passage = _principle_passage(guidance, principle)
            result.append(PrincipleQuestion(principle, _meaning(passage, principle) if passage else "", passage))
        return tuple(result)

    def assess(self, description: str, answers: Mapping[str, str] | Iterable[str] | str | None,
               areas: Iterable[str] | None = None) -> Assessment:
        """Apply the guidance's rule to a described use, the five answers and any ticked areas.

        Raises InvalidAssessment for an unknown answer or area, IndexMissing when nothing is indexed.
        """
        return self.reader.reading(lambda: self._assess(description, answers, areas))

    def _assess(self, description: str, answers, areas) -> Assessment:
        description, notices = self._clean(description)
        read = spell_out(description)[0]  # "w/o" read as the negation "without", "idk" as "I do not know"
        detections = detect_areas(read)  # all of it: an area named late in a long description still counts
        decision = decide(answers, areas, detections, matrix_row(read))
        snapshot = self.reader.snapshot()
        readable = _readable(read, snapshot)
        if read and not readable:
            notices += (UNREAD_DESCRIPTION,)
        guidance = _guidance_passages(snapshot)
        cited: list[Passage] = []
        relied_on: dict[int, list[str]] = {}

        def cite(passage: Passage | None, *words: str) -> tuple[int, ...]:
            """The passage's number, adding it on first use; `words` pick the sentences the statement rests on."""
            if passage is None:
                return ()
            n = next((i for i, known in enumerate(cited, start=1) if known.chunk_id == passage.chunk_id), 0)
            if not n:
                cited.append(passage)
                n = len(cited)
            kept = relied_on.setdefault(n, [])
            kept += [s for s in _sentences(passage.text) if s not in kept and any(w in s.lower() for w in words)]
            return (n,)

        intro = _first(guidance, INTRODUCTION, "written approval")
        escalation = _first(guidance, GUIDING_PRINCIPLES, "socializ") or _first(guidance, GUIDING_PRINCIPLES, "unsure")
        if decision.outcome == WRITTEN_APPROVAL:
            outcome_cites = cite(intro, "written approval") + cite(escalation, "socializ", "unsure")
        else:
            outcome_cites = cite(escalation, "socializ", "unsure") + cite(intro, "disclose", "written approval")
        triggers = []
        for trigger in decision.triggers:
            if trigger.kind == "area":
                area = AREAS_BY_KEY[trigger.key]
                cites = tuple(n for section in area.sections
                              for n in (cite(intro, "written approval") if section == INTRODUCTION
                                        else cite(_first(guidance, section), *area.cues)))
                for detection in detections:  # a phrase whose reason rests on a passage of its own
                    if detection.counted and detection.area == trigger.key and detection.cite:
                        cites += cite(_first(guidance, *detection.cite), detection.cite[1])
            elif trigger.kind == "matrix":
                cites = cite(_first(guidance, BACKGROUND_HEADING), "use judgment", "story-relevant")
            else:
                principle = next(p for p in PRINCIPLES if p.key == trigger.key)
                cites = (cite(_principle_passage(guidance, principle), f"principle {principle.number},")
                         + cite(escalation, "unsure"))
            triggers.append(CitedTrigger(trigger.kind, trigger.key, trigger.label, trigger.reason,
                                         tuple(dict.fromkeys(cites))))
        rows = []
        shown = read[: self.settings.max_question_chars] if readable else ""  # no row is near a string of noise
        for passage, score in self._closest_rows(snapshot, guidance, shown):
            symbol, action = _action(passage.text)
            [n] = cite(passage, symbol[:1] or "matrix")
            rows.append(MatrixRow(_last_heading(passage.section), symbol, action, round(score, 4), n))
        citations = tuple(Citation.of(n, passage) for n, passage in enumerate(cited, start=1))
        return Assessment(
            description=description,
            answers=decision.answers,
            outcome=decision.outcome,
            outcome_cites=tuple(dict.fromkeys(outcome_cites)),
            triggers=tuple(triggers),
            detections=detections,
            matrix_rows=tuple(rows),
            citations=citations,
            notices=notices + decision.notices,
            relied_on={n: tuple(sentences) for n, sentences in relied_on.items() if sentences},
            versions=cited_versions(self.settings, citations),
        )

    def _clean(self, description: str) -> tuple[str, tuple[str, ...]]:
        text = clean_text(description or "")
        limit = self.settings.max_question_chars
        if len(text) > MAX_DESCRIPTION_CHARS:
            # Reading only part of it could give a plan that always needs written approval a green light.
            raise InvalidAssessment(f"The description is {len(text):,} characters long; the check reads at most "
                                    f"{MAX_DESCRIPTION_CHARS:,}. Describe the planned use itself, not the documents "
                                    "around it.")
        if len(text) > limit:
            return text, (f"The description is longer than {limit:,} characters: all of it was checked for the "
                          "areas that always need written approval, and its first part was matched to the matrix.",)
        if not text:
            return "", ("No description given: only the answers and ticked areas were assessed.",)
        return text, ()

    def _closest_rows(self, snapshot: "Snapshot", guidance: list[tuple[int, Passage]],
                      description: str) -> list[tuple[Passage, float]]:
        """The matrix rows nearest the description (dense and BM25, fused as the main search does).

        They inform the person; the rule alone decides the outcome.
        """
        if not description or self.matrix_rows <= 0:
            return []
        in_matrix = [(row, p) for row, p in guidance if MATRIX_SECTION in p.section]
        candidates = [(row, p) for row, p in in_matrix if not p.section.endswith(MATRIX_SECTION)] or in_matrix
        if not candidates:
            log.warning("No passage of the index is under %r; no matrix rows shown", MATRIX_SECTION)
            return []
        import numpy as np

        from chatbot.store.embedding import question_embedder

        rows = np.array([row for row, _ in candidates])
        vector = np.asarray(question_embedder(self.settings).embed_query(description), dtype=np.float32)
        similarities = snapshot.embeddings[rows] @ vector
        tokens, expanded = terms(description)
        lexical = snapshot.lexical.scores(tokens + expanded)[rows]
        rankings = [
            (list(np.argsort(-similarities, kind="stable")), self.settings.dense_weight),
            ([i for i in np.argsort(-lexical, kind="stable") if lexical[i] > 0], self.settings.bm25_weight),
        ]
        best: dict[str, tuple[Passage, float]] = {}
        for i, _ in reciprocal_rank_fusion(rankings, self.settings.rrf_k):  # one passage per row heading
            passage = candidates[int(i)][1]
            best.setdefault(passage.section, (passage, float(similarities[int(i)])))
        shown = list(best.values())[: self.matrix_rows]
        if not shown:
            return []
        floor = ROW_RELATIVE_FLOOR * max(score for _, score in shown)
        return shown[:1] + [(passage, score) for passage, score in shown[1:] if score > 0 and score >= floor]


def _readable(text: str, snapshot: "Snapshot") -> bool:
    """False when `text` has content words and none occurs in the index: a string of noise ("asdf qwer") matches
    nothing. Common words alone ("we will do it ourselves") are no noise, only vague."""
    words = terms(text)[0]
    return not words or any(snapshot.lexical.knows(token) for token in words)


def _guidance_passages(snapshot: "Snapshot") -> list[tuple[int, Passage]]:
    """The guidance's own chunks with their rows in the snapshot, restatements first, in index order."""
    rows = [(row, p) for row, p in enumerate(snapshot.passages) if p.kind == "guidance"]
    return sorted(rows, key=lambda pair: not pair[1].restated)


def _last_heading(section: str) -> str:
    return section.rsplit(">", 1)[-1].strip()


def _first(guidance: list[tuple[int, Passage]], heading: str, containing: str = "") -> Passage | None:
    """The first guidance chunk whose section has `heading` as one of its parts and whose text has `containing`."""
    for _, passage in guidance:
        parts = [part.strip() for part in passage.section.split(">")]
        if heading in parts and containing.lower() in passage.text.lower():
            return passage
    return None


def _principle_passage(guidance: list[tuple[int, Passage]], principle: Principle) -> Passage | None:
    label = f"Principle {principle.number}"
    for _, passage in guidance:
        parts = [part.strip() for part in passage.section.split(">")]
        if GUIDING_PRINCIPLES in parts and any(part.startswith(label + ":") or part == label for part in parts):
            return passage
    return None


def _sentences(text: str) -> list[str]:
    """Sentences and list items of a passage, without list bullets or heading lines."""
    parts = (part.lstrip("-*+ ").strip() for part in segments(text))
    return [part for part in parts if part and not part.startswith("#")]


def _meaning(passage: Passage, principle: Principle, limit: int = 2) -> str:
    """The passage's sentences that state the principle ("Under Principle n, …"), else its first sentences."""
    sentences = _sentences(passage.text)
    stating = [s for s in sentences if f"Principle {principle.number}," in s or f"Principle {principle.number} " in s]
    return " ".join((stating or sentences)[:limit])


def _action(text: str) -> tuple[str, str]:
    """(symbol, meaning) of the first matrix mark in a row's passage."""
    for symbol, words in MATRIX_ACTIONS:
        if symbol in text:
            return ("⚠️" if symbol == "⚠" else symbol), words
    return "", "see the row"
