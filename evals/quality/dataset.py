"""Loading and validating a question file: one JSON object a line, each a question with its expectations.

The fields are documented in evals/README.md; fields not named there are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("id", "question", "answerable")
OUTCOMES = ("answered", "partly", "declined")
SPLITS = ("dev", "test")
# The outcomes an expectation may name: an answerable question is answered (or partly, when one of its parts is not
# settled by the sources); an out-of-scope one is declined, or partly answered with the nearest rules.
ALLOWED_OUTCOMES = {True: ("answered", "partly"), False: ("partly", "declined")}


class DatasetError(ValueError):
    """A question file that cannot be used; the message names every bad line."""


@dataclass(frozen=True)
class Question:
    """One evaluation question and what a correct answer must (and must not) contain."""

    id: str
    question: str
    answerable: bool
    must_mention: tuple[tuple[str, ...], ...]  # groups of interchangeable phrases, all groups required
    topic: str = ""
    expected: str = ""
    kind: str = ""
    expected_outcome: str = ""  # "answered", "partly" or "declined"; parse_question fills it in
    split: str = ""  # "dev", "test", or "" for a file that is not split
    history: tuple[str, ...] = ()  # the earlier user messages of a conversation, oldest first
    must_not_mention: tuple[str, ...] = ()  # phrases the last answer's own text must not contain


def load_questions(path: Path) -> list[Question]:
    """Read and validate a JSONL question file.

    Raises:
        DatasetError: naming each bad line and what is wrong with it, so every fix can be made at once.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DatasetError(f"Question file {path} does not exist; pass an existing file with --questions.") from None
    questions: list[Question] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = parse_question(line)
        except ValueError as err:
            problems.append(f"line {number}: {err}")
            continue
        if question.id in seen:
            problems.append(f"line {number}: id {question.id!r} already used on line {seen[question.id]}")
            continue
        seen[question.id] = number
        questions.append(question)
    if not questions and not problems:
        problems.append("the file holds no questions")
    if problems:
        raise DatasetError(f"Question file {path} is not valid: " + "; ".join(problems))
    return questions


def parse_question(line: str) -> Question:
    """One question from one JSON line; raises ValueError saying what is wrong."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    missing = [name for name in REQUIRED if name not in record]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(missing)}")
    for name in ("id", "question"):
        if not isinstance(record[name], str) or not record[name].strip():
            raise ValueError(f"{name!r} must be a non-empty string")
    for name in ("topic", "expected", "kind"):
        if not isinstance(record.get(name, ""), str):
            raise ValueError(f"{name!r} must be a string")
    answerable = record["answerable"]
    if not isinstance(answerable, bool):
        raise ValueError("'answerable' must be true or false")
    groups = _parse_groups(record.get("must_mention", []))
    if answerable and not groups:
        raise ValueError("an answerable question needs at least one must_mention group")
    if not answerable and groups:
        raise ValueError("'must_mention' must be [] when the question is not answerable")
    return Question(
        id=record["id"],
        question=record["question"],
        answerable=answerable,
        must_mention=groups,
        topic=record.get("topic", ""),
        expected=record.get("expected", ""),
        kind=record.get("kind", ""),
        expected_outcome=_parse_outcome(record.get("expected_outcome"), answerable),
        split=_parse_split(record.get("split")),
        history=parse_history(record.get("history", [])),
        must_not_mention=_parse_phrases(record.get("must_not_mention", [])),
    )


def _parse_groups(value: object) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        raise ValueError("'must_mention' must be a list of keyword lists")
    groups = []
    for index, group in enumerate(value):
        if (
            not isinstance(group, list)
            or not group
            or not all(isinstance(keyword, str) and keyword.strip() for keyword in group)
        ):
            raise ValueError(f"must_mention group {index} must be a non-empty list of non-empty strings")
        groups.append(tuple(keyword.strip().lower() for keyword in group))
    return tuple(groups)


def _parse_outcome(value: object, answerable: bool) -> str:
    if value is None:
        return "answered" if answerable else "declined"
    allowed = ALLOWED_OUTCOMES[answerable]
    if value not in allowed:
        kind = "an answerable" if answerable else "an unanswerable"
        raise ValueError(f"'expected_outcome' of {kind} question must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)


def _parse_split(value: object) -> str:
    if value is None:
        return ""
    if value not in SPLITS:
        raise ValueError(f"'split' must be one of {', '.join(SPLITS)}; got {value!r}")
    return str(value)


def parse_history(value: object) -> tuple[str, ...]:
    """The user messages of `history`: plain strings, or {"role", "content"} messages of which user ones count."""
    if not isinstance(value, list):
        raise ValueError("'history' must be a list of messages")
    turns = []
    for index, message in enumerate(value):
        if isinstance(message, dict):
            role, content = message.get("role"), message.get("content")
            if role not in ("user", "assistant") or not isinstance(content, str):
                raise ValueError(f"history message {index} needs a role of user or assistant and a string content")
            if role == "assistant":
                continue  # the runner replays the user turns and keeps the bot's own replies
            message = content
        if not isinstance(message, str) or not message.strip():
            raise ValueError(f"history message {index} must be a non-empty string or a role/content message")
        turns.append(message)
    return tuple(turns)


def _parse_phrases(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(phrase, str) and phrase.strip() for phrase in value):
        raise ValueError("'must_not_mention' must be a list of non-empty strings")
    return tuple(phrase.strip().lower() for phrase in value)
