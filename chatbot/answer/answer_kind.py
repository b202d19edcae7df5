"""The kind of answer a question asks for (a sum of money, a number, a date) and whether a text holds one.

A question that asks "how much did it cost?" is not settled by passages that hold no sum of money, however close
their words: the reply then says the sources give no such figure instead of answering with what they do say.
"""

from __future__ import annotations

import re

from chatbot.query.parts_of_speech import past_tense_forms
from chatbot.query.words import STOPWORDS, fold

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December"
           "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# Numbers as words, indexed by their value.
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_NUMBER_WORDS = "|".join(NUMBER_WORDS[1:]) + ("|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|hundreds"
                                               "|thousand|thousands|million|millions|billion|billions|dozen|dozens"
                                               "|half|single|twice")

# What each kind of question says, and what a text holding an answer of that kind has in it.
_ASKS = {
    "money": re.compile(r"\bhow much\b(?=.*\b(?:cost|costs|costing|price|priced|pay|pays|paid|paying|charge|charges"
                        r"|charged|spend|spends|spent|worth|earn|earns|earned|fee|fees|salary|salaries|budget)\b)"
                        r"|\bwhat(?:'s| is| was| are| were)? (?:the )?(?:cost|price|fee|salary|budget|pay)\b", re.I),
    "number": re.compile(r"\bhow many\b", re.I),
    "date": re.compile(r"\bwhen (?:was|were|did|has|had)\b|\bwhat (?:year|date|day|month)\b|\bwhich (?:year|month)\b"
                       r"|\b(?:release|publication|launch) date\b", re.I),
}
_HOLDS = {
    "money": re.compile(r"(?:[A-Z]{0,3}\$|€|£|¥)\s?\d|\b\d[\d,.]*\s?(?:dollars?|euros?|pounds?|cents?)\b"
                        r"|\b\d[\d,.]*\s?(?:million|billion|[mbk])\b", re.I),
    "number": re.compile(rf"\b\d[\d,.]*\b|\b(?:{_NUMBER_WORDS})\b", re.I),
    "date": re.compile(rf"\b(?:1[89]|20)\d\d\b|\b(?:{_MONTHS})\b\.?"),
}
# How a reply says that the passages found give no answer of the kind asked.
NOUNS = {"money": "sum of money", "number": "number", "date": "date"}


def asked_kind(question: str) -> str:
    """"money", "number" or "date" when the question asks for one (the first that applies), else ""."""
    return next((kind for kind, pattern in _ASKS.items() if pattern.search(question)), "")


def holds(kind: str, text: str) -> bool:
    """Whether `text` holds an answer of this kind (any sum, number or date: not necessarily the right one)."""
    return bool(_HOLDS[kind].search(text))


# "who wrote the article?", "who actually made the shots": who did something, asked in the past tense. A question in
# the present ("who do I contact?", "who needs to approve?") asks for a role, which the sources name by its title.
_WHO_DID = re.compile(r"\bwho\s+(?:[a-z]+ly\s+)?([a-z]+)\b(?!.*\bfor\W*$)", re.I)
_CAPITALISED = re.compile(r"[^\W\d_][\w'\u2019]*(?:-[^\W\d_][\w'\u2019]*)*")
_NOT_NAMES = re.compile(rf"^(?:{_MONTHS}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|I|[A-Z]{{1,3}})$")


def asks_who_did(question: str) -> bool:
    """Whether the question asks who did something (a past-tense verb after "who")."""
    match = _WHO_DID.search(question)
    return bool(match) and match.group(1).lower() in past_tense_forms()


def names(sentence: str, question_words: frozenset[str]) -> frozenset[str]:
    """The proper names a sentence holds that the question does not (folded, possessive dropped).

    A name is a word whose every hyphenated part is capitalised ("Ana Ruiz-Soto", not "AI-generated"). A capitalised
    first word counts only when the next word is a name too ("Ana Ruiz said"): alone it is the sentence's capital.
    Months, days and short acronyms ("AI") name no one.
    """
    words = sentence.split()
    found: set[str] = set()
    for index, word in enumerate(words):
        bare = _bare(word)
        if not _is_name(bare):
            continue
        if index == 0 and not (len(words) > 1 and _is_name(_bare(words[1]))):
            continue
        folded = fold(bare).removesuffix("'s")
        if folded not in question_words and folded not in STOPWORDS:
            found.add(folded)
    return frozenset(found)


def question_words(question: str) -> frozenset[str]:
    """The question's words as `names` compares them: folded, possessive dropped."""
    return frozenset(word.removesuffix("'s") for word in re.findall(r"[^\W_][\w'-]*", fold(question)))


def _bare(word: str) -> str:
    return word.strip("\"'\u201c\u201d\u2018\u2019(),.;:!?")


def _is_name(word: str) -> bool:
    return bool(_CAPITALISED.fullmatch(word)) and all(part[:1].isupper() for part in word.split("-")) \
        and not _NOT_NAMES.match(word.removesuffix("'s").removesuffix("\u2019s"))
