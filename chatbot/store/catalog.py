"""The documents in the index, one entry each, read from the chunk metadata in the store."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chatbot.answer.trust import classify_metadata, policy
from chatbot.settings import Settings
from chatbot.types import source_fields

log = logging.getLogger(__name__)

KIND_ORDER = {"guidance": 0, "summary": 1, "article": 2}


@dataclass(frozen=True)
class DocumentInfo:
    """What the About panel says about one indexed document."""

    source: str
    title: str
    url: str
    kind: str
    publisher: str
    published: str
    restated: bool


def list_documents(settings: Settings) -> list[DocumentInfo]:
    """Each indexed document once: the guidance first, then summaries, then articles newest first.

    Returns an empty list when there is no index yet, so a front end can still start.
    """
    from chatbot.store.reader import reader_for

    reader = reader_for(settings)
    try:
        metadatas = reader.reading(reader.metadatas)
    except Exception as err:  # a missing collection or an unreachable server: the panel says so instead
        log.warning("Cannot list the indexed documents (%s)", err)
        return []
    return sort_documents(documents_from_metadata(classify_metadata(metadatas, policy(settings))))


def documents_from_metadata(metadatas: list[dict]) -> list[DocumentInfo]:
    """One DocumentInfo per distinct `source` among chunk metadata dicts."""
    documents: dict[str, DocumentInfo] = {}
    for metadata in metadatas:
        source = str((metadata or {}).get("source", ""))
        if not source or source in documents:
            continue
        documents[source] = DocumentInfo(publisher=str(metadata.get("publisher", "")),
                                         published=str(metadata.get("published", "")), **source_fields(metadata))
    return list(documents.values())


def sort_documents(documents: list[DocumentInfo]) -> list[DocumentInfo]:
    by_date = sorted(documents, key=lambda document: document.published, reverse=True)
    return sorted(by_date, key=lambda document: KIND_ORDER.get(document.kind, len(KIND_ORDER)))
