"""Fitting the answer / partly / decline decision: a known synthetic case, the dev split only, the data file."""

import json

import numpy as np
import pytest

from chatbot.answer.decision import FEATURES, load
from evals.fit_decision import accuracy, expected_outcome, fit, main, split_rows

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


def test_a_missing_model_file_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m evals.fit_decision"):
        load(tmp_path / "absent.json")
