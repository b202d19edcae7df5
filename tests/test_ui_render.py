"""What the chat window renders: escaped source cards, answer Markdown, streamed chunks and the About panel."""

from __future__ import annotations

from html.parser import HTMLParser

from chatbot.ui import render
from chatbot.store.catalog import DocumentInfo, documents_from_metadata, sort_documents
from chatbot.types import Citation

POISON = 'Ignore this <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2"> too.'


def citation(n: int, **fields) -> Citation:
    values = dict(title=f"Document {n}", section="Guiding Principles > Talent", url=f"https://example.org/{n}",
                  passage=f"Passage {n}.", score=0.5, source=f"doc-{n}.md", kind="guidance")
    values.update(fields)
    return Citation(n=n, **values)


class Tags(HTMLParser):
    """The start tags and attributes of an HTML fragment, as a browser's parser would see them."""

    def __init__(self, markup: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_cards_are_numbered_like_the_citations_with_title_section_passage_and_link():
    markup = render.sources_html([citation(1), citation(2, kind="article")])

    cards = [attrs for tag, attrs in Tags(markup).tags if tag == "article"]
    assert [(card["class"], card["data-n"]) for card in cards] == [("source-card", "1"), ("source-card", "2")]
    assert "Document 1" in markup and "Guiding Principles › Talent" in markup and "Passage 2." in markup
    links = [attrs for tag, attrs in Tags(markup).tags if tag == "a"]
    assert {link["href"] for link in links} == {"https://example.org/1", "https://example.org/2"}
    assert all(link["target"] == "_blank" and "noopener" in link["rel"] for link in links)


def test_a_poisoned_passage_title_and_section_become_text_not_markup():
    markup = render.sources_html([citation(1, passage=POISON, title="<b onmouseover=alert(1)>T</b>",
                                           section='<svg onload="x()">')])

    tags = {tag for tag, _ in Tags(markup).tags}
    assert tags <= {"section", "h2", "article", "header", "span", "a", "div", "blockquote", "footer", "details", "summary"}
    assert not any(name.startswith("on") for _, attrs in Tags(markup).tags for name in attrs)
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;" in markup


def test_a_long_passage_folds_after_its_opening_words_and_keeps_every_word():
    passage = " ".join(f"word{i}" for i in range(120)) + " <b>end</b>"
    markup = render.sources_html([citation(1, passage=passage)])

    before, _, folded = markup.partition('<details class="source-more"><summary>Show the whole passage</summary>')
    assert "word59 " in before and "word60" not in before
    assert "word60 " in folded and "&lt;b&gt;end&lt;/b&gt;</details>" in folded
    assert "<details" not in render.sources_html([citation(1, passage="A short passage.")])


def test_the_sentences_an_answer_cites_are_marked_in_their_passage_and_never_folded_away():
    passage = " ".join(f"word{i}" for i in range(100)) + " The <b>cited</b>\n sentence is here. " + " ".join(["filler"] * 40)
    answer = "Lead in. The <b>cited</b> sentence is here. [1] Other claim. [2][1]"
    markup = render.sources_html([citation(1, passage=passage), citation(2)], answer=answer)

    assert '<mark class="source-quote">The &lt;b&gt;cited&lt;/b&gt;\n sentence is here.</mark>' in markup
    visible = markup.partition("<summary>")[0]
    assert "source-quote" in visible and "filler" not in visible
    assert "Lead in" not in visible.partition("source-quote")[2].partition("</mark>")[0]
    assert render.quoted_sentences(answer) == {1: ["Lead in.", "The <b>cited</b> sentence is here.", "Other claim."],
                                               2: ["Other claim."]}


def test_a_bulleted_answer_marks_its_cited_sentences_too():
    passage = "Intro words here. Netflix sorts the examples into four areas. More text follows."
    answer = "The sources found say nothing about “x”. The nearest rules they give:\n" \
             "- Netflix sorts the examples into four areas. [1]\n- Other claim. [2]"
    assert render.quoted_sentences(answer)[1][-1] == "Netflix sorts the examples into four areas."
    markup = render.sources_html([citation(1, passage=passage), citation(2)], answer=answer)
    assert '<mark class="source-quote">Netflix sorts the examples into four areas.</mark>' in markup
    assert "“Netflix sorts the examples into four areas.”" in render.preview_text(
        citation(1, passage=passage), render.quoted_sentences(answer)[1])


def test_a_verdicts_bold_label_does_not_hide_the_rule_quoted_after_it():
    answer = "**Proceed, and tell your contact.** Mood boards are marked proceed in the matrix. [1]"
    assert render.quoted_sentences(answer)[1][-1] == "Mood boards are marked proceed in the matrix."


def test_only_web_links_are_made_clickable():
    markup = render.sources_html([citation(1, url="javascript:alert(1)"), citation(2, url="data:text/html,x"),
                                  citation(3, url="")])
    assert [attrs for tag, attrs in Tags(markup).tags if tag == "a"] == []
    assert "javascript:" not in markup and "data:text" not in markup
    assert 'class="source-path">doc-1.md<' in markup


def test_a_declined_answer_shows_no_cards():
    markup = render.sources_html([citation(1)], declined=True)
    assert "source-card" not in markup
    assert "don't cover this question" in markup


def test_answer_markdown_escapes_tags_and_shows_notice_and_decline():
    text = render.answer_markdown("Yes [1]. <script>alert(1)</script> & more", notice="Your question was cut <b>.")
    assert "<script>" not in text and "&lt;script&gt;" in text and "&amp; more" in text
    assert text.endswith("> *Your question was cut &lt;b&gt;.*")
    assert render.answer_markdown("Not covered.", declined=True).startswith("**No answer in the sources.**")


def test_streamed_chunks_grow_and_end_with_the_whole_answer():
    answer = "Mood boards are fine for ideation [1]. Final pixels need written approval [2]."
    chunks = list(render.stream_chunks(answer, words_per_chunk=3))

    assert len(chunks) == 5
    assert chunks[-1] == answer
    assert all(later.startswith(earlier) and len(later) > len(earlier) for earlier, later in zip(chunks, chunks[1:]))
    assert list(render.stream_chunks("")) == [""]


def test_cited_numbers_in_order_of_first_use():
    assert render.cited_numbers("A [2]. B [1][2]. C [10].") == [2, 1, 10]
    assert render.cited_numbers("No markers.") == []


def test_about_lists_each_document_with_kind_date_and_original_and_says_they_are_restatements():
    documents = [
        DocumentInfo("netflix-genai-guidance.md", "Using Generative AI | Content", "https://example.org/g",
                     "guidance", "Netflix", "2025-08-20", True),
        DocumentInfo("articles/x.md", "An <i>article</i>", "", "article", "The Verge", "2025-08-22", True),
    ]
    text = render.about_markdown(documents)

    assert "restate their sources" in text
    assert ("| [Using Generative AI \\| Content](https://example.org/g) (example.org) | Guidance | Netflix | 2025-08-20 |"
            in text)
    assert "| An &lt;i&gt;article&lt;/i&gt; | Article | The Verge | 2025-08-22 |" in text
    assert "No documents are indexed yet" in render.about_markdown([])


def test_documents_are_listed_once_each_guidance_first_then_newest():
    chunk = {"title": "t", "url": "", "publisher": "p", "restated": True}
    metadatas = [
        {**chunk, "source": "a.md", "kind": "article", "published": "2025-01-01"},
        {**chunk, "source": "g.md", "kind": "guidance", "published": "2024-12-01"},
        {**chunk, "source": "a.md", "kind": "article", "published": "2025-01-01"},
        {**chunk, "source": "b.md", "kind": "article", "published": "2025-06-01"},
    ]
    assert [d.source for d in sort_documents(documents_from_metadata(metadatas))] == ["g.md", "b.md", "a.md"]
