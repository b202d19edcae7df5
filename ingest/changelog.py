"""The changelog in a terminal: one line per changed section after an ingest, and `python -m ingest --changes`."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from pathlib import Path

from chatbot.settings import Settings
from chatbot.store.versions import Revision, SectionChange, VersionHistory
from chatbot.store.word_diff import diff_text
from ingest.sources import is_url, source_name

WIDTH = 100


def summary_lines(revisions: Iterable[Revision]) -> list[str]:
    """For the ingest summary: each revised document, then one line per changed, added or removed section."""
    lines = []
    for revision in revisions:
        lines.append(f"{revision.source} changed since its version of {revision.previous.date} "
                     f"(`python -m ingest --changes {_quoted(revision.source)}` shows the diff):")
        lines += [f"  {change.label}" for change in revision.changes] or [
            "  no section's text changed (the title changed or sections moved)"]
    return lines


def changelog(history: VersionHistory, source: str | None = None) -> str:
    """Every revision (of one document, or of all), newest first, with a word-level diff of each section."""
    revisions = history.revisions(source)
    if not revisions:
        if source:
            return f"{source} has not changed since it was first ingested (one version recorded)."
        recorded = len(history.latest())
        return (f"No document has changed since it was first ingested "
                f"({recorded} document{'s' if recorded != 1 else ''} recorded).")
    blocks = []
    for revision in revisions:
        version, previous = revision.version, revision.previous
        lines = [
            f"{version.source} — {version.title}",
            f"revised: version {version.short_hash} of {version.date}"
            + (f" (first seen {version.first_seen[:10]})" if version.stated_date else "")
            + f" replaces {previous.short_hash} of {previous.date}",
        ]
        for change in revision.changes:
            lines.append(f"  {change.label}")
            lines += _indented(_change_lines(change))
        if not revision.changes:
            lines.append("  no section's text changed (the title changed or sections moved)")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def resolve_source(argument: str, known: Iterable[str], settings: Settings) -> str | None:
    """The recorded source an argument names: the source itself, a path to the file, or its file name."""
    known = list(known)
    if argument in known:
        return argument
    if not is_url(argument) and Path(argument).exists():
        name = source_name(Path(argument), settings.corpus_dir)
        if name in known:
            return name
    ends = [source for source in known if source.endswith("/" + argument) or Path(source).name == argument]
    return ends[0] if len(ends) == 1 else None


def run(settings: Settings, argument: str) -> tuple[int, str]:
    """(exit code, text) for `python -m ingest --changes [SOURCE]`; an empty argument means every document."""
    history = VersionHistory.for_settings(settings)
    known = history.latest()
    if not known:
        return 1, "No versions are recorded yet. Run `python -m ingest` first."
    source = None
    if argument:
        source = resolve_source(argument, known, settings)
        if source is None:
            return 1, f"No recorded versions of {argument}. Recorded documents: {', '.join(sorted(known))}."
    return 0, changelog(history, source)


def _change_lines(change: SectionChange) -> list[str]:
    if change.kind == "changed":
        return diff_text(change.old_text, change.new_text)
    if change.kind == "added":
        return ["{+" + " ".join(change.new_text.split()) + "+}"]
    if change.kind == "removed":
        return ["[-" + " ".join(change.old_text.split()) + "-]"]
    return []  # renamed: same text


def _indented(lines: list[str]) -> list[str]:
    wrapped = []
    for line in lines:
        wrapped += textwrap.wrap(line, WIDTH, initial_indent="    ", subsequent_indent="    ") or [""]
    return wrapped


def _quoted(source: str) -> str:
    return f"'{source}'" if any(ch in source for ch in " '\"$&;|<>()") else source
