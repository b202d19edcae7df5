"""Chat history in either shape Gradio gives, and follow-up questions read in its light."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatbot.query.words import tokenize
from chatbot.query.cleaning import clean_question

# "what about for the poster?", "and for extras?": the question before it, asked again of something else.
_AGAIN = "what about|how about|and|same for|same with|or"
_ASKED_AGAIN = re.compile(rf"^\s*({_AGAIN})\b", re.IGNORECASE)
# "what about for voices?", "how about that?", "what else?": questions that lean on the one before.
_FOLLOW_UP_START = re.compile(rf"^\s*({_AGAIN}|what if|also|then|but|so|what else|anything else)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(it|its|that|this|these|those|they|them|their|one|ones|there|he|she|him|her)\b", re.IGNORECASE)
# "is it ok to...", "it is allowed": an "it" that points at nothing before it.
_DUMMY_IT = re.compile(r"\b(?:is|was|would|will) it (?:\w+ )?(?:ok|okay|fine|alright|allowed|acceptable|possible|legal|"
                       r"safe)\b|\bit(?:'s| is| would be) (?:\w+ )?(?:ok|okay|fine|allowed|possible|legal|safe)\b",
                       re.IGNORECASE)
_SHORT = 2  # content words; a question with this few names too little to search on its own


def _content_text(content: object) -> str:
    """Text of a Gradio message's content: a string, a list of parts, or a dict with text."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", "") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(_content_text(part) for part in content if not isinstance(part, (bytes, bytearray)))
    return ""


def user_turns(history: Sequence, max_chars: int = 2000) -> list[str]:
    """The user's earlier questions, oldest first, from (user, assistant) pairs or role/content messages.

    Each is cleaned like a new question (odd characters, length, embedded instructions), since it is searched with.
    """
    questions: list[str] = []
    for turn in history or ():
        if isinstance(turn, dict):
            if turn.get("role") == "user":
                questions.append(_content_text(turn.get("content")))
        elif isinstance(turn, (list, tuple)) and turn:
            questions.append(_content_text(turn[0]))
        elif hasattr(turn, "role") and getattr(turn, "role") == "user":  # Gradio ChatMessage objects
            questions.append(_content_text(getattr(turn, "content", "")))
    cleaned = (clean_question(question, max_chars).text for question in questions)
    return [question for question in cleaned if question]


def asks_again(question: str) -> bool:
    """True when the question asks the one before it again, of something else ("what about for posters?")."""
    return bool(_ASKED_AGAIN.match(question))


def is_follow_up(question: str) -> bool:
    """True when the question only makes sense with the one before it."""
    if _FOLLOW_UP_START.match(question):
        return True
    words = len(tokenize(question))
    return words <= _SHORT or (words <= 6 and bool(_PRONOUN.search(_DUMMY_IT.sub(" ", question))))


def context(question: str, history: Sequence = (), max_chars: int = 2000) -> str:
    """The earlier question(s) `question` would lean on if it were a follow-up; "" when it is shaped to stand alone.

    Whether it does lean on them is for retrieval to tell (see chatbot.bot): this only rules out questions whose
    shape says they are self-contained.
    """
    earlier = user_turns(history, max_chars)
    if not earlier or not is_follow_up(question):
        return ""
    found = earlier[0]
    for previous in earlier[1:]:
        found = f"{found} / {previous}" if is_follow_up(previous) else previous  # " / ": read as two questions
    return found


def resolve(question: str, history: Sequence = (), max_chars: int = 2000) -> str:
    """The question joined to the earlier question(s) it would lean on, when its shape allows a follow-up."""
    found = context(question, history, max_chars)
    return f"{found} {question}" if found else question
