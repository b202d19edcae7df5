"""The extractive reply a producer reads: the verdict first, what the sources do not settle, then quoted rules.

Sentences are whole and stand alone; a multi-part question gets one bullet per part, a "which" question a list,
a partly answered one the gap first and the nearest rules after it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

import numpy as np

from chatbot.answer import extractive, trust
from chatbot.answer.answer_kind import NUMBER_WORDS
from chatbot.answer.compose import asks_for_list, bullets, part_label, question_parts, standalone
from chatbot.answer.extractive import Candidate, Draft
from chatbot.answer.gaps import Gap
from chatbot.answer.verdict import Verdict
from chatbot.answer.yes_no import lead
from chatbot.query.expansion import search_text
from chatbot.query.query import Query, terms
from chatbot.retrieval.search import Retrieval
from chatbot.sentences import LIST_MARK
from chatbot.types import Citation, Passage

MAX_ITEMS = 6  # a list introduced by an answer's first sentence is quoted whole when it has at most this many items
PART_SENTENCES = 2  # sentences quoted for each part of a multi-part question
NEAREST_RULES = 3  # sentences quoted after saying what the sources do not settle
NO_SETTLEMENT = "The sources found do not settle this question directly."
NEAREST = "The nearest rules they give:"
# A sentence quoted from anything but the guidance itself (news, a summary of either) is no rule.
NEAREST_PASSAGES = "The nearest passages found:"

Embed = Callable[[str], np.ndarray]


class _Numbering:
    """Citation numbers by first use, shared by every line of one reply."""

    def __init__(self):
        self.numbers: dict[str, int] = {}
        self.citations: list[Citation] = []

    def mark(self, passage: Passage) -> int:
        if passage.chunk_id not in self.numbers:
            self.numbers[passage.chunk_id] = len(self.numbers) + 1
            self.citations.append(Citation.of(self.numbers[passage.chunk_id], passage))
        return self.numbers[passage.chunk_id]

    def quote(self, chosen: Sequence[Candidate]) -> list[str]:
        """Each sentence with its marker: the best first, then by passage in order of choice, each in passage order."""
        first_pick: dict[str, int] = {}
        for order, candidate in enumerate(chosen):
            first_pick.setdefault(candidate.passage.chunk_id, order)
        ordered = sorted(chosen, key=lambda c: (first_pick[c.passage.chunk_id], c is not chosen[0], c.position))
        return [f"{trust.attributed(c.sentence, c.passage)} [{self.mark(c.passage)}]" for c in ordered]


def standalone_quotes(retrieval: Retrieval) -> Retrieval:
    """The retrieval with each quotable sentence made to stand alone (a dangling "Also," removed), or left out
    when it points at a sentence before it ("For those situations, ...")."""
    kept = []
    for quote in retrieval.quotes:
        sentence = standalone(quote.sentence)
        if sentence:
            kept.append(quote if sentence == quote.sentence else dataclasses.replace(quote, sentence=sentence))
    return dataclasses.replace(retrieval, quotes=tuple(kept))


def verdict_line(verdict: Verdict, numbering: _Numbering) -> str:
    """The bottom line, why, and the rule's own sentence: the card of the passage it cites marks that sentence."""
    said = " ".join(part for part in (f"**{verdict.label}.**", verdict.reason, verdict.quote) if part)
    return f"{said} [{numbering.mark(verdict.passage)}]"


@dataclasses.dataclass(frozen=True)
class Listing:
    """A "which …" question's (or part's) answer as a list: the sentences of each subsection of the section whose
    heading asks it (chatbot.answer.outline), one retrieval per subsection, in the section's order."""

    part: str  # the question, or the part of it, that the list answers
    query: Query
    sections: tuple[Retrieval, ...]
    intro: Retrieval | None = None  # the section's own text before its parts, when it has any


def respond(query: Query, retrieval: Retrieval, max_passages: int, *, outcome: str = "answered",
            gap: Gap | None = None, verdict: Verdict | None = None, embed: Embed | None = None,
            names: frozenset[str] = frozenset(), listing: Listing | None = None) -> Draft:
    """The reply to `query` from the retrieval's sentences, citing at most `max_passages` quoted passages.

    Args:
        outcome: "answered", or "partly" to open with what the sources do not settle (`gap`'s statement).
        verdict: the bottom line to open with (it cites the rule's passage, which may add one citation).
        embed: embeds each part of a multi-part question, so each part gets its own sentences.
        names: left out of what is embedded, as for the whole question (`ubiquitous_names`).
        listing: the question's (or a part's) answer as one sentence from each subsection of a section.
    """
    retrieval = standalone_quotes(retrieval)
    numbering = _Numbering()
    if outcome == "partly":
        chosen = extractive.select(extractive.candidates(query, retrieval), max_passages, query)[:NEAREST_RULES]
        if not chosen:
            return Draft("", ())
        statement = gap.statement if gap and (gap.missing or gap.absent_kind) else NO_SETTLEMENT
        lead_in = NEAREST if all(c.passage.kind == trust.GUIDANCE for c in chosen) else NEAREST_PASSAGES
        return Draft(f"{statement} {lead_in}\n{bullets(numbering.quote(chosen))}", tuple(numbering.citations))
    opening = verdict_line(verdict, numbering) if verdict and verdict.passage else ""
    if opening:
        max_passages = max(1, max_passages - 1)  # the rule's passage counts among those one reply may cite

    # The rule's sentence is quoted once, in the verdict: the body leaves it out, and any sentence saying the same.
    said = tuple(vector for quote in verdict.quotes for vector in _said(quote, retrieval, embed)) if opening else ()
    parts = question_parts(query.asked) if embed else [query.asked]
    if len(parts) > 1:
        lines = _by_part(parts, retrieval, max_passages, numbering, embed, names, said, listing)
        body = bullets(lines)
    elif listing is not None and (listed := _listed(listing, max(max_passages, len(listing.sections)),
                                                   set(numbering.numbers), said)):
        if not opening and (intro := _intro(listing, said)):
            opening = numbering.quote([intro])[0]  # numbered first, as it is read first
        body = bullets(numbering.quote(listed))
    else:
        found = extractive.candidates(query, retrieval)
        chosen = extractive.select(found, max_passages, query, said)
        if not chosen:
            return Draft(opening, tuple(numbering.citations)) if opening else Draft("", ())
        # A first sentence that introduces a list ("… list three steps:") is answered by the list itself.
        items = [c for c in items_after(chosen[0], found) if not extractive.repeats(c, said)]
        if len(items) >= 2:
            chosen = [chosen[0], *items]
        quoted = numbering.quote(chosen)
        if not opening:
            same_passage = [c.sentence for c in chosen if c.passage.chunk_id == chosen[0].passage.chunk_id]
            opening = lead(query.asked, same_passage, query.asked_words)
        if len(items) >= 2:
            body = f"{quoted[0]}\n{bullets(quoted[1:])}"
        else:
            body = bullets(quoted) if asks_for_list(query.asked) and len(quoted) > 2 else " ".join(quoted)
    if not body:
        return Draft(opening, tuple(numbering.citations)) if opening else Draft("", ())
    separator = "\n\n" if opening.startswith("**") or body.startswith("- ") else " "
    text = f"{opening}{separator}{body}" if opening else body
    return Draft(text, tuple(numbering.citations))


def items_after(first: Candidate, found: Sequence[Candidate], limit: int = MAX_ITEMS) -> list[Candidate]:
    """The first sentence of each item of the list that `first` introduces in its passage, in order: the list lines
    right after the line `first` ends, when `first` ends with a colon or says how many there are ("three steps").
    None when `first` introduces no list, or one of more than `limit` items."""
    lines = first.passage.text.splitlines()
    at = next((i for i, line in enumerate(lines) if line.rstrip().endswith(first.sentence.rstrip())
               and not LIST_MARK.match(line)), None)
    if at is None:
        return []
    items: list[str] = []
    for line in lines[at + 1 :]:
        if LIST_MARK.match(line):
            items.append(LIST_MARK.sub("", line))
        elif line.strip() or items:
            break
    if not 2 <= len(items) <= limit or not (first.sentence.rstrip().endswith(":") or _counts(first.sentence, len(items))):
        return []
    own = [c for c in found if c.passage.chunk_id == first.passage.chunk_id]
    quoted = [min((c for c in own if c.sentence in item), key=lambda c: c.position, default=None) for item in items]
    return [] if None in quoted else quoted  # a list announced as three items is given whole, or not at all


def _counts(sentence: str, number: int) -> bool:
    """Whether the sentence gives this number, in digits or in words ("three")."""
    spelled = f"|{NUMBER_WORDS[number]}" if number < len(NUMBER_WORDS) else ""
    return bool(re.search(rf"\b(?:{number}{spelled})\b", sentence, re.IGNORECASE))


def _said(sentence: str, retrieval: Retrieval, embed: Embed | None) -> tuple[np.ndarray, ...]:
    """The vector of a sentence the reply already quotes: from the retrieval's sentences, else embedded."""
    vector = next((quote.vector for quote in retrieval.quotes if quote.sentence == sentence), None)
    if vector is None and embed is not None:
        vector = embed(sentence)
    return () if vector is None else (vector,)


def _unsaid(query: Query, section: Retrieval, said: Sequence[np.ndarray]) -> list[Candidate]:
    """The section's quotable sentences scored for `query`, less any saying what the reply says already."""
    return [c for c in extractive.candidates(query, standalone_quotes(section)) if not extractive.repeats(c, said)]


def _intro(listing: Listing, said: Sequence[np.ndarray]) -> Candidate | None:
    """The sentence of the section's own text that best introduces the list (what it lists, how completely)."""
    if listing.intro is None:
        return None
    return max(_unsaid(listing.query, listing.intro, said), key=lambda c: c.score, default=None)


def _listed(listing: Listing, max_passages: int, cited: set[str], said: Sequence[np.ndarray]) -> list[Candidate]:
    """The best sentence of each subsection for the listed question, in the section's order, as many subsections
    as the reply, which already cites the passages `cited`, may cite passages; none when fewer than two."""
    chosen: list[Candidate] = []
    cited = set(cited)
    for section in listing.sections:
        if len(cited) >= max_passages and not any(p.chunk_id in cited for p in section.passages):
            break
        found = _unsaid(listing.query, section, said)
        if found:
            chosen.append(max(found, key=lambda c: c.score))
            cited.add(chosen[-1].passage.chunk_id)
    return chosen if len(chosen) >= 2 else []


def _by_part(parts: Sequence[str], retrieval: Retrieval, max_passages: int, numbering: _Numbering,
             embed: Embed, names: frozenset[str], said: Sequence[np.ndarray], listing: Listing | None = None
             ) -> list[str]:
    """One line per part of the question: its own best sentences, none repeated from an earlier part or `said`;
    the part a listing answers, its list."""
    lines: list[str] = []
    used: set[str] = set()
    for part in parts:
        if listing is not None and part == listing.part and (listed := _listed(
                listing, len(listing.sections), set(numbering.numbers), said)):
            # The part asked, then its list nested under it; a list counts as one passage toward the reply's limit.
            lines.append(part_label(part) + ":\n" + "\n".join(f"  - {item}" for item in numbering.quote(listed)))
            used.update(c.sentence for c in listed)
            max_passages += len(listed) - 1
            continue
        vector = embed(search_text(part, names))
        tokens, expanded = terms(part)
        part_query = Query(asked=part, text=part, tokens=tokens, expanded=expanded, vector=vector,
                           asked_words=frozenset(tokens + expanded))
        rescored = dataclasses.replace(retrieval, quotes=tuple(
            dataclasses.replace(quote, similarity=float(quote.vector @ vector)) for quote in retrieval.quotes))
        fresh = [c for c in extractive.candidates(part_query, rescored) if c.sentence not in used]
        cited = set(numbering.numbers)
        if len(cited) >= max_passages:  # the reply cites no more passages than one answer may
            fresh = [c for c in fresh if c.passage.chunk_id in cited]
        chosen = extractive.select(fresh, max_passages, part_query, said)[:PART_SENTENCES]
        if not chosen:  # nothing beyond the lines above (a verdict, another part) to quote for it
            continue
        used.update(c.sentence for c in chosen)
        same_passage = [c.sentence for c in chosen if c.passage.chunk_id == chosen[0].passage.chunk_id]
        opening = lead(part, same_passage, part_query.asked_words)
        lines.append(" ".join(filter(None, [opening, *numbering.quote(chosen)])))
    return lines
