"""The bottom line for "can I / do I need / is it OK to" questions, from the use-case check's own rule."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatbot.usecase.rules import (
    AREAS_BY_KEY,
    BACKGROUND_HEADING,
    ESCALATE,
    IDEATION_HEADING,
    INTRODUCTION,
    PRINCIPLES,
    PROCEED,
    WRITTEN_APPROVAL,
    decide,
)
from chatbot.sentences import split_sentences
from chatbot.usecase.detection import BACKGROUND_ROW, IDEATION_ROW, detect_areas, matrix_row
from chatbot.types import Passage

# The rule comes from Netflix, "Using Generative AI in Content Production",
# https://partnerhelp.netflixstudios.com/hc/en-us/articles/43393929218323-Using-Generative-AI-in-Content-Production
# - "Guiding Principles > When to escalate": a confident yes to all five principles may need only telling the
#   Netflix contact; "no" or "unsure" on any means escalating first, as written approval may be required.
# - "Introduction" and "What use cases always require written approval?": areas that always need it; the
#   use-case check (chatbot/check_rules.py) detects them and decides, and so does this module.
# - "Appendix > Proposed Use Case Matrix": ideation only (moodboards, reference images) is marked proceed;
#   on-camera background elements (signage, posters) use judgment, escalating the story-relevant ones.
# - "Introduction": every production partner discloses any planned GenAI use to its Netflix contact, so "do I need
#   to tell them?" is answered yes when no stricter rule applies.
DISCLOSE = "disclose"  # a bottom line of the chat alone: whether to tell the Netflix contact, not whether to proceed
LABELS = {
    PROCEED: "Proceed, and tell your Netflix contact",
    ESCALATE: "Escalate to your Netflix contact first",
    WRITTEN_APPROVAL: "Written approval required",
    DISCLOSE: "Yes, tell your Netflix contact",
}
LEVELS = {PROCEED: "proceed", ESCALATE: "escalate", WRITTEN_APPROVAL: "written-approval", DISCLOSE: "disclose"}
WHEN_TO_ESCALATE = "When to escalate"
ROW_SENTENCES = 3  # quoted from a matrix row's passage: the row's mark, why, and what follows from it

# Anywhere in the question ("if I say yes to all five, do I still need approval?"): a verdict also needs a rule
# that clearly applies, so a loose shape costs nothing. A negative question asks too ("don't we need approval?").
_ASKS_VERDICT = re.compile(
    r"\b(?:(?:can|could|may|might|can'?t|couldn'?t) (?:i|we|you|they|one|our|my|the)\b"
    r"|what (?:do|does|would|should) (?:i|we|you|they)\b[^?.]{0,20}?\b(?:need|have to|do)\b"
    r"|(?:do|does|would|will|did|don'?t|doesn'?t|won'?t|wouldn'?t|didn'?t) (?:i|we|you|they|it|this|that|our|my)\b"
    r"[^?.]{0,40}?\b(?:need|require|have to|must)\b"
    r"|(?:is|are|would|isn'?t|aren'?t|wouldn'?t) (?:it|that|this|we|i)\b[^?.]{0,30}?"
    r"\b(?:ok|okay|fine|allowed|alright|acceptable|permitted|possible|safe)\b"
    r"|(?:am i|are we|is (?:it|one)) (?:allowed|permitted)\b|(?:should|shouldn'?t) (?:i|we)\b"
    r"|what (?:if|happens if) (?:i|we)(?:'m| am|'re| are)? ?(?:not sure|unsure)"
    # A plan put to the assistant asks what applies to it: "we wanna make a digital double of our lead". Wanting to
    # know or understand something is a question of another kind.
    r"|(?:we|i)(?:'re| are|'m| am|'d| would)? (?:want(?:s)? to|wanna|plan(?:ning)? to|intend(?:ing)? to|going to"
    r"|gonna|hop(?:e|ing) to|like to|about to)\b(?! (?:know|understand|ask|learn|find out|check|see|read|hear)\b))"
    r"|\b(?:allowed|ok|okay|fine)\s*\?+\s*$",
    re.IGNORECASE,
)
_UNSURE = re.compile(r"\b(?:not sure|unsure|uncertain|don'?t know|can'?t tell)\b", re.IGNORECASE)
# Asking whether one must tell someone ("do we have to tell them", "should we let them know"), not asking to be told.
_MUST = r"\b(?:(?:need|needs|have|has|got|ought|supposed|required) to|gotta|must|should(?: (?:i|we))?)\s+(?:\w+\s+)?"
_ALL_YES = re.compile(r"\byes (?:to|on|for) (?:all|every|each)\b[^?.]{0,30}\bprinciples?\b", re.IGNORECASE)
# Areas whose keywords alone are too broad for a chat verdict: "write a script" is not "put the script into a
# tool". The use-case check counts them anyway, where a false alarm only costs an email.
_NEEDS_CONTEXT = {
    "proprietary-material": re.compile(r"\b(?:paste|upload|feed|put|enter|input|share|give|load|run|send|drop|copy"
                                       r"|import|train)\w*\b", re.IGNORECASE),
}
# "4. Ethics & Representation", rule "Misleading or Misrepresentative Content": material made to pass for real
# events. Working on real footage (upscaling or restoring archival footage) makes nothing that never happened.
_RESTORING = re.compile(r"\b(?:upscal|restor|remaster|denois|sharpen|stabili[sz]|colou?r[- ]?(?:grad|correct)"
                        r"|clean(?:ing)?[- ]?up|repair)\w*", re.IGNORECASE)
_MAKING = re.compile(r"\b(?:generat|creat|make|making|made|fake|fabricat|recreat|synthe|invent|simulat|stag|mock"
                     r"|depict|show|put words)\w*", re.IGNORECASE)
# "Are the considerations different for final output vs temporary media?": temporary material is not a final
# deliverable. Only material said to be temporary and placed in the edit ("temp music in the edit") is read so;
# anything swapped in, put on screen or in the finished work is still a final deliverable.
_TEMPORARY = re.compile(r"\b(?:temp|temporary|placeholder|rough cut)\b", re.IGNORECASE)
_IN_THE_EDIT = re.compile(r"^in (?:the|our) (?:cut|edit)$", re.IGNORECASE)
# A label, credit or notice about AI put into the finished work ("an AI disclosure in the end credits") is no GenAI
# output in it: the written-approval rule covers what GenAI makes, and the guidance sets no rule on labelling.
_LABELLING = re.compile(r"\b(?:disclos\w*|label\w*|watermark\w*|disclaimer\w*|acknowledg\w*|credit(?:ed|ing)\b"
                        r"|credit lines?\b|credits? (?:for|to|that|saying)\b)", re.IGNORECASE)
_QUOTED_TEXT = re.compile(r"(?<!\w)[\"'\u2018\u201c][^\"\u201d]{1,60}?[\"'\u2019\u201d](?!\w)")
_STAYS = re.compile(r"\b(?:replac|swap|instead of|final|finished|deliver)\w*", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """The bottom line, why, and the rule it rests on (a guidance heading and the words of its sentence)."""

    label: str  # one of LABELS' values
    level: str  # "proceed", "escalate", "written-approval", or "disclose" (tell the contact; nothing on going ahead)
    reason: str
    section: str  # the heading the rule is stated under
    cue: str  # words of the rule's sentence in that section
    basis: str  # "area:<key>", "matrix:ideation", "matrix:background", "principles:<answer>" or "rule:disclose"
    passage: Passage | None = None  # the passage to cite, when passages were given
    quotes: tuple[str, ...] = ()  # the passage's sentences that state the rule, quoted so a reader can check it

    @property
    def quote(self) -> str:
        return " ".join(self.quotes)


# Chat asks the same in fewer words, after naming the use: "is X a problem?", "…, that's fine right?", "… never
# shown. ok?", "need approval?". A question opening with "when", "who" or "how" asks something else ("when is
# consent needed?"), and a bare "ok" acknowledges.
_ASKS_VERDICT_IN_FEW_WORDS = re.compile(
    r"\b(?:is|are|would|isn'?t) [^?.]{0,80}?\b(?:a|an|any) (?:problem|issue|big deal|red flag|no-go)\W*$"
    r"|\bthat'?s (?:ok|okay|fine|allowed|alright|acceptable)\W*(?:right|then|too|yeah)?\W*$"
    r"|\b(?:is|are) [^?.]{0,60}?\b(?:ok|okay|fine|allowed|alright|acceptable|permitted)\W*$"
    r"|(?:^|[.,;:!-]\s*)(?:need|needs|require|requires)\s+(?:[\w-]+\s+){0,2}?(?:approval|consent|permission|sign-?off)\b"
    r"|\b(?:approval|consent|permission|sign-?off)\s+(?:needed|required|necessary)\b"
    r"|(?:\w+\W+){2}\w+\W*[.,;:!-]\s*(?:ok|okay|fine|allowed|alright|legit|acceptable|green light|good to go)\W*$",
    re.IGNORECASE,
)
_ASKS_SOMETHING_ELSE = re.compile(r"^\W*(?:when|where|who|whom|whose|why|how|which|what)\b", re.IGNORECASE)


def asks_verdict(question: str) -> bool:
    """True for "can I / do I need / is it OK to / should we / what if I'm unsure" questions."""
    return bool(_ASKS_VERDICT.search(question)) or bool(
        _ASKS_VERDICT_IN_FEW_WORDS.search(question) and not _ASKS_SOMETHING_ELSE.match(question))


def asks_disclosure(question: str, owners: frozenset[str] = frozenset()) -> bool:
    """True when the question asks whether it must tell the contact, or the body whose guidance it is (`owners`:
    the names nearly every passage of the index mentions), about a use; not whether to tell anyone else, nor asks
    to be told something."""
    who = "(?:" + "|".join(["contacts?", *map(re.escape, sorted(owners))]) + ")"
    telling = (rf"{_MUST}(?:tell|inform|notify)\b(?:\s+[\w']+){{0,3}}?\s+{who}\b",
               rf"{_MUST}(?:disclose|report|flag|mention)\b(?:\s+[\w']+){{0,4}}?\s+(?:to|with)\s+(?:[\w']+\s+){{0,2}}{who}\b",
               rf"{_MUST}let\s+(?:[\w']+\s+){{0,2}}{who}(?:\s+[\w']+){{0,2}}?\s+know\b")
    return any(re.search(pattern, question, re.IGNORECASE) for pattern in telling)


def _applies(detection, question: str) -> bool:
    """Whether an area the question mentions applies to what it asks (see _NEEDS_CONTEXT, _RESTORING, _TEMPORARY)."""
    if detection.area in _NEEDS_CONTEXT:
        return bool(_NEEDS_CONTEXT[detection.area].search(question))
    if detection.area == "misleading-content":
        return not (_RESTORING.search(question) and not _MAKING.search(question))
    if detection.area == "final-deliverables" and _IN_THE_EDIT.match(detection.phrase):
        return not (_TEMPORARY.search(question) and not _STAYS.search(question))
    if detection.area == "final-deliverables" and _LABELLING.search(question):
        return bool(_MAKING.search(_QUOTED_TEXT.sub(" ", question)))  # "made" in "a 'made with AI' label" is its text
    return True


def verdict(question: str, passages: Sequence[Passage] = (), asked: bool = False,
            owners: frozenset[str] = frozenset()) -> Verdict | None:
    """The verdict for a planned use the question describes, or None when no rule clearly applies.

    Args:
        question: the question as asked (typos corrected first, if at all).
        passages: passages that may hold the rule (the retrieved ones, or the index's guidance passages).
            When given, the verdict cites the first one under the rule's heading, and a question whose rule
            none of them states gets no verdict: the indexed sources must say it, not this module.
        asked: the question is known to ask for a verdict, whatever its words ("what about for the poster?" after
            "can we use AI for mood boards?"), or was checked to already; only the use it names decides.
        owners: the names of the body whose guidance is indexed, whom a question may ask about telling.
    """
    if not (asked or asks_verdict(question)):
        return None
    mentions, cues = "", ()
    detections = [d for d in detect_areas(question) if d.counted and _applies(d, question)]
    unsure = bool(_UNSURE.search(question))
    row, _ = matrix_row(question)
    decision = decide(["unsure" if unsure else "yes"] * len(PRINCIPLES), detections=detections)
    if decision.outcome == WRITTEN_APPROVAL:
        areas = list(dict.fromkeys(d.area for d in detections))
        area = AREAS_BY_KEY[areas[0]]
        named = "; ".join(f'"{d.phrase}" ({_lower_first(AREAS_BY_KEY[d.area].label.split(":")[0])})'
                          for d in detections)
        reason = (f"The question mentions {named}: the guidance always requires written approval before going "
                  "ahead in that case.")
        on_intro = INTRODUCTION in area.sections
        found = _found(WRITTEN_APPROVAL, reason, INTRODUCTION if on_intro else area.sections[-1],
                       "written approval" if on_intro else area.cues[0], f"area:{area.key}")
        mentions, cues = f"The question mentions {named}.", area.cues
    elif row == BACKGROUND_ROW:
        found = _found(ESCALATE, "The use case matrix marks on-camera background elements such as signage and posters "
                       "'use judgment': incidental ones may be low risk, story-relevant ones are escalated.",
                       BACKGROUND_HEADING, "use judgment", "matrix:background")
    elif unsure:
        found = _found(ESCALATE, "An 'unsure' answer to any guiding principle means escalating to your Netflix "
                       "contact before going ahead, since written approval may be required.",
                       WHEN_TO_ESCALATE, "unsure", "principles:unsure")
    elif row == IDEATION_ROW:
        found = _found(PROCEED, "The use case matrix marks GenAI for ideation only (moodboards, reference images) "
                       "as proceed: low risk and not final, provided the guiding principles hold; every intended "
                       "use is still shared with your Netflix contact.", IDEATION_HEADING, "proceed", "matrix:ideation")
    elif _ALL_YES.search(question):
        found = _found(PROCEED, "A confident yes to all five guiding principles may need only letting your Netflix "
                       "contact know about the intended use.", WHEN_TO_ESCALATE, "socializing", "principles:yes")
    elif asks_disclosure(question, owners):
        found = _found(DISCLOSE, "Every planned GenAI use is disclosed to your Netflix contact; whether it may go "
                       "ahead as planned depends on the guiding principles.", INTRODUCTION, "disclose",
                       "rule:disclose")
    else:
        return None
    if not passages:
        return found
    passage = rule_passage(passages, found.section, found.cue)
    if passage is None:
        return None
    # A matrix row's passage states the row, then why it is marked so: both are quoted.
    quotes = rule_sentences(passage, found.cue, cues, ROW_SENTENCES if found.basis.startswith("matrix:") else 1)
    # The quoted rule says the rest: what the question mentions is kept, a restatement of the rule is not.
    reason = mentions if quotes else found.reason
    return Verdict(**{**found.__dict__, "reason": reason, "passage": passage, "quotes": quotes})


def _found(outcome: str, reason: str, section: str, cue: str, basis: str) -> Verdict:
    return Verdict(LABELS[outcome], LEVELS[outcome], reason, section, cue, basis)


def rule_sentences(passage: Passage, cue: str, also: Sequence[str] = (), count: int = 1) -> tuple[str, ...]:
    """The sentence of `passage` that holds `cue` and most of the words `also` (the first among equals), and the
    sentences after it, `count` in all; none when no sentence holds `cue`."""
    sentences = split_sentences(passage.text)
    holding = [i for i, s in enumerate(sentences) if cue.lower() in s.lower()]
    if not holding:
        return ()
    first = max(holding, key=lambda i: (sum(word in sentences[i].lower() for word in also), -i))
    return tuple(sentences[first : first + count])


def _lower_first(label: str) -> str:
    # "Final deliverables" reads "final deliverables" mid-sentence; "Netflix-owned material" keeps its name.
    word = label.split(" ", 1)[0]
    return label if any(ch.isupper() for ch in word[1:]) or "-" in word else label[:1].lower() + label[1:]


def rule_passage(passages: Sequence[Passage], heading: str, cue: str) -> Passage | None:
    """The first passage with `heading` in its section path whose text holds `cue` (any case)."""
    for passage in passages:
        parts = [part.strip() for part in passage.section.split(">")]
        if heading in parts and cue.lower() in passage.text.lower():
            return passage
    return None
