"""The "Check my use case" tab in headless Chromium: fill the form, assess, read the outcome and its sources."""

from __future__ import annotations

import re

import pytest
from ui_helpers import chromium_page, serve

from chatbot.usecase.rules import DISCLAIMER, ESCALATE, PRINCIPLES, WRITTEN_APPROVAL
from chatbot.ui.ui import CHECK_EMPTY
from chatbot.ui.ui_check import CHECK_PLACEHOLDER

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESCRIPTION = "A digital double of our lead actress for the rooftop chase, shown in the final cut"


def open_check_tab(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("tab", name="Check my use case").click()
    page.wait_for_selector("#check-description textarea")


def answer(page, number: int, value: str) -> None:
    page.locator(f"#check-principle-{number}").get_by_label(value, exact=True).check()


def test_the_tab_assesses_a_use_and_shows_the_outcome_with_its_sources(bot, artifacts_dir):
    with serve(bot, bot.settings) as demo, chromium_page(width=1400, height=1100) as page:
        open_check_tab(page, demo.local_url)
        principle_one = page.locator("#check-principle-1")
        assert PRINCIPLES[0].question in principle_one.inner_text()
        assert "Under Principle 1" in principle_one.inner_text(), "the info line explains the principle from its passage"
        assert DISCLAIMER in page.locator("#check-disclaimer").inner_text()

        page.locator("#check-description textarea").fill(DESCRIPTION)
        for number, value in zip(range(1, 6), ["yes", "yes", "unsure", "no", "yes"]):
            answer(page, number, value)
        page.locator("#check-areas input[name='personal-data']").check()
        page.locator("#check-assess").click()

        outcome = page.locator("#check-result .check-outcome")
        outcome.wait_for()
        assert outcome.get_attribute("data-level") == "written-approval"
        assert WRITTEN_APPROVAL in outcome.inner_text()
        triggers = page.locator("#check-result .check-triggers li")
        keys = [item.get_attribute("data-key") for item in triggers.all()]
        assert keys[:3] == ["final-deliverables", "talent-likeness", "personal-data"]
        assert {"secure_environment", "temporary"} <= set(keys)
        rows = page.locator("#check-result .check-matrix li .check-row-title").all_inner_texts()
        assert any(row.startswith("Talent replication") for row in rows), rows

        cards = page.locator("#check-sources .source-card")
        numbers = [int(card.get_attribute("data-n")) for card in cards.all()]
        assert numbers == list(range(1, len(numbers) + 1))
        marks = {int(n) for n in re.findall(r"\[(\d+)\]", page.locator("#check-result").inner_text())}
        assert marks == set(numbers), "every source card is cited and every mark has a card"
        assert "Introduction" in cards.first.locator(".source-section").inner_text()
        assert "Written approval is required" in " ".join(cards.first.locator("mark.source-quote").all_inner_texts())
        assert cards.first.locator("a.source-link").get_attribute("href").startswith("https://partnerhelp.netflixstudios.com/")

        brief = page.locator("#check-brief")
        assert f"Intended use: {DESCRIPTION}" in brief.inner_text() and f"Outcome: {WRITTEN_APPROVAL}" in brief.inner_text()
        assert brief.locator("strong").count() >= 3, "the brief is rendered Markdown, not its source"
        with page.expect_download() as download:
            page.locator("#check-brief-download").click()
        text = open(download.value.path(), encoding="utf-8").read()
        assert f"**Intended use:** {DESCRIPTION}" in text and f"**Outcome:** {WRITTEN_APPROVAL}" in text
        sources = text.split("**Sources**")[1]
        assert sources.count("https://partnerhelp.netflixstudios.com/") == 1, "each source is listed once"
        assert len(re.findall(r"^  - \[\d+\] ", sources, re.MULTILINE)) == len(numbers)

        cards.first.locator("mark.source-quote").first.scroll_into_view_if_needed()
        screenshot = artifacts_dir / "check.png"
        page.screenshot(path=str(screenshot), full_page=True)
        print(f"\nscreenshot: {screenshot}")

        # Changing an answer and the description lowers nothing by accident: one unsure alone escalates.
        page.locator("#check-description textarea").fill("Reference images of desert light for the cinematographer")
        answer(page, 4, "yes")
        page.locator("#check-areas input[name='personal-data']").uncheck()
        page.locator("#check-assess").click()
        page.wait_for_function("document.querySelector('#check-result .check-outcome')?.dataset.level === 'escalate'")
        assert ESCALATE in page.locator("#check-result .check-outcome").inner_text()


def test_an_empty_description_is_asked_for_and_markup_in_one_is_shown_as_text(bot):
    with serve(bot, bot.settings) as demo, chromium_page() as page:
        page.add_init_script("window.__pwned = undefined;")
        open_check_tab(page, demo.local_url)
        page.locator("#check-assess").click()
        missing = page.locator("#check-result [data-state='missing']")
        missing.wait_for()
        assert CHECK_EMPTY in missing.inner_text(), "said beside the form, not in a toast over the brief"
        assert page.locator("[data-testid='toast-body']").count() == 0
        assert page.locator("#check-result .check-outcome").count() == 0

        page.locator("#check-description textarea").fill('<img src=x onerror="window.__pwned = 1"> a mood board')
        page.locator("#check-assess").click()
        page.locator("#check-result .check-outcome").wait_for()
        assert "<img" in page.locator("#check-brief").inner_text()
        assert page.evaluate("window.__pwned") is None

        # Emptied and assessed again: the earlier result goes, not only its outcome line.
        page.locator("#check-description textarea").fill("")
        page.locator("#check-assess").click()
        page.locator("#check-result [data-state='missing']").wait_for()
        page.locator("#check-brief-download").wait_for(state="hidden")
        assert page.locator("#check-sources .source-card").count() == 0
        assert "mood board" not in page.locator("#check-output").inner_text()


def test_start_again_clears_the_form_and_the_result_and_choices_are_neutral(bot):
    with serve(bot, bot.settings) as demo, chromium_page() as page:
        open_check_tab(page, demo.local_url)
        page.locator("#check-description textarea").fill("Mood boards for the art department")
        answer(page, 1, "yes")
        answer(page, 2, "no")
        page.locator("#check-areas input[name='personal-data']").check()
        chosen = page.locator("#check-principle-1 label").filter(has_text="yes")
        red, green, blue = map(int, re.findall(r"\d+", chosen.evaluate("el => getComputedStyle(el).backgroundColor"))[:3])
        assert max(red, green, blue) - min(red, green, blue) < 40, "a chosen answer is grey, not an alarm colour"
        page.locator("#check-assess").click()
        page.locator("#check-result .check-outcome").wait_for()

        page.locator("#check-reset").click()
        page.locator("#check-result .check-outcome").wait_for(state="detached")
        assert page.locator("#check-description textarea").input_value() == ""
        assert page.locator("#check-form input:checked").count() == 0
        assert CHECK_PLACEHOLDER in page.locator("#check-result").inner_text()
        assert page.locator("#check-sources .source-card").count() == 0
        assert page.locator("#check-brief-download").is_hidden()


def test_a_consent_given_only_verbally_is_flagged_against_explicit_documented_consent(bot):
    with serve(bot, bot.settings) as demo, chromium_page() as page:
        open_check_tab(page, demo.local_url)
        page.locator("#check-description textarea").fill(
            "A digital replica of our lead actor for a stunt; he has verbally agreed")
        for number in range(1, 6):
            answer(page, number, "yes")
        page.locator("#check-assess").click()

        talent = page.locator("#check-result .check-triggers li[data-key='talent-likeness']")
        talent.wait_for()
        assert '"verbally agreed"' in talent.inner_text() and "explicit, documented consent" in talent.inner_text()
        assert page.locator("#check-result .check-outcome").get_attribute("data-level") == "written-approval"
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", talent.inner_text())}
        quotes = " ".join(page.locator("#check-sources .source-card").filter(
            has=page.locator(".source-section", has_text="Talent")).locator("mark.source-quote").all_inner_texts())
        assert cited and "documented consent" in quotes, "the card shows the guidance's own sentence"


def test_each_principle_is_one_named_radio_group_chosen_with_the_arrow_keys(bot):
    with serve(bot, bot.settings) as demo, chromium_page(width=1400, height=1100) as page:
        open_check_tab(page, demo.local_url)
        group = page.get_by_role("radiogroup", name=PRINCIPLES[0].question)
        assert group.count() == 1, "the question names its options' group"
        page.locator("#check-description textarea").fill("A mood board for the art department")
        page.locator("#check-description textarea").focus()
        page.keyboard.press("Tab")  # one stop for the whole group, then Space picks and the arrows move
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.querySelector('#check-principle-1 input[value=\"no\"]').checked")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == "check-principle-2"
        for number in range(2, 6):
            answer(page, number, "yes")
        page.locator("#check-assess").click()
        outcome = page.locator("#check-result .check-outcome")
        outcome.wait_for()
        assert outcome.get_attribute("data-level") == "escalate", "the arrow key's choice reached the check"
        page.wait_for_function("document.activeElement && document.activeElement.id === 'check-outcome'")
        box = outcome.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"], "in view"
