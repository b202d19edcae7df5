"""The restated guidance says what the original says: every rule sentence is anchored to the original
sentence it restates, every anchor lands on that sentence, and no rule changed strength on the way."""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatbot.errors import IngestError
from chatbot.sentences import split_sentences
from chatbot.settings import Settings
from ingest.anchors import read_sidecar, sidecar_path
from ingest.loaders import load_file
from ingest.markdown import ATX_HEADING, normalize
from ingest.sources import inventory

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GUIDANCE = CORPUS / "netflix-genai-guidance.md"
ORIGINAL = ROOT.parent / "shared" / "reference" / "original" / "using-generative-ai-in-content-production.md"
needs_original = pytest.mark.skipif(
    not ORIGINAL.exists(), reason=f"the original page is not at {ORIGINAL}: anchors cannot be resolved without it"
)

# Words that make a restated sentence a rule (or a definition or matrix row, which use the same words).
RULE_WORDS = re.compile(
    r"\b(?:must|should|may|might|requir\w*|approv\w*|consent\w*|avoid\w*|consider|permi(?:t|ts|tted|ssions?)|"
    r"clearance|forbid\w*|prohibit\w*|bans?|banned|allowed|escalat\w*)\b",
    re.IGNORECASE,
)
# Each strength a rule can have. "Do not ..." opening a clause is the original's way of writing "must not".
MODALS = {
    "must": re.compile(r"\bmust\b|\brequir(?:e|es|ed|ing)\b|(?:^|[:\u2013\u2014]\s*|\s-\s)do not\b", re.IGNORECASE),
    "should": re.compile(r"\bshould\b", re.IGNORECASE),
    "may": re.compile(r"\bmay\b|\bmight\b", re.IGNORECASE),
    "avoid": re.compile(r"\bavoid(?:s|ed|ing)?\b", re.IGNORECASE),
    "consider": re.compile(r"\bconsider(?:ing)?\b", re.IGNORECASE),
}
QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")  # titles and labels, quoted: not the sentence's own words
# Restated sentences whose modal differs from the original's on purpose: {sentence start: why}. Keep it short.
ALLOWED_MODAL_CHANGES: dict[str, str] = {}
MAX_LOCATOR_WORDS = 8  # "the first and last few words": a locator never holds the original's sentence in full


@dataclass(frozen=True)
class Unit:
    """One sentence of the original (a list item, a table row) under its nearest heading."""

    section: str
    text: str


def original_units(markdown: str) -> list[Unit]:
    """Every sentence of the original page, each with the heading it sits under, in page order."""
    units, section = [], ""
    for line in _page_lines(markdown):
        heading = ATX_HEADING.match(line)
        if heading:
            section = heading.group(2)
            continue
        units += [Unit(section, sentence) for sentence in split_sentences(line)]
    return units


def page_text(markdown: str) -> str:
    """The page's words in reading order, as a browser's text-fragment search sees them (one space between)."""
    return " ".join(" ".join(ATX_HEADING.sub(r"\2", line) for line in _page_lines(markdown)).split())


def _page_lines(markdown: str) -> list[str]:
    body = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    body = normalize(body.replace("&ndash;", "\u2013")).replace("**", "")
    return [re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip().strip("|") for line in body.splitlines()]


def modals(text: str) -> set[str]:
    text = QUOTED.sub(" ", text)
    return {name for name, pattern in MODALS.items() if pattern.search(text)}


def is_rule(sentence: str) -> bool:
    return bool(RULE_WORDS.search(QUOTED.sub(" ", sentence)))


def _term(words: str) -> re.Pattern:
    """Whole words, any case and spacing: how a browser matches one term of a text fragment."""
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words.split())) + r"(?!\w)", re.IGNORECASE)


def resolve(anchor, units: list[Unit], page: str) -> tuple[str | None, str]:
    """(the original words an anchor points at, "") or (None, why it dangles)."""
    words = [anchor.start] + ([anchor.end] if anchor.end else [])
    if any(len(part.split()) > MAX_LOCATOR_WORDS for part in words):
        return None, f"a locator longer than {MAX_LOCATOR_WORDS} words"
    in_section = [unit for unit in units if unit.section.casefold() == anchor.section.casefold()]
    if not in_section:
        return None, f"no section {anchor.section!r} in the original"
    span = None
    for unit in in_section:
        start = _term(anchor.start).search(unit.text)
        end = _term(anchor.end).search(unit.text, start.end()) if start and anchor.end else start
        if start and end:
            span = unit.text[start.start() : end.end()]
            break
    if span is None:
        return None, f"no sentence in {anchor.section!r} runs from {anchor.start!r} to {anchor.end!r}"
    if anchor.end and len(anchor.start.split()) + len(anchor.end.split()) >= len(span.split()):
        return None, "the locator holds the original's words in full; keep only the first and last few"
    # A text fragment highlights the first match on the page: it must be this sentence, not an earlier one.
    start = _term(anchor.start).search(page)
    end = _term(anchor.end).search(page, start.end()) if start and anchor.end else start
    if not end or " ".join(page[start.start() : end.end()].split()) != " ".join(span.split()):
        return None, f"the link would land on earlier words of the page; lengthen {anchor.start!r}"
    return span, ""


def check(document: str, sidecar_text: str, original: str) -> list[str]:
    """Problems between a restated document, its anchor sidecar and the original page; [] when none."""
    anchors = tomllib.loads(sidecar_text).get("anchor", [])
    sentences = split_sentences(re.sub(r"\A---\n.*?\n---\n", "", document, flags=re.S))
    units, page = original_units(original), page_text(original)
    spans: dict[str, list[str]] = {}
    problems = []
    for table in anchors:
        anchor = _Anchor(**{key: " ".join(str(table.get(key, "")).split()) for key in _Anchor.__dataclass_fields__})
        if anchor.sentence not in sentences:
            problems.append(f"anchored sentence not in the document: {anchor.sentence[:80]!r}")
            continue
        span, why = resolve(anchor, units, page)
        if span is None:
            problems.append(f"dangling anchor ({why}): {anchor.sentence[:80]!r}")
            continue
        spans.setdefault(anchor.sentence, []).append(span)
    for sentence in sentences:
        if sentence not in spans:
            if is_rule(sentence):
                problems.append(f"rule sentence without an anchor: {sentence[:80]!r}")
            continue
        restated, original_modals = modals(sentence), set().union(*map(modals, spans[sentence]))
        allowed = any(sentence.startswith(key) for key in ALLOWED_MODAL_CHANGES)
        if restated != original_modals and not allowed:
            problems.append(
                f"modal changed ({', '.join(sorted(original_modals)) or 'none'} -> "
                f"{', '.join(sorted(restated)) or 'none'}): {sentence[:80]!r}"
            )
    return problems


@dataclass(frozen=True)
class _Anchor:
    sentence: str = ""
    section: str = ""
    start: str = ""
    end: str = ""


def test_the_ingester_takes_the_sidecar_for_no_document():
    found = inventory(None, Settings(corpus_dir=CORPUS))
    assert sidecar_path(GUIDANCE).exists()
    assert not [target for target in found.targets if target.source.endswith(".toml")]
    with pytest.raises(IngestError, match="unsupported file type .toml"):
        load_file(sidecar_path(GUIDANCE), sidecar_path(GUIDANCE).name)


def test_every_anchor_names_a_sentence_of_its_document():
    sidecar = read_sidecar(sidecar_path(GUIDANCE))
    sentences = split_sentences(GUIDANCE.read_text(encoding="utf-8"))
    assert sidecar and len(sidecar.anchors) > 50
    assert [a.sentence for a in sidecar.anchors if a.sentence not in sentences] == []


@needs_original
def test_every_rule_sentence_is_anchored_to_the_original_with_the_same_strength():
    problems = check(GUIDANCE.read_text(encoding="utf-8"), sidecar_path(GUIDANCE).read_text(encoding="utf-8"),
                     ORIGINAL.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


@needs_original
def test_a_should_turned_into_must_is_caught(tmp_path):
    document, sidecar = GUIDANCE.read_text(encoding="utf-8"), sidecar_path(GUIDANCE).read_text(encoding="utf-8")
    target = next(s for s in split_sentences(document) if " should " in s and '"' not in s and s in sidecar)
    planted = target.replace(" should ", " must ", 1)
    copy = tmp_path / GUIDANCE.name
    copy.write_text(document.replace(target, planted), encoding="utf-8")
    shutil.copy(sidecar_path(GUIDANCE), sidecar_path(copy))
    sidecar_path(copy).write_text(sidecar.replace(target, planted), encoding="utf-8")

    problems = check(copy.read_text(encoding="utf-8"), sidecar_path(copy).read_text(encoding="utf-8"),
                     ORIGINAL.read_text(encoding="utf-8"))
    assert problems == [f"modal changed (should -> must): {planted[:80]!r}"]


@needs_original
def test_a_rule_sentence_without_an_anchor_and_a_dangling_anchor_are_caught():
    original = ORIGINAL.read_text(encoding="utf-8")
    document = "# Doc\n\nPartners must keep every production input out of tools that train on it.\n"
    dangling = ('[[anchor]]\nsentence = "Partners must keep every production input out of tools that train on it."\n'
                'section = "Guiding Principles"\nstart = "The generative tools used"\nend = "words nowhere there"\n')
    assert check(document, "", original) == [
        "rule sentence without an anchor: 'Partners must keep every production input out of tools that train on it.'"]
    problems = check(document, dangling, original)
    assert problems[0].startswith("dangling anchor (no sentence in 'Guiding Principles' runs from")


@needs_original
def test_an_anchor_that_would_land_on_earlier_words_is_caught():
    original = ORIGINAL.read_text(encoding="utf-8")
    document = "# Doc\n\nWritten approval is always required for the areas of Data Use.\n"
    sidecar = ('[[anchor]]\nsentence = "Written approval is always required for the areas of Data Use."\n'
               'section = "What use cases always require written approval?"\nstart = "always require"\n'
               'end = "before proceeding"\n')
    assert "would land on earlier words" in check(document, sidecar, original)[0]


def test_the_modal_reader_tells_the_strengths_apart():
    assert modals("Do not input scripts unless approved.") == {"must"}
    assert modals("Label: Do not train models without clearance.") == {"must"}
    assert modals("The tools do not store inputs.") == set()
    assert modals("Consent is required; partners should plan, may ask, avoid harm and consider both.") == \
        {"must", "should", "may", "avoid", "consider"}
    assert modals('Under the rule "What use cases always require written approval?", nothing else.') == set()
