"""HTML and Markdown for the chat window: answer text, numbered source cards and the About panel, all escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urlparse

from chatbot.catalog import DocumentInfo
from chatbot.types import Answer, Citation

MARKER = re.compile(r"\[(\d+)\]")
KIND_LABELS = {"guidance": "Guidance", "article": "Article", "summary": "Summary", "document": "Document"}


def answer_markdown(text: str, notice: str = "", declined: bool = False) -> str:
    """The answer as Chatbot Markdown: HTML escaped (passages may carry markup), notice and decline made plain."""
    body = escape_markdown_html(text)
    if declined:
        body = f"**No answer in the sources.** {body}"
    if notice:
        body += f"\n\n> *{escape_markdown_html(notice)}*"
    return body


def escape_markdown_html(text: str) -> str:
    """Escape `<`, `>` and `&` so Markdown still works but no tag from a document ever reaches the page."""
    return html.escape(text, quote=False)


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


def sources_html(citations: Sequence[Citation], *, declined: bool = False, heading: str = "Sources") -> str:
    """Numbered cards, one per citation; every document-derived string is escaped."""
    if declined:
        return _panel(heading, '<p class="sources-empty" data-state="declined">'
                      "No sources: the indexed documents don't cover this question.</p>")
    if not citations:
        return _panel(heading, '<p class="sources-empty" data-state="none">No sources for this answer.</p>')
    return _panel(heading, "\n".join(_card(citation) for citation in citations))


def sources_placeholder(message: str) -> str:
    """The sources panel before an answer: a short hint or status line."""
    return _panel("Sources", f'<p class="sources-empty" data-state="idle">{html.escape(message)}</p>')


def _panel(heading: str, body: str) -> str:
    return f'<section class="sources-panel"><h3 class="sources-heading">{html.escape(heading)}</h3>{body}</section>'


def _card(citation: Citation) -> str:
    number = int(citation.n)
    title = html.escape(citation.title or citation.source or "Untitled document")
    section = html.escape(citation.section.replace(" > ", " › ")) if citation.section else ""
    kind = KIND_LABELS.get(citation.kind, "")
    url = safe_url(citation.url)
    title_html = _link(url, title, "source-title") if url else f'<span class="source-title">{title}</span>'
    origin = (_link(url, "Open the original ↗", "source-link") if url
              else f'<span class="source-path">{html.escape(citation.source)}</span>')
    return (
        f'<article class="source-card" id="source-{number}" data-n="{number}">'
        f'<header class="source-header"><span class="source-n">{number}</span>{title_html}'
        + (f'<span class="source-kind">{kind}</span>' if kind else "")
        + "</header>"
        + (f'<div class="source-section">{section}</div>' if section else "")
        + f'<blockquote class="source-passage">{html.escape(citation.passage.strip())}</blockquote>'
        f'<footer class="source-footer">{origin}</footer></article>'
    )


def _link(url: str, label: str, css_class: str) -> str:
    return f'<a class="{css_class}" href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{label}</a>'


def safe_url(url: str) -> str:
    """The URL when it is http(s), else "" (no javascript: or data: links from a document's front matter)."""
    parsed = urlparse(url.strip()) if url else None
    return url.strip() if parsed and parsed.scheme in {"http", "https"} and parsed.netloc else ""


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
