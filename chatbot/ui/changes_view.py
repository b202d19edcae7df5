"""HTML for document revisions: the About panel's versions and "What changed", and the "changed on" card badge."""

from __future__ import annotations

import datetime
import hashlib
import html
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from chatbot.store.database import records_url
from chatbot.errors import ChatbotError
from chatbot.settings import Settings
from chatbot.types import Citation
from chatbot.store.versions import Revision, SectionChange, Version, VersionHistory
from chatbot.store.word_diff import diff_html

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0  # how long a process reuses what it read: a new ingest shows within a minute


@dataclass(frozen=True)
class RecentChanges:
    """The sections each document's last revision changed or added, when that revision is recent enough."""

    revisions: dict[str, Revision] = field(default_factory=dict)  # by source

    def badge_html(self, citation: Citation) -> str:
        """A "changed on DATE" badge that opens the section's diff, or "" when the section did not change."""
        revision = self.revisions.get(citation.source)
        change = revision.touched(citation.section) if revision else None
        if change is None:
            return ""
        date = html.escape(revision.version.date)
        return (f'<details class="source-changed" data-change="{change_id(revision)}">'
                f'<summary title="This section changed in the document\'s last revision">changed on {date}</summary>'
                f'<div class="source-changed-diff">{change_html(change)}'
                f'<p class="change-more">Every change: About these answers › What changed.</p></div></details>')


def recent_changes(settings: Settings, today: datetime.date | None = None) -> RecentChanges:
    """Last revisions within `settings.changed_badge_days` of today; empty when the history cannot be read."""
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    key = (records_url(settings), settings.collection, settings.changed_badge_days, today)
    with _lock:
        cached = _cache.get(key)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    try:
        revisions = VersionHistory.for_settings(settings).last_revisions()
    except ChatbotError as err:
        log.warning("No change badges: the version history cannot be read (%s)", err)
        revisions = {}
    oldest = today - datetime.timedelta(days=settings.changed_badge_days)
    recent = RecentChanges({source: revision for source, revision in revisions.items()
                            if _day(revision.version.first_seen) >= oldest})
    with _lock:
        _cache[key] = (time.monotonic(), recent)
    return recent


def versions_html(settings: Settings, sources: Iterable[str]) -> str:
    """For the About panel: each document's version date, and a "What changed" view of its last revision."""
    sources = list(sources)
    try:
        history = VersionHistory.for_settings(settings)
        latest = history.latest()
        revisions = history.last_revisions()
    except ChatbotError as err:
        log.warning("The About panel shows no versions (%s)", err)
        return _panel(f'<p class="versions-note">The version history cannot be read: {html.escape(str(err))}</p>')
    shown = [latest[source] for source in sources if source in latest]
    if not shown:
        return _panel('<p class="versions-note">No versions recorded yet: they are recorded by each '
                      "<code>python -m ingest</code>.</p>")
    rows = "".join(_row(version, revisions.get(version.source)) for version in shown)
    logs = "".join(_what_changed(revisions[version.source]) for version in shown if version.source in revisions)
    return _panel(
        '<table class="versions"><thead><tr><th>Document</th><th>Version of</th><th>Last revision</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>{logs}"
    )


def change_html(change: SectionChange) -> str:
    """One section's change: the word diff, the new or the removed text, escaped."""
    if change.kind == "changed":
        return f'<div class="word-diff">{diff_html(change.old_text, change.new_text)}</div>'
    if change.kind == "added":
        return f'<div class="word-diff"><p><ins class="diff-ins">{html.escape(change.new_text)}</ins></p></div>'
    if change.kind == "removed":
        return f'<div class="word-diff"><p><del class="diff-del">{html.escape(change.old_text)}</del></p></div>'
    return ""


def change_id(revision: Revision) -> str:
    """A stable HTML id for one revision of one document."""
    digest = hashlib.sha256(f"{revision.source}\n{revision.version.content_hash}".encode()).hexdigest()[:12]
    return f"change-{digest}"


def _row(version: Version, revision: Revision | None) -> str:
    title = html.escape(version.title or version.source)
    stated = " (stated by the document)" if version.stated_date else " (first seen)"
    if revision is None:
        last = "none since first ingested"
    else:
        count = len(revision.changes)
        last = (f'<a href="#{change_id(revision)}">{count} section{"s" if count != 1 else ""} '
                f"changed on {html.escape(revision.version.date)}</a>")
    return (f'<tr data-source="{html.escape(version.source)}"><td>{title}<br><code>{html.escape(version.source)}'
            f"</code></td><td>{html.escape(version.date)}{stated}<br><code>{version.short_hash}</code></td>"
            f"<td>{last}</td></tr>")


def _what_changed(revision: Revision) -> str:
    items = "".join(
        f'<li data-kind="{change.kind}"><span class="change-label">{html.escape(_arrows(change.label))}</span>'
        f"{change_html(change)}</li>"
        for change in revision.changes
    ) or "<li>No section's text changed (the title changed or sections moved).</li>"
    title = html.escape(revision.version.title or revision.source)
    return (f'<details class="change-log" id="{change_id(revision)}"><summary>What changed in {title} on '
            f"{html.escape(revision.version.date)} (since the version of {html.escape(revision.previous.date)})"
            f'</summary><ul class="changes">{items}</ul></details>')


def _arrows(heading_path: str) -> str:
    return heading_path.replace(" > ", " › ")  # as source cards write a section


def _panel(body: str) -> str:
    return f'<section class="versions-panel" id="versions"><h4>Versions of the documents</h4>{body}</section>'


def _day(timestamp: str) -> datetime.date:
    return datetime.date.fromisoformat(timestamp[:10])


_lock = threading.Lock()
_cache: dict[tuple, tuple[float, RecentChanges]] = {}
