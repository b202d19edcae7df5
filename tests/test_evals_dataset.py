"""The question file format: the validator's messages, the optional fields, and the shipped question set's shape."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import frontmatter
import pytest

from evals.quality.cli import DEFAULT_QUESTIONS, QUESTIONS_DIR
from evals.quality.dataset import DatasetError, load_questions, parse_question
from evals.quality.metrics import missing_groups

ROOT = Path(__file__).resolve().parent.parent
LEGACY = QUESTIONS_DIR / "legacy.jsonl"
GOOD = {"id": "q1", "question": "Do I need consent?", "answerable": True, "must_mention": [["consent"]],
        "topic": "t", "expected": "Yes."}
KINDS = {"terse", "long", "sloppy", "formal", "typo", "colloquial", "multi-part", "misunderstanding", "near-miss",
         "off-topic", "conversation"}
SECTIONS = ("introduction", "guiding principles", "escalation", "written approval", "data use", "creative output",
            "talent & performance", "ethics & representation", "confidentiality", "final vs temporary media",
            "talent enhancement", "custom workflows", "use case matrix", "appendix")
ARTICLES = ("the verge", "what jennifer did", "hacker news", "the eternaut", "interpositive", "hollywood 2025",
            "headroom", "ockham awards", "commonwealth prize", "film-industry debate", "inkubator", "feedbagel summary")
COLLOQUIAL = ("deepfake", "digital double", "chatgpt", "storyboards", "extras", "previs", "voice clone", "de-aging",
              "mood boards", "ai actor")


def write_lines(path: Path, *records) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def test_validator_names_every_bad_line(tmp_path):
    path = write_lines(
        tmp_path / "bad.jsonl",
        GOOD,
        "{not json",
        {k: v for k, v in GOOD.items() if k != "answerable"} | {"id": "q3"},
        GOOD | {"id": "q4", "answerable": False},
        GOOD,
        GOOD | {"id": "q6", "must_mention": [["consent"], []]},
        GOOD | {"id": "q7", "answerable": "yes"},
        GOOD | {"id": "q8", "expected_outcome": "declined"},
        GOOD | {"id": "q9", "split": "train"},
        GOOD | {"id": "q10", "history": [{"role": "system", "content": "x"}]},
        GOOD | {"id": "q11", "must_not_mention": ["ok", ""]},
    )
    with pytest.raises(DatasetError) as caught:
        load_questions(path)
    message = str(caught.value)
    assert "line 2: not valid JSON" in message
    assert "line 3: missing field(s) answerable" in message
    assert "line 4: 'must_mention' must be [] when the question is not answerable" in message
    assert "line 5: id 'q1' already used on line 1" in message
    assert "line 6: must_mention group 1 must be a non-empty list" in message
    assert "line 7: 'answerable' must be true or false" in message
    assert "line 8: 'expected_outcome' of an answerable question must be one of answered, partly" in message
    assert "line 9: 'split' must be one of dev, test" in message
    assert "line 10: history message 0 needs a role of user or assistant" in message
    assert "line 11: 'must_not_mention' must be a list of non-empty strings" in message
    assert "line 1:" not in message


def test_optional_fields_have_defaults_and_unknown_fields_are_ignored(tmp_path):
    path = write_lines(tmp_path / "good.jsonl",
                       {"id": "q1", "question": "Do I need consent?", "answerable": True, "must_mention": [["Consent"]],
                        "reviewer": "someone", "difficulty": 3},
                       {"id": "q2", "question": "recipe?", "answerable": False})
    answerable, out_of_scope = load_questions(path)
    assert answerable.must_mention == (("consent",),)
    assert (answerable.topic, answerable.expected, answerable.kind, answerable.split) == ("", "", "", "")
    assert answerable.expected_outcome == "answered" and out_of_scope.expected_outcome == "declined"
    assert out_of_scope.must_mention == () and out_of_scope.history == () and out_of_scope.must_not_mention == ()
    with pytest.raises(DatasetError, match="does not exist"):
        load_questions(tmp_path / "absent.jsonl")


def test_history_takes_strings_or_messages_and_keeps_the_user_turns():
    question = parse_question(json.dumps(GOOD | {
        "history": ["first", {"role": "user", "content": "second"}, {"role": "assistant", "content": "a reply"}],
        "must_not_mention": ["Moodboard"], "expected_outcome": "partly", "split": "dev"}))
    assert question.history == ("first", "second")
    assert question.must_not_mention == ("moodboard",)
    assert (question.expected_outcome, question.split) == ("partly", "dev")
    near_miss = parse_question(json.dumps({"id": "n", "question": "q", "answerable": False, "expected_outcome": "partly"}))
    assert near_miss.expected_outcome == "partly"


def _rows() -> list[dict]:
    return [json.loads(line) for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_shipped_question_set_has_the_agreed_shape():
    questions = load_questions(DEFAULT_QUESTIONS)
    assert len(questions) >= 320
    kinds = Counter(q.kind for q in questions)
    assert set(kinds) == KINDS
    assert kinds["conversation"] >= 30 and kinds["near-miss"] >= 25 and kinds["off-topic"] >= 20
    assert all(q.history for q in questions if q.kind == "conversation")
    assert sum(1 for q in questions if q.must_not_mention) >= 15
    for question in questions:
        assert question.topic and question.expected and question.split in ("dev", "test"), question.id
        if question.kind == "near-miss":
            assert not question.answerable and question.expected_outcome in ("partly", "declined"), question.id
        if question.kind == "off-topic":
            assert not question.answerable and question.expected_outcome == "declined", question.id
    topics = {q.topic for q in questions}
    for section in SECTIONS:
        assert f"guidance: {section}" in topics, section
    for article in ARTICLES:
        assert f"article: {article}" in topics, article
    assert {"what the guidance does not say", "terms the guidance uses", "dates and editions",
            "press reports vs the guidance", "not settled by the sources", "off topic"} <= topics
    text = " ".join(q.question.lower() for q in questions)
    assert all(word in text for word in COLLOQUIAL)


def test_shipped_questions_are_fresh_not_the_legacy_ones():
    def normal(text: str) -> str:
        return re.sub(r"\W+", " ", text.lower()).strip()

    legacy = {normal(q.question) for q in load_questions(LEGACY)}
    repeated = [q.id for q in load_questions(DEFAULT_QUESTIONS) if normal(q.question) in legacy]
    assert not repeated, repeated


def test_every_must_mention_group_is_in_the_corpus_and_one_document_answers_a_one_part_question():
    bodies = {path.name: frontmatter.load(path).content for path in (ROOT / "corpus").rglob("*.md")}
    everything = "\n".join(bodies.values())
    unfair = {}
    for question in load_questions(DEFAULT_QUESTIONS):
        if not question.answerable:
            continue
        if missing_groups(everything, question.must_mention):
            unfair[question.id] = missing_groups(everything, question.must_mention)
        elif question.kind != "multi-part" and all(missing_groups(body, question.must_mention)
                                                   for body in bodies.values()):
            unfair[question.id] = "no single document mentions every group"
    assert not unfair, unfair
