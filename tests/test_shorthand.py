"""Contractions and chat shorthand are spelled out before a question is read; the shorthand read otherwise is said."""

import pytest

from chatbot.query.shorthand import spell_out
from chatbot.query.spelling import Correction
from chatbot.query.words import tokenize


@pytest.mark.parametrize(("typed", "meant", "said"), [
    ("whats the rule abt ai voices tbh", "what is the rule about ai voices to be honest",
     [("abt", "about"), ("tbh", "to be honest")]),
    ("can we do it w/o telling netflix pls", "can we do it without telling netflix please",
     [("w/o", "without"), ("pls", "please")]),
    ("idk if we can clone the voice", "i do not know if we can clone the voice", [("idk", "I do not know")]),
])
def test_shorthand_is_spelled_out_and_reported(typed, meant, said):
    assert spell_out(typed) == (meant, tuple(Correction(*pair) for pair in said))


@pytest.mark.parametrize(("typed", "meant"), [
    ("we're sure it's fine", "we are sure it is fine"),
    ("dont we need approval", "do not we need approval"),
    ("don\u2019t we need approval", "do not we need approval"),
])
def test_contractions_are_spelled_out_silently(typed, meant):
    assert spell_out(typed) == (meant, ())


@pytest.mark.parametrize("text", ["Netflix's rules for O'Neill's voice double", "the 90's look in a café",
                                  "Is it ok to use AI for ADR?", "and/or the matrix", ""])
def test_text_without_either_is_left_as_typed(text):
    assert spell_out(text) == (text, ())


def test_spelled_out_shorthand_leaves_no_rare_word_behind():
    spelled, _ = spell_out("btw whats the rule abt ai voices tbh pls")
    assert not set(tokenize(spelled)) & set(tokenize("btw whats abt tbh pls"))
    assert set(tokenize("what is the rule about ai voices")) <= set(tokenize(spelled))
