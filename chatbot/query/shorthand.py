"""Chat shorthand and contractions spelled out before a question is read ("abt" -> "about", "dont" -> "do not").

People type into a chat box the way they text. Left as typed, "tbh" or "pls" is a rare word no passage holds:
the search weighs it most, and the answer says the sources say nothing about it. The `contractions` package
keeps the lists (English contractions with or without the apostrophe, and common chat shorthand).
"""

from __future__ import annotations

import functools
import json
import pkgutil
import re

from chatbot.query.spelling import Correction

_WORD = re.compile(r"[A-Za-z0-9]+(?:/[A-Za-z]*)?")
# Chat shorthand as common as the package's own entries, which its list lacks.
MORE_SHORTHAND = {"pls": "please", "plz": "please", "imo": "in my opinion", "fyi": "for your information",
                  "cuz": "because", "thru": "through", "w/o": "without", "w/": "with"}


@functools.cache
def _shorthand() -> dict[str, str]:
    """The chat shorthand (the package's slang list as shipped, not the contractions it adds to it, and
    MORE_SHORTHAND), now known to the package too: what the reader is told was read otherwise."""
    import contractions

    for key, value in MORE_SHORTHAND.items():
        contractions.add(key, value)
    data = pkgutil.get_data("contractions", "data/slang_dict.json")
    shipped = {key.strip().lower(): value.strip() for key, value in json.loads(data.decode("utf-8")).items()
               if _WORD.fullmatch(key.strip())}
    return shipped | MORE_SHORTHAND


def spell_out(text: str) -> tuple[str, tuple[Correction, ...]]:
    """`text` with contractions and chat shorthand spelled out, and the shorthand words read otherwise (in order).

    Contractions are spelled out silently ("we're" -> "we are" changes no meaning); shorthand is reported, so the
    reader sees how "abt" was read.
    """
    import contractions

    meanings = _shorthand()
    spelled = contractions.fix(text, leftovers=True, slang=True)
    if spelled == text:
        return text, ()
    read = tuple(dict.fromkeys(Correction(word, meanings[word.lower()]) for word in _WORD.findall(text)
                               if word.lower() in meanings))
    return spelled, read
