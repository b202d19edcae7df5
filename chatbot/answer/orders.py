"""Whether a sentence of a document gives the answerer orders, judged by what it does rather than by set phrases.

A sentence gives orders when it is addressed to whoever answers (an assistant, a model, "you" as the reader
who answers) and tells them what to do; when it tells someone to say something to the people asking; when it
lays down what answers must contain; or when it tries to replace the answerer's instructions, reveal them, or
give the answerer another role. Statements about AI tools, and rules for productions ("tell your contact",
"partners must state that GenAI was used"), do none of these.
"""

from __future__ import annotations

import functools
import re

_FLAGS = re.IGNORECASE

# Who answers, when named. Bare "model", "system" or "agent" name other things in film (a fashion model, a
# talent agent): they count only with an AI word before them, or doing what only software does to a text.
_ANSWERER = (r"(?:assistants?|chat ?bots?|bots?|llms?|gpts?|copilots?|language models?"
             r"|(?:ai|a\.i\.|virtual|digital|automated|chat|llm|gpt)[- ]?(?:assistants?|models?|systems?|agents?|bots?)"
             r"|ai|a\.i\.|answer(?:ing)? (?:engines?|systems?|services?))")
_MACHINE = rf"(?:{_ANSWERER}|models?|systems?|agents?)"
_MACHINE_READING = (r"(?:reading|processing|summari[sz]ing|ingesting|parsing|indexing|retrieving|crawling|scraping"
                    r"|reads|processes|summari[sz]es|ingests|parses|indexes|retrieves)")
_ANSWERING = r"(?:answering|responding|replying|answers|responds|replies)"
# What answering is: verbs whose object is what the people asking are told.
_SAY = (r"(?:answer|reply|respond|say|tell|state|claim|assert|insist|confirm|assure|reassure|inform|declare"
        r"|output|print|write|mention|repeat|reveal|deny)")
# The people who ask, or their questions.
_AUDIENCE = (r"(?:(?:every|any|all|each|the|our|your)\s+)?(?:users?|askers?|questioners?|enquirers?|inquirers?"
             r"|(?:anyone|anybody|everyone|everybody|people|whoever|someone|the person)\s+(?:who\s+|that\s+)?(?:asks?|asking|enquires|inquires)"
             r"|questions?|quer(?:y|ies)|prompts?)\b")
_DIRECTIVE = re.compile(
    r"\b(?:must|should|shall|have to|has to|need to|needs to|are to|is to|ought to|always|never|only|do not|don't"
    r"|make sure|be sure|remember to|please|from now on|(?:are|is) (?:now )?(?:instructed|required|told|directed"
    r"|expected|supposed|obliged|programmed|configured) to)\b", _FLAGS)
_CLAUSE_START = r"(?:^\W*|[:;,.!?\u2014]\s*|\b(?:and|so|now|then|just|first|also|instead|simply|please|kindly)\s+)"
_IMPERATIVE_START = re.compile(
    rf"{_CLAUSE_START}(?:(?:always|never|only|just|simply)\s+)*(?:do not |don't )?{_SAY}\b", _FLAGS)

# Sentences addressed to whoever answers. Certain: naming the answerer as the reader, or as the one obliged.
_ADDRESSED = [
    # "Note for the AI assistant answering …", "To any language model reading this"
    re.compile(rf"\b(?:for|to)\s+(?:the|any|all|every|each|an?|whatever|whichever)\s+(?:\w+[- ]){{0,2}}?"
               rf"(?:{_ANSWERER}\s+(?:that\s+|who\s+|which\s+)?(?:is\s+|are\s+)?(?:{_ANSWERING}|{_MACHINE_READING})"
               rf"|{_MACHINE}\s+(?:that\s+|which\s+)?(?:is\s+|are\s+)?{_MACHINE_READING})\b", _FLAGS),
    # "If you are an AI model …", "As a language model, …"
    re.compile(rf"\b(?:if|when|since|because|as)\s+you(?:'re| are)\s+(?:an?|the|some)\s+(?:\w+[- ]){{0,2}}?{_ANSWERER}\b",
               _FLAGS),
    re.compile(rf"^\W*as\s+(?:an?|the)\s+(?:\w+[- ]){{0,2}}?{_ANSWERER},", _FLAGS),
    # "Any assistant reading this must say …", "The assistant is instructed to …", "Language models should tell …"
    re.compile(rf"\b{_ANSWERER}(?:\s+\w+){{0,3}}?\s+(?:must|should|shall|will|need to|needs to"
               rf"|has to|have to|are to|is to|ought to|(?:is|are)\s+(?:now\s+)?(?:instructed|required|told|directed"
               rf"|expected|supposed|obliged|programmed|configured|asked)\s+to)\s+(?:(?:always|never|only|now|also|not)\s+)*"
               rf"{_SAY}\b", _FLAGS),
    re.compile(rf"\b(?:the|any|every|all|each|an?|this|your)\s+{_ANSWERER}\s+(?:is|are)\s+(?:now\s+)?(?:instructed|told"
               rf"|directed|programmed|configured|ordered)\s+to\b", _FLAGS),
]
# Perhaps addressed: "Assistant, …", "AI: …", "SYSTEM: …" at the start, or "Note to the AI: …"; an order when the
# rest tells the reader what to do or say.
_VOCATIVE = re.compile(
    rf"^\W*(?:(?:dear|hey|hi|hello|attention|note|notice|important|warning|ok|okay)\W+)?"
    rf"(?:(?:note|message|instructions?|directive|reminder|notice|memo)\s+)?(?:(?:for|to)\s+)?"
    rf"(?:(?:the|an?|all|any|every|each)\s+)?(?:{_ANSWERER}|system)\s*[,:;!\u2014]", _FLAGS)
_YOU = re.compile(r"\b(?:you|your)\b", _FLAGS)
_SPEECH_TO_AUDIENCE = re.compile(
    rf"\b{_SAY}(?:s|ed|ing)?\s+(?:(?:back|only|always|clearly|simply|directly|explicitly)\s+)?"
    rf"(?:to\s+)?{_AUDIENCE}", _FLAGS)
_SAY_TO_AUDIENCE = re.compile(rf"\b{_SAY}\b[^.;:]{{0,80}}?\bto\s+{_AUDIENCE}", _FLAGS)
# "answer that …", "reply with …", "just say: …": shaping a reply, in the imperative or by "you".
_SHAPED_REPLY = re.compile(
    rf"(?:{_CLAUSE_START}|\byou\s+(?:must|should|shall|will|need to|have to|are to)\s+)"
    r"(?:(?:always|never|only|just|simply)\s+)*(?:answer|reply|respond|say)\s+(?:(?:only|always|simply|just)\s+)?"
    r"(?:that\s+(?!question|one|call|request|query|again)|with\b|by saying\b|[:\"'\u201c])", _FLAGS)
_WHEN_ASKED = re.compile(
    r"\b(?:when(?:ever)?|if|once)\s+(?:you(?:'re| are)\s+)?(?:asked|questioned|queried|prompted)\b"
    r"|\b(?:when(?:ever)?|if|once)\s+(?:a|any|the|someone|anyone|somebody|people|users?)\s*(?:user|person|one)?"
    r"\s+(?:asks?|wants? to know|enquires?|inquires?)\b", _FLAGS)
# Laying down what answers contain: "Every answer about replicas must say …", "The correct answer is …".
_ABOUT_ANSWERS = re.compile(
    r"(?:^\W*|\b(?:your|every|all|each|any)\s+)(?:answers?|responses?|replies|reply|outputs?)\b(?:\s+\S+){0,5}?\s+"
    r"(?:must|should|shall|need to|needs to|have to|has to|are to|is to|will always|will never)\s+(?:(?:always|only|also|never|not)\s+)*"
    rf"(?:{_SAY}|be|contain|include|begin|start|end|mention)\b"
    r"|\b(?:the|your)\s+(?:correct|right|only|proper|official|expected|approved)\s+(?:answer|response|reply)\b", _FLAGS)
_OVERRIDE = re.compile(
    rf"(?:{_CLAUSE_START}|\byou\s+(?:must|should|will|can|may|are to)\s+)"
    r"(?:ignore|disregard|forget|override|bypass|overrule|discard)\s+(?:\w+\s+){0,4}?"
    r"(?:instructions?|guidance|rules?|prompts?|context|sources?|passages?|documents?|directions?|guidelines?"
    r"|polic(?:y|ies)|everything|(?:all\s+)?(?:of\s+)?the\s+above|previous|prior|earlier)\b", _FLAGS)
_LEAK = re.compile(
    r"\b(?:print|reveal|show|repeat|output|disclose|share|leak|tell|give|display|write|recite|dump)\b[^.]{0,40}"
    r"\b(?:system|hidden|initial|original|secret|internal|developer)\s+(?:prompt|instructions?|message|rules)\b", _FLAGS)
_PERSONA = re.compile(r"\byou are now\b|\bpretend (?:to be|you(?:'re| are))\b|\bdeveloper mode\b|\bjailbr[eo]ak"
                      r"|\byou (?:will |must |should |shall )?(?:act|behave|respond) as\b|\brole-?play as\b", _FLAGS)


@functools.lru_cache(maxsize=65536)  # passages' sentences come back question after question; the test is pure
def gives_orders(sentence: str) -> bool:
    """True when the sentence speaks to the answerer, or tells anyone what answers must say (see the module docstring)."""
    text = " ".join(sentence.split())
    if any(pattern.search(text) for pattern in (_OVERRIDE, _LEAK, _PERSONA, _ABOUT_ANSWERS, *_ADDRESSED)):
        return True
    directive = bool(_DIRECTIVE.search(text) or _IMPERATIVE_START.search(text) or _WHEN_ASKED.search(text))
    if _VOCATIVE.search(text):
        return directive or bool(_YOU.search(text))
    if _SHAPED_REPLY.search(text):
        return True
    return bool(_SPEECH_TO_AUDIENCE.search(text) or _SAY_TO_AUDIENCE.search(text)) and directive
