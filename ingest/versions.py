"""Recording a version of each document an ingest loads: content hash, dates, and a hash and text per section."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from chatbot.store.versions import Revision, Version, VersionHistory, version_from_row
from ingest.loaders import SourceDoc
from ingest.split import sections

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = rf"\d{{4}}-\d{{2}}-\d{{2}}|(?:{_DAY}\s+)?{_MONTH}\.?\s+(?:{_DAY},?\s+)?\d{{4}}"
# "Last updated: 3 March 2026", "Updated on March 3, 2026", "Last revised 2026-03-03": a date the document
# states about itself. Without "last", only at the start of a line, so that running text ("the guild updated
# on 3 May 2024 its rules") is not taken for it.
STATED_DATE = re.compile(
    rf"(?:\blast\s+(?:updated|revised|modified|reviewed)|^[\s>*_#-]*(?:updated|revised|modified))"
    rf"(?:\s+on)?\s*[:\-–]?\s*[*_]*\s*(?P<date>{_DATE})",
    re.IGNORECASE | re.MULTILINE,
)
_FORMATS = ("%Y-%m-%d", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y")


@dataclass(frozen=True)
class Snapshot:
    """What one document looks like in this ingest."""

    source: str
    location: str
    title: str
    content_hash: str
    stated_date: str
    sections: tuple[tuple[str, str, str], ...]  # (heading path, hash, text) in document order


def snapshot(doc: SourceDoc) -> Snapshot:
    """The document's hashes and dates; its sections are the ones its chunks are cut from."""
    parts = tuple((heading, text_hash(body), body) for heading, body in sections(doc))
    return Snapshot(source=doc.source, location=doc.url or doc.source, title=doc.title,
                    content_hash=text_hash(doc.text), stated_date=stated_date(doc.text), sections=parts)


def text_hash(text: str) -> str:
    """sha256 of the text with whitespace collapsed: re-wrapping a paragraph is not a new version."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def stated_date(text: str) -> str:
    """The "last updated" date the document states about itself, as YYYY-MM-DD (or YYYY-MM), else ""."""
    for match in STATED_DATE.finditer(text):
        raw = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", match.group("date").replace(",", " ").replace(".", " "))
        raw = re.sub(r"\bsept\b", "sep", " ".join(raw.split()), flags=re.IGNORECASE)
        for form in _FORMATS:
            try:
                parsed = datetime.datetime.strptime(raw, form).date()
            except ValueError:
                continue
            return parsed.isoformat()[:7] if "%d" not in form else parsed.isoformat()
    return ""


def record(history: VersionHistory, snapshots: Iterable[Snapshot], now: str | None = None) -> list[Revision]:
    """Record each document's version; returns a revision for each document whose text changed since the last.

    A document seen unchanged only has its `last_seen` moved on; a document seen for the first time gets its
    first version and no revision.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    tables = history.tables()  # before any transaction: creating them is a transaction of its own
    revisions = []
    for shot in snapshots:
        previous, version = history.database.run(
            lambda c, shot=shot: _record_one(c, tables, history.collection, shot, now), write=True)
        if previous is not None and version is not None:
            revisions.append(history.revision(previous, version))
    return revisions


def _record_one(connection, tables: dict, collection: str, shot: Snapshot,
                now: str) -> tuple[Version | None, Version | None]:
    from sqlalchemy import select

    versions = tables["versions"]
    row = connection.execute(
        select(versions).where(versions.c.collection == collection, versions.c.source == shot.source)
        .order_by(versions.c.id.desc()).limit(1)
    ).first()
    previous = version_from_row(row) if row else None
    if previous and previous.content_hash == shot.content_hash:
        connection.execute(versions.update().where(versions.c.id == previous.id).values(last_seen=now))
        return previous, None
    values = dict(collection=collection, source=shot.source, location=shot.location, title=shot.title,
                  content_hash=shot.content_hash, stated_date=shot.stated_date, first_seen=now, last_seen=now)
    version_id = connection.execute(versions.insert().values(**values)).inserted_primary_key[0]
    if shot.sections:
        connection.execute(tables["sections"].insert(), [
            {"version_id": version_id, "position": n, "heading": heading, "section_hash": section_hash}
            for n, (heading, section_hash, _) in enumerate(shot.sections)
        ])
    _add_texts(connection, tables["texts"], {section_hash: body for _, section_hash, body in shot.sections})
    return previous, Version(id=version_id, **{k: v for k, v in values.items() if k != "collection"})


def _add_texts(connection, table, texts: dict[str, str]) -> None:
    """Store section texts not stored yet; the same text is kept once, whichever version or document has it."""
    from sqlalchemy import select

    if not texts:
        return
    known = set(connection.execute(select(table.c.section_hash).where(table.c.section_hash.in_(list(texts)))).scalars())
    rows = [{"section_hash": h, "text": body} for h, body in texts.items() if h not in known]
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect in {"sqlite", "postgresql"}:  # another ingest may store the same text between the read and here
        from sqlalchemy.dialects import postgresql, sqlite

        insert = (sqlite if dialect == "sqlite" else postgresql).insert(table).on_conflict_do_nothing()
        connection.execute(insert, rows)
    else:
        connection.execute(table.insert(), rows)
