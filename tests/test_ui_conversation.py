"""A conversation as data: chat messages with folded sources, footnotes, export, next questions and card links."""

from __future__ import annotations

import json
import sys
import types
from datetime import datetime, timezone
from urllib.parse import unquote

import pytest

from chatbot.query.history import context
from chatbot.ui import conversation, render, source_links
from chatbot.types import Answer, Citation

ANSWER = "Signage may appear in the background. [1] Flag it early to your contact. [2]"


def citation(n: int, **fields) -> Citation:
    values = dict(title=f"Document {n}", section=f"Part {n} > Detail {n}", url=f"https://example.org/doc{n}",
                  passage=f"Intro words here. {ANSWER.split('[')[0] if n == 1 else 'Flag it early to your contact.'}",
                  score=0.5, source=f"doc-{n}.md", kind="guidance")
    values.update(fields)
    return Citation(n=n, **values)


def turn(question: str = "Can signage appear?", citations=(citation(1), citation(2)), text: str = ANSWER) -> dict:
    return conversation.turn_of(Answer(question=question, text=text, citations=tuple(citations)), question)


def test_each_turn_shows_question_answer_and_its_sources_folded_under_it():
    turns = [turn(), turn("Is it covered?", citations=(), text="Not covered.") | {"declined": True}, turn("Again?")]
    messages = conversation.messages(turns)

    assert [(m["role"], m.get("metadata", {}).get("title")) for m in messages] == [
        ("user", None), ("assistant", None), ("assistant", "Sources for answer 1"),
        ("user", None), ("assistant", None),
        ("user", None), ("assistant", None), ("assistant", "Sources for answer 3")]
    assert messages[2]["metadata"]["status"] == "done", "folded until opened"
    assert messages[4]["content"].startswith("**No answer in the sources.**")
    assert "options" not in messages[2] and messages[-1]["options"], "only the latest answer suggests questions"
    assert [conversation.turn_at(turns, i) for i in range(len(messages))] == [0, 0, 0, 1, 1, 2, 2, 2]
    assert conversation.turn_at(turns, [7]) == 2 and conversation.turn_at(turns, 8) is None


def test_footnotes_give_title_section_and_link_per_source_and_escape_markup():
    footnotes = conversation.footnotes_markdown([citation(1), citation(2, title="<b>Bold</b> & co")], ANSWER)

    assert footnotes.splitlines() == ["[1] Document 1 › Part 1 › Detail 1: https://example.org/doc1",
                                      "[2] &lt;b&gt;Bold&lt;/b&gt; &amp; co › Part 2 › Detail 2: https://example.org/doc2"]


def test_the_export_holds_every_question_answer_and_footnote():
    turns = [turn(), conversation.failed_turn("Broken?", "Sorry, something went wrong.")]
    text = conversation.export_markdown(turns, "Assistant", now=datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc))

    assert text.startswith("# Assistant\n\nConversation exported 2025-01-02 03:04 UTC.")
    assert "## 1. Can signage appear?\n\n" + ANSWER in text
    assert "- [1] Document 1 › Part 1 › Detail 1: https://example.org/doc1" in text
    assert "- [2] Document 2 › Part 2 › Detail 2: https://example.org/doc2" in text
    assert "## 2. Broken?\n\nSorry, something went wrong." in text


def test_next_questions_are_the_cited_headings_themselves_not_invented():
    cited = [citation(1, section="Appendix > Matrix > Background signage"),
             citation(2, section="Is final output different from temporary media?"),
             citation(3, section="Approval areas > 2. Creative Output")]
    asked = ["Can AI-generated signage appear in the background?"]

    assert conversation.suggestions(cited, asked) == [
        "Is final output different from temporary media?",
        "What does the guidance say about “Creative Output”?",
        "What does the guidance say about “Matrix”?"]
    assert "Is final output different from temporary media?" not in conversation.suggestions(
        cited, [*asked, "Is the final output different from temporary media?"])
    assert conversation.suggestions([], asked) == []


def test_a_heading_of_a_document_that_is_not_the_guidance_is_not_called_the_guidance():
    cited = [citation(1, section="Rules"), citation(2, kind="article", section="How press reports differ")]
    assert conversation.suggestions(cited, []) == ["What do the sources say about “How press reports differ”?"]


def test_stored_turns_from_another_version_still_load():
    stored = turn()
    stored["citations"][0]["added_later"] = "ignored"
    del stored["citations"][1]["anchors"]

    assert [c.n for c in conversation.citations_of(stored)] == [1, 2]


def test_a_restated_document_links_to_its_page():
    assert source_links.citation_link(citation(1), ["Signage may appear in the background."]) == "https://example.org/doc1"
    assert source_links.citation_link(citation(1, url="javascript:alert(1)")) == ""


def test_an_original_document_links_to_the_quoted_words_else_to_its_heading():
    quoted = "Flag it early to your contact, before the shoot - and say why."
    original = citation(2, restated=False, passage=f"Some words. {quoted} More.", section="Rules > Flagging elements early")

    link = source_links.citation_link(original, [quoted])
    base, directive = link.split("#:~:text=")
    assert base == "https://example.org/doc2"
    start, end = directive.split(",")
    assert (unquote(start), unquote(end)) == ("Flag it early to", "- and say why.")
    assert "-" not in end, "a dash inside a text directive is escaped"
    heading = source_links.citation_link(original, ["A sentence the passage does not hold."])
    assert unquote(heading.split("#:~:text=")[1]) == "Flagging elements early"
    assert source_links.citation_link(citation(3, restated=False, url="https://example.org/a#part"), [
        "Intro words here."]) == "https://example.org/a#part:~:text=Intro%20words%20here."


def test_markdown_marks_are_dropped_from_a_fragment():
    assert source_links.plain_text("- **Explicit** approval is [needed](https://x.org) `now`") == \
        "Explicit approval is needed now"


@pytest.fixture
def deep_link(monkeypatch):
    """The anchors module ingest's sidecars come with; a stand-in of the same signature where it is absent."""
    try:
        from chatbot.anchors import deep_link
    except ImportError:
        def deep_link(url: str, anchors_json: str, sentence: str) -> str:
            fragment = json.loads(anchors_json or "{}").get(" ".join(sentence.split()), "")
            return url + fragment if fragment else url

        module = types.ModuleType("chatbot.anchors")
        module.deep_link = deep_link
        monkeypatch.setitem(sys.modules, "chatbot.anchors", module)
    return deep_link


def test_a_cited_sentence_with_an_anchor_links_to_the_original_sentence(deep_link):
    sentence = "Flag it early to your contact."
    anchors = json.dumps({sentence: "#:~:text=Flag%20early,contact"})
    cited = citation(2, anchors=anchors)

    expected = deep_link(cited.url, anchors, sentence)
    assert expected != cited.url
    assert source_links.citation_link(cited, [sentence]) == expected
    assert source_links.citation_link(cited) == expected, "the passage's first anchored sentence when none is quoted"
    card = render.sources_html([cited], answer=f"{sentence} [2]")
    assert f'class="source-link" href="{expected}"' in card
    assert conversation.footnote(cited, [sentence]).endswith(expected)


def test_marker_previews_name_the_source_and_the_cited_sentence():
    markup = render.cite_previews_html([(1, ANSWER, [citation(1), citation(2)]), (2, "No quote [1]", [citation(1)])])

    assert '<div class="cite-previews" hidden>' in markup
    assert ('<div data-answer="1"><p data-n="1">[1] Document 1 › Part 1 › Detail 1: “Signage may appear in the '
            'background.”</p>') in markup
    assert '<div data-answer="2"><p data-n="1">[1] Document 1 › Part 1 › Detail 1: “Intro words here.' in markup


def test_a_kept_conversation_is_restored_and_an_unreadable_one_starts_afresh():
    from chatbot.ui.ui_chat import restored

    shown, turns, panel, previews, export = restored([turn()], "Assistant")
    assert [m["role"] for m in shown] == ["user", "assistant", "assistant"] and len(turns) == 1
    assert 'data-answer="1"' in panel and 'data-answer="1"' in previews and export["interactive"] is True

    for stored in (None, "text", [{"question": "q"}], [{"question": "q", "answer": "a", "citations": [{"n": "x"}]}]):
        shown, turns, panel, previews, export = restored(stored, "Assistant")
        assert (shown, turns, export["interactive"]) == ([], [], False) and "data-answer" not in previews, stored


def test_a_turn_keeps_the_question_as_typed_and_the_correction_in_the_notice():
    answer = Answer(question="do i need approval for storyboards", text=ANSWER, citations=(citation(1),),
                    notice="Searched for: approval, storyboards")
    kept = conversation.turn_of(answer, "do i need aproval for storybords ")
    assert kept["question"] == "do i need aproval for storybords"
    assert kept["notice"] == "Searched for: approval, storyboards"
    assert conversation.turn_of(answer, "")["question"] == answer.question


def test_chained_follow_ups_are_read_as_separate_questions():
    history = [{"role": "user", "content": "can we use Midjourney for moodboards"},
               {"role": "assistant", "content": "Proceed."},
               {"role": "user", "content": "what about posters?"},
               {"role": "assistant", "content": "Use judgment."}]
    assert context("and for the final one?", history) == "can we use Midjourney for moodboards / what about posters?"
