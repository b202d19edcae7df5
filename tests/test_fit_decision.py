"""Fitting the answer / partly / decline decision: a known synthetic case, the dev split only, the data file."""

import json

import numpy as np
import pytest

from chatbot.answer.decision import FEATURES, load
from evals.fit_decision import accuracy, expected_outcome, fit, fit_offsets, main, split_rows, utility

# Outcome -> feature means (best_similarity, lexical_support, top_score, key_coverage).
CENTRES = {"answered": (0.65, 0.8, 0.05, 1.0), "partly": (0.5, 0.5, 0.03, 0.2), "declined": (0.2, 0.1, 0.01, 0.0)}


def synthetic(count: int, seed: int):
    rng = np.random.default_rng(seed)
    outcomes = [list(CENTRES)[i % 3] for i in range(count)]
    features = np.array([CENTRES[o] for o in outcomes]) + rng.normal(0, [0.05, 0.08, 0.004, 0.1], (count, 4))
    return features, outcomes


def test_the_fit_recovers_a_known_separation():
    features, outcomes = synthetic(300, seed=1)
    model = fit(features, outcomes)
    held_out, expected = synthetic(150, seed=2)
    assert accuracy(model, held_out, expected) >= 0.95
    assert model.decide(dict(zip(FEATURES, CENTRES["answered"]))) == "answered"
    assert model.decide(dict(zip(FEATURES, CENTRES["declined"]))) == "declined"
    assert model.decide(dict(zip(FEATURES, CENTRES["partly"]))) == "partly"
    probabilities = model.probabilities(dict(zip(FEATURES, CENTRES["answered"])))
    assert abs(sum(probabilities.values()) - 1) < 1e-5 and probabilities["answered"] > 0.8


def test_only_outcomes_that_occur_are_modelled_and_one_is_not_enough():
    features, outcomes = synthetic(60, seed=3)
    keep = [i for i, o in enumerate(outcomes) if o != "partly"]
    model = fit(features[keep], [outcomes[i] for i in keep])
    assert model.outcomes == ("answered", "declined")
    with pytest.raises(ValueError, match="at least two outcomes"):
        fit(features[:1], outcomes[:1])


def test_utility_averages_within_each_expected_outcome_and_weighs_each_mistake():
    model = fit(*synthetic(90, seed=5))
    answered, partly, declined = (CENTRES[o] for o in ("answered", "partly", "declined"))
    # Five answerable rows all answered (worth 1 each), one off-topic row declined (1) and one answered partly
    # (0: its "nearest rules" are unrelated): by outcome, (1 + 0.5) / 2, not (5 + 1) / 7.
    rows = np.array([answered] * 5 + [declined, partly])
    assert utility(model, rows, ["answered"] * 5 + ["declined"] * 2) == pytest.approx(0.75)
    # A near-miss declined is cautious: worth half.
    assert utility(model, np.array([declined]), ["partly"]) == pytest.approx(0.5)
    # Declining an answerable question is worth nothing.
    assert utility(model, np.array([declined]), ["answered"]) == 0.0


def test_offsets_turn_wrong_declines_of_a_crowded_class_into_answers():
    rng = np.random.default_rng(6)
    # Answerable questions spread wide, some as low as the declines; a rare outcome weighted up by the fit
    # claims that overlap, and the offsets hand it back.
    answerable = np.array(CENTRES["answered"]) + rng.normal(0, [0.3, 0.4, 0.03, 0.5], (150, 4))
    declined = np.array(CENTRES["declined"]) + rng.normal(0, [0.1, 0.15, 0.01, 0.2], (15, 4))
    features = np.vstack([answerable, declined])
    outcomes = ["answered"] * 150 + ["declined"] * 15
    plain = fit(features, outcomes)
    tuned = fit_offsets(plain, features, outcomes)
    assert utility(tuned, features, outcomes) > utility(plain, features, outcomes)
    wrong = lambda m: sum(m.decide(dict(zip(FEATURES, row))) == "declined" for row in answerable)  # noqa: E731
    assert wrong(tuned) < wrong(plain)
    assert tuned.decide(dict(zip(FEATURES, CENTRES["declined"]))) == "declined"
    assert load_roundtrip(tuned).decide(dict(zip(FEATURES, answerable[0]))) == tuned.decide(
        dict(zip(FEATURES, answerable[0])))


def load_roundtrip(model):
    from chatbot.answer.decision import DecisionModel

    return DecisionModel.from_dict(json.loads(json.dumps(model.to_dict())))


def test_rows_name_their_outcome_in_either_field():
    assert expected_outcome({"answerable": True}) == "answered"
    assert expected_outcome({"answerable": False}) == "declined"
    assert expected_outcome({"answerable": False, "expected_outcome": "partly answered"}) == "partly"
    with pytest.raises(ValueError, match="no expected outcome"):
        expected_outcome({"id": "q1"})
    with pytest.raises(ValueError, match="split the question file"):
        split_rows([{"id": "q1"}])


def test_the_script_fits_on_dev_rows_only_and_writes_data_the_bot_reads(tmp_path, capsys):
    features, outcomes = synthetic(90, seed=4)
    questions, measured = [], []
    for i, (row, outcome) in enumerate(zip(features, outcomes)):
        questions.append({"id": f"d{i}", "question": f"q{i}", "split": "dev", "answerable": outcome == "answered",
                          "expected_outcome": outcome})
        measured.append({"id": f"d{i}", **dict(zip(FEATURES, row.tolist()))})
    # Test rows with the opposite labels: were they read, the fit would be ruined.
    for i, row in enumerate(features[:60]):
        questions.append({"id": f"t{i}", "question": f"t{i}", "split": "test",
                          "expected_outcome": "declined" if outcomes[i] == "answered" else "answered"})
        measured.append({"id": f"t{i}", **dict(zip(FEATURES, row.tolist()))})
    (tmp_path / "q.jsonl").write_text("\n".join(json.dumps(q) for q in questions))
    (tmp_path / "f.jsonl").write_text("\n".join(json.dumps(m) for m in measured))
    out = tmp_path / "model.json"
    assert main(["--questions", str(tmp_path / "q.jsonl"), "--features", str(tmp_path / "f.jsonl"),
                 "--out", str(out)]) == 0
    assert "Fitted on 90 dev questions" in capsys.readouterr().out
    written = json.loads(out.read_text())
    assert written["fitted_on"]["rows"] == 90 and written["fitted_on"]["accuracy"] >= 0.95
    model = load(out)
    assert model.decide(dict(zip(FEATURES, CENTRES["answered"]))) == "answered"


def test_a_file_added_with_also_must_have_no_split(tmp_path):
    split = tmp_path / "split.jsonl"
    split.write_text(json.dumps({"id": "t1", "question": "q", "split": "test", "answerable": True}) + "\n")
    features = tmp_path / "f.jsonl"
    features.write_text(json.dumps({"id": "t1", **dict(zip(FEATURES, CENTRES["answered"]))}) + "\n")
    assert main(["--questions", str(split), "--also", str(split), "--features", str(features),
                 "--out", str(tmp_path / "m.json")]) == 1
    assert not (tmp_path / "m.json").exists()


def test_a_missing_model_file_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m evals.fit_decision"):
        load(tmp_path / "absent.json")
