"""The use-case check over the real indexed corpus: cited rule passages, matrix rows, the brief, the HTML, the CLI."""

from __future__ import annotations

import json
import re

import pytest

from chatbot.usecase.checker import MATRIX_SECTION, UseCaseChecker
from chatbot.usecase.rules import DISCLAIMER, ESCALATE, PRINCIPLES, PROCEED, WRITTEN_APPROVAL, InvalidAssessment
from chatbot.errors import IndexMissing

ALL_YES = "yes,yes,yes,yes,yes"
GUIDANCE_URL = "https://partnerhelp.netflixstudios.com/hc/en-us/articles/43393929218323-Using-Generative-AI-in-Content-Production"


@pytest.fixture(scope="module")
def checker(corpus_settings):
    return UseCaseChecker(corpus_settings)


def cited(assessment, numbers):
    by_n = {citation.n: citation for citation in assessment.citations}
    return [by_n[n] for n in numbers]


def test_each_principle_question_explains_itself_from_its_own_passage(checker):
    questions = checker.questions()

    assert [q.principle.number for q in questions] == [1, 2, 3, 4, 5]
    for question in questions:
        assert question.passage is not None
        assert question.passage.kind == "guidance"
        assert f"Principle {question.principle.number}: {question.principle.title}" in question.passage.section
        sentences = re.split(r"(?<=[.!?])\s+", question.meaning)
        assert question.meaning and all(sentence in question.passage.text for sentence in sentences)
        assert f"Principle {question.principle.number}" in question.meaning
        assert question.principle.question.endswith("?")
    assert "final deliverables" in questions[3].meaning
    assert "consent" in questions[4].meaning


def test_all_yes_for_a_mood_board_means_proceed_citing_the_escalation_rule(checker):
    assessment = checker.assess("A mood board of 1970s Tokyo street colours for the art department", ALL_YES)

    assert assessment.outcome == PROCEED and assessment.level == "proceed"
    assert assessment.triggers == ()
    rule = cited(assessment, assessment.outcome_cites)
    assert any("socializ" in citation.passage for citation in rule), "the principles' own escalation passage"
    assert any(citation.section == "Introduction" for citation in rule)
    assert assessment.matrix_rows[0].title.startswith("Ideation only")
    assert (assessment.matrix_rows[0].symbol, assessment.matrix_rows[0].action) == ("✅", "proceed")


@pytest.mark.parametrize(("description", "outcome"), [
    ("Midjourney for mood boards w/o anything going on screen", PROCEED),  # "w/o" is "without"
    ("Midjourney for mood boards, idk if any of it ends up on screen", WRITTEN_APPROVAL),  # unsure is no "no"
])
def test_chat_shorthand_in_a_description_is_read_as_spelled_out(checker, description, outcome):
    assert checker.assess(description, ["yes"] * 5).outcome == outcome


def test_one_unsure_escalates_citing_the_principle_and_the_rule(checker):
    assessment = checker.assess("Summarise our own location notes with a chatbot", "yes,yes,unsure,yes,yes")

    assert assessment.outcome == ESCALATE
    [trigger] = assessment.triggers
    assert trigger.label == "Principle 3: Enterprise-secured environment" and trigger.reason == "answered unsure"
    sections = [citation.section for citation in cited(assessment, trigger.cites)]
    assert any("Principle 3" in section for section in sections)
    assert any("socializ" in citation.passage and "unsure" in citation.passage
               for citation in cited(assessment, assessment.outcome_cites))


def test_a_digital_double_with_all_yes_requires_written_approval_citing_the_introduction(checker):
    assessment = checker.assess("A digital double of our lead actress for the rooftop chase", ALL_YES)

    assert assessment.outcome == WRITTEN_APPROVAL
    assert [t.key for t in assessment.triggers] == ["talent-likeness"]
    assert 'mentions "digital double"' in assessment.triggers[0].reason
    rule = cited(assessment, assessment.outcome_cites)
    assert rule[0].section == "Introduction" and "written approval" in rule[0].passage.lower()
    sections = {citation.section for citation in cited(assessment, assessment.triggers[0].cites)}
    assert "What use cases always require written approval? > 3. Talent & Performance" in sections
    assert assessment.matrix_rows[0].title.startswith("Talent replication")


def test_a_ticked_area_and_a_no_both_show_with_written_approval(checker):
    assessment = checker.assess("Clean up the dialogue track", "no,yes,yes,yes,yes", ["personal-data"])

    assert assessment.outcome == WRITTEN_APPROVAL
    assert [(t.kind, t.key) for t in assessment.triggers] == [("area", "personal-data"), ("principle", "copyright")]
    data_use = cited(assessment, assessment.triggers[0].cites)
    assert any(citation.section.endswith("1. Data Use") for citation in data_use)


@pytest.mark.parametrize("description, row", [
    ("A mood board of 1970s Tokyo street colours for the art department", "Ideation only"),
    ("Reference images of desert light for the cinematographer", "Ideation only"),
    ("A digital replica of our lead actress for a stunt sequence", "Talent replication"),
    ("A generated background crowd and shop signage for a street scene", "Background elements"),
    ("Posters on the wall behind the actors in the diner", "Background elements"),
    ("De-age the lead actor for a flashback", "Talent replication"),
    ("Train a model on a famous painter's work", "Unowned training data"),
    ("Design the main villain's creature with an image generator", "Final character designs"),
])
def test_the_closest_matrix_row_fits_the_description(checker, description, row):
    assessment = checker.assess(description, ALL_YES)

    assert assessment.matrix_rows, "at least the closest row is shown"
    assert assessment.matrix_rows[0].title.startswith(row), [r.title for r in assessment.matrix_rows]
    assert 1 <= len(assessment.matrix_rows) <= 3
    for matrix_row in assessment.matrix_rows:
        [citation] = cited(assessment, [matrix_row.cite])
        assert MATRIX_SECTION + " > " in citation.section
        assert citation.section.endswith(matrix_row.title)
        assert (matrix_row.symbol, matrix_row.action) in {("✅", "proceed"), ("⚠️", "use judgment"),
                                                          ("🛑", "requires escalation")}
        assert matrix_row.symbol[0] in citation.passage


def test_matrix_rows_inform_but_never_lower_the_outcome(checker):
    """A mood board is a ✅ row, but one that ends up in the final cut still needs written approval."""
    assessment = checker.assess("A mood board of reference images, with one AI still kept for the final cut", ALL_YES)

    assert assessment.matrix_rows[0].title.startswith("Ideation only")
    assert assessment.matrix_rows[0].action == "proceed"
    assert assessment.outcome == WRITTEN_APPROVAL


def test_citations_are_numbered_in_order_and_every_one_is_used(checker):
    assessment = checker.assess("Clone the narrator's voice for the final cut", "yes,unsure,yes,yes,no",
                                ["third-party-ip"])

    numbers = [citation.n for citation in assessment.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    used = set(assessment.outcome_cites) | {row.cite for row in assessment.matrix_rows}
    for trigger in assessment.triggers:
        used |= set(trigger.cites)
        assert trigger.cites, f"{trigger.label} cites a passage"
    assert used == set(numbers)
    assert len({citation.chunk_id for citation in assessment.citations}) == len(numbers), "no passage twice"
    assert all(citation.url == GUIDANCE_URL for citation in assessment.citations)


def test_each_cited_passage_names_the_sentences_the_result_rests_on(checker):
    assessment = checker.assess("A digital double of our lead, in the final cut", "yes,yes,unsure,yes,yes",
                                ["personal-data"])

    assert set(assessment.relied_on) == {citation.n for citation in assessment.citations}
    for citation in assessment.citations:
        for sentence in assessment.relied_on[citation.n]:
            assert " ".join(sentence.split()) in " ".join(citation.passage.split())
    [intro] = [c for c in assessment.citations if c.section == "Introduction"]
    assert any(s.startswith("Written approval is required") for s in assessment.relied_on[intro.n])
    [data_use] = [c for c in assessment.citations if c.section.endswith("1. Data Use")]
    assert all("personal data" in s.lower() for s in assessment.relied_on[data_use.n])


def test_missing_answers_are_unsure_and_say_so(checker):
    assessment = checker.assess("Upscale archive stills of our own set", {"copyright": "yes"})

    assert assessment.outcome == ESCALATE
    assert sum(1 for value in assessment.answers.values() if value == "unsure") == 4
    assert any("counted as unsure" in notice for notice in assessment.notices)


def test_an_invalid_answer_is_a_clear_error(checker):
    with pytest.raises(InvalidAssessment, match="Answer 'perhaps' for principle 1"):
        checker.assess("Anything", "perhaps")


def test_a_long_description_is_read_whole_so_a_late_area_still_counts(checker):
    filler = "Background plates for the car chase, cleaned up frame by frame. " * 40
    assessment = checker.assess(filler + "We will also make a digital double of our lead actor.", ALL_YES)

    assert len(filler) > checker.settings.max_question_chars
    assert assessment.outcome == WRITTEN_APPROVAL
    assert any(d.area == "talent-likeness" and d.counted for d in assessment.detections)
    assert any("longer than" in notice and "all of it was checked" in notice for notice in assessment.notices)


def test_a_description_too_long_to_read_whole_is_refused_not_read_in_part(checker):
    with pytest.raises(InvalidAssessment, match="reads at most"):
        checker.assess("A mood board for the art department. " * 2000, ALL_YES)


def test_the_brief_holds_what_the_netflix_contact_needs(checker):
    description = "A digital double of our lead for the rooftop chase, in the final cut"
    assessment = checker.assess(description, "yes,yes,unsure,yes,yes")
    brief = assessment.to_markdown()

    assert f"**Intended use:** {description}" in brief
    assert f"**Outcome:** {WRITTEN_APPROVAL} [1]" in brief
    for principle in PRINCIPLES:
        answer = assessment.answers[principle.key]
        assert f"{principle.number}. {principle.question} **{answer}**" in brief
    assert 'Talent likeness or voice: digital replicas, de-ageing, synthetic voices (the description mentions ' \
           '"digital double")' in brief
    assert "Principle 3: Enterprise-secured environment (answered unsure)" in brief
    rows = brief.split("**Closest rows of the Proposed Use Case Matrix**")[1]
    assert "Talent replication" in rows
    assert rows.lstrip().startswith("_Nearest the description in meaning, for comparison; the outcome above is what "
                                    "applies._"), "a row stricter or looser than the outcome is not read as a verdict"
    sources = brief.split("**Sources**")[1]
    assert len(re.findall(r"^  - \[\d+\] ", sources, re.MULTILINE)) == len(assessment.citations)
    assert sources.count(GUIDANCE_URL) == 1, "each document is listed once, its cited sections under it"
    assert brief.rstrip().endswith(f"_{DISCLAIMER}_")


def test_the_assessment_as_json_round_trips(checker):
    assessment = checker.assess("Signage in the background of a street scene", ALL_YES)
    data = json.loads(json.dumps(assessment.to_dict()))

    assert data["outcome"] == ESCALATE and data["level"] == "escalate"
    assert [t["kind"] for t in data["triggers"]] == ["matrix"]
    assert data["citations"][0]["n"] == 1 and data["disclaimer"] == DISCLAIMER
    assert data["matrix_rows"][0]["title"].startswith("Background elements")


def test_background_elements_escalate_in_the_check_as_in_the_chat(checker, bot):
    # The matrix marks on-camera signage and posters "use judgment": story-relevant ones are escalated.
    description = "Generate a poster for the background of a bar scene"
    assessment = checker.assess(description, ALL_YES)
    assert assessment.outcome == ESCALATE
    [trigger] = assessment.triggers
    assert trigger.kind == "matrix" and '"poster"' in trigger.reason and trigger.cites
    assert "Background elements" in assessment.citations[trigger.cites[0] - 1].section
    assert bot.ask(f"Can we {description.lower()}?").text.startswith("**Escalate to your Netflix contact first.**")
    for other in ("Mood boards of vintage posters for the art department", "A bar scene with no posters or signs"):
        assert checker.assess(other, ALL_YES).outcome == PROCEED, other


def test_the_result_html_is_escaped_and_marks_its_sources(checker):
    from chatbot.ui.check_view import assessment_html

    assessment = checker.assess("<img src=x onerror=alert(1)> never in the final cut, a mood board", ALL_YES)
    page = assessment_html(assessment)

    assert "<img" not in page
    assert 'data-level="proceed"' in page and PROCEED in page
    assert '"final cut"' in page and "Not counted" in page, "the negated phrase is shown, not counted"
    assert re.findall(r'class="check-cite">\[(\d+)\]', page)
    assert DISCLAIMER in page


def test_a_missing_index_says_what_to_do_and_creates_nothing(make_settings):
    settings = make_settings()

    with pytest.raises(IndexMissing, match=r"No index in .*Run `python -m ingest` first"):
        UseCaseChecker(settings).assess("A mood board", ALL_YES)
    assert not settings.data_dir.exists()


def test_a_description_of_noise_is_said_to_match_nothing_and_shows_no_rows(checker):
    assessment = checker.assess("asdf qwer ;;; zxcv", ["yes"] * 5)
    assert any("No word of the description occurs in the indexed documents" in n for n in assessment.notices)
    assert assessment.matrix_rows == ()
    assert checker.assess("A mood board for the art department", ["yes"] * 5).notices == ()
    assert checker.assess("We will do it ourselves, all of it.", ["yes"] * 5).notices == ()  # vague, not noise


def test_the_panel_says_right_under_the_outcome_that_unanswered_principles_count_as_unsure(checker):
    from chatbot.ui import check_view

    shown = check_view.assessment_html(checker.assess("A mood board for the art department", {}))
    assert shown.index("check-outcome") < shown.index("counted as unsure") < shown.index(">Why<")
