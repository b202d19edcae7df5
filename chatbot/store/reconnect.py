"""Readers that reconnect: an index another process rewrote or rebuilt, or a server back from a restart, is read afresh."""

from __future__ import annotations

import functools
import logging
import os
import threading

from chatbot.errors import ChatbotError, StoreUnavailable
from chatbot.settings import Settings
from chatbot.store.client import forget_local_client, store_errors, unusable

log = logging.getLogger(__name__)

_lock = threading.Lock()


def store_identity(settings: Settings) -> tuple[int, int] | None:
    """(device, inode) of the local index's database, which a rebuild replaces; None for a server or no index."""
    if settings.chroma_url:
        return None
    try:
        stat = os.stat(settings.chroma_dir / "chroma.sqlite3")
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def reconnecting(method):
    """For methods of an object that reads the index through `self._retriever` (the bot, the use-case check).

    Before each call, an index rebuilt since the last one (a new database file) is opened afresh: Chroma would
    otherwise go on reading the deleted files. A call that fails on the store is tried once more on a fresh
    connection (another process's ingest leaves this process's Chroma client out of step; a server may be back);
    a second failure raises StoreUnavailable saying what to do.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        identity = store_identity(self.settings)
        if getattr(self, "_store_identity", identity) != identity:
            log.info("The index was rebuilt; reading it afresh")
            _disconnect(self)
        self._store_identity = identity
        for attempt in range(2):
            try:
                return method(self, *args, **kwargs)
            except ChatbotError:
                raise
            except store_errors() as err:
                _disconnect(self)
                if attempt:
                    raise StoreUnavailable(unusable(self.settings, err)) from err
                log.warning("The store failed (%s); reconnecting to try once more", type(err).__name__)
        raise AssertionError("unreachable")

    return wrapper


def _disconnect(reader) -> None:
    with _lock:
        reader._retriever = None
        if not reader.settings.chroma_url:
            forget_local_client(reader.settings, stop=False)  # other threads may still be reading with it
