"""Which English words can never name a thing, from lemminflect's lexicon (no context, no model).

The topic of a question is a noun phrase. A word the lexicon knows only as an adjective, adverb or verb
("accurate", "formally", "connected") qualifies what is asked; it is never what a question is about.
"""

from __future__ import annotations

import functools

NOMINAL = frozenset({"NOUN", "PROPN"})


@functools.cache
def never_nominal() -> frozenset[str]:
    """The lower-case words the lexicon (with its overrides) knows under no noun tag.

    Read once from the lexicon's own files with its own codecs, keeping only this set: the library's lemmatizer
    holds every word's lemmas, several times the memory.
    """
    import gzip

    from lemminflect import config
    from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
    from lemminflect.codecs.OverridesCodec import OverridesCodec
    from lemminflect.core.LexicalUtils import categoryToUPos

    nominal: set[str] = set()
    other: set[str] = set()
    with gzip.open(config.lemma_lu_fn, "rt", encoding="utf-8") as lexicon:
        for line in lexicon:
            word, category, _ = LemmaLUCodec.fromString(line)
            upos, word = categoryToUPos(category), word.lower()
            (nominal if upos in NOMINAL or _gerund(word, upos) else other).add(word)
    for word, entry in OverridesCodec.load(config.lemma_overrides_fn).items():
        (nominal if set(entry) & NOMINAL else other).add(word.lower())
    return frozenset(other - nominal)

def _gerund(word: str, upos: str) -> bool:
    # A verb's -ing form is also a noun in English ("dubbing", "editing"), which the lexicon lists as a verb only.
    return upos == "VERB" and word.endswith("ing")


def can_name_a_thing(word: str) -> bool:
    """False only for a word the lexicon knows, and never as a noun; a word it does not know (a name, jargon,
    a typo) may name one."""
    word = word.lower()
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    return word not in never_nominal()


@functools.cache
def past_tense_forms() -> frozenset[str]:
    """The lower-case simple-past forms of English verbs ("wrote", "made", "did", "was")."""
    return _verb_table()[0] | {"was", "were"}  # the table leaves out the auxiliaries; "be" is the one asked with


def irregular_verb_forms() -> dict[str, str]:
    """Each lower-case irregular past form or participle of an English verb, mapped to the verb: "wrote",
    "written" -> "write", "built" -> "build". A form that is a word of its own other than an adjective ("ground",
    "saw", "found") or belongs to two verbs is left out."""
    return _verb_table()[1]


@functools.cache
def _verb_table() -> tuple[frozenset[str], dict[str, str]]:
    """The simple-past forms, and the irregular forms by verb, from one read of lemminflect's inflection table."""
    import gzip

    from lemminflect import config

    past: set[str] = set()
    verbs: dict[str, set[str]] = {}
    words: dict[str, set[str]] = {}  # each word the table lists, with its categories
    with gzip.open(config.inflection_lu_fn, "rt", encoding="utf-8") as table:
        for line in table:
            lemma, category, *forms = line.rstrip("\n").split(",")
            lemma = lemma.lower()
            words.setdefault(lemma, set()).add(category)
            if category == "verb":
                for index, spelled in enumerate(forms[:2]):  # the past form, then the past participle
                    for form in filter(None, spelled.lower().split("/")):
                        if index == 0:
                            past.add(form)
                        if form != lemma:
                            verbs.setdefault(form, set()).add(lemma)
    irregular = {form: verb for form, (verb,) in ((form, tuple(own)) for form, own in verbs.items() if len(own) == 1)
                 if not words.get(form, set()) - {"adj"} and not _regular(form, verb)}
    return frozenset(past), irregular


def _regular(form: str, verb: str) -> bool:
    # A regular past form adds -ed to the verb: "agreed", "approved", "carried", "stopped".
    return form == verb or form in (verb + "ed", verb + "d", verb[:-1] + "ied", verb + verb[-1] + "ed")
