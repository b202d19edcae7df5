"""Which words can name what a question is about, from the lexicon that ships with lemminflect."""

from chatbot.query.parts_of_speech import can_name_a_thing, never_nominal


def test_adjectives_adverbs_and_verbs_never_name_a_thing():
    for word in ("accurate", "exhaustive", "formally", "somewhere", "connected", "approved"):
        assert not can_name_a_thing(word), word


def test_nouns_and_words_that_may_be_nouns_do():
    for word in ("country", "agents", "storyboards", "official", "pay", "country's", "dubbing", "editing"):
        assert can_name_a_thing(word), word


def test_a_word_the_lexicon_does_not_know_may_name_a_thing():
    for word in ("comfyui", "midjourney", "genai"):
        assert can_name_a_thing(word), word


def test_case_does_not_matter_and_the_set_is_read_once():
    assert not can_name_a_thing("Formally")
    assert never_nominal() is never_nominal()
    assert len(never_nominal()) > 10_000


def test_simple_past_forms_come_from_the_inflection_table():
    from chatbot.query.parts_of_speech import past_tense_forms

    assert {"wrote", "made", "published", "did", "was"} <= past_tense_forms()
    assert not {"write", "contact", "needs", "written"} & past_tense_forms()


def test_irregular_verb_forms_come_from_the_lexicon():
    from chatbot.query.parts_of_speech import irregular_verb_forms

    forms = irregular_verb_forms()
    assert forms["wrote"] == forms["written"] == "write" and forms["built"] == "build"
    assert not {"approved", "agreed", "carried", "stopped"} & forms.keys()  # regular: -ed added
    assert not {"ground", "saw", "found"} & forms.keys()  # also a noun, or the form of two verbs
