"""A revised guidance, end to end: the real ingest of a copy, then of an edited copy (one sentence changed, one
section added, one removed); the changelog lines, the diff, the card badge, the About panel and a recheck, on
SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatbot.ui import render
from chatbot.ui.changes_view import recent_changes, versions_html
from chatbot.settings import Settings
from chatbot.store.client import open_client
from chatbot.types import Citation, Passage
from ingest import pipeline

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = ROOT.parent / "shared" / "reference" / "original" / "using-generative-ai-in-content-production.md"
RESTATEMENT = ROOT / "corpus" / "netflix-genai-guidance.md"
NEW_SECTION = "Generated crowds of recognisable people need the same consent as any digital replica."


@dataclass(frozen=True)
class Edit:
    """One sentence changed, a section added before a heading, and a last section removed, in a Markdown file."""

    path: Path
    old: str
    new: str
    diff: str  # how the changelog marks the changed words
    changed: str  # heading paths, as the changelog names them
    removed_heading: str
    removed: str
    add_before: str  # the line the new section goes in front of

    def apply(self, target: Path) -> None:
        text = target.read_text(encoding="utf-8")
        assert text.count(self.old) == 1, f"the sentence to change is not in {self.path.name} once"
        text = text.replace(self.old, self.new)
        text = text.replace(self.add_before, f"## Synthetic crowds\n\n{NEW_SECTION}\n\n{self.add_before}", 1)
        text = text[: text.index(self.removed_heading)].rstrip() + "\n"
        target.write_text(text, encoding="utf-8")


EDITS = {
    "original snapshot": Edit(
        ORIGINAL,
        old="without explicit and documented consent",
        new="without explicit and written consent",
        diff="[-documented-] {+written+}",
        changed="What use cases always require written approval? > 3. Talent & Performance",
        removed_heading="### **Translations**",
        removed="Appendix > Translations",
        add_before="**Appendix**\n",
    ),
    "corpus restatement": Edit(
        RESTATEMENT,
        old="is marked proceed (✅) in Netflix's Proposed Use Case Matrix",
        new="is marked requires escalation (🛑) in Netflix's Proposed Use Case Matrix",
        diff="[-proceed (✅)-] {+requires escalation (🛑)+}",
        changed="Appendix > Proposed Use Case Matrix > Ideation only: moodboards and reference images",
        removed_heading="### Translations",
        removed="Appendix > Translations",
        add_before="## Appendix\n",
    ),
}


@pytest.fixture
def library(tmp_path, database_url, embedder):
    """Settings over an empty corpus folder of a test's own, keeping its records in SQLite or PostgreSQL."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return Settings(data_dir=tmp_path / "data", corpus_dir=corpus, database_url=database_url)


def use(env, settings: Settings) -> None:
    """Point the command-line entry points at `settings`."""
    env.setenv("RAG_DATA_DIR", str(settings.data_dir))
    env.setenv("RAG_CORPUS_DIR", str(settings.corpus_dir))
    env.setenv("RAG_DATABASE_URL", settings.database_url)


def citation_of(settings: Settings, section: str, n: int = 1) -> Citation:
    """A source card's citation of a real indexed chunk of `section`."""
    page = open_client(settings).get_collection(settings.collection).get(where={"section": section}, include=["documents", "metadatas"], limit=1)
    assert page["ids"], f"no chunk of {section!r} in the index"
    return Citation.of(n, Passage.from_metadata(page["ids"][0], page["documents"][0], page["metadatas"][0]))


@pytest.mark.parametrize("document", list(EDITS))
def test_a_revision_is_listed_diffed_and_badged(document, library, monkeypatch, capsys):
    edit = EDITS[document]
    if not edit.path.exists():
        pytest.skip(f"{edit.path} is not here (the reference snapshot lives beside the project, in ../shared)")
    copy = library.corpus_dir / "guidance.md"
    shutil.copy(edit.path, copy)
    first = pipeline.run(library)
    assert first.failed == 0 and first.revisions == ()
    assert first.summary().count("\n") == 0

    edit.apply(copy)
    second = pipeline.run(library)

    assert second.summary().splitlines()[1:] == [
        "guidance.md changed since its version of "
        f"{datetime.datetime.now(datetime.timezone.utc).date().isoformat()} "
        "(`python -m ingest --changes guidance.md` shows the diff):",
        f"  changed: {edit.changed}",
        "  added: Synthetic crowds",
        f"  removed: {edit.removed}",
    ]
    assert library.record_db.exists() == (not library.database_url)

    use(monkeypatch, library)
    from ingest.__main__ import main as ingest_main

    assert ingest_main(["--changes", "guidance.md"]) == 0
    changelog = capsys.readouterr().out
    lines = changelog.splitlines()
    assert lines[0].startswith("guidance.md — ") and lines[1].startswith("revised: version ")
    assert lines[2] == f"  changed: {edit.changed}"
    assert edit.diff in " ".join(lines[3:lines.index("  added: Synthetic crowds")])
    assert "{+" + NEW_SECTION + "+}" in changelog.replace("\n    ", " ")
    assert f"  removed: {edit.removed}\n    [-" in changelog
    assert ingest_main(["--changes", "nothing-like-it.md"]) == 1
    assert "No recorded versions of nothing-like-it.md. Recorded documents: guidance.md." in capsys.readouterr().err

    changed, unchanged = citation_of(library, edit.changed, 1), citation_of(library, "Introduction", 2)
    cards = render.sources_html([changed, unchanged], changes=recent_changes(library))
    changed_card, unchanged_card = cards.split('<article class="source-card"')[1:]
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert f"<summary title=\"This section changed in the document's last revision\">changed on {today}</summary>" \
           in changed_card
    assert '<del class="diff-del">' in changed_card and '<ins class="diff-ins">' in changed_card
    assert "source-changed" not in unchanged_card
    later = recent_changes(library, today=today + datetime.timedelta(days=library.changed_badge_days + 1))
    assert "source-changed" not in render.sources_html([changed], changes=later)

    about = versions_html(library, ["guidance.md"])
    assert f"{today} (first seen)" in about and "3 sections changed on" in about
    for label in (f"changed: {edit.changed}", "added: Synthetic crowds", f"removed: {edit.removed}"):
        assert render.escape_markdown_html(label.replace(" > ", " › ")) in about


def test_a_recheck_says_the_outcome_changed_because_a_rule_changed(library, monkeypatch, capsys, tmp_path):
    from chatbot.__main__ import main as chatbot_main
    from chatbot.usecase.checker import UseCaseChecker

    edit = EDITS["corpus restatement"]
    copy = library.corpus_dir / "netflix-genai-guidance.md"
    shutil.copy(edit.path, copy)
    pipeline.run(library)
    assessment = UseCaseChecker(library).assess("Mood boards and reference images for the art department",
                                                "yes,yes,yes,yes,yes")
    brief = tmp_path / "brief.md"
    brief.write_text(assessment.to_markdown(), encoding="utf-8")
    assert re.search(r"^- netflix-genai-guidance\.md (\[\d+\])+: version first seen \S+ \(it states no date\), "
                     r"sha256 [0-9a-f]{12}$",
                     brief.read_text(), re.MULTILINE)
    use(monkeypatch, library)

    assert chatbot_main(["check", "--recheck", str(brief)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(
        "The outcome and every cited rule are the same as when the brief was written.")

    edit.apply(copy)
    pipeline.run(library)
    assert chatbot_main(["check", "--recheck", str(brief)]) == 3  # a script can tell a changed outcome
    output = capsys.readouterr().out

    assert "Outcome: CHANGED\n" in output
    assert ("  matrix row 'Ideation only: moodboards and reference images': was ✅ proceed, now 🛑 requires escalation"
            in output)
    [changed_rule] = [line for line in output.splitlines() if "CHANGED on" in line]
    assert "Appendix › Proposed Use Case Matrix › Ideation only: moodboards and reference images" in changed_rule
    assert edit.diff in output
    assert output.rstrip().endswith("The outcome changed since the brief was written: check the use again "
                                    "before relying on it.")


def test_a_recheck_of_something_else_is_a_clear_error(library, monkeypatch, capsys, tmp_path):
    from chatbot.__main__ import main as chatbot_main

    notes = tmp_path / "notes.md"
    notes.write_text("# Meeting notes\n\nNothing to recheck.\n")
    use(monkeypatch, library)

    assert chatbot_main(["check", "--recheck", str(notes)]) == 1
    assert "error: This is not a brief from the use-case check" in capsys.readouterr().err
    assert chatbot_main(["check", "--recheck", str(tmp_path / "missing.md")]) == 1
    assert "error: cannot read the brief" in capsys.readouterr().err
