"""The kind of answer a question asks for (a sum of money, a number, a date) and whether a text holds one.

A question that asks "how much did it cost?" is not settled by passages that hold no sum of money, however close
their words: the reply then says the sources give no such figure instead of answering with what they do say.
"""

from __future__ import annotations

import re

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December"
           "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
                 "|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|dozens|half|single|twice")

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
