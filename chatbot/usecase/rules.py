"""The guidance's own decision rule for a planned GenAI use: five principles and the always-approval areas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chatbot.errors import ChatbotError
from chatbot.usecase.detection import BACKGROUND_ROW, Detection

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
# - "Appendix > Proposed Use Case Matrix": on-camera background elements (signage, posters) are marked "use
#   judgment", story-relevant ones escalated; a plan naming one is escalated unless an area already needs approval.
BACKGROUND_LABEL = "Matrix: on-camera background elements such as signage and posters (use judgment)"
# The matrix rows' own headings in the guidance, where their rules are cited from.
IDEATION_HEADING = "Ideation only: moodboards and reference images"
BACKGROUND_HEADING = "Background elements on camera: signage and posters"

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

@dataclass(frozen=True)
class Trigger:
    kind: str  # "principle", "area" or "matrix"
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
    return _filled(_given_answers(answers))


def _unanswered(given: Mapping[str, str]) -> list[Principle]:
    return [principle for principle in PRINCIPLES if principle.key not in given]


def _filled(given: Mapping[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Every principle's answer, the missing ones "unsure", and the notice saying which were filled in so."""
    missing = _unanswered(given)
    notices = ()
    if missing:
        names = ", ".join(f"{p.number} ({p.title})" for p in missing)
        notices = (f"No answer for principle {names}: counted as unsure.",)
    return {principle.key: given.get(principle.key, "unsure") for principle in PRINCIPLES}, notices


def _given_answers(answers: Mapping[str, str] | Iterable[str] | str | None) -> dict[str, str]:
    """The answers given, by principle key."""
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
    return parsed


def parse_areas(areas: Iterable[str] | None) -> set[str]:
    """Check area keys (spaces and underscores are read as hyphens)."""
    chosen = set()
    for raw in areas or ():
        key = str(raw).strip().lower().replace("_", "-").replace(" ", "-")
        if key not in AREAS_BY_KEY:
            raise InvalidAssessment(f"Unknown area {raw!r}; use one of {', '.join(AREAS_BY_KEY)}.")
        chosen.add(key)
    return chosen


def decide(answers: Mapping[str, str] | Iterable[str] | str | None, areas: Iterable[str] | None = None,
           detections: Iterable[Detection] = (), row: tuple[str, str] = ("", "")) -> Decision:
    """Apply the guidance's rule: any always-approval area beats any principle; any no/unsure escalates, and so
    does a plan the matrix marks "use judgment" (`row`, from detection.matrix_row)."""
    given = _given_answers(answers)
    parsed, notices = _filled(given)
    unanswered = {principle.key for principle in _unanswered(given)}
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
    if row[0] == BACKGROUND_ROW:
        triggers.append(Trigger("matrix", BACKGROUND_ROW, BACKGROUND_LABEL,
                                f'the description mentions "{row[1]}": incidental ones may be low risk, '
                                "story-relevant ones are escalated"))
    for principle in PRINCIPLES:
        answer = parsed[principle.key]
        if answer != "yes":
            said = "not answered, so counted as unsure" if principle.key in unanswered else f"answered {answer}"
            triggers.append(Trigger("principle", principle.key, f"Principle {principle.number}: {principle.title}",
                                    said))
    if any(trigger.kind == "area" for trigger in triggers):
        outcome = WRITTEN_APPROVAL
    elif triggers:
        outcome = ESCALATE
    else:
        outcome = PROCEED
    return Decision(outcome=outcome, triggers=tuple(triggers), answers=parsed, notices=notices)
