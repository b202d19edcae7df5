"""A "which …" question that a heading of the sources asks, or names, is answered from that section's parts."""

import numpy as np

from chatbot.answer.outline import TITLE_MATCH, asked_headings, section_parts
from chatbot.types import Passage

HEADING = "What uses need sign-off?"


def passage(n: int, section: str, source: str = "rules.md") -> Passage:
    return Passage(f"c{n}", f"Text {n}.", source, "Rules", section, "", "guidance")


PASSAGES = [passage(0, HEADING), passage(1, f"{HEADING} > 1. Data"), passage(2, f"{HEADING} > 1. Data"),
            passage(3, f"{HEADING} > 2. Faces"), passage(4, f"{HEADING} > 2. Faces > Detail"),
            passage(5, "Other"), passage(6, f"{HEADING} > 3. Elsewhere", source="news.md")]


def embed_as(vectors: dict[str, list[float]]):
    return lambda text: np.asarray(vectors.get(text, [0.0, 1.0]), dtype=np.float32)


def test_a_question_heading_close_to_the_question_is_found_in_the_passages_found():
    embed = embed_as({HEADING: [1.0, 0.0]})
    assert asked_headings(np.array([1.0, 0.0]), PASSAGES[1:3], embed) == [("rules.md", (HEADING,))]
    assert asked_headings(np.array([0.0, 1.0]), PASSAGES[1:3], embed) == []  # asks something else
    assert asked_headings(np.array([0.0, 1.0]), [passage(9, "Plain heading")], embed_as({})) == []  # not a question


def test_a_question_opening_with_a_list_request_may_name_a_heading_by_its_title():
    close = [np.sqrt(1 - (TITLE_MATCH + 0.05) ** 2), TITLE_MATCH + 0.05]  # similarity TITLE_MATCH + 0.05 to [0, 1]
    embed = embed_as({"Principles": close, "1. Data": [1.0, 0.0]})  # "2. Faces": [0, 1], the question itself
    found = [passage(1, "Principles > 1. Data"), passage(2, "Principles > 2. Faces")]
    assert asked_headings(np.array([0.0, 1.0]), found, embed) == []  # a title is not a question
    assert asked_headings(np.array([0.0, 1.0]), found, embed, titles=True) == [
        ("rules.md", ("Principles", "2. Faces")), ("rules.md", ("Principles",))]  # closest first; "1. Data" too far
    far = embed_as({"Principles": [1.0, 0.0], "1. Data": [1.0, 0.0], "2. Faces": [1.0, 0.0]})
    assert asked_headings(np.array([0.0, 1.0]), found, far, titles=True) == []


def test_the_parts_are_the_direct_subsections_of_that_document_in_index_order():
    parts = section_parts(("rules.md", (HEADING,)), PASSAGES)
    assert [[p.chunk_id for p in part] for part in parts] == [["c1", "c2"], ["c3"]]  # not deeper, not news.md's
    assert section_parts(("rules.md", ("Other",)), PASSAGES) == []  # no subsections: not a list


def test_which_uses_always_need_approval_lists_one_rule_per_area_after_what_the_list_is(bot):
    answer = bot.ask("which uses always need written approval?")
    intro, items = answer.text.split("\n\n")
    assert not intro.startswith("- ") and intro.endswith("[1]")
    lines = items.splitlines()
    assert len(lines) == 4 and all(line.startswith("- ") for line in lines)
    sections = [c.section.rsplit("> ", 1)[-1] for c in answer.citations]
    assert sections == ["What use cases always require written approval?", "1. Data Use", "2. Creative Output",
                        "3. Talent & Performance", "4. Ethics & Representation"]  # the section's own text first
    assert "listed under" not in answer.text  # the cases themselves, not a pointer to them


def test_a_multi_part_question_nests_the_list_under_its_part_and_answers_the_rest(bot):
    answer = bot.ask("Which uses always need written approval, and who do I contact?")
    first, second = answer.text.split("\n- ", 1)
    assert first.startswith("- Which uses always need written approval:") and first.count("\n  - ") == 4
    assert "Netflix contact" in second


def test_a_list_request_naming_a_section_by_its_title_lists_its_parts(bot):
    # "Guiding Principles" asks no question; the summaries mentioning "five principles" outrank its parts, and a
    # closer heading ('A different set of "five principles"') has no parts, so it is passed over.
    answer = bot.ask("list the 5 principles")
    principles = [c.section.rsplit("> ", 1)[-1] for c in answer.citations if c.section.startswith("Guiding Principles >")]
    assert [p.split(":")[0] for p in principles[:5]] == [f"Principle {n}" for n in range(1, 6)], answer.text
    intro, items = answer.text.split("\n\n")
    assert answer.citations[0].section == "Guiding Principles" and "five guiding principles" in intro
    assert all(line.startswith("- ") for line in items.splitlines())
    assert "hyper.ai" not in answer.text  # not a summary's own "five principles"


def test_a_list_question_that_names_no_section_is_answered_from_the_closest_sentences(bot):
    answer = bot.ask("what are the three customary alterations that need no consent?")
    assert len({c.section for c in answer.citations}) <= 3, answer.text  # not one sentence from each part of a section
    assert "customary" in answer.text.lower()
