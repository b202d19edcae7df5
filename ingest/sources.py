"""Which files and URLs one ingest covers, the name each is cited by, and which indexed sources have vanished."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.settings import Settings
from ingest.loaders import SUFFIXES

URL = re.compile(r"^https?://", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)  # "ftp://…": an address of a kind not fetched


@dataclass(frozen=True)
class Target:
    """One thing to load: a file or a URL, and the `source` name its chunks carry."""

    source: str
    path: Path | None = None
    url: str = ""


@dataclass(frozen=True)
class Inventory:
    """What an ingest found before loading anything."""

    targets: tuple[Target, ...]
    # For each folder scanned: the source prefix of its files -> the sources found there now.
    scopes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # "path: reason" for each path that does not exist or holds no document


def is_url(text: str) -> bool:
    return bool(URL.match(text))


def source_name(path: Path, corpus_dir: Path) -> str:
    """The path relative to the corpus folder (posix style) for corpus files, else the absolute path."""
    resolved = path.resolve()
    corpus = corpus_dir.resolve()
    if resolved.is_relative_to(corpus):
        return resolved.relative_to(corpus).as_posix()
    return str(resolved)


def inventory(paths: Sequence[str] | None, settings: Settings) -> Inventory:
    """Expand files, folders and URLs (the corpus folder when `paths` is empty) into targets."""
    targets: dict[str, Target] = {}
    scopes: dict[str, frozenset[str]] = {}
    missing: list[str] = []
    for item in paths or [str(settings.corpus_dir)]:
        if is_url(item):
            targets.setdefault(item, Target(source=item, url=item))
            continue
        path = Path(item).expanduser()
        if path.is_dir():
            found = [Target(source=source_name(file, settings.corpus_dir), path=file) for file in _folder_files(path)]
            if not found:  # more likely a wrong folder than a wish to empty the index: keep what it holds
                missing.append(f"{item}: no .md, .txt, .html or .pdf file in this folder")
                continue
            for target in found:
                targets.setdefault(target.source, target)
            scopes[_scope_prefix(path, settings.corpus_dir)] = frozenset(target.source for target in found)
        elif path.exists() or path.is_symlink():
            source = source_name(path, settings.corpus_dir)
            targets.setdefault(source, Target(source=source, path=path))
        elif _ANY_SCHEME.match(item):
            missing.append(f"{item}: only http:// and https:// addresses can be fetched; save the document and "
                           "ingest the file")
        else:
            missing.append(f"{item}: no such file or folder")
    return Inventory(targets=tuple(targets.values()), scopes=scopes, missing=tuple(missing))


def stale_sources(indexed: Iterable[str], scopes: Mapping[str, Collection[str]]) -> set[str]:
    """Indexed sources that belong to a scanned folder but were not found in it any more.

    A source under no scanned folder (a file or URL added by name) is never stale: only naming it
    again, or a rebuild, changes it.
    """
    stale = set()
    for source in indexed:
        for prefix, found in scopes.items():
            if _in_scope(source, prefix) and source not in found:
                stale.add(source)
    return stale


def _folder_files(folder: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative) or path.is_dir():
            continue
        if path.suffix.lower() in SUFFIXES:
            files.append(path)
    return files


def _scope_prefix(folder: Path, corpus_dir: Path) -> str:
    name = source_name(folder, corpus_dir)
    return "" if name == "." else name.rstrip("/") + "/"


def _in_scope(source: str, prefix: str) -> bool:
    if prefix == "":  # the corpus folder itself: every relative source
        return not is_url(source) and not Path(source).is_absolute()
    return source.startswith(prefix)
