"""Everyday production words mapped to the guidance's own terms, so lexical search meets both."""

from __future__ import annotations

import re

# (pattern in the question, words the guidance uses for the same thing). Kept small and explicit:
# each row exists because a real question used the left side and the guidance only the right.
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"deep ?fakes?|face ?swap\w*", "digital replica likeness"),
    (r"digital (double|twin|clone)s?|(ai|virtual|synthetic) (actor|performer|human)s?", "digital replica likeness"),
    (r"(voice|vocal)s? ?(clon\w*|model\w*|synth\w*)|clon\w* (a |an |the |their |his |her )?voices?|ai voices?",
     "synthetic voice digital replica"),
    (r"\bclon\w*", "digital replica"),
    (r"de-?ag\w*|re-?ag\w*|make \w+ (look )?younger|look younger|younger version", "re-ageing de-ageing talent replication"),
    (r"chat ?gpt|gpt-?\d\w*|midjourney|runway|sora|stable diffusion|dall-?e|firefly|claude|gemini|copilot|\bveo\b"
     r"|\bllms?\b|chatbots?|image generators?|text-to-\w+", "GenAI tool"),
    (r"mood ?boards?|mood-boards?|look ?books?|concept art|storyboards?|pitch decks?|brainstorm\w*|sketch\w*",
     "moodboard ideation reference images"),
    (r"\bextras\b|background (actors?|extras?|players?)|crowd (scenes?|shots?)|crowds?", "background performers union"),
    (r"lip-?sync\w*|lip movements?|mouth movements?|new lines?", "visual ADR lip-sync performance alteration"),
    (r"\bdubb\w*|translat\w* (the )?dialogue", "dubbing double"),
    (r"scripts?|screenplays?|dailies|rushes|unreleased footage|raw footage", "proprietary material"),
    (r"fine-?tun\w*|lora\w*|train\w* (a |our |an )?(model|ai)", "training fine-tune model rights"),
    (r"styles?", "another artist style training"),
    (r"celebrit\w*|famous (actor|person|people)|public figures?", "public figure likeness"),
    (r"dead (actor|person|performer)s?|late (actor|star)|deceased|passed away", "deceased person likeness estate"),
    (r"\b(nda|confidential\w*|privacy|leak\w*|secure|security)\b", "confidentiality data protection enterprise"),
    (r"(?<!warning )(?<!stop )signs?|billboards?|posters?|newspapers?|news clippings?|props?|set dressing|graphics",
     "background elements signage"),
    (r"logos?|trademarks?|brands?", "third-party IP"),
    (r"vendors?|vfx (house|studio|company)|post house|contractors?|outsourc\w*", "vendor custom workflow"),
    (r"\bunions?\b|guilds?|sag-aftra|\bwga\b|\biatse\b", "union guild"),
    (r"actors?|actress\w*|cast members?|stars?|talent", "performer talent"),
    (r"sign-?off|permission|green ?light", "written approval"),
    (r"main character|protagonist|hero (shot|character)|key art|poster art", "key creative elements character design"),
    (r"final (cut|picture|version|shot)s?|on screen|on-screen|in the film|in the show|on air|broadcast",
     "final deliverables"),
    (r"stunts?|dangerous|unsafe|risky (scene|shot)s?", "activities a human cannot safely perform digital replica"),
)

_COMPILED = tuple((re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), words) for pattern, words in SYNONYMS)
# The company's name is in nearly every passage; left in a query it makes any question about Netflix
# (its share price, a subscription) look close to the guidance.
_UBIQUITOUS = re.compile(r"\bnetflix(?:'s|\u2019s)?\b", re.IGNORECASE)


def expand(question: str) -> str:
    """The guidance's words for the everyday terms in `question` (empty when none apply)."""
    added: list[str] = []
    for pattern, words in _COMPILED:
        if pattern.search(question) and words not in added:
            added.append(words)
    return " ".join(added)


def search_text(query: str) -> str:
    """The text embedded for dense search: the query without the company's name, plus the guidance's words."""
    focused = " ".join(_UBIQUITOUS.sub(" ", query).split())
    return " ".join(filter(None, (focused, expand(query))))
