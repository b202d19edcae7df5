"""Chat shorthand spelled out before a question is read ("abt" -> "about", "tbh" -> "to be honest").

People type into a chat box the way they text. Left as typed, "tbh" or "pls" is a rare word no passage holds:
the search weighs it most, and the answer says the sources say nothing about it. The shorthand comes from the
`contractions` package's slang list, read as data: only entries that are no English word are used ("shed",
"diff" and "howdy" stay as typed), word by word, so no other text changes. Contractions ("dont", "we're") need no
spelling out: the word matcher reads them (chatbot.query.words).
"""

from __future__ import annotations

import functools
import json
import pkgutil
import re

from chatbot.query.spelling import Correction, english_words

# Shorthand as common in chat as the package's own entries, which its list lacks (some, like "wat", are also rare
# English words: in a question about production they are shorthand).
MORE_SHORTHAND = {"pls": "please", "plz": "please", "fyi": "for your information", "cuz": "because",
                  "w/o": "without", "w/": "with", "wat": "what", "tldr": "summary"}
# Entries left out: a single letter ("u", "r") is also an initial ("the U.S."), and "ur" is "your" as often as
# "you are".
AMBIGUOUS = frozenset({"u", "r", "ur"})
# A word standing alone: not part of "U.S.", "don't", "w/o" (as "w/") or a hyphenated or slashed compound.
_WORD = re.compile(r"(?<![\w.'/-])[A-Za-z0-9]+(?:/[A-Za-z]?)?(?![\w'/-]|\.\w)")


@functools.cache
def shorthand() -> dict[str, str]:
    """Lower-case shorthand -> what it stands for."""
    shipped = json.loads(pkgutil.get_data("contractions", "data/slang_dict.json").decode("utf-8"))
    english = english_words()
    table = {key.strip().lower(): value.strip() for key, value in shipped.items()
             if re.fullmatch(r"[A-Za-z0-9]+", key.strip()) and key.strip().lower() not in english}
    return {key: value for key, value in (table | MORE_SHORTHAND).items() if key not in AMBIGUOUS}


def spell_out(text: str, limit: int | None = None) -> tuple[str, tuple[Correction, ...]]:
    """`text` with chat shorthand spelled out, and each shorthand read otherwise, in order.

    Args:
        limit: the most characters the result may have; a text that spelling out would make longer is left as it is.
    """
    table = shorthand()
    read: list[Correction] = []

    def meaning(match: re.Match) -> str:
        typed = match.group(0)
        meant = table.get(typed.lower())
        if meant is None:
            return typed
        meant = meant[0].upper() + meant[1:] if typed[0].isupper() else meant
        read.append(Correction(typed, meant))
        return meant

    spelled = _WORD.sub(meaning, text)
    if limit is not None and len(spelled) > limit:
        return text, ()
    return spelled, tuple(dict.fromkeys(read))


def read_notice(read: tuple[Correction, ...]) -> str:
    """What to show above the answer: 'Read "abt" as "about", "tbh" as "to be honest".'"""
    return "Read " + ", ".join(f"\u201c{c.original}\u201d as \u201c{c.corrected}\u201d" for c in read) + "."
