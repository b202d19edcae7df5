"""The guidance's decision rule on every combination that matters, and the keyword detection of areas."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot.usecase.detection import detect_areas, matrix_row
from chatbot.usecase.rules import (
    AREAS,
    ESCALATE,
    PRINCIPLES,
    PROCEED,
    WRITTEN_APPROVAL,
    InvalidAssessment,
    decide,
    parse_answers,
    parse_areas,
)

ALL_YES = "yes,yes,yes,yes,yes"


def answers_with(index: int, value: str) -> list[str]:
    answers = ["yes"] * len(PRINCIPLES)
    answers[index] = value
    return answers


def counted(description: str) -> set[str]:
    return {d.area for d in detect_areas(description) if d.counted}


def test_all_yes_and_no_area_means_proceed_with_nothing_triggered():
    decision = decide(ALL_YES)
    assert decision.outcome == PROCEED
    assert decision.triggers == ()
    assert decision.notices == ()


# A "no" to principle 4 says the output is a final deliverable: tested on its own below.
@pytest.mark.parametrize("index, value", [(index, value) for index in range(len(PRINCIPLES))
                                          for value in ("no", "unsure") if (index, value) != (3, "no")])
def test_one_no_or_unsure_escalates_and_names_the_principle(index, value):
    decision = decide(answers_with(index, value))
    assert decision.outcome == ESCALATE
    assert [(t.kind, t.key, t.reason) for t in decision.triggers] == [
        ("principle", PRINCIPLES[index].key, f"answered {value}")]
    assert decision.triggers[0].label.startswith(f"Principle {index + 1}: ")


def test_no_to_principle_four_means_the_output_is_a_final_deliverable():
    decision = decide(answers_with(3, "no"))
    assert decision.outcome == WRITTEN_APPROVAL
    assert [(t.kind, t.key) for t in decision.triggers] == [("area", "final-deliverables"), ("principle", "temporary")]
    assert "principle 4" in decision.triggers[0].reason


@pytest.mark.parametrize("area", [area.key for area in AREAS])
def test_any_ticked_area_requires_written_approval_even_with_all_yes(area):
    decision = decide(ALL_YES, [area])
    assert decision.outcome == WRITTEN_APPROVAL
    assert [(t.kind, t.key, t.reason) for t in decision.triggers] == [("area", area, "ticked")]


def test_all_yes_with_final_deliverables_ticked_requires_written_approval():
    assert decide(ALL_YES, {"final-deliverables"}).outcome == WRITTEN_APPROVAL


def test_a_no_plus_an_area_requires_written_approval_and_lists_both():
    decision = decide(answers_with(0, "no"), ["third-party-ip"])
    assert decision.outcome == WRITTEN_APPROVAL
    assert [(t.kind, t.key) for t in decision.triggers] == [("area", "third-party-ip"), ("principle", "copyright")]


def test_description_naming_talent_likeness_requires_written_approval_with_all_yes():
    detections = detect_areas("We want a digital double of our lead for the chase sequence.")
    decision = decide(ALL_YES, detections=detections)
    assert decision.outcome == WRITTEN_APPROVAL
    assert decision.triggers[0].key == "talent-likeness"
    assert 'mentions "digital double"' in decision.triggers[0].reason


def test_the_outcome_never_goes_down_when_more_is_known():
    """Adding a no/unsure answer or an area can only keep or raise the outcome, never lower it."""
    order = [PROCEED, ESCALATE, WRITTEN_APPROVAL]
    for values in itertools.product(["yes", "no", "unsure"], repeat=len(PRINCIPLES)):
        without_area = decide(list(values))
        with_area = decide(list(values), ["personal-data"])
        assert with_area.outcome == WRITTEN_APPROVAL
        assert order.index(without_area.outcome) >= (0 if set(values) == {"yes"} else 1)
        expected = PROCEED if set(values) == {"yes"} else ESCALATE
        if values[3] == "no":
            expected = WRITTEN_APPROVAL
        assert without_area.outcome == expected, values


def test_missing_answers_count_as_unsure_with_a_message():
    decision = decide({"copyright": "yes", "2": "yes"})
    assert decision.outcome == ESCALATE
    assert decision.answers == {"copyright": "yes", "no_training": "yes", "secure_environment": "unsure",
                                "temporary": "unsure", "talent_and_union": "unsure"}
    assert len(decision.notices) == 1
    assert "counted as unsure" in decision.notices[0]
    assert "3 (Enterprise-secured environment)" in decision.notices[0]
    assert {t.key: t.reason for t in decision.triggers}["secure_environment"] == "not answered, so counted as unsure"


def test_an_unsure_answer_given_is_told_apart_from_one_left_blank():
    reasons = {t.key: t.reason for t in decide(iter(["yes", "unsure"])).triggers}  # read once, from an iterator
    assert reasons["no_training"] == "answered unsure" and reasons["temporary"] == "not answered, so counted as unsure"


def test_no_answers_at_all_escalate():
    decision = decide(None)
    assert decision.outcome == ESCALATE
    assert set(decision.answers.values()) == {"unsure"}


def test_answers_are_read_case_and_space_insensitively_in_order():
    answers, notices = parse_answers(" YES, yes ,Unsure,yes,yes")
    assert list(answers.values()) == ["yes", "yes", "unsure", "yes", "yes"]
    assert notices == ()


@pytest.mark.parametrize("answers, message", [
    ("yes,maybe,yes,yes,yes", "'maybe' for principle 2 (No storage, reuse or training on production data) is not "
                              "one of yes, no or unsure"),
    ({"copyright": "true"}, "'true' for principle 1 (Copyright and unowned material) is not one of yes, no or unsure"),
    ({"honesty": "yes"}, "Unknown principle 'honesty'"),
    ("yes,yes,yes,yes,yes,yes", "Got 6 answers but there are 5 guiding principles"),
])
def test_invalid_answers_raise_a_clear_error(answers, message):
    with pytest.raises(InvalidAssessment, match=re.escape(message)):
        decide(answers)


def test_unknown_area_raises_and_lists_the_known_ones():
    with pytest.raises(InvalidAssessment, match="Unknown area 'likeness'.*talent-likeness"):
        parse_areas(["likeness"])
    assert parse_areas(["Talent likeness", "third_party_ip"]) == {"talent-likeness", "third-party-ip"}


@pytest.mark.parametrize("description, areas", [
    ("A digital replica of the lead actress for a stunt", {"talent-likeness"}),
    ("De-age the actor for the flashback", {"talent-likeness"}),
    ("de age the lead for the flashbacks", {"talent-likeness"}),
    ("The age of the actor matters to the story", set()),
    ("Use a voice clone of our narrator", {"talent-likeness"}),
    ("Swap in the performer's likeness", {"talent-likeness"}),
    ("An AI sign that will be in the final cut", {"final-deliverables"}),
    ("A poster visible on screen in episode two", {"final-deliverables"}),
    ("Summarise the cast list with crew details", {"personal-data"}),
    ("A portrait of a celebrity in the style of a famous artist", {"third-party-ip"}),
    ("Recreate a copyrighted photograph", {"third-party-ip"}),
    ("Feed the script and unreleased footage into a chatbot", {"proprietary-material"}),
    ("Fine-tune a model on an illustrator's portfolio", {"unowned-training"}),
    ("Design the main character with an image model", {"key-creative-elements"}),
    ("Visual ADR so the actor says a new line", {"performance-alteration"}),
    ("A fake news segment with a real journalist", {"misleading-content"}),
    ("Replace the background actors with generated people", {"union-roles"}),
    ("Mood board of 1970s Tokyo street colours for the art department", set()),
    ("Reference images of desert light for the cinematographer", set()),
])
def test_keyword_rules_find_the_area_a_description_names(description, areas):
    assert counted(description) == areas


def test_curly_apostrophes_match_like_straight_ones():
    assert counted("Clone the host\u2019s voice") == {"talent-likeness"}


@pytest.mark.parametrize("description", [
    "Mood board for the art department, never in the final cut",
    "A non-final animatic",
    "We will not use anyone's likeness",
    "Use Midjourney for mood boards for the art department. Nothing generated will appear on screen.",
    "no AI output goes on screen",
])
def test_a_negated_phrase_is_shown_but_not_counted(description):
    detections = detect_areas(description)
    assert detections, "the phrase is still reported"
    assert all(not d.counted and d.negation for d in detections)
    assert decide(ALL_YES, detections=detections).outcome == PROCEED


def test_a_negation_in_another_clause_does_not_hide_a_phrase():
    assert counted("It is not a mock-up, but a de-aged actor in the final cut") == {
        "talent-likeness", "final-deliverables"}


def test_ideation_with_a_negated_on_screen_clause_proceeds_and_unsure_answers_escalate():
    description = "Use Midjourney for mood boards for the art department. Nothing generated will appear on screen."
    assert decide(ALL_YES, detections=detect_areas(description)).outcome == PROCEED
    assert decide("yes,yes,unsure,yes,yes", detections=detect_areas(description)).outcome == ESCALATE
    assert decide("unsure," * 4 + "unsure", detections=detect_areas(description)).outcome == ESCALATE


def test_a_phrase_inside_a_longer_one_is_reported_once():
    detections = detect_areas("Clone the host's voice")
    assert [(d.area, d.phrase) for d in detections] == [("talent-likeness", "Clone the host's voice")]


PHRASES = ["not", "never", "no", "non-", "but", ",", ".", "final cut", "on screen", "digital double", "de-age",
           "voice clone", "likeness", "cast list", "celebrity", "in the style of", "script", "train a model on the artist's",
           "main character", "visual ADR", "fake news", "replace the extras", "mood board", "signage", "the", "a"]
DESCRIPTIONS = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(PHRASES), max_size=30).map(" ".join))


@given(text=DESCRIPTIONS, values=st.lists(st.sampled_from(["yes", "no", "unsure"]), min_size=5, max_size=5),
       areas=st.sets(st.sampled_from([area.key for area in AREAS]), max_size=2))
@settings(max_examples=200, deadline=None)
def test_detection_can_only_raise_the_outcome(text, values, areas):
    order = [PROCEED, ESCALATE, WRITTEN_APPROVAL]
    without = decide(values, areas)
    with_text = decide(values, areas, detect_areas(text))
    assert order.index(with_text.outcome) >= order.index(without.outcome)
    assert {(t.kind, t.key) for t in without.triggers} <= {(t.kind, t.key) for t in with_text.triggers}


@pytest.mark.parametrize("phrase", ["train on with ", "fine-tune with ", "not final ", "likeness "])
def test_a_huge_repetitive_paste_is_scanned_in_linear_time(phrase):
    # 50,000 characters: scanning them in quadratic time took over 15 s; linear time takes milliseconds, so the
    # generous ceiling holds on the busiest machine.
    paste = phrase * (50_000 // len(phrase))
    started = time.perf_counter()
    detections = detect_areas(paste)
    assert time.perf_counter() - started < 5
    assert len({detection.phrase.lower() for detection in detections}) <= 3


@pytest.mark.parametrize("description", ["A digital double of our lead; he has verbally agreed to it",
                                         "Her voice clone for the dub, with her verbal consent",
                                         "Re-ageing the host, who agreed over the phone"])
def test_a_consent_that_is_only_spoken_is_flagged_against_documented_consent(description):
    decision = decide(ALL_YES, detections=detect_areas(description))

    [talent] = [trigger for trigger in decision.triggers if trigger.key == "talent-likeness"]
    assert "explicit, documented consent" in talent.reason
    assert decision.outcome == WRITTEN_APPROVAL


def test_a_spoken_consent_alone_is_enough_to_flag_and_a_denied_one_is_shown_not_counted():
    assert "talent-likeness" in counted("The presenter verbally agreed to the plan")
    [detection] = [d for d in detect_areas("Written consent, not a verbal agreement") if d.area == "talent-likeness"]
    assert not detection.counted and detection.negation == "not"


@pytest.mark.parametrize("description", ["Key art poster for the season launch made in Firefly",
                                         "Key-art posters for the season launch", "key-visual posters for the pitch"])
def test_a_key_art_poster_is_a_key_visual_not_a_background_element(description):
    decision = decide(ALL_YES, detections=detect_areas(description), row=matrix_row(description))
    assert decision.outcome == WRITTEN_APPROVAL
    assert [(t.kind, t.key) for t in decision.triggers] == [("area", "key-creative-elements")]
    assert matrix_row("A poster in the background of the diner scene")[0] == "background-elements"
