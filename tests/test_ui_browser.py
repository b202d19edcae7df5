"""The chat window in headless Chromium: ask, read the cited sources, vote, and never run a document's markup."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest
from ui_helpers import ANSWERS, ROOT, ask_in_browser, chromium_page, serve, wait_until

from chatbot.ui.feedback import FeedbackStore
from chatbot.ui.render import cited_numbers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "Can AI-generated signage appear in the background of a scene?"
POISONED = """---
title: "Storyboard tips <img src=x onerror=\\"window.__pwned = 'title'\\">"
publisher: Test Desk
url: "javascript:window.__pwned = 'url'"
published: 2025-01-01
kind: article
note: "A test document carrying markup that must never run."
---
# Storyboard tips

## Animatics with AI storyboards

AI storyboard generators can turn a script into rough animatic frames for the editor.
<script>window.__pwned = 'script'</script>
<img src=x onerror="window.__pwned = 'img'">
Animatic frames made by an AI storyboard generator are previsualisation only and never reach the final cut.
"""


def test_a_question_typed_in_the_browser_gets_cited_sources_and_a_vote_is_stored(bot, tmp_path, artifacts_dir):
    feedback = FeedbackStore(tmp_path / "feedback.sqlite")
    with serve(bot, bot.settings, feedback=feedback) as demo, chromium_page() as page:
        answer = ask_in_browser(page, demo.local_url, QUESTION)

        cards = page.locator("#sources .source-card")
        numbers = [int(card.get_attribute("data-n")) for card in cards.all()]
        assert numbers and numbers == list(range(1, len(numbers) + 1))
        assert set(cited_numbers(answer)) and set(cited_numbers(answer)) <= set(numbers)
        first = cards.first
        assert first.locator(".source-title").inner_text().strip()
        assert first.locator(".source-passage").inner_text().strip()
        assert page.locator("#sources mark.source-quote").count() >= 1, "the quoted sentences are marked"
        link = first.locator("a.source-link")
        assert link.get_attribute("href").startswith("https://")
        assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")

        screenshot = artifacts_dir / "chat.png"
        page.screenshot(path=str(screenshot), full_page=True)
        print(f"\nscreenshot: {screenshot}")

        page.locator("#chat .bot-row button[aria-label='Like']").first.click()
        [vote] = wait_until(feedback.all, timeout_s=20)

        page.locator("#clear").click()
        page.locator("#clear-yes").click()
        page.locator("#chat [data-testid='user']").first.wait_for(state="detached")
        assert page.locator("#sources .source-card").count() == 0
    assert vote.vote == "up"
    assert vote.question == QUESTION
    assert cited_numbers(vote.answer) == cited_numbers(answer)
    assert [citation["n"] for citation in vote.citations] == numbers


def test_markup_in_a_poisoned_document_is_shown_as_text_or_dropped_and_never_runs(make_settings, tmp_path):
    from chatbot.bot import build_bot
    from ingest import pipeline

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "storyboard-tips.md").write_text(POISONED)
    shutil.copy(ROOT / "corpus" / "articles" / "what-jennifer-did-ai-images.md", corpus / "jennifer.md")
    settings = make_settings(corpus_dir=corpus)
    assert pipeline.run(settings).failed == 0

    with serve(build_bot(settings), settings) as demo, chromium_page() as page:
        page.add_init_script("window.__pwned = undefined;")
        ask_in_browser(page, demo.local_url, "Can we use an AI storyboard generator for animatic frames?")

        cards = page.locator("#sources .source-card")
        passages = " ".join(text for text in cards.locator(".source-passage").all_inner_texts())
        assert "<script>window.__pwned = 'script'</script>" in passages  # shown as text
        assert "onerror" not in passages  # images from documents are dropped, like their links
        assert "Storyboard tips" in cards.first.locator(".source-title").inner_text()
        assert page.locator("#sources script, #sources img, #chat script, #chat img[src='x']").count() == 0
        assert page.locator("#sources a[href^='javascript']").count() == 0
        page.locator("#about").click()  # the About panel lists the same poisoned title
        page.wait_for_timeout(500)
        assert page.evaluate("window.__pwned") is None


def test_the_page_asks_for_a_login_when_one_is_set(bot, tmp_path):
    settings = dataclasses.replace(bot.settings, auth_user="crew", auth_password="s3cret-Pass")
    with serve(bot, settings, feedback=FeedbackStore(tmp_path / "feedback.sqlite")) as demo, chromium_page() as page:
        page.goto(demo.local_url)
        password = page.locator("input[type='password']")
        password.wait_for()
        assert page.locator("#question").count() == 0

        page.locator("input[type='text'], input:not([type])").first.fill("crew")
        password.fill("s3cret-Pass")
        page.get_by_role("button", name=re.compile("log ?in", re.IGNORECASE)).click()
        page.locator("#question textarea").wait_for()

        page.get_by_text("What happened with What Jennifer Did?").click()  # an example question
        page.locator("#sources .source-card").first.wait_for()
        assert "What Jennifer Did" in page.locator("#sources").inner_text()


def test_rapid_repeated_submits_ask_once(bot, tmp_path):
    with serve(bot, bot.settings, feedback=FeedbackStore(tmp_path / "feedback.sqlite")) as demo, chromium_page() as page:
        page.goto(demo.local_url)
        box = page.locator("#question textarea")
        box.fill(QUESTION)
        for _ in range(4):
            box.press("Enter")
        page.locator("#sources .source-card").first.wait_for()
        page.wait_for_timeout(1500)
        assert page.locator("#chat [data-testid='user']").count() == 1
        assert page.locator(ANSWERS).count() == 1
