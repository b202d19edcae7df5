"""Typo correction against the corpus's own words: real typos fixed, correct words and unknown names left alone."""

from pathlib import Path

import pytest

from chatbot.query.expansion import SYNONYM_ROWS
from chatbot.query.spelling import Corrected, Speller, synonym_vocabulary

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def texts():
    return [path.read_text(encoding="utf-8") for path in sorted(CORPUS.rglob("*.md"))]


@pytest.fixture(scope="module")
def speller(texts):
    return Speller(texts, synonym_vocabulary(SYNONYM_ROWS))


@pytest.mark.parametrize(("question", "expected"), [
    ("do i need aproval to use genAI for storybords", "do i need approval to use genAI for storyboards"),
    ("Is consnet needed for a digtal replcia?", "Is consent needed for a digital replica?"),
    ("can i use midjourny for mood boards", "can i use Midjourney for moodboards"),
    ("Can Midjourny make the posters?", "Can Midjourney make the posters?"),
    ("can we change the perfromer's voice", "can we change the performer's voice"),
    ("Aproval for signage?", "Approval for signage?"),
])
def test_real_typos_are_corrected_to_corpus_words(speller, question, expected):
    assert speller.correct(question).text == expected


def test_the_notice_names_the_corrected_words(speller):
    corrected = speller.correct("do i need aproval to use genAI for storybords")
    assert corrected.notice == "Searched for: approval, storyboards"
    assert [(c.original, c.corrected) for c in corrected.corrections] == [("aproval", "approval"),
                                                                          ("storybords", "storyboards")]


@pytest.mark.parametrize("question", [
    "Do we need written approval to use GenAI for background signage?",
    "What did Sarandos say about Zorblax Studios?",  # unknown names stay as typed
    "Can Qwertyon Pictures use the tool?",
    "can i order a pizza with ADR and VFX teh",  # general English, acronyms and short words
    "Can we use previs, mocap and rotoscoping?",  # trade words that English and the corpus may not list
    "theres a poster vs the key art, whats the diff",  # contractions typed without their apostrophe
    "",
])
def test_correct_words_names_and_short_words_are_left_alone(speller, question):
    assert speller.correct(question) == Corrected(question)
    assert speller.correct(question).notice == ""


def test_the_vocabulary_is_the_documents_not_a_fixed_list():
    speller = Speller(["Our studio uses the Flumoxer renderer for every frame."])
    assert speller.correct("does flumoxr need consent").text == "does Flumoxer need consent"
    assert Speller([]).correct("does flumoxr need consent").text == "does flumoxr need consent"


def test_synonym_table_words_are_targets(texts):
    without = Speller(texts)
    with_table = Speller(texts, synonym_vocabulary([{"pattern": r"zorbo ?graphs?|plinth\w*", "words": "signage",
                                                      "example": "Can we use zorbographs?"}]))
    assert without.correct("zorbograph").text == "zorbograph"
    assert with_table.correct("zorbograhs").text == "zorbographs"
    assert synonym_vocabulary([{"pattern": r"clon\w*|mood ?boards?", "words": "", "example": ""}]) == ["mood", "boards"]


def test_a_speller_built_from_the_index_corrects_the_same_question_the_same_way_each_time(texts):
    speller = Speller(texts, synonym_vocabulary(SYNONYM_ROWS))
    first = speller.correct("do i need aproval to use genAI for storybords")
    assert "approval" in first.text and "storyboards" in first.text
    assert all(speller.correct("do i need aproval to use genAI for storybords") == first for _ in range(50))


def test_two_words_the_documents_write_as_one_are_joined(speller):
    corrected = speller.correct("which show had the first gen ai footage? gen-ai rules?")
    assert corrected.text == "which show had the first GenAI footage? GenAI rules?"
    assert corrected.notice == "Searched for: GenAI"
    # English compounds and words the documents write apart are left as typed.
    assert speller.correct("every one of the principles").text == "every one of the principles"
    assert speller.correct("can your ai answer this").text == "can your ai answer this"


def test_a_word_joined_only_in_web_addresses_or_seldom_is_not_a_join_target():
    texts = ["See studio.flumoxworks.com for Flumox works.", "Flumox works twice.", "The ZapCut tool.",
             "ZapCut again.", "ZapCut once more, and zap cut only once."]
    speller = Speller(texts)
    assert speller.correct("does flumox works need consent").text == "does flumox works need consent"
    assert speller.correct("is zap cut ok").text == "is ZapCut ok"


def test_a_verb_the_documents_use_only_in_an_irregular_form_is_a_correction_target():
    speller = Speller(["Tejas Chopra built the tool.", "The ULID field names each record."])
    assert speller.correct("why did he bulid it").text == "why did he build it"


def test_a_capitalised_word_is_still_corrected_to_the_name_first():
    speller = Speller(["The Flumox renderer draws every frame.", "Flumox again.", "A flumix is a common word."])
    assert speller.correct("we tried Flumux").text == "we tried Flumox"
