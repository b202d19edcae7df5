"""The dev/test split: drawn once from a seeded hash, recorded in the question file, and stable."""

from __future__ import annotations

import json
from collections import Counter

from evals.quality.cli import DEFAULT_QUESTIONS
from evals.quality.dataset import load_questions
from evals.quality.split import SEED, fill_splits, main, split_of


def test_split_of_is_fixed_for_the_seed():
    # Golden values: a change of seed, hash or share moves questions between dev and test and fails here.
    assert SEED == "evals-split-2025"
    assert [split_of(name) for name in ("in-genai-terse", "gp-list-terse", "vg-author", "ot-hi", "cv-p2-p3")] == [
        "test", "dev", "test", "test", "test"]
    assert split_of("in-genai-terse", seed="another seed") in ("dev", "test")
    assert {split_of(f"q{n}", test_share=0.0) for n in range(50)} == {"dev"}
    assert {split_of(f"q{n}", test_share=1.0) for n in range(50)} == {"test"}


def test_shipped_file_records_the_drawn_split_of_every_question():
    questions = load_questions(DEFAULT_QUESTIONS)
    moved = [q.id for q in questions if q.split != split_of(q.id)]
    assert not moved, f"split changed by hand: {moved}"
    shares = Counter(q.split for q in questions)
    assert 0.4 <= shares["test"] / len(questions) <= 0.6
    by_kind = Counter((q.kind, q.split) for q in questions)
    for kind in {q.kind for q in questions}:
        assert by_kind[(kind, "dev")] and by_kind[(kind, "test")], kind


def test_fill_splits_adds_missing_splits_and_never_moves_a_drawn_one(tmp_path, capsys):
    path = tmp_path / "questions.jsonl"
    rows = [{"id": "kept", "question": "q", "answerable": False, "split": "dev"},
            {"id": "vg-author", "question": "q", "answerable": False},
            {"id": "ot-hi", "question": "é", "answerable": False}]
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    assert main([str(path)]) == 0
    assert "2 question(s) given a split" in capsys.readouterr().out
    written = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [row["split"] for row in written] == ["dev", "test", "test"]
    assert written[2]["question"] == "é"
    assert fill_splits(path) == 0
