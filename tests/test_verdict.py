"""The verdict engine: the use-case check's rule applied to "can I / do I need / is it OK" questions."""

from pathlib import Path

import pytest

from chatbot.answer.verdict import LABELS, Verdict, asks_disclosure, asks_verdict, verdict
from chatbot.usecase.rules import ESCALATE, PROCEED, WRITTEN_APPROVAL
from chatbot.settings import Settings
from chatbot.types import Passage
from ingest.loaders import load_file
from ingest.split import split_document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def guidance():
    path = CORPUS / "netflix-genai-guidance.md"
    chunks = split_document(load_file(path, path.name), Settings())
    return [Passage.from_metadata(f"g{i}", chunk.page_content, chunk.metadata) for i, chunk in enumerate(chunks)]


@pytest.mark.parametrize(("question", "outcome", "basis"), [
    ("do i need approval to use genAI for storyboards", PROCEED, "matrix:ideation"),
    ("Use Midjourney for mood boards. Nothing generated will appear on screen. Is that ok?", PROCEED,
     "matrix:ideation"),
    ("do i need to tell my contact if im just using chatgpt to brainstorm episode titles", PROCEED,
     "matrix:ideation"),
    ("if i can say yes to all five principles do i still need approval", PROCEED, "principles:yes"),
    ("is it ok to use AI for background signage?", ESCALATE, "matrix:background"),
    ("What if I'm not sure whether my tool meets one of the principles?", ESCALATE, "principles:unsure"),
    ("We want to build a digital double of our lead actor for a dangerous stunt sequence. What do we need to do "
     "before the VFX vendor starts?", WRITTEN_APPROVAL, "area:talent-likeness"),
    ("We want to design the main villain entirely in Midjourney. Do we need sign off?", WRITTEN_APPROVAL,
     "area:key-creative-elements"),
    ("can I paste our unreleased script into ChatGPT to get notes on pacing?", WRITTEN_APPROVAL,
     "area:proprietary-material"),
    ("Can we make mood boards from a celebrity's face?", WRITTEN_APPROVAL, "area:third-party-ip"),
    ("is visual ADR ok?", WRITTEN_APPROVAL, "area:performance-alteration"),
])
def test_questions_get_the_rule_that_applies(question, outcome, basis):
    found = verdict(question)
    assert found is not None
    assert (found.label, found.basis) == (LABELS[outcome], basis)
    assert found.reason and found.section and found.cue


@pytest.mark.parametrize("question", [
    "What are the five guiding principles?",  # not asking for a verdict
    "Which uses always need written approval, and who do I contact?",
    "do we HAVE to run gen ai in an enterprise environment or is that optional",  # no area or row applies
    "Can I use ChatGPT to write a script outline?",  # "script" alone is not putting one into a tool
    "can we replace the session singer's vocal with a generated one",
    "Can we use AI for the catering schedule?",
])
def test_no_verdict_when_no_rule_clearly_applies(question):
    assert verdict(question) is None


def test_a_negated_area_does_not_count():
    assert verdict("Can we use GenAI for concept art? No actor's likeness is used.").basis == "matrix:ideation"
    assert verdict("Can we use GenAI for concept art of the actor's likeness?").basis == "area:talent-likeness"


def test_an_area_outranks_the_unsure_rule_and_the_matrix():
    found = verdict("I'm not sure: can we de-age the lead for the flashback storyboards?")
    assert found.level == "written-approval"
    assert '"de-age"' in found.reason


def test_the_verdict_cites_the_passage_stating_its_rule(guidance):
    found = verdict("do i need approval to use genAI for storyboards", guidance)
    assert isinstance(found, Verdict)
    assert found.passage.section.endswith("Ideation only: moodboards and reference images")
    assert "proceed" in found.passage.text.lower()
    area = verdict("Can we clone the host's voice for the promo?", guidance)
    assert area.passage.section.endswith("Introduction") and "Written approval" in area.passage.text
    unsure = verdict("What if we're unsure whether the tool trains on inputs?", guidance)
    assert unsure.passage.section.endswith("When to escalate")


def test_the_verdict_quotes_the_sentence_of_its_passage_that_states_the_rule(guidance):
    area = verdict("Can we clone the host's voice for the promo?", guidance)
    assert area.quote in area.passage.text
    assert "Written approval" in area.quote and "likeness" in area.quote  # the area's own sentence of the Introduction
    assert area.reason.startswith("The question mentions ") and "always requires" not in area.reason
    ideation = verdict("do i need approval to use genAI for storyboards", guidance)
    assert "proceed" in ideation.quotes[0].lower() and all(q in ideation.passage.text for q in ideation.quotes)
    assert len(ideation.quotes) == 3 and "rationale" in ideation.quotes[1]  # the row, then why it is marked so
    assert ideation.reason == ""  # the row's own sentences say it all
    unsure = verdict("What if we're unsure whether the tool trains on inputs?", guidance)
    assert "unsure" in unsure.quote and unsure.reason == ""  # the quoted rule says it all
    assert verdict("Can we clone the host's voice for the promo?").quote == ""  # no passages, nothing to quote
    assert "(talent likeness or voice)" in area.reason
    assert "(Netflix-owned material in a GenAI tool)" in verdict("can i paste our script into chatgpt?", guidance).reason


def test_sources_that_do_not_state_the_rule_give_no_verdict(guidance):
    other = [Passage("x1", "Crews may use any software for storyboards.", "house-rules.md", "House rules",
                     "Tools", "", "document")]
    assert verdict("can we use AI for storyboards?", other) is None
    assert verdict("can we use AI for storyboards?", guidance) is not None


@pytest.mark.parametrize(("question", "expected"), [
    ("Can we use it?", True), ("do i need aproval", True), ("Is that OK?", True), ("Should we tell them?", True),
    ("Allowed?", True), ("What is a digital replica?", False), ("Tell me about the matrix", False),
    ("we wanna make a digital double of our lead for a stunt", True), ("We're planning to clone a voice", True),
    ("we want to know who wrote it", False), ("I'd like to know what counts as a final deliverable", False),
    ("dont we have to tell them every time", True), ("don't we need approval for signage?", True),
    ("won't we need approval for that?", True), ("isn't that ok for signage?", True),
    # Chat's shorter ways of asking the same.
    ("ai newspaper on a desk in the background for 2 sec, is that a big deal", True),
    ("Is an AI-made document in the background a problem?", True),
    ("fake clip on a tv in the background, thats fine right", True), ("moodboards w/ ai. green light?", True),
    ("visual adr on the lead's lip sync. need approval?", True), ("noise reduction - consent needed?", True),
    ("is a prompt like 'a character with a famous actor's nose' ok", True),
    ("what is a problem prompt", False), ("who needs to give consent?", False),
    ("ok", False), ("thanks, ok", False), ("I know that's fine, but who wrote the guidance?", False),
    ("when is consent needed for a digital replica?", False), ("is there an issue with the guidance's wording?", False),
    ("the guidance seems fine to me, who wrote it", False),
])
def test_question_shapes(question, expected):
    assert asks_verdict(question) is expected


@pytest.mark.parametrize(("question", "asks"), [
    ("do i need to tell acme if our editor uses an ai upscaler", True),
    ("should we let acme know we use ai for the catering schedule", True),
    ("do we have to inform our contact about it", True),
    ("do we need to disclose it to acme?", True),
    ("do we have to tell the actors' agents when we use AI", False),  # someone else
    ("tell me about the rules", False),
    ("can you tell me what acme says about ai subtitles", False),  # asks to be told
    ("can you let me know if acme allows ai dubbing", False),
    ("can we give our acme contact's email to chatgpt", False),
])
def test_a_question_asking_whether_to_tell_the_guidances_owner_is_found_by_the_indexs_own_names(question, asks):
    assert asks_disclosure(question, frozenset({"acme"})) is asks
    found = verdict(question, owners=frozenset({"acme"}))
    assert (found is not None and found.basis == "rule:disclose") is asks


def test_telling_gives_way_to_a_stricter_rule():
    found = verdict("do we need to tell acme if we clone the narrator's voice", owners=frozenset({"acme"}))
    assert found.label == LABELS[WRITTEN_APPROVAL]


@pytest.mark.parametrize(("question", "outcome"), [
    ("we wanna make a digital double of our lead for a stunt", WRITTEN_APPROVAL),
    ("can we make fake archival footage of a real protest", WRITTEN_APPROVAL),
    ("we want to run an ai upscaler on the archival footage, is that fine", None),  # real footage, worked on
    ("do i need approval for ai temp music in the edit", None),  # temporary: not a final deliverable
    ("is it ok if the temp music stays in the final cut?", WRITTEN_APPROVAL),  # "final" still names one
    ("can we replace the temp music with ai-generated music in the film", WRITTEN_APPROVAL),  # swapped in
    ("we'll swap the placeholder vo for an ai voice in the edit, is that ok", WRITTEN_APPROVAL),
    ("can we use previs renders on screen in the episode", WRITTEN_APPROVAL),
    ("can we use ai footage of real people in our documentary", WRITTEN_APPROVAL),
    ("is it ok to have ai put words in a real politician's mouth", WRITTEN_APPROVAL),
    ("doesn't this need written approval since it's on screen", WRITTEN_APPROVAL),  # a negative question
    # A label or credit about AI in the finished work is no GenAI output in it.
    ("do we have to put an ai disclosure in the end credits", None),
    ("do we have to put a 'made with AI' label or watermark on screen", None),
    ("can we use ai to generate the end credits", WRITTEN_APPROVAL),
    ("we're putting a 'made with AI' label on screen, need approval?", None),  # "made" is the label's text
    ("can we put ai footage of a crowd in the end credits", WRITTEN_APPROVAL),  # the credits are only where it goes
])
def test_a_chat_verdict_needs_the_words_that_make_its_area_apply(question, outcome):
    found = verdict(question)
    assert (found.label if found else None) == (LABELS[outcome] if outcome else None)
