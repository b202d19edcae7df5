"""Everyday production words mapped to the guidance's own terms, so lexical search meets both."""

from __future__ import annotations

import functools
import re

# (pattern in the question, words the guidance uses for the same thing). Kept small and explicit:
# each row exists because a real question used the left side and the guidance only the right.
SYNONYMS: tuple[tuple[str, str], ...] = (
    # Performers and likeness
    (r"deep ?fakes?|face ?swap\w*", "digital replica likeness"),
    (r"digital (double|twin|clone)s?|(ai|virtual|synthetic) (actor|performer|human)s?", "digital replica likeness"),
    (r"(voice|vocal)s? ?(clon\w*|model\w*|synth\w*)|clon\w* (a |an |the |their |his |her )?voices?|ai voices?",
     "synthetic voice digital replica"),
    (r"clon\w*", "digital replica"),
    (r"(with|in|using|into) (the |our |their |his |her |an? )?(actor|actress|performer|talent|cast member|star|lead)\w*'?s?'? "
     r"(own |real |original |natural )?voices?",
     "digital replica voice likeness consent"),
    (r"singers?|vocals?|voice ?(actors?|over|artists?)|narrators?", "performer voice talent performance"),
    (r"de-?ag\w*|re-?ag\w*|make \w+ (look )?younger|look younger|younger version", "re-ageing de-ageing talent replication"),
    (r"lip-?sync\w*|lip movements?|mouth movements?|new lines?", "visual ADR lip-sync performance alteration"),
    (r"dubb\w*|translat\w* (the )?dialogue", "dubbing double"),
    (r"actors?|actress\w*|cast members?|stars?|talent", "performer talent"),
    (r"celebrit\w*|famous (actor|person|people|performer)s?|public figures?", "public figure likeness"),
    (r"dead\b.{0,20}\b(actor|actress|star|person|performer)s?|late (actor|star)|deceased|passed away|bring back|resurrect\w*",
     "deceased person likeness estate permission"),
    (r"politicians?|journalists?|news ?(anchor|reader)s?|presidents?|real (person|people)", "public figure real people misleading"),
    (r"stunts?|dangerous|unsafe|risky (scene|shot)s?", "activities a human cannot safely perform digital replica"),
    (r"extras|background (actors?|extras?|players?|people)|crowd (scenes?|shots?)|crowds?", "background performers union"),
    (r"instead of (hiring|using|paying)|replac\w* (a |the |our )?(background )?(writers?|actors?|crew|artists?|people|extras)"
     r"|writers?", "union roles writers approvals agreements"),
    (r"swap\w*|substitut\w*", "replace"),
    (r"without (telling|asking|informing|notifying) (her|him|them|the \w+)|without (her|his|their) (knowledge|ok|okay|say-?so)"
     r"|behind (her|his|their) backs?", "without consent"),
    (r"unions?|guilds?|sag-aftra|wga|iatse", "union guild"),
    # Tools and data
    (r"chat ?gpt|gpt-?\d\w*|midjourney|runway|sora|stable diffusion|dall-?e|firefly|claude|gemini|copilot|veo"
     r"|llms?|chatbots?|image generators?|text-to-\w+|ai apps?", "GenAI tool"),
    (r"upscal\w*|de-?nois\w*|noise (reduction|removal)|sharpen\w*|restor\w* (the |old |archival )?(footage|film|audio|images?)"
     r"|clean(ing)? up (the )?(audio|dialogue|footage|image)", "clarity noise reduction customary alterations post-production"),
    (r"free (tier|version|plan)|terms of (service|use)|license tiers?|t&cs?", "license tier terms and conditions training"),
    (r"keeps?|retain\w*|stores?|saves?|learn\w* from", "store reuse train production data"),
    (r"train\w* on (our|the|its|their|your|production) (footage|dailies|material|data|inputs?|outputs?|scripts?|images?|work)"
     r"|improve (their|its|the) (own )?(models?|ai|tool)", "no storage reuse training on production data inputs outputs"),
    (r"scripts?|screenplays?|dailies|rushes|unreleased footage|raw footage", "proprietary material"),
    (r"contact (sheet|details|list)s?|phone numbers?|e-?mail addresses|home addresses|crew list|cast list"
     r"|personal (info\w*|details)|medical", "personal data"),
    (r"fine-?tun\w*|lora\w*|train\w* (a |our |an )?(model|ai)", "training fine-tune model rights"),
    (r"styles?|portfolios?|illustrators?|artists?'? work", "another artist style training rights holders"),
    (r"nda|confidential\w*|privacy|leak\w*|secure|security", "confidentiality data protection enterprise"),
    (r"logos?|trademarks?|brands?", "third-party IP"),
    (r"vendors?|vfx (house|studio|company)|post house|ai studios?|contractors?|outsourc\w*|vet|vetting"
     r"|hir\w* (a |an )?(vendor|studio|company|contractor)s?",
     "vendor custom workflow"),
    # Creative output and approval
    (r"mood ?boards?|mood-boards?|look ?books?|concept art|storyboards?|pitch decks?|brainstorm\w*|sketch\w*",
     "moodboard ideation reference images"),
    (r"(?<!warning )(?<!stop )signs?|billboards?|posters?|newspapers?|news clippings?|props?|set dressing|graphics",
     "background elements signage"),
    (r"main (character|villain|hero)|protagonist|villain|hero (shot|character)|key art|poster art",
     "key creative elements character design"),
    (r"final (cut|picture|version|shot)s?|on screen|on-screen|in the film|in the show|on air|broadcast",
     "final deliverables"),
    (r"sign-?off|permission|green ?light", "written approval"),
    (r"who (do|should|can) (i|we) (contact|ask|call|email|talk to|reach|go to)|whom? to (contact|ask)|point of contact"
     r"|who at netflix", "Netflix contact escalate"),
    (r"(looks?|looking) (basically |just |exactly |almost )?like (the|a|an) (original|famous|existing|real)|knock-?offs?"
     r"|rip-?offs?|lookalikes?|plagiari\w*|(original|famous|existing|well-known) (posters?|films?|movies?|paintings?"
     r"|artworks?|photos?|photographs?|songs?|books?|logos?|comics?)", "copy copyrighted unowned material infringe"),
    # Process and scope
    (r"not sure|unsure|uncertain|don'?t know|unclear", "unsure escalate"),
    (r"every single (little )?(ai |genai )?(use|thing)|(little|small|minor|tiny|trivial) (ai |genai )?(uses?|things?|tasks?)",
     "low-risk uses"),
    (r"(tell|inform|notify) (netflix|them|our|my|the)\b|let (netflix|them|our \w+) know|disclos\w*",
     "disclose shared Netflix contact"),
    (r"who (is|was) (this|the) (guidance|document|page|policy) (actually |really )?(written |meant |aimed |intended )?for"
     r"|appl(y|ies) to (us|me)|does (it|this) apply", "written for filmmakers production partners vendors"),
    (r"how long|how quickly|how soon|how fast|turn-?around|timelines?|how many (days|weeks)", "timeline turnaround time"),
    (r"sav\w* money|(production|vfx|shoot\w*|filming) (costs?|budgets?)|budgets?|cost-?cutting|cut\w* costs",
     "production costs budgets"),
    (r"think (of|about)|thought (of|about)|opinions?|reacti\w*|reception|feel about", "opinion reaction"),
    (r"who wrote|wrote|authors?|written by", "written author"),
    (r"(out|published|released|posted)\b.{0,10}\bwhen|when (was|did) .{0,40}\b(out|publish\w*|release\w*|post\w*|come out)"
     r"|publication date|release date", "published date"),
    (r"legal( team| department)?|lawyers?", "legal review"),
)

_COMPILED = tuple((re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), words) for pattern, words in SYNONYMS)
# The company's name is in nearly every passage; left in a query it makes any question about Netflix
# (its share price, a subscription) look close to the guidance.
_UBIQUITOUS = re.compile(r"\bnetflix(?:'s|\u2019s)?\b", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
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
