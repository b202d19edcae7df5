"""Whose word a passage is: the guidance (trusted by the operator's setting), or a document speaking for itself.

A document is trusted only when its source matches `settings.trusted_sources`; what its front matter says about
itself (kind, address, being a restatement) counts only then. Any other document is cited as a plain document
under its own name and address, is never quoted before the guidance on a point the guidance covers, and is
quoted with a word on whose it is.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from chatbot.answer.markup import without_links
from chatbot.answer.orders import gives_orders
from chatbot.types import Passage

if TYPE_CHECKING:
    from chatbot.answer.extractive import Candidate
    from chatbot.settings import Settings

GUIDANCE = "guidance"
DOCUMENT = "document"
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# On a point the guidance covers (its best sentence this close to the question, relative to the document's best),
# a document's sentence scores just below the guidance's best one.
COVERS_RATIO = 0.6
BELOW = 1e-3


@dataclasses.dataclass(frozen=True)
class TrustPolicy:
    """The operator's allow-list: globs over source names (corpus-relative paths, absolute paths or URLs)."""

    patterns: tuple[str, ...]

    def trusts(self, source: str) -> bool:
        kind = _kind_of(source)
        return any(_kind_of(pattern) == kind and fnmatch.fnmatchcase(_key(source), _key(pattern))
                   for pattern in self.patterns)


def policy(settings: "Settings") -> TrustPolicy:
    """The allow-list in `settings.trusted_sources` (comma-separated)."""
    return TrustPolicy(tuple(p.strip() for p in settings.trusted_sources.split(",") if p.strip()))


def _kind_of(name: str) -> str:
    if _URL.match(name):
        return "url"
    return "absolute" if name.startswith(("/", "~")) or Path(name).is_absolute() else "relative"


def _key(name: str) -> str:
    if _URL.match(name):
        scheme, rest = name.split("://", 1)
        host, _, path = rest.partition("/")
        return f"{scheme.lower()}://{host.lower()}/{path}"
    if name.startswith("~"):
        name = str(Path(name).expanduser())
    return str(PurePosixPath(name.replace("\\", "/")))


def classify(passages: Sequence[Passage], trust: TrustPolicy) -> list[Passage]:
    """The passages as the answerer may present them: markup-free, and untrusted ones as plain documents.

    An untrusted document keeps its text, but its kind becomes "document", its address is where it was read
    from, it is not the restatement of anything, and a title that copies a trusted document's title names
    the file it came from.
    """
    cleaned = [_plain(passage) for passage in passages]
    trusted = [trust.trusts(passage.source) for passage in cleaned]
    titles = {_fold(p.title) for p, ok in zip(cleaned, trusted) if ok}
    return [p if ok else _as_document(p, titles) for p, ok in zip(cleaned, trusted)]


def classify_metadata(metadatas: Sequence[dict], trust: TrustPolicy) -> list[dict]:
    """Chunk metadata with what `classify` says about each chunk's document: title, address, kind, restatement."""
    passages = classify([Passage.from_metadata("", "", metadata or {}) for metadata in metadatas], trust)
    return [{**(metadata or {}), "title": p.title, "url": p.url, "kind": p.kind, "restated": p.restated}
            for metadata, p in zip(metadatas, passages)]


def _plain(passage: Passage) -> Passage:
    # Indexes built before links were stripped at ingest still hold them: nothing from a document may render as one.
    text, title, section = (without_links(value) for value in (passage.text, passage.title, passage.section))
    if (text, title, section) == (passage.text, passage.title, passage.section):
        return passage
    return dataclasses.replace(passage, text=text, title=title, section=section)


def _as_document(passage: Passage, trusted_titles: set[str]) -> Passage:
    name = passage.source if _URL.match(passage.source) else Path(passage.source).name
    title = passage.title or name
    if _fold(title) in trusted_titles:
        title = f'{name} (titled "{title}")'
    return dataclasses.replace(passage, kind=DOCUMENT, restated=False, url=passage.source, title=title)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def speaks_to_answerer(sentences: Sequence[str]) -> bool:
    """Whether a passage gives the answerer orders: then none of its sentences is quoted, since the ones around
    an order ("The following applies to you.") are part of it."""
    return any(gives_orders(sentence) for sentence in sentences)


def below_guidance(found: list["Candidate"]) -> list["Candidate"]:
    """Candidates where no plain document's sentence outranks the guidance's best, in score or in closeness to the
    question, on a point the guidance covers."""
    guidance = [c for c in found if c.passage.kind == GUIDANCE]
    documents = [c for c in found if c.passage.kind == DOCUMENT]
    if not guidance or not documents:
        return found
    best = max(guidance, key=lambda c: c.score)
    if best.similarity < COVERS_RATIO * max(c.similarity for c in documents):
        return found
    # Similarity too: the answer's other choices are measured against the closest sentence, which is no longer it.
    ceiling, closest = best.score - BELOW, max(c.similarity for c in guidance)
    return [dataclasses.replace(c, score=min(c.score, ceiling), similarity=min(c.similarity, closest))
            if c.passage.kind == DOCUMENT else c for c in found]


def attributed(sentence: str, passage: Passage) -> str:
    """A plain document's sentence says whose word it is; the guidance's and the corpus's others are quoted as they are."""
    if passage.kind != DOCUMENT:
        return sentence
    title = " ".join((passage.title or passage.source).split())
    return f'A document that is not the guidance ("{title}") says: {sentence}'
