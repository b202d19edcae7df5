"""What the sources do not settle: key concepts of a question that no passage found mentions."""

import pytest

from chatbot.answer.gaps import Gap, find_gap, key_concepts
from chatbot.retrieval.lexical import LexicalRanker as LexicalIndex

TEXTS = [
    "A digital replica of a performer's likeness or voice requires the performer's consent.",
    "Written approval is required before GenAI output goes into the final deliverables.",
    "Moodboards and reference images made with GenAI are low risk.",
    "Background signage and posters made with GenAI call for judgment.",
    "Vendors must meet the same standards on data protection and consent.",
    "Personal data such as cast or crew details needs explicit approval.",
]


@pytest.fixture(scope="module")
def index():
    return LexicalIndex(TEXTS)


def gap(index, question, passages):
    return find_gap(question, passages, index.idf, index.idf("no-such-word"))


def test_a_key_concept_no_passage_mentions_is_named(index):
    found = gap(index, "Can we use GenAI for the catering menu?", TEXTS[:2])
    assert isinstance(found, Gap)
    assert found.missing == ("catering menu",)
    assert found.statement == "The sources found say nothing about \u201ccatering menu\u201d."
    assert found.coverage == 0.0


def test_no_gap_when_the_passages_hold_every_key_concept(index):
    assert gap(index, "Does a digital replica need consent?", TEXTS[:1]) is None
    assert gap(index, "Is it allowed to use signage?", TEXTS[3:4]) is None  # "allowed" only frames the request


def test_the_synonym_tables_words_stand_in_for_the_asked_word(index):
    assert gap(index, "Can we make a deepfake?", TEXTS[:1]) is None  # the table maps it to "digital replica likeness"
    assert gap(index, "Can we make a deepfake?", TEXTS[2:3]).missing == ("deepfake",)


def test_the_passages_found_decide_not_the_whole_index(index):
    question = "Do moodboards need approval?"
    assert gap(index, question, TEXTS[2:3]) is None
    assert gap(index, question, TEXTS[4:5]).missing == ("moodboards",)


def test_several_missing_concepts_are_listed_in_question_order(index):
    found = gap(index, "What about catering budgets and parking permits for vendors?", TEXTS[4:5])
    assert found.missing == ("catering budgets", "parking permits")
    assert found.statement.endswith("\u201ccatering budgets\u201d or \u201cparking permits\u201d.")
    partly = gap(index, "Catering budgets?", ["Catering for the crew is booked."])
    assert partly.missing == ("budgets",)
    assert partly.coverage == 0.5  # "catering" is held, and weighs as much


def test_common_words_are_never_key_concepts(index):
    concepts = key_concepts("Is GenAI approval required for the final output?", index.idf, index.idf("no-such-word"))
    assert {concept.word for concept in concepts} <= {"output", "final"}
    assert key_concepts("is it ok?", index.idf, 5.0) == []
    assert gap(index, "", TEXTS) is None


def test_a_word_english_never_uses_as_a_noun_is_never_the_missing_concept(index):
    # "exhaustive" and "formally" appear in no passage, yet they only qualify what is asked, which is there.
    assert gap(index, "Is written approval for final deliverables exhaustive?", TEXTS[1:2]) is None
    assert gap(index, "Do vendors formally need consent?", TEXTS[4:5]) is None
    # A noun absent from every passage is still named, and so is a word the lexicon does not know (a name, jargon).
    assert gap(index, "Does written approval for final deliverables depend on the country?", TEXTS[1:2]).missing == ("country",)
    assert gap(index, "Can vendors use comfyui?", TEXTS[4:5]).missing == ("comfyui",)


@pytest.mark.parametrize("question", [
    "whats the rule for catering",
    "We've got catering, is that ok?",
    "dont we need approval for catering",
    "catering-wise, what applies?",
    "hey quick q - is catering ok",  # chat filler
])
def test_contractions_and_wise_are_not_what_a_question_is_about(index, question):
    found = gap(index, question, TEXTS[:2])
    assert found is not None and found.missing == ("catering",)


def test_a_contraction_that_is_also_a_word_counts_only_without_its_apostrophe(index):
    def words(question):
        return [c.word for c in key_concepts(question, index.idf, index.idf("no-such-word"))]

    assert words("the well") == ["well"] and words("we'll need catering") == ["catering"]


def test_a_number_or_an_ordinal_is_never_the_missing_concept(index):
    words = [c.word for c in key_concepts("whats the 4th principle, and the 2nd?", index.idf, index.idf("no-such-word"))]
    assert "4th" not in words and "2nd" not in words


def test_asking_for_a_definition_is_no_concept_the_sources_lack(index):
    words = [c.word for c in key_concepts("definition of final deliverables?", index.idf, index.idf("no-such-word"))]
    assert "definition" not in words
