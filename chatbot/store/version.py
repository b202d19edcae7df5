"""A change counter for a local Chroma store that costs microseconds, so readers re-list the index only after a write."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

from chatbot.settings import Settings

log = logging.getLogger(__name__)


class StoreVersion:
    """Reads SQLite's `data_version` of the store's database, which changes whenever another connection commits.

    Every write Chroma makes (add, update, delete) is a commit to `chroma.sqlite3`, so an unchanged value means
    an unchanged collection. `read()` is None when that cannot be known (a Chroma server, no database yet, an
    error), and callers then check the collection itself.
    """

    def __init__(self, settings: Settings):
        self._path: Path | None = None if settings.chroma_url else settings.chroma_database
        self._connection: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def read(self) -> tuple[int, int, int] | None:
        """(device, inode, data_version) of the database file, or None when unknown."""
        if self._path is None:
            return None
        with self._lock:
            try:
                stat = os.stat(self._path)
                identity = (stat.st_dev, stat.st_ino)
                if self._connection is None or identity != self._identity:
                    # A rebuilt store is a new file: watch that one.
                    self._close()
                    self._connection = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, check_same_thread=False)
                    self._identity = identity
                return (*identity, self._connection.execute("PRAGMA data_version").fetchone()[0])
            except (OSError, sqlite3.Error) as err:
                log.debug("Store version of %s unknown: %s", self._path, err)
                self._close()
                return None

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._identity = None
