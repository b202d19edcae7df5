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
# A greeting, thanks, acknowledgement or question about the assistant asks nothing of the sources: it is answered
# with what the assistant does.
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
_WORD = re.compile(r"[^\W\d_]+")  # letters of any script: "ØèKðî" is one word, and no small talk


# Questions to the assistant about itself, answered with what it does (a closed set of English shapes).
_ABOUT_THE_ASSISTANT = re.compile(
    r"^\W*(?:help(?: me)?|menu|about|"
    r"(?:who|what) (?:are|r) (?:you|u)|"
    r"what (?:can|do|could) (?:you|u) (?:do|know|answer|cover|help with)|"
    r"how (?:do|can|should) (?:i|we|one) (?:use|ask) (?:you|this (?:app|bot|assistant|chat))|"
    r"how does this (?:app|bot|assistant|chat) work|"
    r"what (?:documents|docs|sources|files) (?:do you (?:have|know|use|cover)|are (?:indexed|loaded|in here))|"
    r"what is this (?:app|bot|assistant|page|chat)"
    r")\W*$", re.IGNORECASE)


def is_about_the_assistant(question: str) -> bool:
    """True for "help", "what can you do?", "who are you", "what is this app?" and the like."""
    return bool(_ABOUT_THE_ASSISTANT.match(question.strip()))


def is_small_talk(question: str) -> bool:
    """True for a greeting, thanks or acknowledgement alone ("hi", "thanks a lot!", "ok got it")."""
    words = _WORD.findall(question.lower())
    return bool(words) and all(word in _SMALL_TALK_WORDS or word == "a" for word in words)
