"""Declining is calibrated: answerable questions are answered, questions the corpus cannot answer are declined."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT

QUESTION_FILES = [ROOT / "tests" / "data" / "calibration_questions.jsonl",
                  ROOT / "evals" / "quality" / "questions" / "legacy.jsonl"]
# The decision fitted on the eval set's dev split, the legacy set and these questions (chatbot/answer/
# decision_model.json, see evals/README.md) decides; this guards the shipped model against a regression on them.
# The bounds leave room for corpus edits without hiding one.
MAX_WRONGLY_DECLINED = 0.08
MAX_WRONGLY_ANSWERED = 0.15


def load_questions() -> list[dict]:
    rows = []
    for path in QUESTION_FILES:
        if path.exists():
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


@pytest.mark.slow
def test_decline_rates_stay_within_the_calibrated_bounds(bot, artifacts_dir):
    rows = load_questions()
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    assert len(answerable) >= 20 and len(unanswerable) >= 15
    wrongly_declined = [r["question"] for r in answerable if bot.ask(r["question"]).declined]
    wrongly_answered = [r["question"] for r in unanswerable if not bot.ask(r["question"]).declined]
    rates = {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "wrongly_declined_rate": round(len(wrongly_declined) / len(answerable), 4),
        "wrongly_answered_rate": round(len(wrongly_answered) / len(unanswerable), 4),
        "wrongly_declined": wrongly_declined,
        "wrongly_answered": wrongly_answered,
    }
    (artifacts_dir / "decline-calibration.json").write_text(json.dumps(rates, indent=2), encoding="utf-8")
    assert rates["wrongly_declined_rate"] <= MAX_WRONGLY_DECLINED, wrongly_declined
    assert rates["wrongly_answered_rate"] <= MAX_WRONGLY_ANSWERED, wrongly_answered
