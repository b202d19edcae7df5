"""Markdown clean-up before splitting: `#` headings with plain text, links reduced to their words."""

from __future__ import annotations

import html
import re

from chatbot.answer.markup import without_links

ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(={3,}|-{3,})[ \t]*$")
EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
# A line that starts one of these blocks cannot be the text of a setext heading.
NOT_PARAGRAPH = re.compile(r"^ {0,3}(#|>|\||[-*+][ \t]|\d+[.)][ \t]|```|~~~)")


def heading_text(raw: str) -> str:
    """Plain text of a heading: entities decoded, emphasis and link syntax removed."""
    text = without_links(html.unescape(raw))
    previous = None
    while previous != text:
        previous, text = text, EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


def normalize(text: str) -> str:
    """Markdown with every heading written as `# text`, links replaced by their text and images removed.

    Setext headings (a line underlined with `===` or `---`) become `#`/`##` headings, as web-page
    conversions often write them; code blocks keep their headings. Links go even in code blocks: a quoted
    sentence does not say it came from one, and would show a live link.
    """
    lines = without_links(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    out: list[str] = []
    in_code = False
    for line in lines:
        if FENCE.match(line):
            in_code = not in_code
            out.append(line)
            continue
        if in_code:
            out.append(line)
            continue
        underline = SETEXT_UNDERLINE.match(line)
        if underline and _is_setext_text(out):
            level = "#" if underline.group(1).startswith("=") else "##"
            out[-1] = f"{level} {heading_text(out[-1])}"
            continue
        heading = ATX_HEADING.match(line)
        if heading:
            out.append(f"{heading.group(1)} {heading_text(heading.group(2))}")
        else:
            out.append(line)
    return "\n".join(out)


def first_heading(text: str) -> str:
    """Text of the first heading in normalized Markdown, or an empty string."""
    for line in text.split("\n"):
        heading = ATX_HEADING.match(line)
        if heading and heading.group(2).strip():
            return heading_text(heading.group(2))
    return ""


def _is_setext_text(previous_lines: list[str]) -> bool:
    # Only a one-line paragraph is taken as heading text; anything else stays a rule or a list.
    if not previous_lines or not previous_lines[-1].strip() or NOT_PARAGRAPH.match(previous_lines[-1]):
        return False
    return len(previous_lines) == 1 or not previous_lines[-2].strip()
