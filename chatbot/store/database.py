"""The one database for everything that is not vectors: SQLite files in the data folder, or `RAG_DATABASE_URL`."""

from __future__ import annotations

import contextlib
import functools
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from chatbot.errors import ChatbotError
from chatbot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection, Engine

T = TypeVar("T")

# How long SQLite work waits for other writers, retries included. SQLite answers "database is locked" at once,
# without waiting out its busy timeout, where waiting could deadlock (switching a fresh file to WAL while another
# connection writes, for one): Database.run tries such work again until this much time has passed.
DEFAULT_BUSY_TIMEOUT_MS = 10_000


class DatabaseUnavailable(ChatbotError):
    """The records, versions or feedback database cannot be opened, reached or written."""


def namespace(settings: Settings) -> str:
    """Record-manager namespace: one per collection, and per server in server mode."""
    if settings.chroma_url:
        return f"chroma/{settings.chroma_url.rstrip('/')}/{settings.collection}"
    return f"chroma/{settings.collection}"


def records_url(settings: Settings) -> str:
    """Where the index records and the document versions live."""
    return normalized_url(settings.database_url) if settings.database_url else sqlite_url(settings.record_db)


def feedback_url(settings: Settings) -> str:
    """Where the votes live: the same database as the records when `RAG_DATABASE_URL` is set."""
    return normalized_url(settings.database_url) if settings.database_url else sqlite_url(settings.feedback_db)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path)}"


def normalized_url(url: str) -> str:
    """`postgres://` and `postgresql://` use the psycopg 3 driver the project installs (SQLAlchemy assumes psycopg2)."""
    url = url.strip()
    return re.sub(r"^postgres(?:ql)?://", "postgresql+psycopg://", url)


def shown_url(url: str) -> str:
    """The URL with its password masked, for messages and logs."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, None for any other database."""
    match = re.match(r"^sqlite(?:\+\w+)?:///(.+)$", url)
    return Path(match.group(1)) if match and match.group(1) != ":memory:" else None


class Database:
    """One SQLAlchemy engine and the transactions run on it, with errors that say what to do.

    Args:
        url: a SQLAlchemy URL; a SQLite file is created with its folder on first use.
        what: how messages name this database, e.g. "the feedback log".
        busy_timeout_ms: how long SQLite work waits for another writer, retries included.
        retry: what to tell a person whose work found the file busy for too long.
    """

    def __init__(self, url: str, what: str = "the database", busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
                 retry: str = "Try again"):
        self.url = normalized_url(url)
        self.what = what
        self.retry = retry
        self.busy_timeout_ms = busy_timeout_ms
        self.path = sqlite_path(self.url)
        self._engine: "Engine | None" = None
        self._schemas: set[int] = set()
        self._lock = threading.Lock()

    @property
    def engine(self) -> "Engine":
        with self._lock:
            if self._engine is None:
                self._engine = self._open()
            return self._engine

    def ensure(self, metadata: "MetaData", upgrade: Callable[["Connection"], None] | None = None) -> None:
        """Create `metadata`'s tables once per process; another process creating them at the same time is fine.

        Args:
            upgrade: run once after creating, to bring tables an older version made up to date.
        """
        if id(metadata) in self._schemas:
            return

        def create(connection: "Connection") -> None:
            metadata.create_all(connection, checkfirst=True)

        try:
            self.run(create, write=True)
        except DatabaseUnavailable:
            if self.path is not None:
                raise
            # Two processes creating the same PostgreSQL table at once: one of them fails, the tables exist.
            self.run(create, write=True)
        if upgrade is not None:
            self.run(upgrade, write=True)
        self._schemas.add(id(metadata))

    def run(self, work: Callable[["Connection"], T], *, write: bool = False) -> T:
        """Run `work` in one transaction, retrying while another SQLite writer holds the file.

        A rolled-back transaction wrote nothing, so trying again can neither lose nor double a row.
        """
        from sqlalchemy.exc import OperationalError, SQLAlchemyError

        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        pause = 0.005
        while True:
            try:
                with self._transaction(write) as connection:
                    return work(connection)
            except OperationalError as err:
                if not (self.path and _is_contention(err)):
                    raise DatabaseUnavailable(self.explain(err)) from err
                if time.monotonic() >= deadline:
                    raise DatabaseUnavailable(
                        f"{self._name()} stayed busy for {self.busy_timeout_ms / 1000:.0f} s ({_reason(err)}). "
                        f"{self.retry}; if it keeps failing, check that no other program holds the file open."
                    ) from err
                time.sleep(pause * (1 + random.random()))
                pause = min(pause * 2, 0.2)
            except SQLAlchemyError as err:
                raise DatabaseUnavailable(self.explain(err)) from err

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()

    @contextlib.contextmanager
    def _transaction(self, write: bool) -> Iterator["Connection"]:
        with self.engine.connect() as connection:
            connection.execution_options(sqlite_write=write)
            with connection.begin():
                yield connection

    def _open(self) -> "Engine":
        from sqlalchemy import create_engine, event
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError
        from sqlalchemy.pool import NullPool

        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise DatabaseUnavailable(
                    f"Cannot open {self.what} {self.path} ({err}). "
                    "Check that its folder is writable or set RAG_DATA_DIR."
                ) from err
            # A connection per transaction, as SQLite is meant to be used by several processes: nothing stays
            # open on a file that a rebuild may replace.
            engine = create_engine(self.url, poolclass=NullPool,
                                   connect_args={"timeout": self.busy_timeout_ms / 1000, "isolation_level": None})
            busy_ms = int(self.busy_timeout_ms)
            wal = threading.Event()

            @event.listens_for(engine, "connect")
            def _configure(connection, _record) -> None:
                cursor = connection.cursor()
                try:
                    cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
                    if not wal.is_set():  # kept in the file, so set once, by whoever comes first: readers then
                        cursor.execute("PRAGMA journal_mode = WAL")  # never wait for a writer
                        wal.set()
                finally:
                    cursor.close()

            # The driver's own transaction handling is off (isolation_level=None); SQLAlchemy's recipe begins
            # them here instead, writes with BEGIN IMMEDIATE: two writers then never both read and both try to
            # upgrade their lock, the case where SQLite fails at once instead of waiting.
            @event.listens_for(engine, "begin")
            def _begin(connection) -> None:
                write = connection.get_execution_options().get("sqlite_write")
                connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

            return engine
        try:
            return create_engine(self.url, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError, ImportError) as err:
            raise DatabaseUnavailable(
                f"RAG_DATABASE_URL={shown_url(self.url)!r} cannot be used ({_reason(err)}). Give a SQLAlchemy URL "
                "such as postgresql://user:password@host:5432/db, or leave it empty for SQLite files in RAG_DATA_DIR."
            ) from err

    def _name(self) -> str:
        name = f"{self.what} {self.path}" if self.path else f"{self.what} at {shown_url(self.url)}"
        return name[:1].upper() + name[1:]

    def explain(self, err: BaseException) -> str:
        """What to tell a person when work on this database failed with `err`."""
        if self.path:
            return (f"Cannot open {self.what} {self.path} ({_reason(err)}). "
                    "Check that its folder is writable or set RAG_DATA_DIR.")
        return (f"Cannot use {self.what} at {shown_url(self.url)} ({_reason(err)}). "
                "Check RAG_DATABASE_URL and that the database server is running and reachable.")


@functools.cache
def shared(url: str, what: str) -> Database:
    """One Database per URL in a process, so that its connection pool is shared."""
    return Database(url, what)


def forget_shared() -> None:
    """Drop the process's shared databases, after their files were replaced (a rebuild moves a new one in)."""
    shared.cache_clear()


def _is_contention(err: BaseException) -> bool:
    message = str(getattr(err, "orig", err)).lower()
    return "locked" in message or "busy" in message


def _reason(err: BaseException) -> str:
    return " ".join(str(getattr(err, "orig", None) or err).split()) or type(err).__name__
