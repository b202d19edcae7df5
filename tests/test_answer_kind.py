"""The kind of answer a question asks for: a reply to "how much did it cost?" needs passages holding a sum."""

import pytest

from chatbot.answer.answer_kind import asked_kind, asks_who_did, holds, names
from chatbot.answer.gaps import Concept, Gap, with_absent_kind


@pytest.mark.parametrize(("question", "kind"), [
    ("how much did the AI shots cost", "money"),
    ("How much is the prize worth?", "money"),
    ("how much were the product manager jobs paying", "money"),
    ("what's the price of the enterprise tool", "money"),
    ("how many rows does the matrix have", "number"),
    ("when was it published?", "date"),
    ("what year did the deal close", "date"),
    ("release date of the documentary", "date"),
    # Not asking for a figure: a condition, a share, a yes or no.
    ("When should a production flag GenAI elements?", ""),
    ("how much of the film can be AI-generated?", ""),
    ("Can we pay for Midjourney out of the art budget?", ""),
])
def test_the_kind_a_question_asks_for(question, kind):
    assert asked_kind(question) == kind


def test_what_holds_an_answer_of_each_kind():
    assert holds("money", "The deal was worth about US$600 million.")
    assert holds("money", "The prize is NZ$65,000.") and holds("money", "It cost 2.5 million euros.")
    assert not holds("money", "The two shots last about one second each, in episode 6.")
    assert holds("number", "The matrix has eleven rows.") and holds("number", "It got 212 points.")
    assert holds("date", "The Verge reported on 22 August 2025.") and holds("date", "It was released in 2024.")
    assert not holds("date", "The page itself carries no date.")


def test_a_missing_kind_joins_the_gap_and_its_statement():
    passages = ["The two AI-generated shots last about one second each.", "Viewers did not notice them."]
    gap = with_absent_kind(None, "how much did the AI shots cost", passages)
    assert gap == Gap((), 1.0, "money")
    assert gap.statement == "The sources found give no sum of money for this."
    named = with_absent_kind(Gap(("catering",), 0.0), "how much does the catering cost", passages)
    assert named.statement == "The sources found say nothing about \u201ccatering\u201d, and give no sum of money for this."
    assert with_absent_kind(None, "how much did the deal cost", ["It cost US$600 million."]) is None
    assert with_absent_kind(None, "Can I use Midjourney for mood boards?", passages) is None


def test_a_figure_counts_only_in_a_sentence_about_the_question():
    """A passage giving a production's budget does not say what its shots cost."""
    passage = ("The two AI-generated shots last about one second each. One source puts the series' budget at "
               "around US$15 million. Viewers did not notice the shots.")
    shots = Concept("shots", ("shot",), 4.0, frozenset(), 0, 0)
    cost = Concept("cost", ("cost",), 4.0, frozenset(), 0, 0)
    assert with_absent_kind(None, "how much did the AI shots cost", [passage], [shots, cost]) == Gap((), 1.0, "money")
    assert with_absent_kind(None, "how much did the AI shots cost", [passage + " The shots cost US$2 million."],
                            [shots, cost]) is None
    # With no key concept to look for, any figure found will do.
    assert with_absent_kind(None, "how much did the AI shots cost", [passage]) is None


@pytest.mark.parametrize(("question", "asks"), [
    ("who wrote the verge article on the guidance?", True),
    ("who actually made the ai shots", True),
    ("Who published them?", True),
    ("who was behind the AI shots", True),
    # The present tense asks for a role, and "who … for" for an audience.
    ("who do I contact about this?", False),
    ("who needs to approve a digital double", False),
    ("who was the guidance written for?", False),
    ("what did the verge write", False),
])
def test_a_question_asking_who_did_something(question, asks):
    assert asks_who_did(question) is asks


def test_the_names_a_sentence_holds_beyond_the_question():
    asked = frozenset({"who", "wrote", "the", "verge", "article"})
    assert names("The Verge's article was written by Charles Pulliam-Moore.", asked) == {"charles", "pulliam-moore"}
    assert names("Quentin Wilson, the publisher, confirmed it.", asked) == {"quentin", "wilson"}
    # A capitalised first word alone, a month, and a short acronym name no one.
    assert names("Readers should consult The Verge in August.", asked) == frozenset()
    assert names("Most AI shots were final.", asked) == frozenset()
    assert names("Most sources attribute the AI-generated shots to Eyeline Studios.", asked) == {"eyeline", "studios"}
    assert names("Ángel Núñez wrote it.", asked) == {"angel", "nunez"}  # accents fold, as everywhere


def test_the_questions_possessive_names_are_its_own():
    from chatbot.answer.answer_kind import question_words

    asked = question_words("who wrote The Verge\u2019s article?")
    assert "verge" in asked and names("The Verge's article was written by Ana Ruiz.", asked) == {"ana", "ruiz"}


def test_a_who_did_question_is_answered_by_the_sentence_naming_someone():
    from chatbot.answer import extractive

    def candidate(sentence, similarity):
        return extractive.Candidate(0, 0, None, sentence, None, similarity, similarity)

    found = [candidate("Readers should consult the article on Netflix's guidance at The Verge's own address.", 0.62),
             candidate("The article on Netflix's guidance was written by Charles Pulliam-Moore.", 0.58),
             candidate("The article on Netflix's guidance appeared in August.", 0.57)]
    assert extractive._naming("who wrote the verge article", found) == {id(found[1])}
