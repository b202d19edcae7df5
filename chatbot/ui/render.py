"""HTML and Markdown for the chat window: answer text, numbered source cards and the About panel, all escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from chatbot.sentences import LIST_MARK, segments
from chatbot.store.catalog import DocumentInfo
from chatbot.ui.source_links import citation_link, safe_url
from chatbot.types import Answer, Citation

if TYPE_CHECKING:
    from chatbot.ui.changes_view import RecentChanges

MARKER = re.compile(r"\[(\d+)\]")
MIN_QUOTE_WORDS = 4  # shorter sentences could match a passage by chance
KIND_LABELS = {"guidance": "Guidance", "article": "Article", "summary": "Summary", "document": "Document"}
CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)([^\n]+?)(?<!`)\1(?!`)")


def answer_markdown(text: str, notice: str = "", declined: bool = False) -> str:
    """The answer as Chatbot Markdown: HTML escaped (passages may carry markup), notice and decline made plain."""
    body = escape_markdown_html(text)
    if declined:
        body = f"**No answer in the sources.** {body}"
    if notice:
        body += f"\n\n> *{escape_markdown_html(notice)}*"
    return body


def escape_markdown_html(text: str) -> str:
    """Escape `<`, `>` and `&` so Markdown still works but no tag from a document ever reaches the page.

    Code spans stay as they are: Markdown shows their characters literally, so an escaped `<folder>` would read
    `&lt;folder&gt;`.
    """
    parts, position = [], 0
    for span in CODE_SPAN.finditer(text):
        parts += [html.escape(text[position:span.start()], quote=False), span.group(0)]
        position = span.end()
    return "".join(parts) + html.escape(text[position:], quote=False)


def stream_chunks(text: str, words_per_chunk: int = 4) -> Iterator[str]:
    """The text growing a few words at a time, ending with the whole text."""
    words = re.findall(r"\S+\s*", text)
    for end in range(words_per_chunk, len(words), words_per_chunk):
        yield "".join(words[:end])
    yield text


def cited_numbers(text: str) -> list[int]:
    """The [n] marker numbers in an answer, in order of first appearance."""
    seen: dict[int, None] = {}
    for match in MARKER.finditer(text):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def sources_html(citations: Sequence[Citation], *, declined: bool = False, heading: str = "Sources",
                 answer: str = "", answer_number: int | None = None, id_prefix: str = "source",
                 changes: "RecentChanges | None" = None) -> str:
    """Numbered cards, one per citation; every document-derived string is escaped.

    Args:
        answer: the answer text; the sentences it cites with [n] are highlighted in card n's passage.
        answer_number: which answer of the conversation the cards belong to (the panel's `data-answer`).
        id_prefix: card n gets the id `{id_prefix}-{n}`, unique on the page.
        changes: recent revisions; a card whose section one of them changed carries a "changed on" badge.
    """
    if declined:
        return _panel(heading, '<p class="sources-empty" data-state="declined">'
                      "No sources: the indexed documents don't cover this question.</p>", answer_number)
    if not citations:
        return _panel(heading, '<p class="sources-empty" data-state="none">No sources for this answer.</p>',
                      answer_number)
    quotes = quoted_sentences(answer)
    cards = "\n".join(_card(citation, quotes.get(citation.n, ()), id_prefix, changes) for citation in citations)
    return _panel(heading, cards, answer_number)


def sources_placeholder(message: str, answer_number: int | None = None) -> str:
    """The sources panel before an answer: a short hint or status line."""
    heading = f"Sources for answer {answer_number}" if answer_number else "Sources"
    return _panel(heading, f'<p class="sources-empty" data-state="idle">{html.escape(message)}</p>', answer_number)


def cite_previews_html(answers: Iterable[tuple[int, str, Sequence[Citation]]]) -> str:
    """What hovering or focusing marker [n] of answer k shows: the source's title, section and cited sentence.

    Args:
        answers: (answer number, answer text, citations) for each answer of the conversation.
    """
    parts = []
    for number, answer, citations in answers:
        quotes = quoted_sentences(answer)
        items = "".join(
            f'<p data-n="{int(c.n)}">{html.escape(preview_text(c, quotes.get(c.n, ())))}</p>' for c in citations)
        parts.append(f'<div data-answer="{int(number)}">{items}</div>')
    return f'<div class="cite-previews" hidden>{"".join(parts)}</div>'


def preview_text(citation: Citation, quotes: Sequence[str] = ()) -> str:
    """"[n] Title › Section: “the cited sentence”", falling back on the passage's opening words."""
    where = " › ".join(part for part in (citation.title or citation.source, _section(citation.section)) if part)
    quoted = " ".join(q for q in quotes if _find(citation.passage, q)) or _opening(citation.passage)
    return f"[{int(citation.n)}] {where}: “{quoted}”"


def _opening(text: str, words: int = 30) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _section(section: str) -> str:
    return section.replace(" > ", " › ")


def _panel(heading: str, body: str, answer_number: int | None = None) -> str:
    number = f' data-answer="{int(answer_number)}"' if answer_number else ""
    return (f'<section class="sources-panel"{number}><h2 class="sources-heading">{html.escape(heading)}</h2>'
            f"{body}</section>")




def quoted_sentences(answer: str) -> dict[int, list[str]]:
    """For each marker number, the sentences of the stretch of answer that ends with it ("A. B. [1]" gives 1: A., B.)."""
    quotes: dict[int, list[str]] = {}
    parts = re.split(r"((?:\s*\[\d+\])+)", answer)
    for text, markers in zip(parts[::2], parts[1::2]):
        # Bold (a verdict's label) is the reply's emphasis, not the quote's, and hides where its sentence ends.
        sentences = [LIST_MARK.sub("", sentence)  # a bullet's mark is the reply's layout, not the quote
                     for sentence in segments(text.replace("**", "").strip())]
        for number in sorted({int(n) for n in re.findall(r"\d+", markers)}):
            quotes.setdefault(number, []).extend(sentences)
    return quotes


def _card(citation: Citation, quotes: Sequence[str] = (), id_prefix: str = "source",
          changes: "RecentChanges | None" = None) -> str:
    number = int(citation.n)
    title = html.escape(citation.title or citation.source or "Untitled document")
    section = html.escape(_section(citation.section)) if citation.section else ""
    kind = KIND_LABELS.get(citation.kind, "")
    url = safe_url(citation.url)
    link = citation_link(citation, quotes)
    title_html = _link(url, title, "source-title") if url else f'<span class="source-title">{title}</span>'
    origin = (_link(link, "Open the original ↗", "source-link") if link
              else f'<span class="source-path">{html.escape(citation.source)}</span>')
    return (
        f'<article class="source-card" id="{id_prefix}-{number}" data-n="{number}" tabindex="-1">'
        f'<header class="source-header"><span class="source-n"><span class="sr-text">Source </span>{number}</span>{title_html}'
        + (f'<span class="source-kind">{kind}</span>' if kind else "")
        + "</header>"
        + (f'<div class="source-section">{section}</div>' if section else "")
        + (changes.badge_html(citation) if changes else "")
        + f'<blockquote class="source-passage">{_passage(citation.passage, quotes)}</blockquote>'
        f'<footer class="source-footer">{origin}</footer></article>'
    )


def _passage(text: str, quotes: Sequence[str] = (), shown_words: int = 60, fold_after: int = 80) -> str:
    """The passage escaped, quoted sentences marked; a long one folds after its opening words and the quotes."""
    text = text.strip()
    spans = sorted(span for quote in quotes if len(quote.split()) >= MIN_QUOTE_WORDS and (span := _find(text, quote)))
    words = [match.start() for match in re.finditer(r"\S+", text)]
    cut = len(text)
    if len(words) > fold_after:
        keep_until = max([words[shown_words], *(end for _, end in spans)])
        later = [start for start in words if start >= keep_until]
        if len(later) >= fold_after - shown_words:
            cut = later[0]
    head, position = [], 0
    for start, end in spans:
        if start >= position:
            head += [html.escape(text[position:start]), f'<mark class="source-quote">{html.escape(text[start:end])}</mark>']
            position = end
    head.append(html.escape(text[position:cut]))
    if cut == len(text):
        return "".join(head)
    return ("".join(head) + '<details class="source-more"><summary>Show the whole passage</summary>'
            f"{html.escape(text[cut:])}</details>")


def _find(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` occurs in `text`, whatever the whitespace between its words."""
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(word) for word in words), text)
    return match.span() if match else None


def _link(url: str, label: str, css_class: str) -> str:
    return f'<a class="{css_class}" href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{label}</a>'


def about_markdown(documents: Iterable[DocumentInfo]) -> str:
    """The About panel: what the corpus is, that documents restate their sources, and where the originals are."""
    documents = list(documents)
    lines = [
        "This assistant answers only from the documents below, and quotes the passage behind every claim. "
        "The main document is a restatement of Netflix's guidance *Using Generative AI in Content Production*; "
        "the others are news articles and summaries about it and about generative AI in film and TV.",
        "",
        "**The documents restate their sources in the project's own words.** They are not the originals: "
        "before relying on a point, open the original through the link on its source card or in the table below.",
        "",
    ]
    if not documents:
        lines.append("*No documents are indexed yet. Run `python -m ingest` and restart the app.*")
        return "\n".join(lines)
    lines += ["| Document (original) | Kind | Publisher | Date |", "|---|---|---|---|"]
    for document in documents:
        title = _cell(document.title or document.source)
        url = safe_url(document.url)
        if url:
            label = title.replace("[", "\\[").replace("]", "\\]")
            title = f"[{label}]({_markdown_url(url)}) ({urlparse(url).netloc.removeprefix('www.')})"
        lines.append(f"| {title} | {_cell(KIND_LABELS.get(document.kind, document.kind))} "
                     f"| {_cell(document.publisher)} | {_cell(document.published)} |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return escape_markdown_html(text or "—").replace("|", "\\|").replace("\n", " ")


def _markdown_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
