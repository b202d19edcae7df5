"""Question shapes (yes/no, "is there", "what is"), and the short direct answer ("Yes — consent is required.")
read off a quoted sentence."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from chatbot.query.query import terms
from chatbot.query.parts_of_speech import can_name_a_thing
from chatbot.query.words import STOPWORDS, fold, tokenize

_YES_NO = re.compile(
    r"^\s*(do|does|did|can|could|may|must|should|shall|is|are|will|would|am|has|have|need|needs)\b", re.IGNORECASE
)
# Asking whether something is required, rather than whether something is allowed.
_ASKS_REQUIREMENT = re.compile(
    r"\b(need|needs|required?|requires|must|have to|has to|necessary|mandatory)\b"
    r"|\bshould (i|we|you|they)\s+(get|ask|obtain|seek|escalate|tell|inform|notify|disclose|flag|report|let)\b",
    re.IGNORECASE,
)
# Asking whether something is allowed ("Can we...", "Is it OK to..."): only then does "Yes, with consent" answer
# it; "Does Netflix ban X?" is not answered by "Yes, with written approval".
_ASKS_PERMISSION = re.compile(
    r"^\s*(can|could|may|might) (i|we|you|they|our|my|the|a|an|one)\b"
    r"|^\s*(is|are|would) (it|that|this|we|i)\b[^?]{0,25}\b(ok|okay|fine|allowed|alright|acceptable|permitted|possible)\b"
    r"|^\s*(am i|are we|is (it|one)) (allowed|permitted)\b|^\s*should (i|we) (use|go ahead|proceed)\b",
    re.IGNORECASE,
)
_THING = (
    r"((?:the performer's |the talent's |explicit(?:,)? |written |documented |proper |legal |express |appropriate )*"
    r"(?:consent|approval|clearance|permissions?|escalation|legal review|legal clearance))"
)
_NOT_NEEDED = re.compile(
    r"\b(needs? no|need not|no (further )?(consent|approval|escalation|legal review) is (needed|required)"
    r"|(is|are) not (needed|required)|(does|do) not (need|require)|without further|no further|unlikely to (need|require))\b",
    re.IGNORECASE,
)
_ONLY_WITH = re.compile(r"\b(must not|should not|may not|cannot|can't|not allowed|nobody may|no one may)\b.*?"
                        r"\b(without|unless)\b[^.;]*?" + _THING, re.IGNORECASE)
_REQUIRES = re.compile(r"\b(requires?|required|requiring|needs?|is needed|must (?:get|obtain|have|seek))\b[^.;]{0,30}?" + _THING
                       + r"|" + _THING + r"[^.;]{0,20}?\b(is|are) (required|needed)\b", re.IGNORECASE)
# Netflix's expectation that every planned use be shared with the Netflix contact.
_SHARE = re.compile(r"\bexpects?\b[^.;]*\b(every|all|any)\b[^.;]*\b(shared|disclosed?|told)\b", re.IGNORECASE)
_PROCEED = re.compile(r"\bmarked proceed\b|\bproceed \(\u2705\)|\blow risk\b|\bcan still be used\b", re.IGNORECASE)
_JUDGMENT = re.compile(r"\buse judgment\b", re.IGNORECASE)
_ESCALATE = re.compile(r"\brequires escalation\b|\bmust be escalated\b|\bneeds escalation\b", re.IGNORECASE)
# Sentences about a partner who is unsure, or that weigh alternatives, state no rule to lead with.
_HEDGED = re.compile(r"\b(unsure|not sure|whether|might|could|probably|reportedly|said|says|reported)\b", re.IGNORECASE)
# "Is there a consent form?", "Does the guidance say anything about budgets?": asking whether something exists.
_ASKS_EXISTENCE = re.compile(
    r"^\s*(is there|are there|was there|were there|(does|did|do) (netflix|the|this|it|they)\b[\w' ]{0,30}? "
    r"(provide|give|offer|include|contain|name|list|mention|say anything|publish|supply|have (a|an|any))\b)",
    re.IGNORECASE,
)
# A sentence saying that the guidance has no such thing; the words after the match name the missing thing.
_ABSENCE = re.compile(
    r"\b(provides|gives|sets|sets up|names|has|offers|supplies|contains|includes|lists|shows) no\b|\bsays nothing\b"
    r"|\bdoes not (say|name|list|provide|mention|set|give|define|describe|include)\b|\bnever (defines|names|says)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")
_MISSING_WORDS = 8  # words after "provides no" that name what is missing
_LEAD_SENTENCES = 3  # the best sentences of an answer whose requirements its lead may name


def asks_existence(question: str) -> bool:
    """True for questions asking whether something exists ("Is there a template?", "Does Netflix list tools?")."""
    return bool(_ASKS_EXISTENCE.match(question))


_ASKS_DEFINITION = re.compile(
    r"^\s*(?:(?:what|who)\s*(?:is|are|'s|\u2019s|s)(?:\s+the\s+(?:definition|meaning)\s+of)?"
    r"|what does (?:\w+|the guidance) mean by|define|(?:the\s+)?(?:meaning|definition)\s+of)\s+"
    r"(?:an?\s+|the\s+)?(?P<subject>[^?]{2,60}?)\s*\??\s*$",
    re.IGNORECASE,
)
# "final deliverables definition?", "genai meaning?": the terse form, the subject first.
_ASKS_DEFINITION_AFTER = re.compile(r"^\s*(?:an?\s+|the\s+)?(?P<subject>[^?]{2,60}?)\s+(?:definition|meaning)\s*\??\s*$",
                                    re.IGNORECASE)


def definition_subject(question: str) -> str:
    """What a "What is X?" question asks to have defined ("X"), or "" for any other question."""
    match = _ASKS_DEFINITION.match(question)
    if not match and (match := _ASKS_DEFINITION_AFTER.match(question)):
        first = match.group("subject").split()[0].lower()
        if first in STOPWORDS or not can_name_a_thing(first):  # "is there a definition?", "can you give a definition"
            return ""
    return match.group("subject").strip(" \"'") if match else ""


def defines(subject: str, sentence: str) -> bool:
    """True when `sentence` opens by saying what `subject` is ("INKubator is Netflix's own ... studio")."""
    opening = sentence.lstrip(" \"'\u201c").lower()
    return bool(re.match(rf"(the )?{re.escape(subject.lower())}[\"'\u201d]?( \([^)]*\))? (is|are|means|refers to|stands for)\b",
                         opening))


def states_absence(sentence: str) -> bool:
    """True when `sentence` says something is missing ("The guidance has no rule for ...")."""
    return bool(_ABSENCE.search(_QUOTED.sub('""', sentence)))


def answers_absence(question: str, sentence: str, words: Collection[str] | None = None) -> bool:
    """True when `question` asks whether something exists and `sentence` says that very thing is missing.

    "Is there a consent form?" is answered by "provides no consent form", not by "has no separate legend".

    Args:
        words: the question's content words and the guidance's terms for them (`Query.asked_words`).
    """
    if not asks_existence(question):
        return False
    match = _ABSENCE.search(_QUOTED.sub('""', sentence))
    if not match:
        return False
    missing = set(tokenize(" ".join(sentence[match.end():].split()[:_MISSING_WORDS])))
    if words is None:
        words = sum(terms(question), ())
    return bool(missing & set(words))


def is_yes_no(question: str) -> bool:
    """True for questions shaped to be answered yes or no ("Do I need...", "Can we...", "Is it OK...")."""
    return bool(_YES_NO.match(question))


def _phrase(match: re.Match) -> str:
    thing = next(group for group in reversed(match.groups()) if group and re.search(_THING, group, re.IGNORECASE))
    return " ".join(thing.split()).rstrip(",")


def direct_answer(question: str, sentence: str, words: Collection[str] | None = None) -> str:
    """A lead-in stating the answer when `sentence` states it plainly; empty when unsure.

    Args:
        question: the question as asked.
        sentence: the quoted sentence that best answers it.
        words: the question's content words and the guidance's terms for them (`Query.asked_words`).
    """
    if not is_yes_no(question):
        return ""
    if asks_existence(question):  # "says nothing about" is a plain statement, not a report
        plain = not _HEDGED.search(_ABSENCE.sub("", sentence))
        return "No." if plain and answers_absence(question, sentence, words) else ""
    if _HEDGED.search(sentence):
        return ""
    # A quoted heading ("What use cases always require written approval?") states no rule.
    sentence = _QUOTED.sub('""', sentence)
    asks_requirement = bool(_ASKS_REQUIREMENT.search(question))
    if not asks_requirement and not _ASKS_PERMISSION.match(question):
        return ""
    only_with = _ONLY_WITH.search(sentence)
    if _NOT_NEEDED.search(sentence) and not only_with:
        return "No — the guidance says it is not needed in this case." if asks_requirement else ""
    if only_with:
        thing = _phrase(only_with)
        return f"Yes — {thing} is required first." if asks_requirement else f"Only with {thing}."
    requires = _REQUIRES.search(sentence)
    if requires:
        thing = _phrase(requires)
        return f"Yes — {thing} is required." if asks_requirement else f"Yes, with {thing}."
    if _SHARE.search(sentence) and asks_requirement:
        return "Yes — Netflix expects every planned GenAI use to be shared with your Netflix contact."
    if _ESCALATE.search(sentence):
        return "Yes — escalate it to your Netflix contact." if asks_requirement else "Only after escalation to your Netflix contact."
    if asks_requirement:
        return ""
    if _JUDGMENT.search(sentence):
        return "Yes, with care:"
    if _PROCEED.search(sentence):
        return "Generally yes."
    return ""


def lead(question: str, sentences: Sequence[str], words: Collection[str] | None = None) -> str:
    """The lead-in for an answer quoting `sentences` (best first, all from one passage), read off the best one.

    When the question asks whether something is required and the sentences require more than one thing
    (written approval and consent), the lead names the thing the question asked about and one more.
    """
    leads = [(sentence, direct_answer(question, sentence, words)) for sentence in sentences[:_LEAD_SENTENCES]]
    found = leads[0][1] if leads else ""
    if not (found.startswith("Yes — ") and found.endswith(" is required.")):
        return found
    things: dict[str, str] = {}  # by its last word: "written approval" and "explicit approval" are one thing
    asked = fold(question)
    for sentence, text in leads:
        if text.startswith("Yes — ") and "required" in text:
            for match in re.finditer(_THING, _QUOTED.sub('""', sentence), re.IGNORECASE):
                thing = " ".join(match.group(0).split()).rstrip(",")
                key = thing.split()[-1].lower()
                if key not in things or (fold(thing) in asked and fold(things[key]) not in asked):
                    things[key] = thing
    # The thing asked about first (the phrase, else its last word); escalation is how approval is sought, so
    # any other requirement comes before it.
    def order(thing: str) -> tuple[bool, bool, bool]:
        return fold(thing) not in asked, thing.split()[-1].lower() not in asked, thing == "escalation"

    named = sorted(things.values(), key=order)[:2]
    if not named:
        return found
    named = [thing[0].lower() + thing[1:] for thing in named]  # quoted from mid-sentence or a sentence start
    return f"Yes — {' and '.join(named)} {'is' if len(named) == 1 else 'are'} required."
