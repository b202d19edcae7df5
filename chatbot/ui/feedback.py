"""Append-only log of thumbs-up / thumbs-down votes on answers, in a SQLite file or the shared database; a down vote
may get a reason."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from chatbot.store.database import DEFAULT_BUSY_TIMEOUT_MS, Database, feedback_url, sqlite_url
from chatbot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import MetaData, Table

VOTES = ("up", "down", "cleared")


@dataclass(frozen=True)
class Vote:
    """One recorded vote: `citations` is the list of cited sources as plain dicts."""

    id: int
    created_at: str
    question: str
    answer: str
    citations: list[dict]
    vote: str
    reason: str = ""


class FeedbackStore:
    """Votes in one table; every write is its own transaction, so concurrent voters never lose a row.

    Args:
        location: a SQLite file, or a SQLAlchemy URL (PostgreSQL lets several app machines share one log).
        busy_timeout_ms: how long a vote waits for other writers of a SQLite file.
    """

    def __init__(self, location: Path | str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS):
        url = location if isinstance(location, str) and "://" in location else sqlite_url(Path(location))
        self.database = Database(url, "the feedback log", busy_timeout_ms, retry="Try the vote again")
        self.path = self.database.path

    @classmethod
    def for_settings(cls, settings: Settings) -> "FeedbackStore":
        """The deployment's log: `RAG_DATABASE_URL` when set, else feedback.sqlite in the data folder."""
        return cls(feedback_url(settings))

    def record(self, question: str, answer: str, citations: Sequence[object], vote: str) -> int:
        """Append one vote ("up", "down" or "cleared" when a thumb is taken back); returns its row id."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {', '.join(VOTES)}, not {vote!r}")
        row = {
            "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "question": question,
            "answer": answer,
            "citations": json.dumps([_plain(c) for c in citations], ensure_ascii=False),
            "vote": vote,
        }
        table = self._table()
        return int(self.database.run(lambda c: c.execute(table.insert().values(**row)).inserted_primary_key[0],
                                     write=True))

    def add_reason(self, vote_id: int, reason: str) -> None:
        """Keep the optional reason given after a vote with that vote."""
        table = self._table()
        update = table.update().where(table.c.id == int(vote_id)).values(reason=reason.strip())
        self.database.run(lambda c: c.execute(update), write=True)

    def count(self, vote: str | None = None) -> int:
        """How many votes are stored, optionally of one kind."""
        from sqlalchemy import func, select

        table = self._table()
        query = select(func.count()).select_from(table)
        if vote is not None:
            query = query.where(table.c.vote == vote)
        return int(self.database.run(lambda c: c.execute(query).scalar_one()))

    def all(self) -> list[Vote]:
        """Every vote, oldest first."""
        from sqlalchemy import select

        table = self._table()
        rows = self.database.run(lambda c: c.execute(select(table).order_by(table.c.id)).all())
        return [Vote(row.id, row.created_at, row.question, row.answer, json.loads(row.citations), row.vote,
                     row.reason)
                for row in rows]

    def _table(self) -> "Table":
        metadata, table = _schema()
        self.database.ensure(metadata, upgrade=_add_reason_column)
        return table


@functools.cache
def _schema() -> tuple["MetaData", "Table"]:
    from sqlalchemy import CheckConstraint, Column, Integer, MetaData, String, Table, Text

    metadata = MetaData()
    table = Table(
        "feedback",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("created_at", String(40), nullable=False),
        Column("question", Text, nullable=False),
        Column("answer", Text, nullable=False),
        Column("citations", Text, nullable=False),
        Column("vote", String(10), nullable=False),
        Column("reason", Text, nullable=False, server_default=""),
        CheckConstraint("vote IN ('up', 'down', 'cleared')", name="feedback_vote"),
        sqlite_autoincrement=True,  # ids are never reused, as in the log's first schema
    )
    return metadata, table


def _add_reason_column(connection) -> None:
    """Logs written before votes had reasons get the column, empty for their old rows."""
    from sqlalchemy import inspect, text

    if "reason" not in {column["name"] for column in inspect(connection).get_columns("feedback")}:
        connection.execute(text("ALTER TABLE feedback ADD COLUMN reason TEXT NOT NULL DEFAULT ''"))


def _plain(citation: object) -> dict:
    if is_dataclass(citation) and not isinstance(citation, type):
        return asdict(citation)
    if isinstance(citation, dict):
        return dict(citation)
    raise TypeError(f"citation must be a dataclass or a dict, not {type(citation).__name__}")
