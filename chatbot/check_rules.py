"""The guidance's own decision rule for a planned GenAI use: five principles, always-approval areas, keyword detection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chatbot.errors import ChatbotError

# The rule restated here comes from Netflix, "Using Generative AI in Content Production",
# https://partnerhelp.netflixstudios.com/hc/en-us/articles/43393929218323-Using-Generative-AI-in-Content-Production
# - "Guiding Principles": a confident "yes" to all five principles means socializing the intended use
#   with the Netflix contact may be all that is needed; "no" or "unsure" on any means escalate to the
#   Netflix contact before proceeding, because written approval may be required.
# - "Introduction": written approval is required before proceeding when the output includes final
#   deliverables, talent likeness, personal data or third-party IP; every partner shares any intended use.
# - "What use cases always require written approval?" (1. Data Use, 2. Creative Output,
#   3. Talent & Performance, 4. Ethics & Representation): further situations that always need
#   escalation and written approval.

PROCEED = "Proceed: tell your Netflix contact about the intended use"
ESCALATE = "Escalate to your Netflix contact before proceeding: written approval may be required"
WRITTEN_APPROVAL = "Written approval required before proceeding"
DISCLAIMER = "This tool restates public guidance and is not legal advice; your Netflix contact decides."

ANSWER_VALUES = ("yes", "no", "unsure")
INTRODUCTION = "Introduction"
ALWAYS_APPROVAL = "What use cases always require written approval?"


class InvalidAssessment(ChatbotError, ValueError):
    """An answer or area the check does not know."""


@dataclass(frozen=True)
class Principle:
    key: str
    number: int
    title: str  # the corpus heading is "Principle <number>: <title>"
    question: str  # "yes" means the plan keeps to the principle


PRINCIPLES = (
    Principle("copyright", 1, "Copyright and unowned material",
              "Will the output avoid copying, or closely imitating, copyrighted work or material the production does not own?"),
    Principle("no_training", 2, "No storage, reuse or training on production data",
              "Does the tool avoid storing, reusing or training on the production's inputs and outputs?"),
    Principle("secure_environment", 3, "Enterprise-secured environment",
              "Will the tool run in an enterprise-secured environment where possible, so the inputs stay protected?"),
    Principle("temporary", 4, "Generated material is temporary",
              "Will the generated material stay temporary, out of the final deliverables?"),
    Principle("talent_and_union", 5, "Talent performances and union-covered work",
              "Will the use avoid replacing or generating talent performances or union-covered work without consent?"),
)


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    sections: tuple[str, ...]  # the guidance sections that name the area, most specific last
    cues: tuple[str, ...] = ()  # lower-case words that pick out the area's own sentences in those sections


_FINAL_OUTPUT = "Are the considerations different for final output vs temporary media?"
AREAS = (
    Area("final-deliverables", "Final deliverables: the output appears on screen or on the soundtrack",
         (INTRODUCTION, _FINAL_OUTPUT), ("final deliverables", "final cut")),
    Area("talent-likeness", "Talent likeness or voice: digital replicas, de-ageing, synthetic voices",
         (INTRODUCTION, "3. Talent & Performance"), ("replica", "likeness")),
    Area("personal-data", "Personal data, such as cast or crew details", (INTRODUCTION, "1. Data Use"),
         ("personal data",)),
    Area("third-party-ip", "Third-party IP: copyrighted work, a public figure's or deceased person's likeness",
         (INTRODUCTION, "2. Creative Output"), ("copyrighted", "public figure")),
    Area("proprietary-material", "Netflix-owned material in a GenAI tool: scripts, unreleased assets, production images",
         ("1. Data Use",), ("netflix-owned",)),
    Area("unowned-training", "Training or fine-tuning a model on other rights holders' work", ("1. Data Use",),
         ("fine-tuning", "imitate")),
    Area("key-creative-elements", "Key creative elements: main characters, central settings, key visuals",
         ("2. Creative Output",), ("key creative", "main character")),
    Area("performance-alteration", "Significant changes to a performance's delivery, tone or intent (e.g. visual ADR)",
         ("3. Talent & Performance",), ("alteration", "visual adr")),
    Area("misleading-content", "Content that could be taken for real events, people or statements",
         ("4. Ethics & Representation",), ("misleading",)),
    Area("union-roles", "Replacing or materially affecting union-covered work without agreements",
         ("4. Ethics & Representation",), ("union",)),
)
AREAS_BY_KEY = {area.key: area for area in AREAS}

_PERSON = r"(?:actor|actress|performer|talent|singer|presenter|host|cast member)"
_CREW = r"(?:actors?|writers?|crew|extras|background actors?|voice actors?|dubbing actors?|composers?|musicians?|" \
        r"animators?|artists?|illustrators?|editors?|stunt performers?|translators?)"

# Transparent keyword rules: (area, pattern). Matching only ever adds an area, so a miss is safer than a
# clever guess; the person can always tick the area themselves.
DETECTION_RULES: tuple[tuple[str, str], ...] = (
    ("final-deliverables", r"final(?: cut| deliverables?| version| shots?| episode| film| frames?)?"),
    ("final-deliverables", r"on[- ](?:screen|camera)"),
    ("final-deliverables", r"in (?:the|our) (?:cut|edit|episode|film|movie|show|series)"),
    ("final-deliverables", r"on the soundtrack|end credits|opening credits|title sequence"),
    ("talent-likeness", r"likeness(?:es)?"),
    ("talent-likeness", r"digital (?:doubles?|replicas?|twins?|humans?|performers?)"),
    ("talent-likeness", rf"replicas?|replicat(?:e|es|ed|ing|ion of) (?:the |an? |his |her |their )?{_PERSON}s?"),
    ("talent-likeness", r"(?:de|re)-?ag(?:e|es|ed|ing|eing)"),
    ("talent-likeness", r"younger version|older version"),
    ("talent-likeness", r"voice (?:clones?|cloning|models?|doubles?)|clon(?:e|es|ed|ing) (?:[\w']+ ){0,2}voices?"),
    ("talent-likeness", r"synthetic (?:voices?|performers?|actors?)"),
    ("talent-likeness", r"face[- ]?swap(?:s|ped|ping)?|deep[- ]?fakes?"),
    ("talent-likeness", rf"{_PERSON}(?:'s|s'|s)? (?:face|faces|voice|voices|body|bodies)"),
    ("performance-alteration", r"visual adr|lip[- ]?sync(?:ed|ing)?|unscripted dialogue"),
    ("performance-alteration", rf"(?:alter|change|modify|rewrite)(?:s|ed|ing)? (?:the |an? |his |her |their )?"
                               rf"(?:{_PERSON}(?:'s|s')? )?(?:performance|delivery|line readings?)"),
    ("personal-data", r"personal (?:data|information|details)"),
    ("personal-data", r"(?:cast|crew) (?:lists?|details|information|contacts?|names|photos|headshots)"),
    ("personal-data", r"contact details|home address(?:es)?|phone numbers?|dates? of birth|passport|medical records?"),
    ("third-party-ip", r"copyright(?:ed)?"),
    ("third-party-ip", r"celebrit(?:y|ies)|public figures?"),
    ("third-party-ip", r"famous (?:artist|painter|photographer|actor|actress|performer|singer|director|person|people)s?"),
    ("third-party-ip", r"in the style of|trademark(?:s|ed)?|brand logos?"),
    ("third-party-ip", rf"(?:deceased|dead|late) (?:{_PERSON}|person|artist|celebrity)"),
    ("proprietary-material", r"scripts?|screenplays?|unreleased (?:footage|assets?|episodes?|scenes?|material)"),
    ("proprietary-material", r"production (?:images?|stills?|photos?)|dailies|rushes"),
    ("unowned-training", r"(?:train|trains|trained|training|fine-?tun(?:e|es|ed|ing))\b[^.;]{0,60}?\b(?:on|with)\b[^.;]{0,60}?"
                         r"\b(?:artists?|artist's|performers?|photographers?|celebrit(?:y|ies)|copyright(?:ed)?|"
                         r"someone else's|other people's|portfolios?|scraped)"),
    ("unowned-training", r"lora|fine-?tun(?:e|ed|ing) (?:on|with) (?:an?|the|their|his|her) (?:artist|illustrator|painter)"),
    ("key-creative-elements", r"main (?:characters?|villains?|heroes|hero|protagonists?|creatures?|settings?)"),
    ("key-creative-elements", r"(?:lead|title|central|key) (?:characters?|creatures?|villains?|locations?|settings?|visuals?|art)"),
    ("key-creative-elements", r"character designs?|hero (?:props?|creatures?)"),
    ("misleading-content", r"fake (?:news|footage|interviews?|documentary|archive)|news (?:segments?|clips?|reports?|broadcasts?)"),
    ("misleading-content", r"real (?:journalists?|politicians?|news anchors?|events?|people|person|statements?)"),
    ("misleading-content", r"archiv(?:e|al) footage|made-up (?:statements?|quotes?|footage)"),
    ("union-roles", rf"(?:replac(?:e|es|ed|ing) |instead of (?:hiring )?)(?:the |an? |our )?{_CREW}"),
)
_COMPILED = tuple((area, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)) for area, pattern in DETECTION_RULES)

# "3. Talent & Performance", rule "Synthetic or Digital Replicas": creating a digital performer or a digital
# version of a real performer's voice or likeness needs explicit, documented consent. A consent described as only
# spoken falls short of "documented", so it is flagged against the talent area (written approval) with that reason.
_VERBAL_CONSENT = re.compile(
    r"\b(?:verbal(?:ly)?|oral(?:ly)?|spoken)\s+(?:agreed|agreement|consent(?:ed)?|ok(?:ay)?|approv(?:al|ed)|permission|yes)\b"
    r"|\b(?:agreed|consent(?:ed)?|said yes|approved|agreement)\s+(?:verbally|orally|over the phone|on the phone)\b"
    r"|\bhandshake (?:deal|agreement)\b",
    re.IGNORECASE,
)
CONSENT_PASSAGE = ("3. Talent & Performance", "documented consent")  # the section and words of the rule cited
VERBAL_CONSENT_REASON = ('the description says "{phrase}": the guidance asks for explicit, documented consent, '
                         "not only a spoken one")

# A match counts unless one of these words comes shortly before it in the same clause ("not in the final cut").
_NEGATIONS = {"not", "never", "no", "nor", "none", "neither", "won't", "wont", "isn't", "aren't", "doesn't",
              "don't"}
_NEGATION_WINDOW = 4
_NEGATION_CHARS = 200  # far more than _NEGATION_WINDOW words need
_CLAUSE_BREAK = re.compile(r"[.;:!?,()\n]|\bbut\b|\bhowever\b", re.IGNORECASE)


@dataclass(frozen=True)
class Detection:
    area: str
    phrase: str  # the words of the description that matched
    counted: bool = True  # False when a negation came just before the phrase
    negation: str = ""
    reason: str = ""  # why the phrase matters, when saying that it is mentioned is not enough
    cite: tuple[str, ...] = ()  # (section, words) of the guidance passage the reason rests on


@dataclass(frozen=True)
class Trigger:
    kind: str  # "principle" or "area"
    key: str
    label: str
    reason: str


@dataclass(frozen=True)
class Decision:
    outcome: str
    triggers: tuple[Trigger, ...]
    answers: dict[str, str]
    notices: tuple[str, ...] = ()


def parse_answers(answers: Mapping[str, str] | Iterable[str] | str | None) -> tuple[dict[str, str], tuple[str, ...]]:
    """Normalise answers to {principle key: yes|no|unsure}; missing answers count as "unsure".

    Accepts a mapping keyed by principle key or number, a sequence in principle order, or "yes,no,...".
    Returns the answers and notices about anything filled in.
    """
    if answers is None:
        answers = {}
    if isinstance(answers, str):
        answers = [part for part in answers.split(",")]
    if not isinstance(answers, Mapping):
        given = list(answers)
        if len(given) > len(PRINCIPLES):
            raise InvalidAssessment(f"Got {len(given)} answers but there are {len(PRINCIPLES)} guiding principles; "
                                    "give one yes, no or unsure per principle, in order.")
        answers = {principle.key: value for principle, value in zip(PRINCIPLES, given)}
    by_number = {str(principle.number): principle.key for principle in PRINCIPLES}
    known = {principle.key: principle for principle in PRINCIPLES}
    parsed: dict[str, str] = {}
    for raw_key, raw_value in answers.items():
        key = by_number.get(str(raw_key), str(raw_key))
        if key not in known:
            raise InvalidAssessment(f"Unknown principle {raw_key!r}; use one of {', '.join(sorted(known))} or 1-5.")
        value = "" if raw_value is None else str(raw_value).strip().lower()
        if value == "":
            continue
        if value not in ANSWER_VALUES:
            principle = known[key]
            raise InvalidAssessment(f"Answer {raw_value!r} for principle {principle.number} ({principle.title}) "
                                    "is not one of yes, no or unsure.")
        parsed[key] = value
    missing = [principle for principle in PRINCIPLES if principle.key not in parsed]
    notices = ()
    if missing:
        names = ", ".join(f"{p.number} ({p.title})" for p in missing)
        notices = (f"No answer for principle {names}: counted as unsure.",)
    return {principle.key: parsed.get(principle.key, "unsure") for principle in PRINCIPLES}, notices


def parse_areas(areas: Iterable[str] | None) -> set[str]:
    """Check area keys (spaces and underscores are read as hyphens)."""
    chosen = set()
    for raw in areas or ():
        key = str(raw).strip().lower().replace("_", "-").replace(" ", "-")
        if key not in AREAS_BY_KEY:
            raise InvalidAssessment(f"Unknown area {raw!r}; use one of {', '.join(AREAS_BY_KEY)}.")
        chosen.add(key)
    return chosen


def detect_areas(description: str) -> tuple[Detection, ...]:
    """Always-approval areas the description mentions, by the keyword rules above, in order of appearance."""
    description = description.replace("\u2019", "'").replace("\u2018", "'")
    found: dict[tuple[str, str], Detection] = {}
    reach: dict[str, int] = {}  # per area, the furthest end of a phrase found so far
    hits = [(area, match) for area, pattern in _COMPILED for match in pattern.finditer(description)]
    for area, match in sorted(hits, key=lambda hit: (hit[1].start(), -hit[1].end())):
        if match.end() <= reach.get(area, -1):
            continue  # inside a longer phrase already found for the same area (phrases come in order of start)
        reach[area] = match.end()
        phrase = " ".join(match.group(0).split())
        negation = _negation_before(description, match.start())
        key = (area, phrase.lower())
        if key in found and (found[key].counted or negation):
            continue
        found[key] = Detection(area=area, phrase=phrase, counted=not negation, negation=negation)
    for match in _VERBAL_CONSENT.finditer(description):
        phrase = " ".join(match.group(0).split())
        negation = _negation_before(description, match.start())
        found.setdefault(("talent-likeness", phrase.lower()), Detection(
            "talent-likeness", phrase, counted=not negation, negation=negation,
            reason=VERBAL_CONSENT_REASON.format(phrase=phrase), cite=CONSENT_PASSAGE))
    return tuple(found.values())


def _negation_before(text: str, start: int) -> str:
    # Only the last few words count, so only the text just before the phrase is read: reading all of it for
    # every phrase made a long paste take quadratic time.
    clause = _CLAUSE_BREAK.split(text[max(0, start - _NEGATION_CHARS):start])[-1]
    if re.search(r"\bnon-$", clause, re.IGNORECASE):
        return "non-"
    words = re.findall(r"[\w']+", clause.lower())[-_NEGATION_WINDOW:]
    return next((word for word in reversed(words) if word in _NEGATIONS), "")


def decide(answers: Mapping[str, str] | Iterable[str] | str | None, areas: Iterable[str] | None = None,
           detections: Iterable[Detection] = ()) -> Decision:
    """Apply the guidance's rule: any always-approval area beats any principle; any no/unsure escalates."""
    parsed, notices = parse_answers(answers)
    triggers: list[Trigger] = []
    area_reasons: dict[str, list[str]] = {}
    for key in sorted(parse_areas(areas), key=list(AREAS_BY_KEY).index):
        area_reasons.setdefault(key, []).append("ticked")
    if parsed["temporary"] == "no":
        # "No" to principle 4 says the output goes into the final deliverables, the Introduction's first area.
        area_reasons.setdefault("final-deliverables", []).append("answered no to principle 4")
    for detection in detections:
        if detection.counted:
            area_reasons.setdefault(detection.area, []).append(
                detection.reason or f'the description mentions "{detection.phrase}"')
    for key in sorted(area_reasons, key=list(AREAS_BY_KEY).index):
        reasons = list(dict.fromkeys(area_reasons[key]))
        triggers.append(Trigger("area", key, AREAS_BY_KEY[key].label, "; ".join(reasons)))
    for principle in PRINCIPLES:
        answer = parsed[principle.key]
        if answer != "yes":
            triggers.append(Trigger("principle", principle.key, f"Principle {principle.number}: {principle.title}",
                                    f"answered {answer}"))
    if any(trigger.kind == "area" for trigger in triggers):
        outcome = WRITTEN_APPROVAL
    elif triggers:
        outcome = ESCALATE
    else:
        outcome = PROCEED
    return Decision(outcome=outcome, triggers=tuple(triggers), answers=parsed, notices=notices)
