"""The synonym table, read from its data file: every row is reachable by its own example question."""

import re

import pytest

from chatbot.query.expansion import SYNONYM_ROWS, SYNONYMS, expand


def test_the_table_is_read_from_the_data_file():
    assert len(SYNONYMS) == len(SYNONYM_ROWS) >= 30
    assert all(set(row) == {"pattern", "words", "example"} for row in SYNONYM_ROWS)


@pytest.mark.parametrize("row", SYNONYM_ROWS, ids=lambda row: row["words"][:30])
def test_each_row_is_reached_by_its_example_question(row):
    assert re.search(rf"\b(?:{row['pattern']})\b", row["example"], re.IGNORECASE)
    assert row["words"] in expand(row["example"])


def test_rows_phrased_after_a_single_question_are_gone():
    assert expand("who wrote the article about the guidance?") == ""
    assert "low-risk" not in expand("Does every single little AI use need review?")


@pytest.mark.parametrize(("question", "words"), [
    ("what does principle 2 say", ["second"]),
    ("whats the 4th principle", ["fourth"]), ("we need 3 actors", []), ("season 2", ["second"]),
    ("Principle 2 and principle 5?", ["second", "fifth"]),
    # A quantity, a decimal and a number past the ordinals name no numbered part.
    ("a newspaper on a desk for 2 sec", []), ("it cost 2.5 million", []), ("principle 12", []),
])
def test_a_part_asked_for_by_number_is_also_asked_for_by_its_ordinal_word(question, words):
    from chatbot.query.expansion import numbered_parts

    assert numbered_parts(question) == words
    assert all(word in expand(question).split() for word in words)
