"""Retrieval over the real corpus and small real stores: sections found, synonyms met, duplicates and restatements handled."""

from __future__ import annotations

import re
import shutil

import pytest

from chatbot.bot import build_bot
from chatbot.errors import IndexMissing
from chatbot.query.expansion import expand, search_text, ubiquitous_names, without_names
from chatbot.retrieval.fusion import reciprocal_rank_fusion
from chatbot.query.words import stem, tokenize
from chatbot.retrieval.lexical import LexicalRanker

SECTION_QUESTIONS = [
    ("Can a GenAI tool store or train on our production data?", "Principle 2"),
    ("Can I use Midjourney for mood boards?", "Ideation"),
    ("Do I need consent for routine post-production fixes like noise reduction?", "Digital Alterations"),
    ("Can we reuse an actor's AI model on a different show?", "Model Usage"),
    ("Our VFX vendor uses a custom AI pipeline. What do we need to check?", "custom workflow"),
    ("Which AI tools are covered by Netflix Enterprise Agreements?", "confidentiality"),
    ("Can AI-generated material end up in the final cut?", "final output"),
    ("Can we create a fake news segment showing a real journalist?", "Ethics & Representation"),
    ("Should we run tests before using GenAI on a performance?", "Quality Assurance"),
    ("What does the warning sign in the use case matrix mean?", "Proposed Use Case Matrix"),
    ("In which languages is the guidance translated?", "Translations"),
    ("Can we use GenAI to design the main character of our series?", "Creative Output|Final character designs"),
    ("Can we train a model on celebrity faces?", "Unowned training data|Data Use"),
    ("What does socializing the intended use mean?", "Socializing|When to escalate"),
]


def add_chunks(settings, chunks: list[tuple[str, str, dict]]) -> None:
    """Write (id, text, metadata) chunks into the settings' real Chroma store, as the ingester would."""
    from langchain_core.documents import Document

    from chatbot.store.client import open_vector_store

    base = {"source": "notes.md", "title": "Notes", "url": "", "kind": "document", "publisher": "", "published": "",
            "section": "", "position": 0, "restated": False}
    open_vector_store(settings).add_documents(
        [Document(page_content=text, metadata={**base, **metadata}) for _, text, metadata in chunks],
        ids=[chunk_id for chunk_id, _, _ in chunks],
    )


@pytest.mark.parametrize(("question", "section"), SECTION_QUESTIONS)
def test_each_major_section_is_retrieved_in_the_top_three(bot, question, section):
    top = bot.retrieve(question)[:3]
    assert any(re.search(section, p.section, re.IGNORECASE) for p in top), [p.section for p in top]


def test_synonym_question_finds_the_talent_likeness_passages(bot):
    top = bot.retrieve("Can we make a deepfake of our lead actor?")[:3]
    assert any("likeness" in p.text.lower() and "consent" in p.text.lower() for p in top)
    assert any(re.search("Talent|Digital Replica", p.section) for p in top)


@pytest.mark.parametrize("retriever", ["dense", "bm25", "hybrid"])
def test_every_retriever_ranks_passages_best_first_with_dense_scores(bot, retriever):
    question = "Do I need consent to create a digital replica?"
    passages = bot.retrieve(question, retriever=retriever)
    assert 0 < len(passages) <= bot.settings.candidates_k
    assert len({p.chunk_id for p in passages}) == len(passages)
    snapshot, vector = bot.reader.snapshot(), bot.read(question).vector
    cosines = [round(float(snapshot.embeddings[snapshot.row_of[p.chunk_id]] @ vector), 4) for p in passages]
    assert [p.score for p in passages] == cosines, "each score is the passage's dense similarity to the question"
    if retriever == "dense":
        assert cosines == sorted(cosines, reverse=True), "dense search ranks by similarity, best first"
    else:  # the fused rank puts the passages that match in words and in meaning ahead of the rest
        assert "Digital Replica" in passages[0].section or "Talent" in passages[0].section
        assert max(cosines[:3]) > sorted(cosines)[len(cosines) // 2]
    assert any("Digital Replica" in p.section for p in passages[:5])


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("do we need the actor's ok for AI noise reduction and continuity fixes on their dialogue?", "noise reduction"),
        ("can i ask the AI for a character with meryl streep's nose", "Meryl Streep"),
    ],
)
def test_hybrid_catches_what_dense_alone_misses(bot, question, needle):
    def rank(retriever: str) -> int:
        passages = bot.retrieve(question, retriever=retriever)
        return next((i for i, p in enumerate(passages) if needle in p.text), len(passages))

    assert rank("hybrid") < 6  # among the passages the answerer reads
    assert rank("hybrid") < rank("dense")


def test_unknown_retriever_is_refused(bot):
    with pytest.raises(ValueError, match="hybrid, dense, bm25"):
        bot.retrieve("anything", retriever="magic")


def test_expansion_maps_everyday_words_to_the_guidance_terms():
    assert "digital replica" in expand("Can we make a deepfake of our lead actor?")
    assert "GenAI tool" in expand("Can I paste the script into ChatGPT?")
    assert "moodboard ideation" in expand("mood boards for the pitch")
    assert "background performers" in expand("AI background extras")
    assert expand("What does the warning sign in the use case matrix mean?") == ""
    assert search_text("Is a deepfake OK?").startswith("Is a deepfake OK? ") and "digital replica" in search_text(
        "Is a deepfake OK?")


def test_a_name_nearly_every_passage_mentions_is_left_out_of_dense_search():
    passages = ["Acme's guidance asks for consent.", "Under Acme rules, The matrix marks rows.", "Acme lists tools.",
                "The crew signs forms."]
    names = ubiquitous_names(passages)
    assert names == {"acme"}  # "The" opens sentences but is no name; three passages of four name Acme
    assert without_names("What is Acme's share price? ACME stock", names) == "What is share price? stock"


def test_expansion_meets_everyday_phrasings_of_the_guidance_topics():
    assert "copyrighted unowned" in expand("a poster that looks basically like the original Jaws poster")
    assert "unsure escalate" in expand("What if I'm not sure whether my tool meets the principles?")
    assert "timeline turnaround" in expand("how long does netflix take to give written approval")
    assert "disclose shared" in expand("do i need to tell netflix if i use chatgpt")
    assert "without consent" in expand("can we swap her vocal without telling her")
    assert "production costs" in expand("does the guidance say anything about saving money?")
    assert expand("How much does a Netflix subscription cost?") == ""  # a price is not a production budget
    assert "vendor" not in expand("instead of hiring a writer")  # hiring a person is not hiring a vendor


def test_stemmer_meets_plurals_and_verb_forms_halfway():
    assert stem("replicas") == stem("replica")
    assert stem("voices") == stem("voice")
    assert stem("trained") == stem("training") == stem("trains") == stem("train")
    assert stem("licensing") == stem("licensed") == stem("license")
    assert tokenize("The performer's Digital Replicas!") == ["performer", "digital", "replica"]


def test_irregular_verb_forms_meet_their_verb():
    assert stem("wrote") == stem("written") == stem("writes") == stem("write")
    assert stem("built") == stem("build") and stem("paid") == stem("pay") and stem("made") == stem("make")
    # A form that is also a noun, or belongs to two verbs, is left to the suffix stripper.
    assert stem("ground") == "ground" and stem("found") == "found"
    # A form of a verb that is a stopword is one too.
    assert tokenize("what it meant, and who told them") == []


@pytest.mark.parametrize("typed", ["whats in the matrix", "what's in the matrix", "dont we need it in the matrix",
                                   "we're told it's in the matrix", "they won't put it in the matrix"])
def test_a_contraction_is_no_content_word_with_or_without_its_apostrophe(typed):
    assert tokenize(typed)[-1:] == ["matrix"] and set(tokenize(typed)) <= {"matrix", "need", "put"}


def test_a_contraction_that_is_also_a_word_stays_one():
    assert tokenize("the article ID") == ["articl", "id"] and tokenize("a well-lit set") == ["well", "light", "set"]


def test_lexical_support_weights_rare_words():
    index = LexicalRanker(["digital replica consent", "netflix guidance netflix", "netflix price deal"])
    assert index.support(tokenize("digital replica consent"), [0]) == 1.0
    partial = index.support(tokenize("netflix stock price"), [2])
    assert 0 < partial < 0.6  # "stock" is in no text, so most of the weight is missing


def test_reciprocal_rank_fusion_rewards_agreement_and_respects_weights():
    fused = reciprocal_rank_fusion([(["a", "b", "c"], 1.0), (["d", "b", "e"], 1.0)], k=10)
    assert fused[0][0] == "b"  # second in both beats first in one
    assert dict(fused)["a"] == pytest.approx(1 / 11)
    assert [item for item, _ in fused[1:3]] == ["a", "d"]  # ties keep the first ranking's order
    only_second = reciprocal_rank_fusion([(["a"], 0.0), (["d"], 1.0)], k=60)
    assert only_second[0][0] == "d"


def test_near_duplicate_chunks_are_returned_once(make_settings, embedder):
    settings = make_settings()
    text = ("Creating a digital replica of a performer requires the performer's explicit, documented consent. "
            "Guild requirements apply where relevant.")
    add_chunks(settings, [
        ("a", text, {"position": 0}),
        ("b", text + " ", {"position": 1, "source": "copy.md"}),
        ("c", "Moodboards made with GenAI are low risk and need no escalation.", {"position": 2}),
    ])
    passages = build_bot(settings).retrieve("Do I need consent for a digital replica?")
    texts = [p.text.strip() for p in passages]
    assert texts.count(text) == 1
    assert len(passages) == 2


def test_new_chunks_are_seen_without_restarting(make_settings, embedder):
    settings = make_settings()
    add_chunks(settings, [("a", "Moodboards made with GenAI are low risk and need no escalation.", {})])
    bot = build_bot(settings)
    assert not any("catering" in p.text for p in bot.retrieve("catering budget"))
    add_chunks(settings, [("b", "The catering budget for a GenAI workshop is agreed with the line producer.", {})])
    assert "catering" in bot.retrieve("catering budget")[0].text


def test_missing_or_empty_store_raises_index_missing(make_settings, embedder):
    settings = make_settings()
    with pytest.raises(IndexMissing, match=r"Run `python -m ingest` first"):
        build_bot(settings).ask("Do I need consent?")
    assert not settings.chroma_dir.exists()  # asking created nothing
    from chatbot.store.client import open_vector_store

    open_vector_store(settings)  # an empty collection
    with pytest.raises(IndexMissing, match=r"No index in .*python -m ingest"):
        build_bot(settings).retrieve("Do I need consent?")


# The original page beside its restatement --------------------------------------------------------------


@pytest.fixture(scope="module")
def original_settings(tmp_path_factory, embedder):
    from conftest import CORPUS, SHARED_ORIGINAL

    if not SHARED_ORIGINAL.exists():
        pytest.skip(f"{SHARED_ORIGINAL} is not present")
    from chatbot.settings import Settings
    from ingest import pipeline

    folder = tmp_path_factory.mktemp("with-original")
    shutil.copytree(CORPUS, folder / "corpus")
    shutil.copy(SHARED_ORIGINAL, folder / "corpus" / SHARED_ORIGINAL.name)
    settings = Settings(data_dir=folder / "data", corpus_dir=folder / "corpus")
    assert pipeline.run(settings).failed == 0
    return settings


ORIGINAL_QUESTIONS = [
    "Do I need consent to create a digital replica of a performer?",
    "Can we reuse an actor's AI model on a different show?",
    "Can I use Midjourney for mood boards?",
    "Do tools covered by enterprise agreements protect our scripts?",
]


@pytest.mark.slow
@pytest.mark.parametrize("question", ORIGINAL_QUESTIONS)
def test_citations_prefer_the_original_page_over_its_restatement(original_settings, question):
    import numpy as np

    from chatbot.store.client import get_embedder

    answer = build_bot(original_settings).ask(question)
    assert not answer.declined
    guidance_url = next(c.url for c in answer.citations if "partnerhelp" in c.url)
    by_url = [c for c in answer.citations if c.url == guidance_url]
    assert any(c.source.endswith(".md") and "using-generative-ai" in c.source for c in by_url), by_url
    # Never both for one point: no quoted sentence from a restatement says what a quoted original sentence says.
    sentences = [s.strip() for s in re.split(r"\s*\[\d+\]\s*", answer.text) if s.strip()]
    owners = {}
    for citation in answer.citations:
        for sentence in sentences:
            if sentence in citation.passage:
                owners[sentence] = citation
    originals = [s for s, c in owners.items() if c.url == guidance_url and "using-generative-ai" in c.source]
    restated = [s for s, c in owners.items() if c.url == guidance_url and "using-generative-ai" not in c.source]
    if originals and restated:
        vectors = np.asarray(get_embedder("").embed_documents(originals + restated))
        cross = vectors[: len(originals)] @ vectors[len(originals):].T
        assert cross.max() < 0.75, (originals, restated)
