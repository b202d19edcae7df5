"""The data folder as a place to write: a read-only one is named as such, with what to do, not taken for a damaged index."""

from __future__ import annotations

import os
from pathlib import Path

from chatbot.settings import Settings

# What SQLite and Chroma say when they cannot write a file they opened.
_READ_ONLY_WORDS = ("readonly", "read-only", "read only", "permission denied", "operation not permitted")


def read_only_message(settings: Settings, error: BaseException | None = None) -> str | None:
    """What to tell a person when the data folder (or a file in it) cannot be written; None when it can.

    Args:
        error: the error a write failed with; its words count as well as the folder's permissions.
    """
    if settings.chroma_url and error is None:
        return None
    blocked = _first_unwritable([settings.data_dir, settings.chroma_dir, settings.chroma_dir / "chroma.sqlite3",
                                 settings.record_db])
    said = error is not None and any(word in str(error).lower() for word in _READ_ONLY_WORDS)
    if blocked is None and not said:
        return None
    where = blocked or settings.data_dir
    return (f"The data folder {settings.data_dir} cannot be written ({where} is read-only): the index itself may be "
            f"fine. Make it writable (for example `chmod -R u+w {settings.data_dir}`), or set RAG_DATA_DIR to a "
            "writable copy of it.")


def _first_unwritable(paths: list[Path]) -> Path | None:
    for path in paths:
        if path.exists() and not os.access(path, os.W_OK):
            return path
    return None
