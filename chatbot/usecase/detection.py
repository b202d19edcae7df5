"""Which always-approval areas a described use mentions: transparent keyword rules, with negations read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.query.negation import Negations

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
    ("talent-likeness", r"(?:de|re)[- ]?ag(?:e|es|ed|ing|eing)"),  # "de-age", "deage", "de age"
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
    ("key-creative-elements", r"(?:lead|title|central|key)[- ](?:characters?|creatures?|villains?|locations?|settings?|visuals?|art)"),
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


# "Appendix > Proposed Use Case Matrix": rows that no always-approval area covers, found by their own examples.
# Ideation only (moodboards, reference images) is marked proceed; on-camera background elements (signage, posters)
# use judgment, the story-relevant ones escalated.
IDEATION_ROW, BACKGROUND_ROW = "ideation", "background-elements"
_IDEATION = re.compile(
    r"\b(?:mood ?-?boards?|look ?books?|reference (?:images?|pictures?|photos?)|concept art|storyboards?|ideation"
    r"|brainstorm\w*|pitch decks?)\b", re.IGNORECASE)
# A key-art poster is a key visual ("Appendix > Proposed Use Case Matrix", row "Final character designs or key
# visuals"; "2. Creative Output", rule "Generation of Key Creative Elements"), not a poster in the background of a
# shot (row "Background elements on camera: signage and posters").
_BACKGROUND = re.compile(
    r"\b(?:signage|signs|(?<!key art )(?<!key-art )(?<!key visual )(?<!key-visual )posters?"
    r"|billboards?|set dressing|news ?papers?|news clippings?|background (?:elements?|props?|graphics|art|screens?))\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Detection:
    area: str
    phrase: str  # the words of the description that matched
    counted: bool = True  # False when the phrase lies in a negation's scope
    negation: str = ""
    reason: str = ""  # why the phrase matters, when saying that it is mentioned is not enough
    cite: tuple[str, ...] = ()  # (section, words) of the guidance passage the reason rests on


def detect_areas(description: str) -> tuple[Detection, ...]:
    """Always-approval areas the description mentions, by the keyword rules above, in order of appearance."""
    description = description.replace("\u2019", "'").replace("\u2018", "'")
    negations = Negations(description)  # NegEx scopes: "nothing generated will appear on screen"
    found: dict[tuple[str, str], Detection] = {}
    reach: dict[str, int] = {}  # per area, the furthest end of a phrase found so far
    hits = [(area, match) for area, pattern in _COMPILED for match in pattern.finditer(description)]
    for area, match in sorted(hits, key=lambda hit: (hit[1].start(), -hit[1].end())):
        if match.end() <= reach.get(area, -1):
            continue  # inside a longer phrase already found for the same area (phrases come in order of start)
        reach[area] = match.end()
        phrase = " ".join(match.group(0).split())
        negation = negations.at(match.start(), match.end())
        key = (area, phrase.lower())
        if key in found and (found[key].counted or negation):
            continue
        found[key] = Detection(area=area, phrase=phrase, counted=not negation, negation=negation)
    for match in _VERBAL_CONSENT.finditer(description):
        phrase = " ".join(match.group(0).split())
        negation = negations.at(match.start(), match.end())
        found.setdefault(("talent-likeness", phrase.lower()), Detection(
            "talent-likeness", phrase, counted=not negation, negation=negation,
            reason=VERBAL_CONSENT_REASON.format(phrase=phrase), cite=CONSENT_PASSAGE))
    return tuple(found.values())


def matrix_row(description: str) -> tuple[str, str]:
    """(row, phrase): the matrix row the description names by an example of its own, negations read; ("", "")
    when none. Ideation wins: a moodboard of posters is ideation, not a poster on camera."""
    description = description.replace("\u2019", "'").replace("\u2018", "'")
    negations = Negations(description)

    def first(pattern: re.Pattern) -> str:
        match = next((m for m in pattern.finditer(description) if not negations.at(m.start(), m.end())), None)
        return " ".join(match.group(0).split()) if match else ""

    ideation = first(_IDEATION)
    if ideation:
        return IDEATION_ROW, ideation
    background = first(_BACKGROUND)
    return (BACKGROUND_ROW, background) if background else ("", "")
