"""The question file format: the validator's messages, and the shipped question set's shape and fairness."""

from __future__ import annotations

import json
from pathlib import Path

import frontmatter
import pytest

from evals.quality.dataset import DatasetError, load_questions
from evals.quality.metrics import missing_groups

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "quality" / "questions" / "legacy.jsonl"
GOOD = {"id": "q1", "question": "Do I need consent?", "answerable": True, "must_mention": [["consent"]],
        "topic": "t", "expected": "Yes."}


def write_lines(path: Path, *records) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def test_validator_names_every_bad_line(tmp_path):
    path = write_lines(
        tmp_path / "bad.jsonl",
        GOOD,
        "{not json",
        {k: v for k, v in GOOD.items() if k != "expected"} | {"id": "q3"},
        GOOD | {"id": "q4", "answerable": False},
        GOOD,
        GOOD | {"id": "q6", "must_mention": [["consent"], []]},
        GOOD | {"id": "q7", "answerable": "yes"},
    )
    with pytest.raises(DatasetError) as caught:
        load_questions(path)
    message = str(caught.value)
    assert "line 2: not valid JSON" in message
    assert "line 3: missing field(s) expected" in message
    assert "line 4: 'must_mention' must be [] when the question is not answerable" in message
    assert "line 5: id 'q1' already used on line 1" in message
    assert "line 6: must_mention group 1 must be a non-empty list" in message
    assert "line 7: 'answerable' must be true or false" in message
    assert "line 1:" not in message


def test_validator_accepts_a_good_file_and_reports_a_missing_one(tmp_path):
    path = write_lines(tmp_path / "good.jsonl", GOOD, GOOD | {"id": "q2", "answerable": False, "must_mention": []})
    questions = load_questions(path)
    assert [q.id for q in questions] == ["q1", "q2"]
    assert questions[0].must_mention == (("consent",),)
    with pytest.raises(DatasetError, match="does not exist"):
        load_questions(tmp_path / "absent.jsonl")


def test_shipped_question_set_has_the_agreed_shape():
    questions = load_questions(QUESTIONS)
    unanswerable = [q for q in questions if not q.answerable]
    assert len(questions) >= 80
    assert 0.15 <= len(unanswerable) / len(questions) <= 0.3
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) == {"id", "question", "answerable", "must_mention", "topic", "expected"}
    for question in questions:
        for group in question.must_mention:
            assert all(keyword == keyword.lower() for keyword in group), question.id
    topics = {q.topic for q in questions}
    for part in ("introduction", "guiding principles", "escalation", "written approval", "data use",
                 "creative output", "talent & performance", "ethics & representation", "confidentiality",
                 "final vs temporary media", "talent enhancement", "custom workflows", "use case matrix"):
        assert f"guidance: {part}" in topics, part
    for article in ("the verge", "what jennifer did", "hacker news", "the eternaut", "interpositive",
                    "hollywood 2025", "headroom", "ockham awards", "commonwealth prize", "film-industry debate",
                    "inkubator"):
        assert f"article: {article}" in topics, article
    assert {"what the guidance does not say", "out of scope", "injection", "abusive or malformed"} <= topics
    assert max(len(q.question) for q in unanswerable) >= 5000


def test_every_answerable_question_can_be_satisfied_by_one_corpus_document():
    bodies = {path.name: frontmatter.load(path).content for path in (ROOT / "corpus").rglob("*.md")}
    unfair = {}
    for question in load_questions(QUESTIONS):
        if question.answerable and not any(not missing_groups(body, question.must_mention) for body in bodies.values()):
            unfair[question.id] = missing_groups("\n".join(bodies.values()), question.must_mention)
    assert not unfair, f"must_mention groups no single corpus document satisfies: {unfair}"
