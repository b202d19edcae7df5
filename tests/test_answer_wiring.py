"""ask() end to end over the real corpus: the verdict first, typos corrected, follow-ups chosen by retrieval,
partly answers that name the gap, outcomes, and the reply's shape."""

from __future__ import annotations

import re

import pytest

from chatbot.answer.decline import NOT_COVERED, SMALL_TALK, is_small_talk
from chatbot.answer.llm import context_lines
from chatbot.answer.verdict import DISCLOSE, LABELS
from chatbot.usecase.checker import UseCaseChecker
from chatbot.usecase.rules import ESCALATE, PROCEED, WRITTEN_APPROVAL

MARKER = re.compile(r"\[(\d+)\]")
IDEATION_NOT_ON_SCREEN = "Use Midjourney for mood boards for the pitch deck. Nothing generated will appear on screen."


def verdict_citation(answer):
    first = answer.text.splitlines()[0]
    assert first.startswith("**"), answer.text
    return answer.citations[int(MARKER.search(first).group(1)) - 1]


@pytest.mark.parametrize(("question", "outcome", "section"), [
    ("Can I use GenAI to make mood boards for the pitch?", PROCEED, "Proposed Use Case Matrix"),
    ("is it ok to use AI for background signage?", ESCALATE, "Proposed Use Case Matrix"),
    ("Do I need approval to build a digital double of our lead actor?", WRITTEN_APPROVAL, "Introduction"),
])
def test_can_i_questions_open_with_the_verdict_citing_its_rule(bot, question, outcome, section):
    answer = bot.ask(question)
    assert answer.outcome == "answered"
    assert answer.text.startswith(f"**{LABELS[outcome]}.**")
    assert section in verdict_citation(answer).section
    assert len(answer.citations) <= bot.settings.top_k
    assert answer.text.split("\n\n", 1)[1].strip()  # quoted sentences follow the verdict


def test_the_verdict_line_quotes_its_rule_so_the_card_shows_that_sentence(bot):
    from chatbot.ui.render import preview_text, quoted_sentences

    answer = bot.ask("Do I need approval to build a digital double of our lead actor?")
    citation = verdict_citation(answer)
    preview = preview_text(citation, quoted_sentences(answer.text)[citation.n])
    assert "Written approval is required" in preview and "likeness" in preview
    rule = preview.split("“", 1)[1].rstrip("”")
    assert answer.text.count(rule) == 1  # quoted in the verdict, not again below it


def test_ideation_with_a_negated_on_screen_clause_proceeds_in_the_chat_and_in_the_check(bot, corpus_settings):
    answer = bot.ask(f"{IDEATION_NOT_ON_SCREEN} Is that ok?")
    assert answer.text.startswith(f"**{LABELS[PROCEED]}.**")
    assessment = UseCaseChecker(corpus_settings).assess(IDEATION_NOT_ON_SCREEN, ["yes"] * 5)
    assert assessment.outcome == PROCEED
    assert any(d.phrase.lower() == "on screen" and not d.counted for d in assessment.detections)


def test_unsure_escalates_in_the_chat_and_in_the_check(bot, corpus_settings):
    answer = bot.ask("What if I'm not sure whether my tool meets one of the principles?")
    assert answer.text.startswith(f"**{LABELS[ESCALATE]}.**")
    assert "When to escalate" in verdict_citation(answer).section
    assessment = UseCaseChecker(corpus_settings).assess("Use a GenAI tool to tidy up call sheets.",
                                                        ["yes", "unsure", "yes", "yes", "yes"])
    assert assessment.outcome == ESCALATE


def test_no_verdict_when_no_rule_clearly_applies(bot):
    answer = bot.ask("Can we use AI for the catering schedule?")
    assert not answer.text.startswith("**")


def test_a_typo_question_is_corrected_and_says_what_was_searched(bot):
    typed = bot.ask("do i need aproval to use genAI for storybords")
    assert "Searched for: approval, storyboards" in typed.notice
    assert typed.question == "do i need approval to use genAI for storyboards"
    assert typed.text.startswith(f"**{LABELS[PROCEED]}.**")
    assert typed.text == bot.ask("do i need approval to use genAI for storyboards").text


def test_chat_shorthand_is_spelled_out_and_never_named_as_a_gap(bot):
    typed = bot.ask("whats the rule abt ai voices tbh")
    assert "Read \u201cabt\u201d as \u201cabout\u201d, \u201ctbh\u201d as \u201cto be honest\u201d." in typed.notice
    assert typed.question == "whats the rule about ai voices to be honest"
    assert "tbh" not in typed.text and "abt" not in typed.text and "say nothing about" not in typed.text
    assert typed.text == bot.ask("what's the rule about ai voices to be honest").text


@pytest.mark.parametrize("said", ["hi", "Hello there!", "thanks a lot", "ok got it", "howdy", "cya", "help",
                                  "what can you do?", "who are you", "what documents do you have"])
def test_a_greeting_thanks_or_question_about_the_assistant_gets_what_it_does(bot, said):
    history = [{"role": "user", "content": "what are union pay rates for background extras"},
               {"role": "assistant", "content": "No answer in the sources."}]
    answer = bot.ask(said, history)
    assert answer.text == SMALL_TALK and not answer.citations
    assert answer.outcome == "declined" and not answer.declined  # nothing answered, nothing to show as declined
    assert "follow-up" not in answer.notice


@pytest.mark.parametrize(("again", "label"), [("what about for the final poster?", WRITTEN_APPROVAL),
                                              ("and for background signage?", ESCALATE)])
def test_a_can_i_question_asked_again_of_something_else_gets_that_things_verdict(bot, again, label):
    history = [{"role": "user", "content": "can we use midjourney for moodboards"},
               {"role": "assistant", "content": "Proceed, and tell your Netflix contact."}]
    assert bot.ask(again, history).text.startswith(f"**{LABELS[label]}.**")
    assert not bot.ask("what about for scheduling?", history).text.startswith("**")  # no rule names it


def test_asking_whether_to_tell_the_contact_is_answered_yes_from_the_introduction(bot):
    answer = bot.ask("do i need to tell netflix if our editor uses some ai upscaler")
    assert answer.text.startswith(f"**{LABELS[DISCLOSE]}.**")
    assert verdict_citation(answer).section == "Introduction" and "disclose" in answer.text.split("\n")[0]
    stricter = bot.ask("do we need to tell netflix if we clone the narrator's voice")
    assert stricter.text.startswith(f"**{LABELS[WRITTEN_APPROVAL]}.**")  # a stricter rule says more
    others = bot.ask("do we have to tell the actors' agents when we use AI on their performance")
    assert not others.text.startswith(f"**{LABELS[DISCLOSE]}")  # telling someone else is another question


def test_a_self_contained_question_after_another_topic_does_not_carry_it(bot):
    history = [{"role": "user", "content": "can we put our script into chatgpt"}]
    answer = bot.ask("is it ok to use AI for background signage?", history)
    assert "Read as a follow-up" not in answer.notice
    assert "script" not in answer.text.lower()
    assert answer.text == bot.ask("is it ok to use AI for background signage?").text


def test_a_question_that_cannot_stand_alone_is_read_as_a_follow_up_and_says_so(bot):
    first = "tell me about the what jennifer did controversy"
    answer = bot.ask("who directed it?", [first])  # plain strings are ignored: only messages or pairs count
    assert "Read as a follow-up" not in answer.notice
    answer = bot.ask("who directed it?", [{"role": "user", "content": first}])
    assert f"Read as a follow-up to: {first}" in answer.notice
    assert "Popplewell" in " ".join(c.passage for c in answer.citations)


def test_a_question_the_sources_only_partly_settle_names_the_gap_then_the_nearest_rules(bot):
    answer = bot.ask("does netflix pay performers extra when it makes a digital replica of them?")
    assert answer.outcome == "partly" and not answer.declined
    assert answer.text.startswith("The sources found say nothing about \u201cpay\u201d")
    assert "\n- " in answer.text and answer.citations
    assert "consent" in answer.text
    assert "The nearest rules they give:" in answer.text and {c.kind for c in answer.citations} == {"guidance"}


def test_a_part_the_verdict_already_answers_is_not_called_unsettled(bot):
    answer = bot.ask("Who do I tell, and what if the tool trains on our data? also can i use it for storyboards")
    assert answer.text.startswith(f"**{LABELS[PROCEED]}.**")
    assert "do not settle" not in answer.text and "say nothing about" not in answer.text


def test_a_question_asking_for_a_sum_no_passage_gives_says_so_first(bot):
    answer = bot.ask("how much did the eternaut's AI shots cost")
    assert answer.outcome == "partly"
    assert answer.text.startswith("The sources found give no sum of money for this.")


def test_nearest_sentences_that_are_not_the_guidances_own_are_not_called_rules(bot):
    answer = bot.ask("can we use ai to translate subtitles")
    assert answer.outcome == "partly"
    assert "The nearest passages found:" in answer.text and "rules" not in answer.text.split("\n")[0]
    assert {c.kind for c in answer.citations} != {"guidance"}


def test_other_rulebooks_are_partly_answered_by_naming_them_not_by_a_list_of_companies(bot):
    answer = bot.ask("What are Warner Bros' own rules for vendors using generative AI?")
    assert answer.outcome in ("partly", "declined")
    if answer.outcome == "partly":
        assert re.match(r"The sources found say nothing about .*Warner", answer.text)


def test_off_topic_is_declined_with_its_outcome(bot):
    answer = bot.ask("who plays eleven in stranger things")
    assert (answer.outcome, answer.declined, answer.text, answer.citations) == ("declined", True, NOT_COVERED, ())


def test_a_multi_part_question_gets_one_bullet_per_part(bot):
    answer = bot.ask("Which uses always need written approval, and who do I contact?")
    lines = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert len(lines) == 2, answer.text
    assert "written approval" in lines[0].lower() and "netflix contact" in lines[1].lower()
    nested = [line for line in answer.text.splitlines() if line.startswith("  - ")]  # the first part's list
    assert len(nested) == 4 and all(MARKER.search(line) for line in nested + lines[1:])


def test_quoted_sentences_stand_alone_and_do_not_repeat(bot):
    for question in ("What does Netflix say about written approval?", "What are the five guiding principles?"):
        sentences = [s.strip(" -\n") for s in MARKER.split(bot.ask(question).text)[::2] if s.strip(" -\n")]
        assert len(sentences) == len(set(sentences))
        for sentence in sentences:
            assert not re.match(r"(Also|However|Therefore|For those situations)\b", sentence), sentence


def test_the_llm_answerer_gets_the_verdict_and_the_gap_as_context(bot):
    reading = bot.assess("does netflix pay performers extra when it makes a digital replica of them?")
    lines = context_lines(None, reading.gap)
    assert "say nothing about" in lines and "pay" in lines
    verdict_reading = bot.assess("is it ok to use AI for background signage?")
    found = bot._verdict(verdict_reading)
    assert LABELS[ESCALATE] in context_lines(found, None)


def test_markup_pasted_into_a_question_is_not_searched_for(bot):
    from chatbot.query.cleaning import clean_question

    assert clean_question("<script>alert(1)</script> Can AI signage appear?", 2000).text == "Can AI signage appear?"
    assert clean_question("is 3 < 4 and a<b ok?", 2000).text == "is 3 < 4 and a<b ok?"  # not tags
    tagged = bot.ask("<script>alert(1)</script> Can AI-generated signage appear in the background of a scene?")
    assert tagged.text == bot.ask("Can AI-generated signage appear in the background of a scene?").text


def test_a_when_question_quotes_a_sentence_that_holds_a_date(bot):
    answer = bot.ask("when was the guidance published?")
    assert not answer.declined
    assert re.search(r"\b20\d\d\b", answer.text), answer.text


def test_a_question_for_a_sum_the_passages_do_not_hold_is_partly_answered_saying_so(bot):
    answer = bot.ask("how much does it cost to make a digital replica of an actor?")
    assert answer.outcome == "partly" and answer.citations
    assert answer.text.startswith("The sources found") and "give no sum of money for this" in answer.text


def test_the_body_does_not_restate_the_rule_the_verdict_quotes(bot):
    # The guidance and two summaries state the proprietary-material rule in nearly the same words.
    answer = bot.ask("can i paste our unreleased script into chatgpt")
    verdict, body = answer.text.split("\n\n", 1)
    assert verdict.startswith("**Written approval required.**") and "Netflix-owned material" in verdict
    assert body.strip() and "Netflix-owned material" not in body
    assert "Disney" not in body  # news sharing the tool's name does not fill the room the restatements left


@pytest.mark.parametrize("question", ["what is this tool", "help with consent forms", "what can you do about deepfakes"])
def test_a_question_that_only_starts_like_one_about_the_assistant_is_searched(bot, question):
    assert bot.ask(question).text != SMALL_TALK


@pytest.mark.parametrize("question", ["how do we use it?", "what is this?"])
def test_a_follow_up_that_could_be_about_the_assistant_is_read_as_a_follow_up(bot, question):
    history = [{"role": "user", "content": "what is the proposed use case matrix?"},
               {"role": "assistant", "content": "A tool for triaging a proposed GenAI use."}]
    assert bot.ask(question, history).text != SMALL_TALK


@pytest.mark.parametrize("noise", ["\x1a\u00d8\u0088\u00e8K\u00f0\u00ee", "k\u00f8dbyen", "ok \u043f\u0440\u0438\u0432\u0435\u0442"])
def test_letters_of_other_scripts_are_no_small_talk(noise):
    assert not is_small_talk(noise)
