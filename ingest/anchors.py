"""A document's anchor sidecar: which original sentence each restated sentence says again, as deep links.

Beside `notes.md` an optional `notes.anchors.toml` holds one `[[anchor]]` table per restated sentence:
`sentence` (the restated sentence, verbatim), `section` (the original's heading), and `start` and `end`
(the first and last few words of the original sentence, or of the clause restated). A sentence restating
several original sentences has one table for each. An optional top-level `url` names the original page;
the document's own URL is used otherwise.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from chatbot.anchors import text_fragment_url
from chatbot.errors import IngestError

SUFFIX = ".anchors.toml"


@dataclass(frozen=True)
class Anchor:
    """Where in the original one restated sentence comes from."""

    sentence: str
    section: str
    start: str
    end: str = ""


@dataclass(frozen=True)
class Sidecar:
    url: str  # the original page; empty when the sidecar names none
    anchors: tuple[Anchor, ...]


def sidecar_path(document: Path) -> Path:
    """`guide.md` -> `guide.anchors.toml`, in the same folder."""
    return document.with_name(document.stem + SUFFIX)


def read_sidecar(path: Path) -> Sidecar | None:
    """The anchors kept beside a document, or None when it has no sidecar.

    Raises:
        IngestError: the sidecar is not valid TOML or an anchor lacks `sentence`, `section` or `start`.
    """
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise IngestError(f"cannot read its anchors file {path.name} ({err}); fix or remove that file") from err
    anchors = []
    for number, table in enumerate(data.get("anchor", []), start=1):
        values = {key: " ".join(str(table.get(key, "")).split()) for key in ("sentence", "section", "start", "end")}
        absent = [key for key in ("sentence", "section", "start") if not values[key]]
        if absent:
            raise IngestError(f"anchor {number} in {path.name} has no {', '.join(absent)}; fill it in or remove it")
        anchors.append(Anchor(**values))
    return Sidecar(url=str(data.get("url", "")).strip(), anchors=tuple(anchors))


def deep_links(sidecar: Sidecar, document_url: str) -> tuple[tuple[str, str], ...]:
    """(restated sentence, link to its original words) for each anchored sentence, in sidecar order."""
    url = sidecar.url or document_url
    ranges: dict[str, list[tuple[str, str]]] = {}
    for anchor in sidecar.anchors:
        ranges.setdefault(anchor.sentence, []).append((anchor.start, anchor.end))
    return tuple((sentence, text_fragment_url(url, spans)) for sentence, spans in ranges.items())


def chunk_anchors(text: str, links: Iterable[tuple[str, str]]) -> str:
    """The `anchors` metadata of one chunk: JSON {sentence: link} for the anchored sentences it holds.

    Chroma keeps only scalar metadata values, hence one JSON string; "" when the chunk holds none.
    """
    flat = " ".join(text.split())
    found = {sentence: link for sentence, link in links if sentence in flat}
    return json.dumps(found, ensure_ascii=False, sort_keys=True) if found else ""
