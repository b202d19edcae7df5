"""Answer text helpers: self-contained sentences, no repeats, multi-part questions, list answers."""

import numpy as np
import pytest

from chatbot.answer.compose import (
    asks_for_list,
    part_label,
    bullets,
    drop_near_duplicates,
    list_items,
    question_parts,
    standalone,
)


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Also, written approval is required.", "Written approval is required."),
    ("However, incidental props can be low risk.", "Incidental props can be low risk."),
    ("Therefore consent is needed.", "Consent is needed."),
    ("In addition, vendors follow the same rules.", "Vendors follow the same rules."),
    ("Written approval is required.", "Written approval is required."),
    ("That is why consent matters.", "That is why consent matters."),
    ("For those situations, escalation and written approval are needed.", None),
    ("This applies to vendors too.", None),
    ("These tools add a layer of security.", None),
    ("But also, it matters.", None),
])
def test_sentences_stand_alone_or_are_dropped(sentence, expected):
    assert standalone(sentence) == expected


def test_a_sentence_may_lean_on_its_predecessor_when_the_answer_quotes_it_first():
    before = "Some situations always need escalation."
    after = "For those situations, written approval is needed."
    assert standalone(after, predecessor=before, kept_before=before) == after
    assert standalone(after, predecessor=before, kept_before="Something else.") is None


def test_near_duplicates_are_dropped_by_words_or_by_meaning():
    sentences = ["Written approval is required for final deliverables.",
                 "Written approval is required for the final deliverables.", "Consent is needed."]
    assert drop_near_duplicates(sentences) == [sentences[0], sentences[2]]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.99, 0.05]])
    assert drop_near_duplicates(["a b", "c d", "e f"], vectors) == ["a b", "c d"]
    assert drop_near_duplicates([]) == []


@pytest.mark.parametrize(("question", "parts"), [
    ("Which uses always need written approval, and who do I contact?",
     ["Which uses always need written approval?", "Who do I contact?"]),
    ("Can we use AI for signage? What about posters?", ["Can we use AI for signage?", "What about posters?"]),
    ("What is a digital replica and when is consent not needed?",
     ["What is a digital replica?", "When is consent not needed?"]),
    ("Do we need consent and approval for a double?", ["Do we need consent and approval for a double?"]),
    ("Is it ok? And why?", ["Is it ok? And why?"]),
])
def test_multi_part_questions_are_split(question, parts):
    assert question_parts(question) == parts


@pytest.mark.parametrize(("question", "expected"), [
    ("Which uses always need written approval?", True),
    ("what are the 5 guiding principles", True),
    ("what r the guiding principles", True),
    ("What are the four things that always need written approval?", True),
    ("List the matrix rows", True),
    ("What is a digital replica?", False),
    ("Can I use AI for storyboards?", False),
])
def test_list_questions(question, expected):
    assert asks_for_list(question) is expected


def test_list_items_and_bullets():
    text = "Intro line.\n\n- Final deliverables\n- Personal data\n1. Talent likeness\n* Third-party IP\nNot an item."
    items = list_items(text)
    assert items == ["Final deliverables", "Personal data", "Talent likeness", "Third-party IP"]
    assert bullets(items[:2] + ["  "]) == "- Final deliverables\n- Personal data"


@pytest.mark.parametrize(("part", "label"), [
    ("also can i use it for storyboards?", "Can i use it for storyboards"),
    ("Which uses always need written approval?", "Which uses always need written approval"),
    ("and who do I contact?", "Who do I contact"),
])
def test_a_part_is_labelled_without_the_words_that_joined_it_to_the_question(part, label):
    assert part_label(part) == label
