"""Append-only log of thumbs-up / thumbs-down votes on answers, in a local SQLite file; a down vote may get a reason."""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from chatbot.errors import ChatbotError

VOTES = ("up", "down", "cleared")
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down', 'cleared')),
    reason TEXT NOT NULL DEFAULT ''
)
"""
_ADD_REASON = "ALTER TABLE feedback ADD COLUMN reason TEXT NOT NULL DEFAULT ''"  # logs written before reasons


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
    """Votes in one SQLite file; every write opens its own connection, so concurrent voters never lose a row."""

    def __init__(self, path: Path | str, busy_timeout_ms: int = 10_000):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._ready = False

    def record(self, question: str, answer: str, citations: Sequence[object], vote: str) -> int:
        """Append one vote ("up", "down" or "cleared" when a thumb is taken back); returns its row id."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {', '.join(VOTES)}, not {vote!r}")
        row = (
            datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            question,
            answer,
            json.dumps([_plain(c) for c in citations], ensure_ascii=False),
            vote,
        )

        def insert(connection: sqlite3.Connection) -> int:
            cursor = connection.execute(
                "INSERT INTO feedback (created_at, question, answer, citations, vote) VALUES (?, ?, ?, ?, ?)", row
            )
            return int(cursor.lastrowid)

        return self._transaction(insert, write=True)

    def add_reason(self, vote_id: int, reason: str) -> None:
        """Keep the optional reason given after a vote with that vote."""
        self._transaction(lambda c: c.execute("UPDATE feedback SET reason = ? WHERE id = ?", (reason.strip(), vote_id)),
                          write=True)

    def count(self, vote: str | None = None) -> int:
        """How many votes are stored, optionally of one kind."""
        if vote is None:
            return self._transaction(lambda c: c.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
        return self._transaction(lambda c: c.execute("SELECT COUNT(*) FROM feedback WHERE vote = ?", (vote,)).fetchone()[0])

    def all(self) -> list[Vote]:
        """Every vote, oldest first."""
        rows = self._transaction(lambda c: c.execute(
            "SELECT id, created_at, question, answer, citations, vote, reason FROM feedback ORDER BY id").fetchall())
        return [Vote(id, created_at, question, answer, json.loads(citations), vote, reason)
                for id, created_at, question, answer, citations, vote, reason in rows]

    def _transaction(self, work: Callable[[sqlite3.Connection], T], *, write: bool = False) -> T:
        """Run `work` in one transaction, retrying while another writer holds the file.

        SQLite answers "database is locked" at once, without waiting out the busy timeout, in the cases where
        waiting could deadlock (switching a fresh file to WAL while another connection writes, for one).
        A rolled-back transaction wrote nothing, so trying again can neither lose nor double a vote.
        """
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        pause = 0.005
        while True:
            try:
                with self._connect() as connection:
                    connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                    try:
                        result = work(connection)
                        connection.execute("COMMIT")
                    except BaseException:
                        if connection.in_transaction:
                            connection.execute("ROLLBACK")
                        raise
                    return result
            except sqlite3.OperationalError as err:
                if not _is_contention(err):
                    raise
                if time.monotonic() >= deadline:
                    raise ChatbotError(
                        f"The feedback log {self.path} stayed busy for {self.busy_timeout_ms / 1000:.0f} s ({err}). "
                        "Try the vote again; if it keeps failing, check that no other program holds the file open."
                    ) from err
                time.sleep(pause * (1 + random.random()))
                pause = min(pause * 2, 0.2)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise ChatbotError(
                f"Cannot open the feedback log {self.path} ({err}). Check that its folder is writable or set RAG_DATA_DIR."
            ) from err
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            if not self._ready:
                connection.execute("PRAGMA journal_mode = WAL")  # kept in the file: set once, by whoever comes first
                connection.execute(_SCHEMA)
                columns = {row[1] for row in connection.execute("PRAGMA table_info(feedback)")}
                if "reason" not in columns:
                    connection.execute(_ADD_REASON)
                self._ready = True
            yield connection
        finally:
            connection.close()


def _is_contention(err: sqlite3.OperationalError) -> bool:
    message = str(err).lower()
    return "locked" in message or "busy" in message


def _plain(citation: object) -> dict:
    if is_dataclass(citation) and not isinstance(citation, type):
        return asdict(citation)
    if isinstance(citation, dict):
        return dict(citation)
    raise TypeError(f"citation must be a dataclass or a dict, not {type(citation).__name__}")
