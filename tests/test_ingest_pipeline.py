"""Ingests into real Chroma stores in temp folders with the real model: incremental, idempotent, safe on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatbot.errors import StoreUnavailable
from chatbot.store.client import open_client
from chatbot.types import CHUNK_METADATA_KEYS, OPTIONAL_METADATA_KEYS
from evals.processes import free_port
from ingest import pipeline
from ingest.pipeline import store_is_empty
from test_ingest_loaders import pdf_bytes  # tests/ is on sys.path in pytest's default import mode

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = ROOT.parent / "shared" / "reference" / "original" / "using-generative-ai-in-content-production.md"


def stored(settings) -> dict[str, tuple[str, dict]]:
    """Every chunk in the store: id -> (text, metadata)."""
    client = open_client(settings)
    try:
        found = client.get_collection(settings.collection).get(include=["documents", "metadatas"])
    finally:
        client.close()
    return {chunk_id: (text, meta) for chunk_id, text, meta in zip(found["ids"], found["documents"], found["metadatas"])}


def sources_of(chunks: dict[str, tuple[str, dict]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, meta in chunks.values():
        counts[meta["source"]] = counts.get(meta["source"], 0) + 1
    return counts


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the three-document test corpus."""
    return Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))


@pytest.fixture
def settings(make_settings, corpus, embedder):
    return make_settings(corpus_dir=corpus)


def test_reingest_embeds_only_what_changed(settings, corpus):
    assert store_is_empty(settings)
    total = pipeline.plan(settings).total_chunks
    calls = []
    first = pipeline.run(settings, progress=lambda done, all_: calls.append((done, all_)))
    assert (first.documents_seen, first.failed, first.chunks_added, first.chunks_deleted) == (3, 0, total, 0)
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert not store_is_empty(settings)
    before = stored(settings)
    assert len(before) == total

    unchanged = pipeline.run(settings)
    assert (unchanged.embedded, unchanged.chunks_skipped, unchanged.chunks_deleted) == (0, total, 0)
    assert stored(settings) == before

    handbook = corpus / "production-handbook.md"
    handbook.write_text(handbook.read_text().replace("within three working days", "within two working days"))
    edited = pipeline.run(settings)
    assert (edited.embedded, edited.chunks_skipped, edited.chunks_deleted) == (1, total - 1, 1)
    after = stored(settings)
    assert len(after) == total and len(set(after) - set(before)) == 1
    assert any("within two working days" in text for text, _ in after.values())
    assert not any("within three working days" in text for text, _ in after.values())

    festival = sources_of(after)["articles/festival-disclosure-rules.md"]
    (corpus / "articles" / "festival-disclosure-rules.md").unlink()
    removed = pipeline.run(settings)
    assert (removed.embedded, removed.chunks_deleted, removed.documents_seen) == (0, festival, 2)
    assert "articles/festival-disclosure-rules.md" not in sources_of(stored(settings))
    assert len(stored(settings)) == total - festival


def test_a_section_added_mid_document_embeds_only_its_own_chunk(settings, corpus):
    pipeline.run(settings)
    before = stored(settings)
    handbook = corpus / "production-handbook.md"
    handbook.write_text(handbook.read_text().replace(
        "## During Shooting", "## Rehearsals\n\nRehearsal footage stays off GenAI tools.\n\n## During Shooting", 1))

    added = pipeline.run(settings)

    assert (added.embedded, added.chunks_deleted) == (1, 0)
    after = stored(settings)
    assert set(before) < set(after)  # every chunk after the new section kept its id
    [new_id] = set(after) - set(before)
    assert after[new_id][1]["section"] == "Rehearsals"


def test_bad_input_is_reported_and_the_store_keeps_its_content(settings, corpus, tmp_path):
    pipeline.run(settings)
    before = stored(settings)
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (corpus / "latin1.md").write_bytes("# Café\n\nCrème brûlée.\n".encode("latin-1"))
    survey = corpus / "articles" / "vfx-vendor-survey.md"  # already indexed, now broken
    survey.write_text(survey.read_text().replace("title: ", "title: [unclosed ", 1))

    report = pipeline.run(settings)
    assert report.failed == 4 and report.embedded == 0 and report.chunks_deleted == 0
    assert sorted(warning.split(":")[0] for warning in report.warnings) == [
        "articles/vfx-vendor-survey.md",
        "binary.md",
        "empty.md",
        "latin1.md",
    ]
    assert "malformed front matter" in " ".join(report.warnings)
    assert stored(settings) == before

    url = f"http://127.0.0.1:{free_port()}/page.html"
    missing = tmp_path / "no-such-file.md"
    named = pipeline.run(settings, [str(missing), url])
    assert named.failed == 2 and named.embedded == 0 and named.chunks_deleted == 0
    assert named.warnings[0] == f"{missing}: no such file or folder"
    assert named.warnings[1].startswith(f"{url}: cannot fetch it")
    assert stored(settings) == before


def test_named_files_and_urls_survive_a_corpus_ingest(settings, tmp_path):
    pipeline.run(settings)
    page = FIXTURES / "help-center-article.html"
    memo = tmp_path / "memo.pdf"
    memo.write_bytes(pdf_bytes("Consent is required before making a digital replica."))
    named = [str(page), str(memo)] + ([str(ORIGINAL)] if ORIGINAL.exists() else [])
    report = pipeline.run(settings, named)
    assert report.failed == 0 and report.chunks_added > 0 and report.chunks_deleted == 0

    chunks = stored(settings)
    by_source = sources_of(chunks)
    assert {str(page.resolve()), str(memo.resolve())} <= set(by_source)
    page_sections = {meta["section"] for _, meta in chunks.values() if meta["source"] == str(page.resolve())}
    assert "Planning Principles > Principle A: Keep a human designer accountable" in page_sections
    assert any("digital replica" in text for text, meta in chunks.values() if meta["source"] == str(memo.resolve()))
    if ORIGINAL.exists():
        original = [meta for _, meta in chunks.values() if meta["source"] == str(ORIGINAL.resolve())]
        assert {"Guiding Principles", "Appendix > Proposed Use Case Matrix"} <= {m["section"] for m in original}
        assert all(meta["restated"] is False for meta in original)

    corpus_again = pipeline.run(settings)
    assert corpus_again.embedded == 0 and corpus_again.chunks_deleted == 0
    memo.unlink()  # a named file that disappears keeps its chunks until named again or rebuilt
    gone = pipeline.run(settings, [str(memo)])
    assert gone.failed == 1 and gone.chunks_deleted == 0
    assert sources_of(stored(settings)) == by_source


def test_lost_store_folder_is_refilled_and_corrupted_store_needs_rebuild(settings):
    total = pipeline.run(settings).chunks_added
    shutil.rmtree(settings.chroma_dir)  # the records still say everything is indexed
    refilled = pipeline.run(settings)
    assert refilled.chunks_added == total and len(stored(settings)) == total

    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable, match=r"index in .* Rebuild it with `python -m ingest --rebuild`"):
        pipeline.run(settings)
    rebuilt = pipeline.run(settings, rebuild=True)
    assert (rebuilt.chunks_added, rebuilt.chunks_skipped, rebuilt.failed) == (total, 0, 0)
    assert len(stored(settings)) == total


def test_real_corpus_chunks_carry_their_heading_paths(corpus_settings):
    chunks = stored(corpus_settings)
    assert len(chunks) == pipeline.plan(corpus_settings).total_chunks
    assert all(set(meta) == set(CHUNK_METADATA_KEYS + OPTIONAL_METADATA_KEYS) for _, meta in chunks.values())
    sources = sources_of(chunks)
    assert all(not Path(source).is_absolute() for source in sources)
    if "netflix-genai-guidance.md" not in sources:
        pytest.skip("corpus/netflix-genai-guidance.md is not written yet")
    guidance = [meta for _, meta in chunks.values() if meta["source"] == "netflix-genai-guidance.md"]
    sections = {meta["section"] for meta in guidance}
    assert "Guiding Principles" in sections
    assert any(section.startswith("Guiding Principles > Principle 5") for section in sections)
    assert sum(section.startswith("Appendix > Proposed Use Case Matrix > ") for section in sections) >= 6
    assert all(meta["kind"] == "guidance" and meta["restated"] is True for meta in guidance)
