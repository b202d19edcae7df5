"""Which sentences an answer quotes and how it opens: on topic, covering the question, the rule that answers it first."""

from __future__ import annotations

import re

import pytest

from chatbot.answer.yes_no import (
    answers_absence, asks_existence, defines, definition_subject, direct_answer, lead, states_absence,
)


def test_a_shared_tool_name_does_not_bring_in_unrelated_news(bot):
    answer = bot.ask("Can I use Midjourney for mood boards?")
    assert answer.text.startswith("**Proceed, and tell your Netflix contact.**")  # the matrix row's verdict
    assert "Ideation" in answer.citations[0].section
    assert "Disney" not in answer.text  # Disney's lawsuit against Midjourney says nothing about mood boards
    assert all(citation.kind != "article" for citation in answer.citations)


def test_written_approval_question_leads_yes_and_quotes_the_always_approval_rule(bot):
    answer = bot.ask("Do we need written approval for a digital double of our lead?")
    verdict, body = answer.text.split("\n\n", 1)
    assert verdict.startswith("**Written approval required.**") and "consent" in body
    assert "always require escalation and written approval" in answer.text
    assert "Synthetic or Digital Replicas" in answer.text
    assert any("Talent & Performance" in citation.section for citation in answer.citations)


def test_training_on_an_artists_work_is_answered_from_the_unowned_material_rule(bot):
    answer = bot.ask("Can we train a model on a famous painter's work?")
    verdict, body = answer.text.split("\n\n", 1)
    assert verdict.startswith("**Written approval required.**")
    first_sentence, number = re.match(r"(.*?) \[(\d+)\]", body).groups()
    assert "Third-Party or Unowned Talent Assets" in first_sentence and "legal clearance" in first_sentence
    assert "Data Use" in answer.citations[int(number) - 1].section


@pytest.mark.parametrize(("question", "section"), [
    ("is there an official netflix consent form template for digital replicas?", "No consent forms"),
    ("does netflix have a vendor checklist or certification for AI vendors?", "No vendor checklist"),
    ("does the netflix genai guidance say anything about saving money or production budgets?", "production costs"),
])
def test_asking_whether_something_exists_is_answered_by_what_is_missing(bot, question, section):
    answer = bot.ask(question)
    assert answer.text.startswith("No. ")
    assert section in answer.citations[0].section


def test_something_the_guidance_has_is_not_answered_no(bot):
    answer = bot.ask("Does the guidance include a use case matrix?")
    assert not answer.declined and not answer.text.startswith("No")
    assert any("Proposed Use Case Matrix" in citation.section for citation in answer.citations)


def test_existence_questions_and_the_thing_said_to_be_missing():
    assert asks_existence("Is there a consent form?") and asks_existence("Does the guidance name any approved tools?")
    assert asks_existence("does the netflix genai guidance say anything about budgets?")
    assert not asks_existence("Does every little AI use have to go through legal?")
    assert not asks_existence("Do we need consent?") and not asks_existence("Is it OK to use AI for posters?")
    assert answers_absence("Is there a consent form?", "The guidance provides no consent form or consent template.")
    assert not answers_absence("Does the guidance include a use case matrix?", "The matrix has no separate legend.")
    assert not answers_absence("Can we use AI for posters?", "The guidance provides no poster rules.")


def test_the_lead_names_the_requirement_asked_about_then_one_more():
    sentences = ["Creating a digital double of real talent always requires escalation and written approval.",
                 "Explicit, documented consent is required before creating a digital double."]
    assert lead("Do we need written approval for a digital double?", sentences) == (
        "Yes — written approval and explicit, documented consent are required.")
    assert lead("Do we need written approval for a digital double?", sentences[1:]) == (
        "Yes — explicit, documented consent is required.")
    assert lead("What is a digital double?", sentences) == ""


@pytest.mark.parametrize(("question", "sentence"), [
    # not asking permission: "Yes, with written approval" would read as "yes, it is banned"
    ("Does Netflix ban AI in final deliverables?", "Netflix requires written approval for GenAI in final deliverables."),
    # a quoted heading states no rule
    ("Is the list of always-approval use cases complete?",
     'The situations listed under "What use cases always require written approval?" are examples, not a complete list.'),
])
def test_no_lead_read_off_the_wrong_kind_of_statement(question, sentence):
    assert direct_answer(question, sentence) == ""


@pytest.mark.parametrize(("question", "gap", "rule"), [
    ("can i use chat gpt to wirte the first draft of our script insted of hiring a writer",
     "AI-drafted scripts", "union-covered work"),
    ("Is it ok to generate background extras with AI for a crowd scene?", "crowds or background extras", "Impact on Union Roles"),
    ("Does the guidance apply to documentaries?", "documentaries", "Misleading or Misrepresentative Content"),
])
def test_a_gap_in_the_guidance_is_followed_by_the_nearest_rule(bot, question, gap, rule):
    # Saying only "there is no rule for X" leaves a producer nowhere: the rules that come closest must follow, or
    # open the reply as the verdict's rule.
    answer = bot.ask(question)
    assert not answer.declined
    verdict, body = answer.text.split("\n\n", 1) if answer.text.startswith("**") else ("", answer.text)
    first, number, rest = re.match(r"(.*?) \[(\d+)\] (.*)", body, re.DOTALL).groups()
    assert gap in answer.citations[int(number) - 1].section
    assert states_absence(first)
    assert rule in rest or rule in verdict


def test_a_what_is_question_opens_with_the_sentence_that_says_what_it_is(bot):
    assert bot.ask("What is INKubator?").text.startswith("INKubator is Netflix's own generative AI animation studio")
    assert bot.ask("what does netflix mean by genai?").text.startswith('"GenAI" is the abbreviation')


def test_definition_questions_and_the_sentences_that_define():
    assert definition_subject("What is INKubator?") == "INKubator"
    assert definition_subject("what's a digital replica") == "digital replica"
    assert definition_subject("what does netflix mean by genai?") == "genai"
    assert definition_subject("What is needed for a digital double of our lead?") == "needed for a digital double of our lead"
    assert definition_subject("Do we need consent?") == ""
    # The chat's ways of asking for a definition.
    assert definition_subject("whats the definition of a digital replica") == "digital replica"
    assert definition_subject("definition of final deliverables?") == "final deliverables"
    assert definition_subject("genai meaning?") == "genai" and definition_subject("is it defined?") == ""
    assert definition_subject("is there a definition?") == ""
    assert definition_subject("can you give me a clear definition?") == ""
    assert defines("INKubator", "INKubator is Netflix's own generative AI animation studio.")
    assert defines("genai", '"GenAI" is the abbreviation the guidance uses.')
    assert not defines("INKubator", "INKubator plans to move on to feature-quality work later.")
    assert not defines("INKubator", "Netflix says INKubator is small.")


def test_routine_clean_up_is_answered_from_the_customary_alterations(bot):
    answer = bot.ask("Is AI noise reduction on an actor's voice OK without consent?")
    assert "Digital Alterations" in answer.citations[0].section
    assert "noise reduction" in answer.text.split("[1]")[0]


def test_dubbing_in_an_actors_own_voice_needs_the_performers_consent(bot):
    answer = bot.ask("Can we use AI to translate and dub the show into Spanish with the actor's own voice?")
    # The guidance never speaks of dubbing into another language: the reply says so, then gives the consent rule.
    assert answer.text.startswith(("Yes, with the performer's consent.", "Yes, with explicit, documented consent.",
                                   "The sources found say nothing about \u201ctranslate\u201d",
                                   "The sources found say nothing about \u201cSpanish\u201d"))
    assert "documented consent" in answer.text
    assert "digital replica" in answer.text.lower()


@pytest.mark.parametrize(("question", "number"), [
    ("what does principle 2 say", 2), ("whats the 1st principle", 1), ("whats the 2nd principle", 2),
    ("whats the 3rd principle", 3), ("whats the 4th principle", 4), ("what does the 5th principle say", 5),
])
def test_a_question_naming_a_section_by_its_heading_is_answered_from_it(bot, question, number):
    answer = bot.ask(question)
    assert f"Principle {number}" in answer.citations[0].section
    assert answer.text.startswith(f"Netflix's {('first', 'second', 'third', 'fourth', 'fifth')[number - 1]}")


def test_a_heading_names_a_section_only_when_it_holds_every_word_asked():
    from chatbot.answer.extractive import _heading_words, _names_section

    section = "Guiding Principles > Principle 2: No storage, reuse or training on production data"

    def names(question):
        return _names_section(_heading_words(question), section, question)

    assert names("what does principle 2 say") and names("whats the 2nd principle")
    assert not names("what does principle 3 say") and not names("principle?")  # one word names no section
    assert not names("guiding principles")  # an outer heading is not its own
    assert not _names_section(_heading_words("principle 1"), "Principles > Principle 12: Names", "principle 1")


def test_a_quoted_second_hand_claim_brings_the_sentence_after_it(bot):
    answer = bot.ask("TweakTown says AI-generated characters just need legal review. Accurate?")
    claim, after = answer.text.split(" [1] ")[:2]
    assert claim.startswith("TweakTown said") and "written approval" in after


def _candidates(text: str):
    from chatbot.answer.extractive import Candidate
    from chatbot.sentences import split_sentences
    from chatbot.types import Passage

    passage = Passage("p1", text, "house-rules.md", "House rules", "Checks", "", "document")
    return [Candidate(0, n, passage, s, None, 0.5, 0.5) for n, s in enumerate(split_sentences(text))]


def test_a_sentence_that_introduces_a_list_brings_its_items():
    from chatbot.answer.respond import items_after

    found = _candidates("Crews run two checks before a shoot. The checks take an hour.\n\n"
                        "- Cameras are tested on set. Lenses too.\n- Sound is tested in the booth.\n")
    assert [c.sentence for c in items_after(found[0], found)] == []  # "two checks" ends no line before the list
    found = _candidates("Crews run checks before a shoot, and the rules list two checks.\n\n"
                        "- Cameras are tested on set. Lenses too.\n- Sound is tested in the booth.\n")
    assert [c.sentence for c in items_after(found[0], found)] == ["Cameras are tested on set.",
                                                                  "Sound is tested in the booth."]


def test_a_list_introduced_by_a_colon_is_given_whole_or_not_at_all():
    from chatbot.answer.respond import items_after

    text = "Crews check their kit before a shoot, in this order:\n- Cameras are tested on set.\n- Sound is tested in the booth.\n"
    found = _candidates(text)
    assert [c.sentence for c in items_after(found[0], found)] == ["Cameras are tested on set.",
                                                                  "Sound is tested in the booth."]
    assert items_after(found[0], found[:2]) == []  # an item that cannot be quoted leaves the list out


def test_a_list_that_elaborates_a_paragraph_is_not_introduced_by_its_last_sentence():
    from chatbot.answer.respond import items_after

    found = _candidates("Enterprise tools add security. Ask your contact which tools are available.\n\n"
                        "- Enterprise tools keep inputs private.\n- Enterprise tools never train on inputs.\n")
    assert items_after(found[1], found) == []


def test_a_question_answered_by_a_list_gets_its_items(bot):
    answer = bot.ask("what qa should we do for talent enhancement")
    intro, *items = answer.text.split("\n")
    assert "three steps" in intro and len(items) == 3 and all(item.startswith("- ") for item in items)
    assert "early tests" in items[0] and "dignity" in items[2]


def test_a_heading_that_is_the_question_itself_counts_twice():
    from chatbot.answer.extractive import _heading_words, _names_section

    asked = _heading_words("why did tejas chopra build headroom")
    assert _names_section(asked, "Headroom > Why Tejas Chopra built Headroom", "why did tejas chopra build headroom") == 2
    assert _names_section(asked, "Headroom > Tejas Chopra built Headroom", "why did tejas chopra build headroom") == 1
    assert _names_section(asked, "Headroom > How Headroom works", "why did tejas chopra build headroom") == 0


def test_a_who_did_question_quotes_the_sentence_that_names_them(bot):
    answer = bot.ask("who wrote the verge article on the guidance?")
    assert "Pulliam-Moore" in answer.text
