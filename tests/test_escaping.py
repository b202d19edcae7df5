"""Text shown as Markdown reads as written: commands in error messages keep their brackets, and a user's markup
in the use-case brief stays words in whatever tool the brief is pasted into."""

from __future__ import annotations

import re

import pytest

from chatbot.ui import render
from chatbot.answer.markup import escape_markdown
from chatbot.errors import StoreUnavailable
from chatbot.settings import Settings
from chatbot.store.client import unusable

# Markup a Markdown renderer would act on: an image, a link, raw HTML, emphasis, a heading or list at the start.
LIVE = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\(|(?<!\\)<[a-z/]|(?<!\\)\*\*|^#|^- ", re.IGNORECASE)


def test_a_command_in_a_chat_error_keeps_its_angle_brackets_and_tags_outside_it_are_escaped():
    settings = Settings(chroma_url="http://127.0.0.1:9")
    message = str(StoreUnavailable(unusable(settings, ConnectionError("refused"))))
    shown = render.escape_markdown_html(message + " <b>bold</b>")

    assert "`chroma run --path <folder>`" in shown and "&lt;folder&gt;" not in shown
    assert shown.endswith("&lt;b&gt;bold&lt;/b&gt;")
    assert render.escape_markdown_html("``a `<i>` b`` and \\`<i>`") == "``a `<i>` b`` and \\`&lt;i&gt;`"
    assert render.escape_markdown_html("an `unclosed <i> span") == "an `unclosed &lt;i&gt; span"


@pytest.mark.parametrize("text", [
    "![tracker](http://pixel.example/p.png) and [click](javascript:alert(1))",
    "<img src=x onerror=alert(1)> <script>alert(1)</script>",
    "# Heading\n- item\n**bold** `code` ~~struck~~ | cell |",
    "1. first step",
])
def test_user_markup_becomes_literal_words(text):
    escaped = escape_markdown(text)
    assert "\n" not in escaped
    assert not LIVE.search(escaped), escaped
    assert re.sub(r"\\(.)", r"\1", escaped) == " ".join(text.split()), "unescaped, the words are the user's own"


def test_the_use_case_brief_escapes_the_description(bot):
    from chatbot.usecase.checker import UseCaseChecker

    description = "Generate shop signage ![tracker](http://pixel.example/p.png) <img src=x> [portal](https://evil.example)"
    brief = UseCaseChecker(bot.settings).assess(description, {}, []).to_markdown()
    line = next(line for line in brief.splitlines() if line.startswith("**Intended use:**"))
    assert not LIVE.search(line.removeprefix("**Intended use:**")), line
    assert "pixel.example" in line, "the words stay, as text"
    for bullet in (line for line in brief.splitlines() if line.startswith("- ")):
        assert "<img" not in bullet and "![" not in bullet

