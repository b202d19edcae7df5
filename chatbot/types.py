"""Plain frozen data passed between the stages: passages in, cited answers out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

# Metadata keys every indexed chunk carries (written by ingest/, read by chatbot/).
CHUNK_METADATA_KEYS = ("source", "title", "url", "kind", "publisher", "published", "section", "position", "restated")
# Keys the ingester writes too, but that chunks of an index built before them lack; readers default them to "".
OPTIONAL_METADATA_KEYS = ("based_on", "anchors")


def source_fields(metadata: dict) -> dict[str, object]:
    """What a chunk's metadata says about the document it comes from, with defaults for missing keys."""
    return {
        "source": str(metadata.get("source", "")),
        "title": str(metadata.get("title", "")),
        "url": str(metadata.get("url", "")),
        "kind": str(metadata.get("kind", "document")),
        "restated": bool(metadata.get("restated", False)),
    }


@dataclass(frozen=True)
class Passage:
    """One indexed chunk as retrieved: its verbatim text and where it comes from."""

    chunk_id: str
    text: str
    source: str  # path under the corpus folder, a file path, or a URL
    title: str
    section: str  # heading path, e.g. "Guiding Principles > Talent"
    url: str
    kind: str  # guidance, article, summary or document
    restated: bool = True  # True when the document restates its source in the project's own words
    score: float = 0.0
    anchors: str = ""  # JSON {restated sentence: deep link to the original's words}; see chatbot.anchors.deep_link
    based_on: str = ""  # the original a document written by this project builds on

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, metadata: dict, score: float = 0.0) -> "Passage":
        return cls(chunk_id=chunk_id, text=text, section=str(metadata.get("section", "")), score=score,
                   anchors=str(metadata.get("anchors", "")), based_on=str(metadata.get("based_on", "")),
                   **source_fields(metadata))


@dataclass(frozen=True)
class Citation:
    """A numbered source shown with an answer; `passage` is the verbatim chunk text."""

    n: int
    title: str
    section: str
    url: str
    passage: str
    score: float
    source: str = ""
    kind: str = ""
    chunk_id: str = ""
    restated: bool = True  # False when `passage` is the original's own words
    anchors: str = ""  # see Passage.anchors

    @classmethod
    def of(cls, n: int, passage: Passage) -> "Citation":
        return cls(
            n=n,
            title=passage.title,
            section=passage.section,
            url=passage.url,
            passage=passage.text,
            score=round(passage.score, 4),
            source=passage.source,
            kind=passage.kind,
            chunk_id=passage.chunk_id,
            restated=passage.restated,
            anchors=passage.anchors,
        )


@dataclass(frozen=True)
class Timings:
    retrieve_ms: float = 0.0
    answer_ms: float = 0.0
    total_ms: float = 0.0


@dataclass(frozen=True)
class Answer:
    """What `ask()` returns to every front end."""

    question: str
    text: str  # with inline markers [1], [2] matching `citations`
    citations: tuple[Citation, ...] = ()
    declined: bool = False
    notice: str = ""  # e.g. the question was cut, or the LLM failed and the extractive answer is shown
    timings: Timings = field(default_factory=Timings)
    passages: tuple[Passage, ...] = ()  # everything retrieved, best first (for evals and debugging)
    # "answered", "partly" (says what the sources do not settle, then the nearest rules) or "declined";
    # left empty, it follows `declined`.
    outcome: str = ""

    def __post_init__(self):
        if not self.outcome:
            object.__setattr__(self, "outcome", "declined" if self.declined else "answered")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
