"""Versions of each ingested document and the section-level changes between them, read from the records database.

Every ingest records a version of each document it loads (ingest/versions.py writes them): its content hash,
when it was first and last seen, the date the document itself states, and the hash of each section. Section
texts are kept once per hash, so any two versions can be compared, and diffed, later.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatbot.store.database import Database, records_url, shared
from chatbot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import MetaData, Table

log = logging.getLogger(__name__)

OPENING = "(opening text)"  # how a changelog names the text before a document's first heading
KINDS = ("changed", "renamed", "added", "removed")  # the order a changelog lists them in


@dataclass(frozen=True)
class Version:
    """One recorded version of a document."""

    id: int
    source: str  # the name chunks of the document carry: a path under the corpus folder, a path or a URL
    location: str  # the file or URL it was read from
    title: str
    content_hash: str  # sha256 of the document's text, whitespace collapsed
    first_seen: str  # ISO 8601, UTC
    last_seen: str
    stated_date: str = ""  # the "last updated" date the document states, ISO, when it states one

    @property
    def date(self) -> str:
        """The version's date: the one the document states, else the day it was first seen."""
        return self.stated_date or self.first_seen[:10]

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


@dataclass(frozen=True)
class Section:
    heading: str  # heading path as chunks carry it, e.g. "Guiding Principles > Principle 1: ..."
    hash: str


@dataclass(frozen=True)
class SectionChange:
    """One line of a changelog; `old_text` and `new_text` are "" for an added or a removed section."""

    kind: str  # "changed", "added", "removed" or "renamed"
    heading: str
    old_heading: str = ""  # for "renamed"
    old_text: str = ""
    new_text: str = ""

    @property
    def label(self) -> str:
        if self.kind == "renamed":
            return f"renamed: {self.old_heading or OPENING} → {self.heading or OPENING}"
        return f"{self.kind}: {self.heading or OPENING}"


@dataclass(frozen=True)
class Revision:
    """A version of a document next to the one before it, and what changed section by section."""

    version: Version
    previous: Version
    changes: tuple[SectionChange, ...]

    @property
    def source(self) -> str:
        return self.version.source

    def touched(self, heading: str) -> SectionChange | None:
        """The change that made the section `heading` what it is now (changed, added or renamed), if any."""
        return next((change for change in self.changes if change.kind != "removed" and change.heading == heading),
                    None)


def compare(old: Sequence[Section], new: Sequence[Section]) -> list[tuple[str, str, str, str, str]]:
    """What happened to each section: (kind, heading, old heading, old hash, new hash).

    Changed sections come first, then renamed, added and removed ones, each kind in document order.
    Sections are matched by heading (the n-th section of a repeated heading with the n-th); a removed and an
    added section with the same text are one renamed section. Pure, so it is tested without a database.
    """
    old_keyed, new_keyed = dict(_keyed(old)), dict(_keyed(new))
    removed = {key: section for key, section in old_keyed.items() if key not in new_keyed}
    renamed_from = {section.hash: key for key, section in removed.items()}
    result = []
    for key, section in new_keyed.items():
        before = old_keyed.get(key)
        if before is None:
            source_key = renamed_from.pop(section.hash, None)
            if source_key is not None:
                del removed[source_key]
                result.append(("renamed", section.heading, source_key[0], section.hash, section.hash))
            else:
                result.append(("added", section.heading, "", "", section.hash))
        elif before.hash != section.hash:
            result.append(("changed", section.heading, "", before.hash, section.hash))
    result += [("removed", section.heading, "", section.hash, "") for section in removed.values()]
    return sorted(result, key=lambda found: KINDS.index(found[0]))


def _keyed(sections: Sequence[Section]) -> list[tuple[tuple[str, int], Section]]:
    seen: Counter[str] = Counter()
    keyed = []
    for section in sections:
        seen[section.heading] += 1
        keyed.append(((section.heading, seen[section.heading]), section))
    return keyed


class VersionHistory:
    """The versions of one collection's documents in the records database (SQLite, PostgreSQL, ...)."""

    def __init__(self, database: Database, collection: str):
        self.database = database
        self.collection = collection

    @classmethod
    def for_settings(cls, settings: Settings) -> "VersionHistory":
        return cls(shared(records_url(settings), "the index records"), settings.collection)

    def tables(self) -> "dict[str, Table]":
        metadata, tables = schema()
        self.database.ensure(metadata)
        return tables

    def latest(self) -> dict[str, Version]:
        """The newest version of each document, by source."""
        from sqlalchemy import func, select

        versions = self.tables()["versions"]
        newest = (select(func.max(versions.c.id)).where(versions.c.collection == self.collection)
                  .group_by(versions.c.source).scalar_subquery())
        rows = self.database.run(lambda c: c.execute(select(versions).where(versions.c.id.in_(newest))).all())
        return {row.source: version_from_row(row) for row in rows}

    def versions(self, source: str) -> list[Version]:
        """Every version of one document, oldest first."""
        from sqlalchemy import select

        versions = self.tables()["versions"]
        query = (select(versions).where(versions.c.collection == self.collection, versions.c.source == source)
                 .order_by(versions.c.id))
        return [version_from_row(row) for row in self.database.run(lambda c: c.execute(query).all())]

    def find(self, source: str, hash_prefix: str) -> Version | None:
        """The newest version of `source` whose content hash starts with `hash_prefix`."""
        matching = [v for v in self.versions(source) if hash_prefix and v.content_hash.startswith(hash_prefix)]
        return matching[-1] if matching else None

    def sections(self, version: Version) -> list[Section]:
        from sqlalchemy import select

        table = self.tables()["sections"]
        query = select(table.c.heading, table.c.section_hash).where(table.c.version_id == version.id) \
            .order_by(table.c.position)
        return [Section(heading, section_hash) for heading, section_hash in self.database.run(
            lambda c: c.execute(query).all())]

    def texts(self, hashes: Iterable[str]) -> dict[str, str]:
        from sqlalchemy import select

        table = self.tables()["texts"]
        wanted = sorted(set(hashes) - {""})
        if not wanted:
            return {}
        query = select(table.c.section_hash, table.c.text).where(table.c.section_hash.in_(wanted))
        return dict(self.database.run(lambda c: c.execute(query).all()))

    def revision(self, previous: Version, version: Version) -> Revision:
        """What changed, section by section and with both texts, from `previous` to `version`."""
        found = compare(self.sections(previous), self.sections(version))
        texts = self.texts(h for *_, old_hash, new_hash in found for h in (old_hash, new_hash))
        changes = tuple(SectionChange(kind, heading, old_heading, texts.get(old_hash, ""), texts.get(new_hash, ""))
                        for kind, heading, old_heading, old_hash, new_hash in found)
        return Revision(version, previous, changes)

    def revisions(self, source: str | None = None) -> list[Revision]:
        """Every revision, newest first: of one document, or of all (the newest revision of each first)."""
        sources = [source] if source else sorted(self.latest())
        result = []
        for name in sources:
            history = self.versions(name)
            result.append([self.revision(a, b) for a, b in zip(history, history[1:])][::-1])
        ordered = sorted((revisions for revisions in result if revisions),
                         key=lambda revisions: revisions[0].version.id, reverse=True)
        return [revision for revisions in ordered for revision in revisions]

    def last_revisions(self) -> dict[str, Revision]:
        """The newest revision of each document that has been revised at all."""
        result = {}
        for source in self.latest():
            history = self.versions(source)
            if len(history) > 1:
                result[source] = self.revision(history[-2], history[-1])
        return result


@functools.cache
def schema() -> "tuple[MetaData, dict[str, Table]]":
    """The three tables beside the record manager's: versions, their sections, and section texts by hash."""
    from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, Text

    metadata = MetaData()
    versions = Table(
        "document_version", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("collection", String(200), nullable=False),
        Column("source", Text, nullable=False),
        Column("location", Text, nullable=False),
        Column("title", Text, nullable=False),
        Column("content_hash", String(64), nullable=False),
        Column("stated_date", String(10), nullable=False),
        Column("first_seen", String(40), nullable=False),
        Column("last_seen", String(40), nullable=False),
        Index("ix_document_version_source", "collection", "source"),
        sqlite_autoincrement=True,  # ids order versions: never reused
    )
    sections = Table(
        "document_section", metadata,
        Column("version_id", Integer, ForeignKey("document_version.id", ondelete="CASCADE"), primary_key=True),
        Column("position", Integer, primary_key=True),
        Column("heading", Text, nullable=False),
        Column("section_hash", String(64), nullable=False),
    )
    texts = Table(
        "section_text", metadata,
        Column("section_hash", String(64), primary_key=True),
        Column("text", Text, nullable=False),
    )
    return metadata, {"versions": versions, "sections": sections, "texts": texts}


def version_from_row(row) -> Version:
    return Version(id=row.id, source=row.source, location=row.location, title=row.title,
                   content_hash=row.content_hash, first_seen=row.first_seen, last_seen=row.last_seen,
                   stated_date=row.stated_date)


@dataclass(frozen=True)
class CitedVersion:
    """The version of one document an answer or brief cited, and which of its numbered passages came from it."""

    source: str
    date: str
    content_hash: str  # a prefix long enough to find the version again
    cites: tuple[int, ...]
    stated: bool = True  # the date is the one the document states; else the day this version was first seen

    def brief_line(self) -> str:
        marks = "".join(f"[{n}]" for n in self.cites)
        when = f"version of {self.date}" if self.stated else f"version first seen {self.date} (it states no date)"
        return f"- {self.source} {marks}: {when}, sha256 {self.content_hash}"


def cited_versions(settings: Settings, citations: Sequence) -> tuple[CitedVersion, ...]:
    """The current version of each cited document (citations need `.source` and `.n`); () when none is recorded."""
    from chatbot.errors import ChatbotError

    by_source: dict[str, list[int]] = {}
    for citation in citations:
        by_source.setdefault(citation.source, []).append(citation.n)
    try:
        latest = VersionHistory.for_settings(settings).latest() if by_source else {}
    except ChatbotError as err:
        log.warning("The brief names no document versions: %s", err)
        return ()
    return tuple(CitedVersion(source, latest[source].date, latest[source].short_hash, tuple(numbers),
                              bool(latest[source].stated_date))
                 for source, numbers in by_source.items() if source in latest)
