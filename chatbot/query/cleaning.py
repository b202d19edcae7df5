"""Making any typed text safe to answer: odd characters removed, length capped, embedded instructions set aside."""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata

from chatbot.sentences import segments

# Sentences that try to steer the answerer rather than ask about the guidance. They are removed before
# retrieval, so they cannot change which passages are found or quoted.
_INSTRUCTION = re.compile(
    r"(^(\w+\s*[,:]\s*)?|\b(please|and|now|then|just|first)\s+)(ignore|disregard|forget|override|bypass)\b.{0,40}"
    r"\b(instructions?|guidance|rules?|prompts?|above|previous|context|sources?|passages?|everything)\b"
    r"|\b(print|reveal|show|repeat|output|tell me|give me|what is|what's)\b.{0,30}"
    r"\b(system|hidden|initial|original)\s+(prompt|instructions?|message)"
    r"|\byou are now\b|\bfrom now on\b|\bpretend (to be|you)\b|\bact as\b|\bjailbreak\b|\bdeveloper mode\b"
    r"|\b(only|just) (say|answer|reply|respond)\b",
    re.IGNORECASE,
)


# Markup pasted into a question is not part of it: a script or style block goes whole, other tags leave their text.
_CODE_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]{0,200})?/?>")


def remove_markup(text: str) -> str:
    """`text` without HTML tags, and without the code of script and style blocks."""
    stripped = _TAG.sub(" ", _CODE_BLOCK.sub(" ", text))
    return " ".join(stripped.split()) if stripped != text else text


@dataclasses.dataclass(frozen=True)
class CleanQuestion:
    text: str
    notices: tuple[str, ...] = ()


def clean_text(text: str) -> str:
    """Text with control, format and unpaired surrogate characters removed and whitespace collapsed."""
    text = unicodedata.normalize("NFKC", str(text))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\n\r":
            kept.append(" " if ch == "\t" else "\n")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" " if category == "Cc" else "")
        else:
            kept.append(ch)
    lines = (" ".join(line.split()) for line in "".join(kept).splitlines())
    return "\n".join(line for line in lines if line).strip()


@functools.lru_cache(maxsize=8192)  # the answerer checks the same indexed sentences question after question
def remove_instructions(text: str) -> tuple[str, bool]:
    """`text` without the sentences that give the answerer orders; True when something was removed."""
    sentences = segments(text, clauses=True)
    kept = [sentence for sentence in sentences if not _INSTRUCTION.search(sentence)]
    if len(kept) == len(sentences):
        return text, False
    return " ".join(sentence.strip() for sentence in kept).strip(), True


def clean_question(raw: object, max_chars: int) -> CleanQuestion:
    """The question as it will be answered, with notices for anything changed that the asker should know."""
    notices: list[str] = []
    text = remove_markup(clean_text(raw if isinstance(raw, str) else "" if raw is None else str(raw)))
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        text = (cut[:space] if space > max_chars * 0.8 else cut).rstrip()
        notices.append(f"Your question was longer than {max_chars} characters; only the first part was used.")
    text, removed = remove_instructions(text)
    if removed:
        notices.append("Instructions inside a question are ignored: answers come only from the indexed guidance.")
    return CleanQuestion(text=text, notices=tuple(notices))
