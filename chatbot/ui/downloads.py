"""Markdown files the window offers for download, written once per content into the system's temporary folder."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

FOLDER = "genai-guidance-downloads"


def markdown_file(text: str, name: str) -> str:
    """Write `text` as `<name>` in a folder of its own (named by the content's hash); returns the path."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
    folder = Path(tempfile.gettempdir()) / FOLDER / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        path.write_text(text, encoding="utf-8")
    return str(path)
