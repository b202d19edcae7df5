"""Loading and validating a question file: one JSON object a line, each a question with its expectations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FIELDS = ("id", "question", "answerable", "must_mention", "topic", "expected")


class DatasetError(ValueError):
    """A question file that cannot be used; the message names every bad line."""


@dataclass(frozen=True)
class Question:
    """One evaluation question and what a correct answer must contain."""

    id: str
    question: str
    answerable: bool
    must_mention: tuple[tuple[str, ...], ...]  # groups of interchangeable keywords, all groups required
    topic: str
    expected: str


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
    missing = [name for name in FIELDS if name not in record]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(missing)}")
    for name in ("id", "question", "topic", "expected"):
        if not isinstance(record[name], str) or not record[name].strip():
            raise ValueError(f"{name!r} must be a non-empty string")
    if not isinstance(record["answerable"], bool):
        raise ValueError("'answerable' must be true or false")
    groups = _parse_groups(record["must_mention"])
    if record["answerable"] and not groups:
        raise ValueError("an answerable question needs at least one must_mention group")
    if not record["answerable"] and groups:
        raise ValueError("'must_mention' must be [] when the question is not answerable")
    return Question(
        id=record["id"],
        question=record["question"],
        answerable=record["answerable"],
        must_mention=groups,
        topic=record["topic"],
        expected=record["expected"],
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
