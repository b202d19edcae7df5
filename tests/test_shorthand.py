"""Chat shorthand is spelled out before a question is read, word by word, and what was read otherwise is said."""

import threading

import pytest

from chatbot.query.shorthand import MORE_SHORTHAND, shorthand, spell_out
from chatbot.query.spelling import Correction, english_words
from chatbot.query.words import tokenize


@pytest.mark.parametrize(("typed", "meant", "said"), [
    ("whats the rule abt ai voices tbh", "whats the rule about ai voices to be honest",
     [("abt", "about"), ("tbh", "to be honest")]),
    ("can we do it w/o telling netflix pls", "can we do it without telling netflix please",
     [("w/o", "without"), ("pls", "please")]),
    ("BTW, ppl w/ runway", "By the way, people with runway", [("BTW", "By the way"), ("ppl", "people"), ("w/", "with")]),
    ("wat about uploading the script", "what about uploading the script", [("wat", "what")]),
    ("tldr of the guidelines pls", "summary of the guidelines please", [("tldr", "summary"), ("pls", "please")]),
])
def test_shorthand_is_spelled_out_and_each_reading_is_reported(typed, meant, said):
    assert spell_out(typed) == (meant, tuple(Correction(*pair) for pair in said))


@pytest.mark.parametrize("text", [
    "Can we build a shed set for the pilot?",  # English words the package would read as contractions
    "the shell of a car", "whats the cause of it", "diff between ideation and final", "howdy",
    "what about the U.S. rules?", "u sure?", "is ur tool enterprise-secured",  # a letter, or two meanings
    "dont we need it, we're sure", "and/or the matrix", "Netflix's rules for O'Neill's voice double",
    "the 90's look in a café", "",
])
def test_text_without_unambiguous_shorthand_is_left_as_typed(text):
    assert spell_out(text) == (text, ())


def test_spelling_out_never_makes_a_text_longer_than_its_limit():
    typed = "idk " * 500
    assert spell_out(typed, limit=len(typed)) == (typed, ())
    assert len(spell_out(typed)[0]) > len(typed)


def test_no_shorthand_is_an_english_word_or_ambiguous():
    table = shorthand()
    assert {"abt", "tbh", "idk", "btw", "pls"} <= set(table)
    assert not (set(table) - set(MORE_SHORTHAND)) & english_words() and not {"u", "r", "ur"} & set(table)


def test_spelled_out_shorthand_leaves_no_rare_word_behind():
    spelled, _ = spell_out("btw whats the rule abt ai voices tbh pls")
    assert not set(tokenize(spelled)) & set(tokenize("btw abt tbh pls"))
    assert set(tokenize("what is the rule about ai voices")) <= set(tokenize(spelled))


def test_questions_read_at_once_from_many_threads_all_get_the_same_reading():
    shorthand.cache_clear()  # the first questions of a process arrive together
    results, errors = [], []

    def read() -> None:
        try:
            results.append(spell_out("idk abt this tbh"))
        except Exception as err:  # noqa: BLE001 - any failure is the finding
            errors.append(err)

    threads = [threading.Thread(target=read) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(results)) == 1
