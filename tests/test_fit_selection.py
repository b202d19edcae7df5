"""Fitting how sentences are chosen: coordinate ascent on a known case, the dev split only, the shipped weights."""

import dataclasses
import json

import pytest

from chatbot.answer import extractive
from chatbot.answer.extractive import Weights, shipped_weights, using, weights
from evals.fit_selection import GRID, answerable_rows, choose, coordinate_ascent, halves
from evals.quality.dataset import Question


def questions(count: int) -> list[Question]:
    return [Question(id=f"q{i}", question=f"question {i}", answerable=True, must_mention=(("x",),)) for i in range(count)]


def test_coordinate_ascent_finds_the_best_values_and_keeps_the_others():
    # Worth peaks at overlap 0.1 and focus_ranks 3; every other weight leaves it unchanged.
    def worth(w: Weights, rows) -> float:
        return 1.0 - abs(w.overlap - 0.1) - 0.1 * abs(w.focus_ranks - 3)

    fitted, best = coordinate_ascent(Weights(), questions(4), worth, rounds=2)
    assert (fitted.overlap, fitted.focus_ranks) == (0.1, 3) and best == pytest.approx(1.0)
    untouched = {name for name in GRID if name not in ("overlap", "focus_ranks")}
    assert all(getattr(fitted, name) == getattr(Weights(), name) for name in untouched)


def test_among_equal_worths_the_value_nearest_the_current_one_wins():
    fitted, _ = coordinate_ascent(Weights(keep_ratio=0.85), questions(2), lambda w, rows: 0.5, rounds=1)
    assert fitted == Weights(keep_ratio=0.85)


def test_a_fit_without_held_out_gain_keeps_the_weights_it_started_from():
    start, fitted = Weights(), Weights(overlap=0.1)
    assert choose(start, fitted, {"held_out_before": 0.85, "held_out_after": 0.85}) == (start, True)
    assert choose(start, fitted, {"held_out_before": 0.85, "held_out_after": 0.86}) == (fitted, False)
    assert choose(start, fitted, {}) == (fitted, False)  # no cross-validation asked for


def test_halves_split_every_row_once_and_stably():
    rows = questions(40)
    first, second = halves(rows)
    assert sorted(q.id for q in first + second) == sorted(q.id for q in rows)
    assert first and second and halves(rows) == (first, second)


def test_only_answerable_dev_rows_with_groups_are_read(tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [{"id": "a", "question": "q a", "answerable": True, "must_mention": [["x"]], "split": "dev"},
            {"id": "b", "question": "q b", "answerable": True, "must_mention": [["x"]], "split": "test"},
            {"id": "c", "question": "q c", "answerable": False, "split": "dev"}]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    assert [q.id for q in answerable_rows(path, "dev")] == ["a"]


def test_the_shipped_weights_load_and_using_sets_others_for_a_block_only():
    shipped = shipped_weights()
    assert weights() == shipped
    other = dataclasses.replace(shipped, overlap=shipped.overlap + 0.5)
    with using(other):
        assert weights() == other
    assert weights() == shipped
    with pytest.raises(ValueError, match="fit_selection"):
        Weights.from_dict({"overlap": 0.1, "no_such_weight": 1})


def test_the_shipped_file_names_every_weight_and_how_it_was_fitted():
    data = json.loads((extractive.Path(extractive.__file__).parent / extractive.WEIGHTS_FILE).read_text())
    assert set(data["weights"]) == {field.name for field in dataclasses.fields(Weights)}
    assert data["fitted_on"]["split"] == "dev" and data["fitted_on"]["rows"] > 100


def test_the_weights_change_what_the_bot_quotes(bot):
    question = "who actually made the ai shots for the eternaut"
    spread = dataclasses.replace(weights(), new_passage=1.0)
    focused = dataclasses.replace(weights(), new_passage=0.0, rank=1.0, focus_ranks=1)
    with using(spread):
        many = len(bot.ask(question).citations)
    with using(focused):
        few = len(bot.ask(question).citations)
    assert many > few
