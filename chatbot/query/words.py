"""Words as every matcher compares them: folded, stemmed, stopwords left out."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

# English contractions, as typed with or without the apostrophe ("whats", "we've", "dont"): a pronoun, question
# word or auxiliary with its clitic, never what a question is about. (A closed class of English, listed whole.)
CONTRACTIONS = frozenset("""
    im ive id youre youve youd youll hes shes theyre theyve theyd theyll weve wed well were
    whats thats whos hows wheres whens whys theres heres itll itd
    dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt cant couldnt shouldnt wouldnt wont mustnt
    neednt mightnt aint cannot couldve shouldve wouldve mightve mustve lets
    """.split())
WORDLIKE_CONTRACTIONS = frozenset({"id", "wed", "well", "were", "cant", "lets"})  # also words without the apostrophe
# Negations are stopwords too: they carry meaning ("no consent", "not without approval") but match almost
# every passage; the answerer reads them, the ranking does not need them. So are the words that frame a
# question ("what does X mean", "what does it say about"), which would otherwise match definitions of anything.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her
    here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
    not of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours yourself yourselves
    also may might must shall us let lets get got etc e g i.e eg ie s t
    mean means meant meaning say says said tell exactly actually basically really anything something
    """.split()
) | (CONTRACTIONS - {"id", "wed", "well"})  # "ID", "wed" and "well" are more often words in a question
# An ordinal typed in digits is read as its word: "the 2nd principle" is "the second principle".
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
ORDINAL_NUMERALS = {f"{n}{suffix}": word for n, suffix, word in zip(range(1, 11), ("st", "nd", "rd", *["th"] * 7),
                                                                    ORDINALS)}
# A clitic typed with its apostrophe leaves its host word: "don't" -> "do", "they're" -> "they" (both stopwords).
_IRREGULAR_NOT = {"won't": "will", "can't": "can", "shan't": "shall"}
_CLITIC = re.compile(r"\b(?:won|can|shan)'t\b|n't\b|'(?:re|ve|ll|d|m)\b")
# Stored word indexes are rebuilt when what `tokenize` gives could differ: the word lists, patterns and irregular
# verb forms are digested (`version`); STEMMER is raised by hand whenever the suffix stripper changes.
STEMMER = 2

_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, accents removed, curly quotes straightened: the form every matcher compares."""
    if not text.isascii():  # most text is plain ASCII and has nothing to decompose
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


@functools.lru_cache(maxsize=1 << 16)  # a corpus has few distinct words, and each recurs often
def stem(word: str) -> str:
    """A light suffix stripper: enough to meet plurals, -ing/-ed forms and a final e halfway; an irregular verb
    form goes to its verb first ("wrote", "written" -> "write"), as no suffix stripping can meet it."""
    return _strip(_irregular().get(word, word))


def _strip(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith(("ches", "shes", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


@functools.cache
def _irregular() -> dict[str, str]:
    """The irregular verb forms that the suffix stripper does not bring to their verb's stem ("made", "built")."""
    from chatbot.query.parts_of_speech import irregular_verb_forms

    return {form: verb for form, verb in irregular_verb_forms().items() if _strip(form) != _strip(verb)}


_DIGESTED = [*sorted(STOPWORDS), *(f"{k}={v}" for k, v in sorted(_IRREGULAR_NOT.items())), _CLITIC.pattern,
             _TOKEN.pattern, *(f"{k}={v}" for k, v in ORDINAL_NUMERALS.items())]


@functools.cache
def version() -> str:
    """A digest of what `tokenize` gives: its word lists, patterns and irregular verb forms (STEMMER stands for
    the suffix stripper's code)."""
    digested = [*_DIGESTED, *(f"{form}={verb}" for form, verb in sorted(_irregular().items()))]
    return f"{STEMMER}-{hashlib.sha1('|'.join(digested).encode()).hexdigest()[:12]}"


def tokenize(text: str) -> list[str]:
    """Content words of `text`, stemmed, stopwords removed."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=65536)  # the same sentences and passages are read question after question
def _tokens(text: str) -> tuple[str, ...]:
    text = _CLITIC.sub(lambda match: f" {_IRREGULAR_NOT.get(match.group(0), '')} ", fold(text))
    irregular = _irregular()
    words = (ORDINAL_NUMERALS.get(token, token) for token in _TOKEN.findall(text))
    return tuple(stem(token) for token in words
                 if token not in STOPWORDS and len(token) > 1 and irregular.get(token) not in STOPWORDS)


def tokenize_once(text: str) -> tuple[str, ...]:
    """`tokenize` without the cache, for texts read once (whole chunks), which would only crowd it."""
    return _tokens.__wrapped__(text)
