"""Document versions without a model: section comparison, stated dates, word diffs, briefs read back, and the
version history itself on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest

from chatbot.usecase.assessment import Assessment, CitedTrigger, MatrixRow
from chatbot.usecase.rules import PROCEED, WRITTEN_APPROVAL
from chatbot.store.database import Database, normalized_url, records_url
from chatbot.usecase.recheck import InvalidBrief, parse_brief
from chatbot.settings import Settings
from chatbot.types import Citation
from chatbot.store.versions import CitedVersion, Section, VersionHistory, compare
from chatbot.store.word_diff import diff_html, diff_text
from ingest.changelog import summary_lines
from ingest.loaders import SourceDoc
from ingest.versions import record, snapshot, stated_date, text_hash


def sections(*pairs: tuple[str, str]) -> list[Section]:
    return [Section(heading, text_hash(text)) for heading, text in pairs]


def test_sections_are_matched_by_heading_and_a_moved_text_is_a_rename():
    old = sections(("Intro", "a"), ("Rules > Consent", "b"), ("Rules > Data", "c"), ("Old name", "d"))
    new = sections(("Intro", "a"), ("Rules > Consent", "b2"), ("New name", "d"), ("Rules > Crowds", "e"))

    found = [(kind, heading, old_heading) for kind, heading, old_heading, _, _ in compare(old, new)]

    assert found == [("changed", "Rules > Consent", ""), ("renamed", "New name", "Old name"),
                     ("added", "Rules > Crowds", ""), ("removed", "Rules > Data", "")]


def test_a_repeated_heading_is_compared_occurrence_by_occurrence():
    old = sections(("Examples", "one"), ("Examples", "two"))
    new = sections(("Examples", "one"), ("Examples", "two, revised"), ("Examples", "three"))

    assert [kind for kind, *_ in compare(old, new)] == ["changed", "added"]
    assert compare(old, old) == []


@pytest.mark.parametrize("text, date", [
    ("# Policy\n\nLast updated: March 3, 2026\n\nBody.", "2026-03-03"),
    ("Body.\n\n*Updated on 2026-01-05*", "2026-01-05"),
    ("Intro. This page was last revised 3rd March 2026 by the studio.", "2026-03-03"),
    ("Last modified: Sept 2025", "2025-09"),
    ("The guild updated on 3 May 2024 its rules for crowds.", ""),  # running text, not the page's own date
    ("Last updated: yesterday", ""),
    ("No date at all.", ""),
])
def test_the_date_a_document_states_about_itself(text, date):
    assert stated_date(text) == date


def test_whitespace_alone_is_not_a_new_version():
    assert text_hash("One  rule.\nTwo rules.") == text_hash("One rule. Two rules.")
    assert text_hash("One rule.") != text_hash("One rules.")


def test_word_diff_marks_removed_and_added_words_with_context():
    old = " ".join(f"w{i}" for i in range(40)) + " consent must be documented."
    new = " ".join(f"w{i}" for i in range(40)) + " consent must be written and documented."

    assert diff_text(old, new, context=3) == ["… consent must be {+written and+} documented."]
    assert diff_text("a b c d", "a b x d") == ["a b [-c-] {+x+} d"]
    assert diff_text("same words", "same  words") == []


def test_word_diff_html_escapes_every_word():
    markup = diff_html("Keep <b>bold</b> text", "Keep <script>alert(1)</script> text")

    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert '<del class="diff-del">&lt;b&gt;bold&lt;/b&gt;</del>' in markup


def test_the_ingest_summary_has_one_line_per_changed_section(tmp_path):
    history = VersionHistory(Database(f"sqlite:///{tmp_path / 'records.sqlite'}"), "guidance")
    doc = _doc("# Policy\n\n## Consent\n\nAsk first.\n\n## Data\n\nKeep it safe.\n")
    record(history, [snapshot(doc)], now="2026-01-01T00:00:00+00:00")
    revised = _doc("# Policy\n\n## Consent\n\nAsk first, in writing.\n\n## Crowds\n\nAsk them too.\n")
    [revision] = record(history, [snapshot(revised)], now="2026-02-01T00:00:00+00:00")

    assert summary_lines([revision]) == [
        "policy.md changed since its version of 2026-01-01 (`python -m ingest --changes policy.md` shows the diff):",
        "  changed: Consent",
        "  added: Crowds",
        "  removed: Data",
    ]


def test_versions_are_recorded_once_per_text_and_found_again(tmp_path, database_url):
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    history = VersionHistory(Database(records_url(settings)), settings.collection)
    first = _doc("# Policy\n\nLast updated: 2026-01-01\n\n## Consent\n\nAsk first.\n")

    assert record(history, [snapshot(first)], now="2026-01-02T09:00:00+00:00") == []
    assert record(history, [snapshot(first)], now="2026-01-09T09:00:00+00:00") == []  # unchanged: no new version
    [version] = history.versions("policy.md")
    assert (version.first_seen[:10], version.last_seen[:10], version.date) == ("2026-01-02", "2026-01-09", "2026-01-01")

    second = _doc("# Policy\n\nLast updated: 2026-03-01\n\n## Consent\n\nAsk first, in writing.\n")
    [revision] = record(history, [snapshot(second)], now="2026-03-02T09:00:00+00:00")
    opening, change = revision.changes  # the stated date is in the text before the first section heading
    assert opening.label == "changed: (opening text)"
    assert (change.label, change.old_text) == ("changed: Consent", "Ask first.")
    assert change.new_text == "Ask first, in writing."
    assert history.latest()["policy.md"].date == "2026-03-01"
    assert history.find("policy.md", version.short_hash) == version
    assert [r.version.date for r in history.revisions()] == ["2026-03-01"]
    assert (tmp_path / "data" / "records.sqlite").exists() == (not database_url)


def test_another_collection_keeps_its_own_history(tmp_path, database_url):
    url = records_url(Settings(data_dir=tmp_path / "data", database_url=database_url))
    ours, theirs = VersionHistory(Database(url), "guidance"), VersionHistory(Database(url), "other")
    record(ours, [snapshot(_doc("# P\n\nOne.\n"))])
    record(theirs, [snapshot(_doc("# P\n\nTwo.\n"))])

    assert record(ours, [snapshot(_doc("# P\n\nOne.\n"))]) == []
    assert len(ours.versions("policy.md")) == len(theirs.versions("policy.md")) == 1


def test_a_brief_is_read_back_as_it_was_written():
    assessment = Assessment(
        description="Generated posters for a street scene",
        answers={"copyright": "yes", "no_training": "no", "secure_environment": "yes", "temporary": "unsure",
                 "talent_and_union": "yes"},
        outcome=WRITTEN_APPROVAL, outcome_cites=(1,),
        triggers=(CitedTrigger("area", "personal-data", "Personal data, such as cast or crew details", "ticked",
                               (1,)),),
        detections=(),
        matrix_rows=(MatrixRow("Ideation only: moodboards and reference images", "✅", "proceed", 0.5, 2),
                     MatrixRow("Background elements on camera: signage and posters", "⚠️", "use judgment", 0.4, 3)),
        citations=tuple(Citation(n, "The Guide", section, "https://example.org/guide", "text", 0.5, source="guide.md")
                        for n, section in ((1, "Introduction"), (2, "Matrix > Ideation only: mood"),
                                           (3, "Matrix > X"))),
        versions=(CitedVersion("guide.md", "2026-01-01", "0123456789ab", (1, 2, 3)),
                  CitedVersion("undated.md", "2026-11-28", "ba9876543210", (4,), stated=False)),
    )

    brief = parse_brief(assessment.to_markdown())

    assert brief.description == assessment.description and brief.outcome == WRITTEN_APPROVAL
    assert brief.answers == assessment.answers and brief.areas == ("personal-data",)
    assert brief.rows == {"Ideation only: moodboards and reference images": "✅ proceed",
                          "Background elements on camera: signage and posters": "⚠️ use judgment"}
    assert brief.sources[2] == "The Guide > Matrix > Ideation only: mood"
    assert brief.versions == assessment.versions
    # A document that states no date is dated by the day its version was first seen, and the brief says so.
    assert "- undated.md [4]: version first seen 2026-11-28 (it states no date), sha256 ba9876543210" \
        in assessment.to_markdown()
    assert PROCEED not in assessment.to_markdown()


def test_text_that_is_not_a_brief_is_refused_with_what_to_do():
    with pytest.raises(InvalidBrief, match="not a brief from the use-case check.*python -m chatbot check"):
        parse_brief("# Notes\n\nSomething else entirely.")


def test_database_urls_use_the_installed_driver_and_hide_passwords():
    assert normalized_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalized_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalized_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    settings = Settings(database_url="postgresql://user:s3cret@db.internal/rag")
    assert settings.describe()["database_url"] == "postgresql://user:***@db.internal/rag"
    assert "s3cret" not in repr(settings)


def _doc(text: str) -> SourceDoc:
    return SourceDoc(source="policy.md", title="Policy", text=text, url="https://example.org/policy")
