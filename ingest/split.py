"""Splitting a SourceDoc into chunks: by headings first, then long sections by words at paragraph and sentence ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatbot.settings import Settings
from ingest.anchors import chunk_anchors
from ingest.loaders import SourceDoc
from ingest.markdown import heading_text

if TYPE_CHECKING:
    from langchain_core.documents import Document

HEADINGS = [("#", "1"), ("##", "2"), ("###", "3"), ("####", "4")]
# Paragraphs, then lines, then sentence ends, then clause ends; a bare space only as the last resort.
SEPARATORS = ["\n\n", "\n", r"(?<=[.!?…])\s+", r"(?<=[;:])\s+", " "]
# A chunk's `position` is its number within its section, not within the document: position is part of
# each chunk's hash, and a section added, removed or grown must leave every other section's chunks as they
# were, or they would all be embedded again.


def word_count(text: str) -> int:
    return len(text.split())


def split_document(doc: SourceDoc, settings: Settings) -> list["Document"]:
    """Chunks of `doc` with the metadata every indexed chunk carries (chatbot.types.CHUNK_METADATA_KEYS, then
    OPTIONAL_METADATA_KEYS).

    Each heading's text becomes its own chunk, or several when it is longer than
    `chunk_max_words`; a short section stays whole, so each matrix row or sub-heading is its own chunk.
    """
    from langchain_core.documents import Document

    _check_sizes(settings)
    chunks = []
    for section, body in sections(doc):
        for position, text in enumerate(_pieces(body, settings)):
            metadata = {
                "source": doc.source,
                "title": doc.title,
                "url": doc.url,
                "kind": doc.kind,
                "publisher": doc.publisher,
                "published": doc.published,
                "section": section,
                "position": position,
                "restated": doc.restated,
                "based_on": doc.based_on,
                "anchors": chunk_anchors(text, doc.anchors),
            }
            chunks.append(Document(page_content=text, metadata=metadata))
    return chunks


def sections(doc: SourceDoc) -> list[tuple[str, str]]:
    """(heading path, body) for each stretch of text under one heading, in document order.

    The heading path joins the headings above the text with " > ", leaving out a top-level heading
    that repeats the document title; paragraphs in the body are separated by blank lines.
    """
    from langchain_text_splitters import MarkdownHeaderTextSplitter

    splitter = MarkdownHeaderTextSplitter(HEADINGS, strip_headers=True)
    found = []
    for part in splitter.split_text(doc.text):
        # The splitter joins paragraphs with a Markdown line break; give them back their blank line.
        body = part.page_content.replace("  \n", "\n\n").strip()
        if not body:
            continue
        headings = [part.metadata[level] for level in sorted(part.metadata)]
        if "1" in part.metadata and _repeats_title(part.metadata["1"], doc.title):
            headings.remove(part.metadata["1"])
        found.append((" > ".join(headings), body))
    return found


def _pieces(body: str, settings: Settings) -> list[str]:
    if word_count(body) <= settings.chunk_max_words:
        return [body]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        is_separator_regex=True,
        chunk_size=settings.chunk_max_words,
        chunk_overlap=settings.chunk_overlap_words,
        length_function=word_count,
        add_start_index=True,
    )
    parts = splitter.create_documents([body])
    pieces = [part.page_content for part in parts]
    if len(parts) > 1 and word_count(pieces[-1]) < settings.chunk_min_words:
        # A short tail joins the chunk before it, taken verbatim from the section up to its end.
        pieces[-2:] = [body[parts[-2].metadata["start_index"] :].strip()]
    return pieces


def _repeats_title(heading: str, title: str) -> bool:
    heading, title = heading_text(heading).casefold(), heading_text(title).casefold()
    return bool(title) and heading.startswith(title)


def _check_sizes(settings: Settings) -> None:
    if not 0 <= settings.chunk_overlap_words < settings.chunk_max_words:
        raise ValueError(
            f"chunk_overlap_words={settings.chunk_overlap_words} must be at least 0 and below "
            f"chunk_max_words={settings.chunk_max_words}; fix RAG_CHUNK_OVERLAP_WORDS or RAG_CHUNK_MAX_WORDS."
        )
    if not 0 < settings.chunk_min_words <= settings.chunk_max_words:
        raise ValueError(
            f"chunk_min_words={settings.chunk_min_words} must be above 0 and at most "
            f"chunk_max_words={settings.chunk_max_words}; fix RAG_CHUNK_MIN_WORDS."
        )
