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
