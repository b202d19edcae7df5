"""The chat window in headless Chromium: markers that lead to their card, numbered answers, copy, export, retry,
next questions, a conversation kept across reloads, a phone's view, and a reason for a thumbs-down."""

from __future__ import annotations

import re

import pytest
from ui_helpers import ANSWERS, ask_in_browser, chromium_page, serve, wait_for_answer, wait_until

from chatbot.ui.feedback import FeedbackStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "Can AI-generated signage appear in the background of a scene?"
FOLLOW_UP = "Do we need written approval for a digital double of our lead?"
CLIPBOARD = ["clipboard-read", "clipboard-write"]


class CountingBot:
    """The shared bot, counting the questions it is asked."""

    def __init__(self, bot):
        self.bot, self.settings, self.questions = bot, bot.settings, []

    def ask(self, question: str, **options):
        self.questions.append(question)
        return self.bot.ask(question, **options)


def words(text: str) -> str:
    return " ".join(text.split())


def cards(page) -> list[dict]:
    """The cards of the sources panel: number, title, section, link and marked sentences."""
    return page.locator("#sources .source-card").evaluate_all("""cards => cards.map(card => ({
        n: Number(card.dataset.n), title: card.querySelector('.source-title').innerText,
        section: card.querySelector('.source-section')?.innerText || '',
        link: card.querySelector('a.source-link')?.href || '',
        quotes: [...card.querySelectorAll('mark.source-quote')].map(mark => mark.innerText)}))""")


def ask(page, question: str, number: int) -> str:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    return wait_for_answer(page, number)


def test_marker_2_leads_to_card_2_and_shows_its_cited_sentence_on_hover_and_focus(bot):
    with serve(bot, bot.settings) as demo, chromium_page(1366, 900) as page:
        ask_in_browser(page, demo.local_url, QUESTION)
        card = next(card for card in cards(page) if card["n"] == 2)
        marker = page.locator("#chat a.cite-link[data-n='2'][data-answer='1']").first
        tip = page.locator("#cite-tip")

        marker.hover()
        tip.wait_for()
        assert words(tip.inner_text()).startswith(f"[2] {words(card['title'])} › ")
        assert card["quotes"] and words(card["quotes"][0]) in words(tip.inner_text())
        assert marker.get_attribute("aria-describedby") == "cite-tip"
        page.mouse.move(1, 1)
        tip.wait_for(state="hidden")
        marker.focus()
        tip.wait_for()
        page.keyboard.press("Escape")
        tip.wait_for(state="hidden")

        page.evaluate("document.querySelector('#sources .sources-panel').scrollTop = 1e6")
        marker.click()
        page.locator("#sources #source-2.is-cited").wait_for()
        assert page.locator("#sources .source-card.is-cited").count() == 1
        assert page.evaluate("document.activeElement.id") == "source-2"
        assert page.evaluate("""() => {
            const card = document.querySelector('#sources #source-2').getBoundingClientRect();
            const panel = document.querySelector('#sources .sources-panel').getBoundingClientRect();
            return card.top >= panel.top - 1 && card.top < panel.bottom && card.top >= 0 && card.top < innerHeight;
        }"""), "card 2 is scrolled into view"


def test_answers_are_numbered_like_the_panel_and_each_is_selected_from_the_keyboard(bot):
    with serve(bot, bot.settings) as demo, chromium_page(1366, 900) as page:
        ask_in_browser(page, demo.local_url, QUESTION)
        ask(page, FOLLOW_UP, 2)
        answers = page.locator(ANSWERS)
        page.locator(f"{ANSWERS}[data-answer='2'][aria-current='true']").wait_for()

        assert [answers.nth(i).get_attribute("data-answer") for i in range(2)] == ["1", "2"]
        assert [answers.nth(i).get_attribute("tabindex") for i in range(2)] == ["0", "0"]
        labels = [answers.nth(i).evaluate("el => getComputedStyle(el, '::before').content") for i in range(2)]
        assert "Answer" in labels[0] and "sources shown" not in labels[0] and "sources shown" in labels[1]
        assert page.locator("#sources .sources-heading").inner_text().lower() == "sources for answer 2"
        assert answers.nth(0).get_attribute("aria-current") is None

        page.locator("#question textarea").focus()
        for _ in range(80):  # backwards through the page, as a keyboard user would go
            page.keyboard.press("Shift+Tab")
            if page.evaluate("document.activeElement.dataset.answer") == "1":
                break
        else:
            pytest.fail("answer 1 could not be reached with the Tab key")
        page.keyboard.press("Enter")
        page.locator("#sources .sources-panel[data-answer='1']").wait_for()
        page.locator(f"{ANSWERS}[data-answer='1'][aria-current='true']").wait_for()
        assert page.locator("#sources .sources-heading").inner_text().lower() == "sources for answer 1"
        assert answers.nth(1).get_attribute("aria-current") is None


def test_the_send_button_the_question_box_and_the_sources_panel_are_named_for_assistive_technology(bot):
    with serve(bot, bot.settings) as demo, chromium_page(1366, 900) as page:
        page.goto(demo.local_url)
        page.locator("#sources[aria-live='polite']").wait_for()

        assert page.get_by_role("button", name="Ask", exact=True).count() == 1
        assert page.get_by_label("Your question").evaluate("el => el.tagName") == "TEXTAREA"
        assert page.get_by_role("region", name="Sources of the selected answer").count() == 1


def test_copy_gives_the_answer_with_its_sources_as_footnotes(bot):
    with serve(bot, bot.settings) as demo, chromium_page(1366, 900, permissions=CLIPBOARD) as page:
        answer = ask_in_browser(page, demo.local_url, QUESTION)
        shown = cards(page)

        page.locator("#chat .bot-row button[aria-label='Copy message']").first.click()
        copied = wait_until(lambda: page.evaluate("navigator.clipboard.readText()"))

        assert words(copied).startswith(words(answer))
        assert "Sources for answer 1" in copied
        for card in shown:
            assert f"[{card['n']}] {words(card['title'])} › {words(card['section'])}: {card['link']}" in words(copied)


def test_export_downloads_the_conversation_as_markdown_with_its_sources(bot):
    with serve(bot, bot.settings) as demo, chromium_page(1366, 900) as page:
        first = ask_in_browser(page, demo.local_url, QUESTION)
        first_cards = cards(page)
        ask(page, FOLLOW_UP, 2)
        page.locator("#export:not([disabled]), #export button:not([disabled])").first.wait_for()

        with page.expect_download() as download:
            page.locator("#export").click()
        text = open(download.value.path(), encoding="utf-8").read()
        name = download.value.suggested_filename

    assert name == "conversation.md"
    assert f"## 1. {QUESTION}" in text and f"## 2. {FOLLOW_UP}" in text
    assert words(first) in words(text)
    part_one = text.split("## 2. ")[0]
    for card in first_cards:
        assert f"- [{card['n']}] {words(card['title'])} › {words(card['section'])}: {card['link']}" in words(part_one)


def test_retry_asks_the_last_question_again(bot):
    counting = CountingBot(bot)
    with serve(counting, bot.settings) as demo, chromium_page(1366, 900) as page:
        ask_in_browser(page, demo.local_url, QUESTION)
        page.locator("#chat .bot-row button[aria-label='Retry']").first.click()
        wait_until(lambda: counting.questions == [QUESTION, QUESTION], timeout_s=60)
        wait_for_answer(page, 1)

        assert page.locator("#chat [data-testid='user']").all_inner_texts() == [QUESTION]
        assert page.locator(ANSWERS).count() == 1


def test_next_questions_are_drawn_from_the_cited_headings_and_can_be_asked(bot):
    with serve(bot, bot.settings) as demo, chromium_page(1366, 900) as page:
        ask_in_browser(page, demo.local_url, QUESTION)
        headings = {part.strip() for card in cards(page) for part in card["section"].split("›")}
        options = page.locator("#chat .options .option")
        offered = [words(text) for text in options.all_inner_texts()]

        assert 2 <= len(offered) <= 3
        for option in offered:
            heading = re.fullmatch(r"What (?:does the guidance|do the sources) say about “(.+)”\?", option)
            assert option in headings or (heading and any(h.endswith(heading.group(1)) for h in headings)), option
        options.first.click()
        wait_for_answer(page, 2)
        assert words(page.locator("#chat [data-testid='user']").last.inner_text()) == offered[0]


def test_the_conversation_survives_a_reload_and_clearing_asks_first(bot):
    with serve(bot, bot.settings) as demo, chromium_page(1366, 900) as page:
        answer = ask_in_browser(page, demo.local_url, QUESTION)
        before = cards(page)

        page.reload()
        assert wait_for_answer(page, 1) == answer
        assert page.locator("#chat [data-testid='user']").all_inner_texts() == [QUESTION]
        assert cards(page) == before

        page.locator("#clear").click()
        page.locator("#clear-confirm").wait_for()
        page.locator("#clear-no").click()
        page.locator("#clear-confirm").wait_for(state="hidden")
        assert page.locator(ANSWERS).count() == 1

        page.locator("#clear").click()
        page.locator("#clear-yes").click()
        page.locator("#chat [data-testid='user']").wait_for(state="detached")
        page.locator("#clear-confirm").wait_for(state="hidden")
        assert page.locator("#sources .source-card").count() == 0
        page.locator("#cite-previews [data-answer]").wait_for(state="detached")  # the cleared turns are saved

        page.reload()
        page.locator("#chat .examples").wait_for()
        assert page.locator("#chat [data-testid='user']").count() == 0


def test_a_phone_opens_at_the_top_and_each_answer_has_its_sources_folded_under_it(bot):
    with serve(bot, bot.settings) as demo, chromium_page(390, 844, is_mobile=True, has_touch=True) as page:
        page.goto(demo.local_url)
        page.locator("#chat .examples[role='group']").wait_for()  # the page's own script has run

        assert page.evaluate("window.scrollY") == 0
        assert page.evaluate("document.activeElement.tagName") != "TEXTAREA"
        for visible in (page.locator("h1"), page.get_by_role("tab", name="Ask the guidance"),
                        page.get_by_role("tab", name="Check my use case")):
            box = visible.bounding_box()
            assert box and 0 <= box["y"] and box["y"] + box["height"] <= 844

        ask(page, QUESTION, 1)
        row = page.locator("#chat .bot-row").first
        fold = row.locator(".thought-group [role='button']")
        answer_box, fold_box = page.locator(ANSWERS).first.bounding_box(), fold.bounding_box()
        assert 0 <= fold_box["y"] - (answer_box["y"] + answer_box["height"]) < 200, "the fold is right under the answer"
        assert "Sources for answer 1" in fold.inner_text()

        fold.click()
        footnotes = row.locator(".thought-group").inner_text()
        for card in cards(page):
            assert f"[{card['n']}] {words(card['title'])}" in words(footnotes)


def test_a_thumbs_down_asks_for_a_reason_kept_with_the_vote_and_a_toast_replaces_the_last(bot, tmp_path):
    feedback = FeedbackStore(tmp_path / "feedback.sqlite")
    with serve(bot, bot.settings, feedback=feedback) as demo, chromium_page(1366, 900) as page:
        ask_in_browser(page, demo.local_url, QUESTION)

        page.locator("#chat .bot-row button[aria-label='Dislike']").first.click()
        reason = page.get_by_label("What was wrong with answer 1? (optional)")
        reason.wait_for()
        [vote] = wait_until(feedback.all)
        assert (vote.vote, vote.reason) == ("down", "")

        reason.fill("It cites a section about posters, not signage.")
        page.locator("#vote-reason-send").click()
        wait_until(lambda: feedback.all()[0].reason == "It cites a section about posters, not signage.")
        page.locator("#vote-reason-text").wait_for(state="hidden")

        page.get_by_text("Thanks, the reason was saved with your vote.").wait_for()
        toasts = [text for text in page.locator("[data-testid='toast-text']").all() if text.is_visible()]
        assert [toast.inner_text() for toast in toasts] == ["Thanks, the reason was saved with your vote."]
        assert len(feedback.all()) == 1


def test_a_can_i_question_opens_with_the_verdict_line_whose_marker_leads_to_the_rule(bot):
    with serve(bot, bot.settings) as demo, chromium_page(1366, 900) as page:
        text = ask_in_browser(page, demo.local_url, "Can I use Midjourney for mood boards?")
        answer = page.locator(ANSWERS).first
        assert words(text).startswith("Proceed, and tell your Netflix contact.")
        # The verdict is the answer's first, bold line, and it ends on its own citation.
        verdict = answer.locator("strong").first
        assert words(verdict.inner_text()) == "Proceed, and tell your Netflix contact."
        first_paragraph = answer.locator("p").first
        marker = first_paragraph.locator("a.cite-link").last
        number = marker.get_attribute("data-n")
        assert number and words(first_paragraph.inner_text()).endswith(f"[{number}]")

        marker.click()
        page.locator(f"#sources #source-{number}.is-cited").wait_for()
        card = next(card for card in cards(page) if str(card["n"]) == number)
        assert "Use Case Matrix" in card["section"] and "Ideation" in card["section"]
        assert any("proceed" in quote.lower() for quote in card["quotes"])


def test_on_a_phone_a_long_answer_is_shown_from_its_verdict_not_its_end(bot):
    with serve(bot, bot.settings) as demo, chromium_page(390, 844, is_mobile=True, has_touch=True) as page:
        page.goto(demo.local_url)
        page.locator("#chat .examples[role='group']").wait_for()
        ask(page, "Do we need written approval for a digital double of our lead?", 1)
        answer = page.locator(ANSWERS).first
        verdict = answer.locator("strong").first

        def in_view(element) -> bool:
            return page.evaluate("""(element) => {
                let box = element.parentElement;
                while (box && !(['auto', 'scroll'].includes(getComputedStyle(box).overflowY)
                                && box.scrollHeight > box.clientHeight)) box = box.parentElement;
                const shown = box ? box.getBoundingClientRect() : {top: 0, bottom: window.innerHeight};
                const line = element.getBoundingClientRect();
                return line.top >= shown.top && line.bottom <= shown.bottom;
            }""", element.element_handle())

        assert answer.bounding_box()["height"] > 560, "the answer is taller than the chat: the test needs a long one"
        assert in_view(verdict) and words(verdict.inner_text()) == "Written approval required."
        ask(page, "Can I use Midjourney for mood boards?", 2)  # a later answer, below a long one, opens at its verdict
        second = page.locator(ANSWERS).nth(1).locator("strong").first
        assert in_view(second) and words(second.inner_text()) == "Proceed, and tell your Netflix contact."
