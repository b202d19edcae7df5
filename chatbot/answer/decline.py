"""What the bot says when the index holds nothing that answers a question, or nothing was asked.

Whether it holds something is decided by the fitted model in chatbot.answer.decision."""

from __future__ import annotations

import re

NOT_COVERED = (
    "The indexed guidance doesn't cover this, so I can't answer it from the sources. "
    "For questions outside Netflix's guidance on generative AI in production, ask your Netflix contact."
)
EMPTY_QUESTION = (
    "Please type a question about Netflix's guidance on using generative AI in production, "
    "for example: \"Do I need approval to use GenAI for background signage?\""
)
# A greeting, thanks or acknowledgement asks nothing of the sources: it is answered with what the assistant does.
SMALL_TALK = (
    "I answer questions about the indexed guidance on using generative AI in production, and about the news "
    "around it, citing the passages behind each answer. Try, for example: \"Do I need approval to use GenAI for "
    "background signage?\""
)
_SMALL_TALK_WORDS = frozenset("""
    hi hello hey heya hiya yo howdy greetings morning afternoon evening good day there all everyone folks team guys
    thanks thank you thx ty cheers much so very lot ok okay k kk cool great nice awesome perfect got it sure
    bye goodbye cya see ya later np no problem lol haha yes yep
    """.split())
_WORD = re.compile(r"[a-z]+")


def is_small_talk(question: str) -> bool:
    """True for a greeting, thanks or acknowledgement alone ("hi", "thanks a lot!", "ok got it")."""
    words = _WORD.findall(question.lower())
    return bool(words) and all(word in _SMALL_TALK_WORDS or word == "a" for word in words)
