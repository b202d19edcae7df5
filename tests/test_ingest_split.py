"""Splitting documents into chunks by headings and words: no model, no store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatbot.settings import Settings
from chatbot.types import CHUNK_METADATA_KEYS, OPTIONAL_METADATA_KEYS
from ingest.loaders import SourceDoc, load_file
from ingest.markdown import normalize
from ingest.split import split_document, word_count

ROOT = Path(__file__).resolve().parent.parent
GUIDANCE = ROOT / "corpus" / "netflix-genai-guidance.md"
ORIGINAL = ROOT.parent / "shared" / "reference" / "original" / "using-generative-ai-in-content-production.md"
FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "ingest" / "corpus"
SETTINGS = Settings()


def sentence(n: int) -> str:
    return f"Sentence {n} says that the crew keeps a careful written record of each generated shot."


def doc(text: str, title: str = "Test Document") -> SourceDoc:
    return SourceDoc(source="test.md", title=title, text=normalize(text), url="test.md")


def test_metadata_has_exactly_the_shared_keys_and_chroma_types():
    chunks = split_document(load_file(FIXTURE_CORPUS / "production-handbook.md", "production-handbook.md"), SETTINGS)
    assert chunks
    for chunk in chunks:
        assert tuple(chunk.metadata) == CHUNK_METADATA_KEYS + OPTIONAL_METADATA_KEYS
        assert all(isinstance(value, (str, int, float, bool)) for value in chunk.metadata.values())
        assert isinstance(chunk.metadata["position"], int) and isinstance(chunk.metadata["restated"], bool)
    first = chunks[0].metadata
    assert first["source"] == "production-handbook.md"
    assert first["title"] == "Crew Handbook: Generative Tools on Set"
    assert first["url"] == "https://studio.example/handbook/generative-tools"
    assert (first["kind"], first["publisher"], first["published"]) == ("guidance", "Example Studios", "2025-03-14")
    assert first["restated"] is True


def test_heading_paths_leave_out_the_title_and_keep_the_nesting():
    chunks = split_document(load_file(FIXTURE_CORPUS / "production-handbook.md", "production-handbook.md"), SETTINGS)
    sections = [chunk.metadata["section"] for chunk in chunks]
    assert sections[:4] == [
        "Before Shooting",
        "During Shooting > Camera Department",
        "During Shooting > Sound Department",
        "After Shooting",
    ]
    assert not any(chunk.page_content.lstrip().startswith("#") for chunk in chunks)
    assert "camera department may use generative tools" in chunks[1].page_content


def test_long_section_is_cut_at_sentence_ends_within_the_word_limits():
    settings = Settings(chunk_max_words=60, chunk_min_words=20, chunk_overlap_words=15)
    body = " ".join(sentence(n) for n in range(30))  # one 480-word paragraph
    chunks = split_document(doc(f"# Test Document\n\n## Records\n\n{body}\n"), settings)
    assert len(chunks) > 5
    for chunk in chunks:
        text = chunk.page_content
        assert chunk.metadata["section"] == "Records"
        assert re.fullmatch(r"Sentence \d+ .*\.", text, flags=re.DOTALL), text
        assert word_count(text) <= settings.chunk_max_words + settings.chunk_min_words
        assert text in body
    # consecutive chunks share a sentence (overlap) and together cover every sentence
    assert sentence(0) in chunks[0].page_content and sentence(29) in chunks[-1].page_content
    assert any(sentence(n) in chunks[0].page_content and sentence(n) in chunks[1].page_content for n in range(30))


def test_short_tail_joins_the_chunk_before_it():
    settings = Settings(chunk_max_words=60, chunk_min_words=20, chunk_overlap_words=0)
    paragraphs = [" ".join(sentence(n) for n in range(k, k + 3)) for k in (0, 3)]  # 48 words each
    body = "\n\n".join([*paragraphs, "A short closing line."])
    chunks = split_document(doc(f"## Records\n\n{body}\n"), settings)
    assert [chunk.page_content for chunk in chunks] == [paragraphs[0], paragraphs[1] + "\n\nA short closing line."]


def test_short_sections_stay_separate_chunks():
    text = "# Test Document\n\n## Matrix\n\nIntro.\n\n#### Row one\n\nProceed.\n\n#### Row two\n\nEscalate.\n"
    chunks = split_document(doc(text), SETTINGS)
    assert [(c.metadata["section"], c.page_content) for c in chunks] == [
        ("Matrix", "Intro."),
        ("Matrix > Row one", "Proceed."),
        ("Matrix > Row two", "Escalate."),
    ]


def test_paragraphs_keep_their_blank_lines():
    chunks = split_document(doc("## Part\n\nFirst paragraph.\nStill the first.\n\nSecond paragraph.\n"), SETTINGS)
    assert chunks[0].page_content == "First paragraph.\nStill the first.\n\nSecond paragraph."


def test_a_section_that_grows_a_chunk_leaves_later_chunks_unchanged():
    settings = Settings(chunk_max_words=60, chunk_min_words=20, chunk_overlap_words=0)
    short = " ".join(sentence(n) for n in range(3))
    grown = short + "\n\n" + " ".join(sentence(n) for n in range(3, 6))
    later = "## Later\n\nThe later section.\n\n## Last\n\nThe last section.\n"
    before = split_document(doc(f"## First\n\n{short}\n\n{later}"), settings)
    after = split_document(doc(f"## First\n\n{grown}\n\n{later}"), settings)
    assert len(after) == len(before) + 1
    assert [(c.page_content, c.metadata) for c in after[-2:]] == [(c.page_content, c.metadata) for c in before[-2:]]
    assert [c.metadata["position"] for c in after] == [0, 1, 0, 0]  # numbered within each section


def test_a_new_section_leaves_every_other_chunk_unchanged():
    body = "## First\n\nThe first section.\n\n## Later\n\nThe later section.\n\n## Last\n\nThe last section.\n"
    before = split_document(doc(body), SETTINGS)
    after = split_document(doc(body.replace("## Later", "## Inserted\n\nA new section.\n\n## Later")), SETTINGS)
    assert len(after) == len(before) + 1
    unchanged = [(c.page_content, c.metadata) for c in after if c.metadata["section"] != "Inserted"]
    assert unchanged == [(c.page_content, c.metadata) for c in before]


def test_setext_headings_emphasis_and_links_are_normalized():
    text = normalize(
        "Page Title\n==========\n\nIntro with [a link](#anchor).\n\n---\n\n"
        "**Guiding Principles**\n----------------------\n\nText.\n\n#### **1. Data Use**\n\nMore &amp; more.\n"
    )
    assert text.splitlines() == [
        "# Page Title",
        "",
        "Intro with a link.",
        "",
        "---",
        "",
        "## Guiding Principles",
        "",
        "Text.",
        "",
        "#### 1. Data Use",
        "",
        "More &amp; more.",
    ]


@pytest.mark.skipif(not GUIDANCE.exists(), reason="corpus/netflix-genai-guidance.md is not written yet")
def test_real_guidance_sections_and_matrix_rows():
    chunks = split_document(load_file(GUIDANCE, "netflix-genai-guidance.md"), SETTINGS)
    sections = [chunk.metadata["section"] for chunk in chunks]
    assert "Guiding Principles" in sections
    assert any(s.startswith("Guiding Principles > Principle 5") for s in sections)
    rows = [c for c in chunks if c.metadata["section"].startswith("Appendix > Proposed Use Case Matrix > ")]
    assert len(rows) >= 6, sections  # one chunk per matrix row
    assert all(chunk.metadata["kind"] == "guidance" and chunk.metadata["restated"] for chunk in chunks)
    assert all(word_count(c.page_content) <= SETTINGS.chunk_max_words + SETTINGS.chunk_min_words for c in chunks)
    places = [(chunk.metadata["section"], chunk.metadata["position"]) for chunk in chunks]
    assert len(places) == len(set(places))  # heading path and position name each chunk
    source_words = " ".join(GUIDANCE.read_text(encoding="utf-8").split())
    for chunk in chunks:  # every chunk is the document's own text
        assert " ".join(chunk.page_content.split()) in source_words


@pytest.mark.skipif(not ORIGINAL.exists(), reason="../shared/reference/original is not present")
def test_original_page_keeps_its_headings_and_is_not_restated():
    loaded = load_file(ORIGINAL, str(ORIGINAL))
    assert loaded.title == "Using Generative AI in Content Production"
    assert loaded.restated is False and loaded.kind == "document"
    sections = {chunk.metadata["section"] for chunk in split_document(loaded, SETTINGS)}
    assert {"Introduction", "Guiding Principles", "Appendix > Proposed Use Case Matrix"} <= sections
    assert "What use cases always require written approval? > 1. Data Use" in sections
    assert not any("**" in section or "Partner Help Center" in section for section in sections)
