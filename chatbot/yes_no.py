"""A short direct answer ("Yes — consent is required.") for yes/no questions, read off a quoted sentence."""

from __future__ import annotations

import re

_YES_NO = re.compile(
    r"^\s*(do|does|did|can|could|may|must|should|shall|is|are|will|would|am|has|have|need|needs)\b", re.IGNORECASE
)
# Asking whether something is required, rather than whether something is allowed.
_ASKS_REQUIREMENT = re.compile(
    r"\b(need|needs|required?|requires|must|have to|has to|necessary|mandatory)\b"
    r"|\bshould (i|we|you|they)\s+(get|ask|obtain|seek|escalate|tell|inform|notify|disclose|flag|report|let)\b",
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
_PROCEED = re.compile(r"\bmarked proceed\b|\bproceed \(\u2705\)|\blow risk\b|\bcan still be used\b", re.IGNORECASE)
_JUDGMENT = re.compile(r"\buse judgment\b", re.IGNORECASE)
_ESCALATE = re.compile(r"\brequires escalation\b|\bmust be escalated\b|\bneeds escalation\b", re.IGNORECASE)
# Sentences about a partner who is unsure, or that weigh alternatives, state no rule to lead with.
_HEDGED = re.compile(r"\b(unsure|not sure|whether|might|could|probably|reportedly|said|says|reported)\b", re.IGNORECASE)


def is_yes_no(question: str) -> bool:
    """True for questions shaped to be answered yes or no ("Do I need...", "Can we...", "Is it OK...")."""
    return bool(_YES_NO.match(question))


def _phrase(match: re.Match) -> str:
    thing = next(group for group in reversed(match.groups()) if group and re.search(_THING, group, re.IGNORECASE))
    return " ".join(thing.split()).rstrip(",")


def direct_answer(question: str, sentence: str) -> str:
    """A lead-in stating the answer when `sentence` states it plainly; empty when unsure.

    Args:
        question: the question as asked.
        sentence: the quoted sentence that best answers it.
    """
    if not is_yes_no(question) or _HEDGED.search(sentence):
        return ""
    asks_requirement = bool(_ASKS_REQUIREMENT.search(question))
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
    if _ESCALATE.search(sentence):
        return "Yes — escalate it to your Netflix contact." if asks_requirement else "Only after escalation to your Netflix contact."
    if asks_requirement:
        return ""
    if _JUDGMENT.search(sentence):
        return "Yes, with care:"
    if _PROCEED.search(sentence):
        return "Generally yes."
    return ""
