"""A conversation as plain data: numbered turns, the chat messages they show, footnotes, export and next questions."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import datetime, timezone

from chatbot.ui.render import answer_markdown, escape_markdown_html, quoted_sentences
from chatbot.ui.source_links import citation_link
from chatbot.types import Answer, Citation

SOURCES_TITLE = "Sources for answer {number}"
SUGGESTIONS = 3
_CITATION_FIELDS = {field.name for field in dataclasses.fields(Citation)}
_ENUMERATOR = re.compile(r"^(?:\d+[.)]|[IVX]+\.)\s+")
_WORD = re.compile(r"[a-z0-9]+")


def turn_of(answer: Answer, asked: str) -> dict:
    """One answered question as JSON-ready data (what the browser keeps between visits).

    The question is kept as typed: a typo the search corrected shows in the notice ("Searched for: …"), never in
    the person's own words.
    """
    return {"question": asked.strip() or answer.question, "answer": answer.text, "notice": answer.notice,
            "declined": answer.declined, "failed": False,
            "citations": [dataclasses.asdict(citation) for citation in answer.citations]}


def failed_turn(question: str, message: str) -> dict:
    """A question that got no answer; it keeps its place in the numbering, with the message shown instead."""
    return {"question": question, "answer": message, "notice": "", "declined": False, "failed": True, "citations": []}


def citations_of(turn: dict) -> list[Citation]:
    """The turn's citations as dataclasses; fields a newer or older version stored are ignored or defaulted."""
    return [Citation(**{key: value for key, value in raw.items() if key in _CITATION_FIELDS})
            for raw in turn.get("citations") or []]


def question_message(question: str, limit: int = 4000) -> dict:
    shown = question if len(question) <= limit else question[:limit] + " …"
    return {"role": "user", "content": escape_markdown_html(shown)}


def answer_message(turn: dict) -> dict:
    if turn.get("failed"):
        return {"role": "assistant", "content": escape_markdown_html(turn["answer"])}
    return {"role": "assistant", "content": answer_markdown(turn["answer"], turn.get("notice", ""), turn.get("declined"))}


def messages(turns: Sequence[dict]) -> list[dict]:
    """The chat window's messages: per turn the question, the answer, then its sources folded under it.

    The last turn's sources carry two or three next questions drawn from the headings it cites.
    """
    shown: list[dict] = []
    for number, turn in enumerate(turns, start=1):
        shown += [question_message(turn["question"]), answer_message(turn)]
        citations = citations_of(turn)
        if citations:
            shown.append({"role": "assistant", "content": footnotes_markdown(citations, turn["answer"]),
                          "metadata": {"title": SOURCES_TITLE.format(number=number), "status": "done"}})
    if turns and shown[-1].get("metadata"):
        options = suggestions(citations_of(turns[-1]), [turn["question"] for turn in turns])
        if options:
            shown[-1]["options"] = [{"value": option, "label": option} for option in options]
    return shown


def turn_at(turns: Sequence[dict], message_index: int | Sequence[int]) -> int | None:
    """Which turn (0-based) the message at `message_index` of `messages(turns)` belongs to."""
    index = message_index[0] if isinstance(message_index, (list, tuple)) else message_index
    position = 0
    for number, turn in enumerate(turns):
        size = 3 if turn.get("citations") else 2
        if position <= index < position + size:
            return number
        position += size
    return None


def footnotes_markdown(citations: Sequence[Citation], answer: str) -> str:
    """One line per source: "[n] Title › Section: URL" (the URL lands on the cited sentence when that is known)."""
    quotes = quoted_sentences(answer)
    return "\n".join(escape_markdown_html(footnote(citation, quotes.get(citation.n, ()))) for citation in citations)


def footnote(citation: Citation, quotes: Sequence[str] = ()) -> str:
    where = " › ".join(part for part in (citation.title or citation.source, citation.section.replace(" > ", " › "))
                       if part)
    link = citation_link(citation, quotes)
    return f"[{citation.n}] {where}" + (f": {link}" if link else "")


def export_markdown(turns: Sequence[dict], title: str, now: datetime | None = None) -> str:
    """The whole conversation as a Markdown document, each answer followed by its sources as footnotes."""
    now = now or datetime.now(timezone.utc)
    lines = [f"# {title}", "", f"Conversation exported {now:%Y-%m-%d %H:%M} UTC.", ""]
    for number, turn in enumerate(turns, start=1):
        lines += [f"## {number}. {turn['question']}", "", answer_message(turn)["content"], ""]
        citations = citations_of(turn)
        if citations:
            quotes = quoted_sentences(turn["answer"])
            lines += ["Sources:", ""] + [f"- {footnote(citation, quotes.get(citation.n, ()))}" for citation in citations]
            lines.append("")
    return "\n".join(lines)


def suggestions(citations: Sequence[Citation], asked: Sequence[str], limit: int = SUGGESTIONS) -> list[str]:
    """Next questions made of the cited sections' own headings, skipping what was already asked.

    The headings come most specific first, the section of source [1] excepted (the answer just read covers it),
    then the headings one level above them (higher ones are mostly containers, like an appendix). A heading
    written as a question is kept as it is; any other becomes "What does the guidance say about “<heading>”?",
    or "What do the sources say about “<heading>”?" when it heads a document that is not the guidance.
    """
    paths = [[part.strip() for part in c.section.split(">") if part.strip()] for c in citations]
    answered = {paths[0][-1]} if paths and paths[0] else set()
    headings: dict[str, str] = {}
    for level in range(2):
        for parts, cited in zip(paths, citations):
            if level < len(parts) and parts[-1 - level] not in answered:
                headings.setdefault(parts[-1 - level], "the guidance" if cited.kind == "guidance" else "the sources")
    asked_words = [_content_words(question) for question in asked]
    chosen: list[str] = []
    for heading, whose in headings.items():
        words = _content_words(heading)
        if not words or any(len(words & seen) >= 0.6 * len(words) for seen in asked_words):
            continue
        verb = "does" if whose == "the guidance" else "do"
        chosen.append(heading if heading.endswith("?") else
                      f"What {verb} {whose} say about “{_ENUMERATOR.sub('', heading)}”?")
        if len(chosen) == limit:
            break
    return chosen


def _content_words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if len(word) > 3}
