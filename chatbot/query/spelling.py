"""Typo correction against the indexed documents' own words (SymSpell), shown to the person as "Searched for: …"."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from chatbot.query.parts_of_speech import irregular_verb_forms
from chatbot.query.words import CONTRACTIONS

_WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]|[A-Za-z]")
# A question's sentences start after these; a capital there says nothing about a proper name.
_SENTENCE_END = re.compile(r"[.!?:;\"(]\s*$")
# Literal words of a synonym pattern: letters not followed by a wildcard ("clon\w*" is a stem, not a word).
_PATTERN_WORD = re.compile(r"(?<![\\a-z])[a-z]{4,}(?![a-z]|\\w)")
_IN_ADDRESS = re.compile(r"[./@]\w")  # "studioname.com", "help.studioname": a part of an address
_IN_ADDRESS_BEFORE = re.compile(r"(?<=\w[./@])")
MIN_JOINED = 3
MIN_LENGTH = 5  # shorter words have too many neighbours one edit away to correct safely
LONG_WORD = 9  # from this length two edits are allowed, below it one


@dataclass(frozen=True)
class Correction:
    original: str
    corrected: str


@dataclass(frozen=True)
class Corrected:
    """A question with its typos corrected, and what was changed."""

    text: str
    corrections: tuple[Correction, ...] = ()

    @property
    def notice(self) -> str:
        """What to show above the answer ("Searched for: storyboards"); empty when nothing changed."""
        words = dict.fromkeys(correction.corrected for correction in self.corrections)
        return f"Searched for: {', '.join(words)}" if words else ""


@functools.cache
def english_words() -> frozenset[str]:
    """The general English word list that ships with symspellpy: such words are never typos."""
    text = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0] for line in text.splitlines())


def synonym_vocabulary(rows: Iterable[dict[str, str]]) -> list[str]:
    """Words of the synonym table: the guidance's words, the example questions, and literal pattern words."""
    words: list[str] = []
    for row in rows:
        words += _WORD.findall(row.get("words", "")) + _WORD.findall(row.get("example", ""))
        words += _PATTERN_WORD.findall(row.get("pattern", "").lower())
    return words


class Speller:
    """Corrects words that neither the documents, the extra words nor English know, to the nearest document word.

    Args:
        texts: the indexed chunk texts; their words (and how often they occur) are the correction targets.
        extra_words: further words to correct to, such as the synonym table's.
    """

    def __init__(self, texts: Iterable[str], extra_words: Iterable[str] = ()):
        from symspellpy import SymSpell

        texts = list(texts)
        counts: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        written: dict[str, str] = {}  # a capitalised word as the documents first write it ("GenAI")
        for text in texts:
            for word in _WORD.findall(text):
                word = word.removesuffix("'s")
                counts[word.lower()] += 1
                if word[0].isupper():
                    capitalised[word.lower()] += 1
                    written.setdefault(word.lower(), word)
        self._written = written
        # A word English does not list and the documents write with a capital in most of its uses is a name
        # ("Midjourney"), kept in that form; a defined term ("Digital Replica") is not.
        self._names = {word for word, n in capitalised.items() if n * 2 > counts[word] and word not in english_words()}
        for word in extra_words:
            counts[word.lower().removesuffix("'s")] += 1
        # A verb the documents use only in an irregular form ("built") is a word they know ("build").
        verbs = irregular_verb_forms()
        for word, count in list(counts.items()):
            if word in verbs:
                counts[verbs[word]] += count
        self._known = english_words() | counts.keys() | CONTRACTIONS  # "theres" is no typo of "themes"
        self._joined = _joined_words(texts, counts)
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in counts.items():
            if len(word) >= MIN_LENGTH - 1:
                self._symspell.create_dictionary_entry(word, count)

    def correct(self, text: str) -> Corrected:
        """`text` with each unknown word replaced by the nearest document word, when one is near enough, and
        each pair of words the documents write as one ("gen ai" -> "GenAI") joined."""
        corrections: list[Correction] = []
        pieces: list[str] = []
        end = 0
        matches = list(_WORD.finditer(text))
        skip = -1
        for index, match in enumerate(matches):
            if index <= skip:
                continue
            following = matches[index + 1] if index + 1 < len(matches) else None
            if following and text[match.end() : following.start()] in (" ", "-") and (
                    joined := self._join(match.group(0), following.group(0))):
                corrections.append(Correction(text[match.start() : following.end()], joined))
                pieces += [text[end : match.start()], joined]
                end, skip = following.end(), index + 1
                continue
            word = match.group(0)
            base, suffix = (word[:-2], word[-2:]) if word.lower().endswith("'s") else (word, "")
            sentence_start = not text[: match.start()].strip() or bool(_SENTENCE_END.search(text[: match.start()]))
            fixed = self._fix(base, name_only=base[0].isupper() and not sentence_start)
            if fixed:
                corrections.append(Correction(base, fixed))
                pieces += [text[end : match.start()], fixed + suffix]
                end = match.end()
        pieces.append(text[end:])
        return Corrected("".join(pieces), tuple(corrections))

    def _join(self, first: str, second: str) -> str:
        """The document word two typed words make together, as the documents write it; else ""."""
        joined = (first + second).lower()
        if joined not in self._joined:
            return ""
        return self._written.get(joined, joined if first.islower() else joined.capitalize())

    def _fix(self, word: str, name_only: bool) -> str:
        lower = word.lower()
        if len(word) < MIN_LENGTH or lower in self._known or (word.isupper() and len(word) > 1):
            return ""
        from symspellpy import Verbosity

        distance = 1 if name_only or len(word) < LONG_WORD else 2
        suggestions = self._symspell.lookup(lower, Verbosity.CLOSEST, max_edit_distance=distance)
        if name_only:  # an unknown capitalised word is a name: only ever corrected to a name the documents use
            suggestions = [s for s in suggestions if s.term in self._written]
        if not suggestions:
            return ""
        nearest = [s for s in suggestions if s.distance == suggestions[0].distance]
        # A word typed in lower case is a name's typo only when no other word is as near.
        term = nearest[0].term if name_only else next((s.term for s in nearest if s.term not in self._names),
                                                      nearest[0].term)
        if name_only or term in self._names:
            return self._written[term]
        return term.capitalize() if word[0].isupper() else term


def _joined_words(texts: list[str], counts: Counter[str]) -> frozenset[str]:
    """Document words, not general English, that the documents write as one word (at least MIN_JOINED times, outside
    web addresses) more often than as the two words they are made of ("GenAI" over "gen AI"): two such words typed
    apart mean the one word."""
    alone: Counter[str] = Counter()
    apart: Counter[str] = Counter()
    for text in texts:
        words = [(match.group(0).lower().removesuffix("'s"), match) for match in _WORD.finditer(text)]
        for (first, _), (second, _) in zip(words, words[1:]):
            if first + second in counts:
                apart[first + second] += 1
        for word, match in words:
            if not _IN_ADDRESS.match(text, match.end()) and not _IN_ADDRESS_BEFORE.match(text, match.start()):
                alone[word] += 1
    english = english_words()
    return frozenset(word for word, count in alone.items()
                     if count >= MIN_JOINED and len(word) >= MIN_LENGTH and word not in english and count > apart[word]
                     and any(word[:cut] in counts and word[cut:] in counts for cut in range(2, len(word) - 1)))
