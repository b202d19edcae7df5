"""Links and images in documents stay words: no answer, card, title or API reply carries a live link or an image."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest
from ui_helpers import serve

from chatbot.ui import render
from chatbot.answer.markup import citation_fields
from chatbot.types import Citation

pytestmark = pytest.mark.slow

HOSTS = ("evil.example", "pixel.example")
DOCUMENT = """---
title: "Lighting notes ![tracker [1]](http://pixel.example/title.png) [v2](https://evil.example/t)"
url: "javascript:alert(document.cookie)"
---
# Lighting notes ![chart [1]](http://pixel.example/heading.png)

Gaffers must log every LED wall panel in the [partner portal [secure]](https://evil.example/login) before the shoot.
Each LED wall panel log ![chart [1]](http://pixel.example/pixel.png) names the [panel vendor][vendor] and the night.

[vendor]: https://evil.example/vendor
"""
QUESTION = "Where must gaffers log every LED wall panel before the shoot?"
MARKUP = re.compile(r"\]\(|!\[|<a\b|<img\b|javascript:", re.IGNORECASE)


@pytest.fixture(scope="module")
def linked(corpus_settings, tmp_path_factory):
    from ingest import pipeline

    work = tmp_path_factory.mktemp("links")
    path = work / "lighting-notes.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    settings = dataclasses.replace(corpus_settings, data_dir=work / "data")
    shutil.copytree(corpus_settings.data_dir, settings.data_dir)
    assert pipeline.run(settings, [str(path)]).failed == 0
    return settings, str(path)


def no_links(text: str) -> bool:
    return not MARKUP.search(text) and not any(host in text for host in HOSTS)


def test_answers_cards_and_the_about_panel_carry_no_link_or_image_from_a_document(linked):
    from chatbot.bot import build_bot
    from chatbot.store.catalog import list_documents

    settings, source = linked
    answer = build_bot(settings).ask(QUESTION)
    cited = [c for c in answer.citations if c.source == source]
    assert cited, "the linked document answers the question, so its words are shown"
    assert "partner portal [secure]" in answer.text or "partner portal [secure]" in cited[0].passage

    for text in (render.answer_markdown(answer.text), render.sources_html(answer.citations, answer=answer.text)):
        assert no_links(text), MARKUP.search(text) or text
    about = render.about_markdown(list_documents(settings))  # links to the corpus's originals are the app's own
    assert "| Lighting notes v2 | Document |" in about
    assert not any(host in about for host in HOSTS) and "![" not in about and "javascript:" not in about


def test_the_api_answers_in_plain_text_with_structured_citations(linked):
    from gradio_client import Client

    from chatbot.bot import build_bot

    settings, source = linked
    with serve(build_bot(settings), settings, documents=[]) as demo:
        reply = Client(demo.local_url, verbose=False).predict(QUESTION, api_name="/ask")
    assert set(reply) == {"question", "answer", "declined", "notice", "citations"}
    assert no_links(reply["answer"])
    for citation in reply["citations"]:
        assert all(no_links(str(value)) for value in citation.values()), citation
        assert citation["url"] == "" or citation["url"].startswith(("http://", "https://"))
    assert any(c["source"] == source and c["url"] == "" for c in reply["citations"])


def test_a_citation_keeps_only_a_web_address():
    citation = Citation(n=1, title="[T](https://evil.example)", section="S", url="javascript:alert(1)",
                        passage="See ![x](http://pixel.example/p.png) the [log](https://evil.example/l).", score=0.5)
    fields = citation_fields(citation)
    assert (fields["title"], fields["url"], fields["passage"]) == ("T", "", "See  the log.")
    assert citation_fields(dataclasses.replace(citation, url=" https://example.org/page "))["url"] == (
        "https://example.org/page")
