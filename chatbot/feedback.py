"""Append-only log of thumbs-up / thumbs-down votes on answers, in a local SQLite file."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime, timezone
from pathlib import Path

from chatbot.errors import ChatbotError

VOTES = ("up", "down", "cleared")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down', 'cleared'))
)
"""


@dataclass(frozen=True)
class Vote:
    """One recorded vote: `citations` is the list of cited sources as plain dicts."""

    id: int
    created_at: str
    question: str
    answer: str
    citations: list[dict]
    vote: str


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
        with self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO feedback (created_at, question, answer, citations, vote) VALUES (?, ?, ?, ?, ?)", row
            )
            return int(cursor.lastrowid)

    def count(self, vote: str | None = None) -> int:
        """How many votes are stored, optionally of one kind."""
        with self._connect() as connection:
            if vote is None:
                return connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
            return connection.execute("SELECT COUNT(*) FROM feedback WHERE vote = ?", (vote,)).fetchone()[0]

    def all(self) -> list[Vote]:
        """Every vote, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id, created_at, question, answer, citations, vote FROM feedback ORDER BY id"
            ).fetchall()
        return [Vote(id, created_at, question, answer, json.loads(citations), vote)
                for id, created_at, question, answer, citations, vote in rows]

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000)
        except (OSError, sqlite3.Error) as err:
            raise ChatbotError(
                f"Cannot open the feedback log {self.path} ({err}). Check that its folder is writable or set RAG_DATA_DIR."
            ) from err
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            if not self._ready:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute(_SCHEMA)
                self._ready = True
            with connection:  # commits, or rolls back on error
                yield connection
        finally:
            connection.close()


def _plain(citation: object) -> dict:
    if is_dataclass(citation) and not isinstance(citation, type):
        return asdict(citation)
    if isinstance(citation, dict):
        return dict(citation)
    raise TypeError(f"citation must be a dataclass or a dict, not {type(citation).__name__}")
