"""NegEx negation scope: the phrases a description mentions only as negated."""

import time

import pytest

from chatbot.query.negation import Negations, negated_spans, scopes


@pytest.mark.parametrize(("text", "phrase"), [
    ("Use Midjourney for mood boards. Nothing generated will appear on screen.", "on screen"),
    ("no AI output goes on screen", "on screen"),
    ("we won't use the actor's likeness", "likeness"),
    ("we won\u2019t use the actor\u2019s likeness", "likeness"),
    ("not in the final cut", "final cut"),
    ("Mood board for the art department, never in the final cut", "final cut"),
    ("A non-final animatic", "final"),
    ("The likeness is not used; the posters are", "likeness"),
    ("Neither the script nor the dailies go into the tool", "script"),
])
def test_negated_phrases_are_found(text, phrase):
    assert negated_spans(text, [phrase]) == {phrase}


@pytest.mark.parametrize(("text", "phrase"), [
    ("The generated signage will appear on screen", "on screen"),  # no trigger at all
    ("It is not a mock-up, but a de-aged actor in the final cut", "final cut"),  # termination term
    ("Nothing generated will appear on screen, only the final cut", "final cut"),  # clause break
    ("We will not use the face and the result goes on screen", "on screen"),  # a new clause
    ("No further consent is needed for the replica", "consent"),  # pseudo-trigger
    ("not only the poster but the final cut", "poster"),  # pseudo-trigger
    ("A non-final animatic that goes on screen", "on screen"),  # "non-" reaches one word
    ("No, we will keep it internal. Then it goes on screen in episode two.", "on screen"),  # next sentence
    ("not " + "word " * 12 + "on screen", "on screen"),  # past the window
    ("I do not know if it will be on screen", "on screen"),  # uncertainty, not a "no"
    ("We don't know yet whether it ends up in the final cut", "final cut"),
    ("It is not decided whether the likeness is used", "likeness"),
    ("don't we need approval for the signage on screen?", "on screen"),  # a negative question
    ("Can't we put the poster on screen?", "on screen"),
    ("doesn't this need written approval since it's on screen", "on screen"),
    ("won't that end up on screen?", "on screen"),
])
def test_phrases_outside_a_scope_are_not_negated(text, phrase):
    assert negated_spans(text, [phrase]) == frozenset()


def test_a_phrase_counts_as_negated_only_if_every_mention_is():
    text = "Not on screen in the teaser, but on screen in the finale"
    assert negated_spans(text, ["on screen", "teaser", "finale", "absent"]) == {"teaser"}


def test_scopes_name_their_trigger_and_characters():
    text = "Nothing generated will appear on screen."
    [scope] = scopes(text)
    assert scope.trigger == "nothing"
    assert text[scope.start : scope.end] == "generated will appear on screen"
    assert Negations(text).at(text.index("on screen"), text.index("on screen") + 9) == "nothing"
    assert Negations(text).at(0, 7) == ""


def test_a_following_trigger_negates_the_words_before_it():
    text = "Voice cloning is not planned for this show"
    assert negated_spans(text, ["voice cloning", "show"]) == {"voice cloning"}


def test_each_call_is_fast_and_a_long_paste_stays_linear():
    text = "We won't use the actor's likeness, and nothing generated will appear on screen."
    started = time.perf_counter()
    for _ in range(200):
        negated_spans(text, ["likeness", "on screen"])
    assert (time.perf_counter() - started) / 200 < 0.002  # about 0.1 ms measured
    paste = "not final " * 5000
    started = time.perf_counter()
    negations = Negations(paste)
    assert all(negations.at(i * 10 + 4, i * 10 + 9) == "not" for i in range(5000))
    assert time.perf_counter() - started < 5
