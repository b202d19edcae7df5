"""Deep links into an original page: the sidecar is read at ingest, stored per chunk, and turned into a link."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from chatbot.anchors import deep_link, fragment_term, text_fragment_url
from chatbot.errors import IngestError
from chatbot.settings import Settings
from chatbot.store.client import open_client
from chatbot.types import Passage
from ingest import pipeline
from ingest.anchors import read_sidecar, sidecar_path
from ingest.loaders import load_file
from ingest.split import split_document

ROOT = Path(__file__).resolve().parent.parent
GUIDANCE = ROOT / "corpus" / "netflix-genai-guidance.md"
ORIGINAL_URL = "https://guides.example/production-ai"
NOTES = """---
title: Notes on the studio's AI rules
publisher: Example Studio
url: https://guides.example/notes
kind: guidance
note: A restatement in this project's own words.
---
# Notes on the studio's AI rules

## Training

A tool must not learn from production footage without written consent. Crews keep a log of every tool they use.

## Archive

Old footage stays in the archive, and the archive is read-only.
"""
SIDECAR = f"""url = "{ORIGINAL_URL}"

[[anchor]]
sentence = "A tool must not learn from production footage without written consent."
section = "Training data"
start = "No model may be trained"
end = "without consent in writing"
"""


def test_a_fragment_term_encodes_what_the_text_directive_reserves():
    assert fragment_term("non-final, low risk & more") == "non%2Dfinal%2C%20low%20risk%20%26%20more"
    assert fragment_term("talent\u2019s  original") == "talent%E2%80%99s%20original"  # spaces collapse; UTF-8 escapes


def test_a_text_fragment_url_has_one_directive_per_range_and_drops_the_old_fragment():
    url = text_fragment_url("https://a.example/page#top",
                            [("Do not input", "explicitly approved"), ("Use judgment", "")])
    assert url == "https://a.example/page#:~:text=Do%20not%20input,explicitly%20approved&text=Use%20judgment"
    assert text_fragment_url("https://a.example/page", []) == "https://a.example/page"


def test_deep_link_finds_the_cited_sentence_or_falls_back_to_the_page():
    page, link = "https://a.example/page", "https://a.example/page#:~:text=x,y"
    sentence = "A tool must not learn from production footage without written consent."
    anchors = json.dumps({sentence: link})
    assert deep_link(page, anchors, sentence.replace(" from", "  from")) == link
    assert deep_link(page, anchors, f"Intro. {sentence} More.") == link  # a whole passage
    assert deep_link(page, anchors, "must not learn from production footage") == link  # a clause
    assert deep_link(page, anchors, "Crews keep a log of every tool they use.") == page
    assert deep_link(page, anchors, "footage") == page  # too short to tell which sentence
    assert deep_link(page, "", "anything") == page
    assert deep_link(page, "{not json", "anything") == page


def test_a_broken_sidecar_says_which_file_to_fix(tmp_path):
    bad = tmp_path / "notes.anchors.toml"
    bad.write_text("[[anchor]\nsentence = 'x'", encoding="utf-8")
    with pytest.raises(IngestError, match="notes.anchors.toml"):
        read_sidecar(bad)
    bad.write_text('[[anchor]]\nsentence = "A sentence."\nstart = "words"\n', encoding="utf-8")
    with pytest.raises(IngestError, match="anchor 1 in notes.anchors.toml has no section"):
        read_sidecar(bad)
    assert read_sidecar(tmp_path / "missing.anchors.toml") is None


def test_each_chunk_carries_the_links_of_the_anchored_sentences_it_holds(tmp_path):
    (tmp_path / "notes.md").write_text(NOTES, encoding="utf-8")
    (tmp_path / "notes.anchors.toml").write_text(SIDECAR, encoding="utf-8")
    chunks = split_document(load_file(tmp_path / "notes.md", "notes.md"), Settings())
    by_section = {chunk.metadata["section"]: chunk.metadata["anchors"] for chunk in chunks}
    assert by_section["Archive"] == ""
    links = json.loads(by_section["Training"])
    assert list(links) == ["A tool must not learn from production footage without written consent."]
    assert links[list(links)[0]] == (
        f"{ORIGINAL_URL}#:~:text=No%20model%20may%20be%20trained,without%20consent%20in%20writing")


def test_every_anchor_of_the_guidance_reaches_a_chunk_and_links_into_the_original():
    document = load_file(GUIDANCE, GUIDANCE.name)
    chunks = split_document(document, Settings())
    stored = {}
    for chunk in chunks:
        stored.update(json.loads(chunk.metadata["anchors"] or "{}"))
    sidecar = read_sidecar(sidecar_path(GUIDANCE))
    assert set(stored) == {anchor.sentence for anchor in sidecar.anchors}
    for sentence, link in stored.items():
        assert link.startswith(document.url + "#:~:text=") and "-" not in link.split("#", 1)[1]
        first = next(a for a in sidecar.anchors if a.sentence == sentence)
        assert unquote(link.split("text=", 1)[1]).startswith(first.start)


def test_a_cited_passage_from_the_store_links_to_the_original_words(make_settings, tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes.md").write_text(NOTES, encoding="utf-8")
    (corpus / "notes.anchors.toml").write_text(SIDECAR, encoding="utf-8")
    (corpus / "summary.md").write_text(NOTES.replace("url: https://guides.example/notes",
                                                     f"based_on: {ORIGINAL_URL}"), encoding="utf-8")
    settings = make_settings(corpus_dir=corpus)
    report = pipeline.run(settings)
    assert (report.documents_seen, report.failed) == (2, 0)  # the sidecar is no document of its own

    client = open_client(settings)
    try:
        found = client.get_collection(settings.collection).get(include=["documents", "metadatas"])
    finally:
        client.close()
    passages = [Passage.from_metadata(i, text, meta) for i, text, meta in zip(found["ids"], found["documents"],
                                                                            found["metadatas"])]
    training = next(p for p in passages if p.source == "notes.md" and p.section == "Training")
    sentence = "A tool must not learn from production footage without written consent."
    assert deep_link(training.url, training.anchors, sentence).startswith(f"{ORIGINAL_URL}#:~:text=No%20model")
    assert deep_link(training.url, training.anchors, "Crews keep a log of every tool they use.") == training.url
    summary = next(p for p in passages if p.source == "summary.md")
    assert (summary.based_on, summary.url, summary.anchors) == (ORIGINAL_URL, "summary.md", "")
