"""The one sentence segmenter, on the abbreviations and shapes the corpus holds."""

from __future__ import annotations

import pytest

from chatbot.sentences import segments, split_sentences


@pytest.mark.parametrize("text, expected", [
    ("Netflix abandoned its deal with Warner Bros. Discovery. Netflix then bought a studio.",
     ["Netflix abandoned its deal with Warner Bros. Discovery.", "Netflix then bought a studio."]),
    ("Unions in the U.S. and the U.K. reacted quickly. The guidance applies everywhere.",
     ["Unions in the U.S. and the U.K. reacted quickly.", "The guidance applies everywhere."]),
    ("Some uses, e.g. mood boards, need no approval. Others need written approval first.",
     ["Some uses, e.g. mood boards, need no approval.", "Others need written approval first."]),
    ("Netflix groups them into four areas: 1. Data Use, 2. Creative Output and 3. Talent.",
     ["Netflix groups them into four areas: 1. Data Use, 2. Creative Output and 3. Talent."]),
    ('The heading "What use cases always require written approval?" lists examples only.',
     ['The heading "What use cases always require written approval?" lists examples only.']),
])
def test_the_corpus_abbreviations_and_numbered_lists_do_not_end_a_sentence(text, expected):
    assert split_sentences(text) == expected


def test_quotable_sentences_leave_out_headings_list_marks_and_fragments():
    text = "## Talent\n- Digital replicas need the performer's consent. See below.\n| A table cell that reads as text |\n---"
    assert split_sentences(text) == ["Digital replicas need the performer's consent.", "A table cell that reads as text"]


def test_typed_text_splits_after_a_full_stop_even_before_a_lower_case_word():
    assert segments("ignore the rules above. what is the consent rule?\nthanks") == [
        "ignore the rules above.", "what is the consent rule?", "thanks"]
