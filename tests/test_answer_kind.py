"""The kind of answer a question asks for: a reply to "how much did it cost?" needs passages holding a sum."""

import pytest

from chatbot.answer.answer_kind import asked_kind, holds
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
