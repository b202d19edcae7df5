"""The metric functions, the scoring of one reply, the aggregation, the evaluation per split and the gate, on
small hand-computed cases."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chatbot.types import Answer, Citation, Passage
from evals.quality import gate, metrics, runner
from evals.quality.dataset import Question
from evals.quality.evaluation import evaluate, gate_figures
from evals.quality.summary import summarize

GROUPS = [["written approval", "approval"], ["consent"]]
STORE = {"Written approval and documented consent are required.", "Moodboards are marked proceed.",
         "Nothing relevant here."}
FILLER = "Nothing relevant here."
FACT = "Written approval and documented consent are required."


def passage(text: str) -> Passage:
    return Passage(chunk_id=text[:8], text=text, source="corpus/x.md", title="X", section="S", url="", kind="guidance")


def test_must_mention_needs_every_group_and_ignores_case():
    assert metrics.must_mention_ok("Get Written Approval and the performer's CONSENT.", GROUPS)
    assert not metrics.must_mention_ok("Get written approval first.", GROUPS)
    assert metrics.missing_groups("Get written approval first.", GROUPS) == [["consent"]]
    assert metrics.must_mention_ok(["Approval is needed.", passage("Consent is documented.")], GROUPS)
    assert not metrics.must_mention_ok([], GROUPS)
    assert metrics.must_mention_ok("anything", [])


def test_outcome_reads_the_answers_own_outcome_and_falls_back_to_declined():
    assert metrics.outcome_of(SimpleNamespace(declined=False)) == "answered"
    assert metrics.outcome_of(SimpleNamespace(declined=True)) == "declined"
    assert metrics.outcome_of(SimpleNamespace(declined=False, outcome="partly")) == "partly"
    assert metrics.outcome_of(SimpleNamespace(declined=True, outcome=None)) == "declined"
    assert metrics.outcome_of(SimpleNamespace(declined=False, outcome="maybe")) == "answered"


def test_handled_counts_partly_as_handled_on_both_sides():
    assert [metrics.handled(True, o) for o in ("answered", "partly", "declined", "error")] == [True, True, False, False]
    assert [metrics.handled(False, o) for o in ("answered", "partly", "declined", "error")] == [False, True, True, False]


def test_mentioned_finds_phrases_case_insensitively():
    assert metrics.mentioned("Use judgment for Moodboards and signage.", ["moodboard", "script", "SIGNAGE"]) == [
        "moodboard", "SIGNAGE"]
    assert metrics.mentioned("", ["x"]) == []


def test_citation_valid_accepts_verbatim_passages_and_rejects_fabricated_ones():
    real = Citation(n=1, title="T", section="S", url="", passage=FACT, score=0.9)
    assert metrics.citation_valid([real], STORE)
    assert metrics.citation_valid(["marked proceed"], STORE)  # an excerpt of a stored chunk
    assert not metrics.citation_valid([real, {"passage": "Netflix bans all AI in final deliverables."}], STORE)
    assert not metrics.citation_valid([{"passage": "  "}], STORE)
    assert metrics.citation_valid([], STORE)


def test_hit_rank_is_where_the_passages_together_mention_every_group():
    ranked = [passage("Nothing here."), passage("Written approval is needed."), passage("Consent alone."),
              passage(FACT)]
    assert metrics.first_hit_rank(ranked, GROUPS) == 3  # ranks 2 and 3 together
    assert metrics.first_hit_rank(ranked, GROUPS, 2) is None
    assert not metrics.hit_at_k(ranked, GROUPS, 2) and metrics.hit_at_k(ranked, GROUPS, 3)
    assert metrics.reciprocal_rank(ranked, GROUPS, 10) == pytest.approx(1 / 3)
    assert metrics.reciprocal_rank([passage(FACT)], GROUPS, 10) == 1.0
    assert metrics.reciprocal_rank([], GROUPS, 5) == 0.0


def test_percentile_interpolates():
    assert metrics.percentile([5, 1, 3, 2, 4], 50) == 3
    assert metrics.percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)
    assert metrics.percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        metrics.percentile([1], 120)


def scored(id, *, answerable=True, outcome="answered", answer="", cited=(FACT,), rank=None, latency=10.0,
           must_not_mention=(), split="", topic="t"):
    """A record scored by the runner's own functions, from a reply built by hand (no bot involved).

    `rank` puts the passage with every must-mention group at that 1-based rank among filler passages.
    """
    question = Question(id=id, question=f"question {id}", answerable=answerable,
                        must_mention=tuple(tuple(g) for g in GROUPS) if answerable else (), topic=topic,
                        expected="e", kind="k", split=split, must_not_mention=tuple(must_not_mention),
                        history=("earlier",) if must_not_mention else ())
    declined = outcome == "declined"
    citations = () if declined else tuple(Citation(n=n, title="T", section="S", url="", passage=text, score=0.5)
                                          for n, text in enumerate(cited, start=1))
    reply = SimpleNamespace(text="Not covered." if declined else answer, declined=declined, citations=citations,
                            notice="", outcome=outcome)
    passages = [passage(FILLER)] * 10
    if rank:
        passages[rank - 1] = passage(FACT)
    record = runner.record_of(question, reply, latency)
    record["retrieved"] = []
    record["scores"] = runner.score(question, record, STORE, passages, k=4)
    return record


def hand_made_records() -> list[dict]:
    return [
        scored("hit", answer="Written approval and consent.", rank=1, latency=10),
        scored("cited-only", answer="See the source [1].", rank=2, latency=20),
        scored("miss", answer="Moodboards are fine.", cited=("Moodboards are marked proceed.",), latency=30),
        scored("declined", outcome="declined", rank=3, latency=40),
        scored("partly-answerable", outcome="partly", answer="Approval and consent; the rest is not settled.",
               rank=1, latency=50),
        scored("oos-declined", answerable=False, outcome="declined", latency=60, topic="oos"),
        scored("oos-partly", answerable=False, outcome="partly", answer="Not settled; nearest rule [1].",
               latency=70, topic="oos"),
        scored("oos-answered", answerable=False, answer="Yes [1].", cited=("Netflix bans all AI.",), latency=80,
               topic="oos"),
        scored("conversation-ok", answer="It is required [1].", rank=5, latency=90, must_not_mention=["moodboard"]),
        scored("conversation-carried", answer="Moodboard rules: written approval and consent.", rank=1,
               latency=100, must_not_mention=["moodboard"]),
    ]


def test_summarize_by_hand():
    summary = summarize(hand_made_records(), k=4)
    values = summary["metrics"]
    # 7 answerable: hit, cited-only, partly, conversation-ok, conversation-carried mention both groups in answer +
    # citations; in the answer text alone only hit, partly and conversation-carried do.
    assert values["must_mention_coverage"] == round(5 / 7, 4)
    assert values["answer_text_coverage"] == round(3 / 7, 4)
    # Handled: 6 of 7 answerable (not declined) and 2 of 3 out of scope (declined, partly).
    assert values["decline_accuracy"] == 0.8
    assert values["out_of_scope_handled"] == round(2 / 3, 4)
    assert values["wrongly_declined_rate"] == round(1 / 7, 4)
    assert values["wrongly_answered_rate"] == round(1 / 3, 4)
    assert values["must_not_mention_pass"] == 0.5
    assert values["citation_validity"] == 0.875  # 8 replies with citations, one fabricated
    assert values["hit_at_k"] == round(5 / 7, 4)  # ranks 1, 2, 3, 1, 1 within k=4; None and 5 miss
    assert values["mrr"] == round((1 + 1 / 2 + 0 + 1 / 3 + 1 + 1 / 5 + 1) / 7, 4)
    assert values["latency_p50_ms"] == 55.0 and values["latency_p95_ms"] == 95.5
    assert summary["outcomes"] == {"answerable": {"answered": 5, "partly": 1, "declined": 1, "error": 0},
                                   "out_of_scope": {"answered": 1, "partly": 1, "declined": 1, "error": 0}}
    reasons = {f["id"]: f["reasons"] for f in summary["failures"]}
    assert set(reasons) == {"miss", "declined", "oos-answered", "conversation-carried"}
    assert reasons["miss"] == ["answer and citations do not mention written approval/approval and consent"]
    assert reasons["declined"] == ["declined an answerable question"]
    assert reasons["oos-answered"] == [
        "answered an out-of-scope question without saying what the sources do not settle",
        "a cited passage is not in the store"]
    assert reasons["conversation-carried"] == ["the answer carries the earlier topic over: moodboard"]
    assert summary["per_topic"]["oos"]["must_mention_coverage"] is None
    assert summary["per_topic"]["oos"]["decline_accuracy"] == round(2 / 3, 4)
    assert summary["counts"]["conversations"] == 2 and summary["counts"]["failed"] == 4


def test_evaluation_reports_dev_test_gap_typo_cost_and_only_dev_failures():
    wrong = {"answer": "No.", "cited": ("Moodboards are marked proceed.",)}
    clean = [scored("d1", answer=FACT, rank=1, split="dev"), scored("d2", split="dev", **wrong),
             scored("t1", answer=FACT, rank=1, split="test"), scored("t2", answer=FACT, rank=1, split="test")]
    typos = [scored("d1", split="dev", **wrong), scored("d2", split="dev", **wrong),
             scored("t1", answer=FACT, rank=1, split="test"), scored("t2", split="test", **wrong)]
    typos[0]["question"] = "qeustion d1"
    evaluation = evaluate(clean, typos, k=4, perturbation={"kind": "typos", "seed": 0})
    assert evaluation["splits"]["dev"]["metrics"]["must_mention_coverage"] == 0.5
    assert evaluation["splits"]["test"]["metrics"]["must_mention_coverage"] == 1.0
    assert evaluation["gap"]["must_mention_coverage"] == -0.5
    assert evaluation["typos"]["test"]["metrics"]["must_mention_coverage"] == 0.5
    assert evaluation["typo_cost"]["must_mention_coverage"] == 0.5
    assert evaluation["perturbation"] == {"kind": "typos", "seed": 0, "changed": 1}
    assert [f["id"] for f in evaluation["failures"]] == ["d2"]  # t2 fails with typos, but test is never listed
    assert [f["id"] for f in evaluation["typo_only_failures"]] == ["d1"]
    assert all("failures" not in summary for summary in evaluation["splits"].values())
    figures = gate_figures(evaluation)
    assert figures["test"]["must_mention_coverage"] == 1.0 and figures["typos"]["must_mention_coverage"] == 0.5

    unsplit = evaluate([dict(r, split="") for r in clean], None, k=4)
    assert unsplit["gated_split"] == "all" and unsplit["gap"] == {} and unsplit["typos"] == {}
    assert [f["id"] for f in unsplit["failures"]] == ["d2"]


def write(tmp_path, text: str):
    path = tmp_path / "thresholds.toml"
    path.write_text(text)
    return gate.load_thresholds(path)


def test_gate_checks_test_typos_gap_and_typo_cost(tmp_path):
    thresholds = write(tmp_path, "[test.minimum]\nmust_mention_coverage = 0.85\n"
                                 "[test.maximum]\nlatency_p95_ms = 100\n"
                                 "[typos.minimum]\nmust_mention_coverage = 0.8\n"
                                 "[gap.maximum]\nmust_mention_coverage = 0.05\ndecline_accuracy = 0.05\n"
                                 "[typo_cost.maximum]\nmust_mention_coverage = 0.1\n")
    passing = {"test": {"must_mention_coverage": 0.9, "latency_p95_ms": 50}, "typos": {"must_mention_coverage": 0.8},
               "gap": {"must_mention_coverage": 0.05, "decline_accuracy": -0.2},
               "typo_cost": {"must_mention_coverage": 0.1}}
    assert gate.check(passing, thresholds) == []
    failing = {"test": {"must_mention_coverage": 0.8, "latency_p95_ms": 150},
               "typos": {"must_mention_coverage": 0.7},
               "gap": {"must_mention_coverage": 0.06, "decline_accuracy": None},
               "typo_cost": {"must_mention_coverage": 0.2}}
    assert gate.check(failing, thresholds) == [
        "test split: must_mention_coverage = 0.8 is below the minimum 0.85",
        "test split: latency_p95_ms = 150 is above the maximum 100",
        "typo variants of the test split: must_mention_coverage = 0.7 is below the minimum 0.8",
        "dev-test gap (dev minus test): must_mention_coverage = 0.06 is above the maximum 0.05",
        "dev-test gap (dev minus test): decline_accuracy was not measured; required ≤ 0.05",
        "typo cost (clean minus typos): must_mention_coverage = 0.2 is above the maximum 0.1",
    ]
    # A file without a dev split has no gap: that table is skipped; a missing typo run is not.
    unsplit = {"test": passing["test"], "typos": {}, "gap": {}, "typo_cost": {}}
    assert gate.check(unsplit, thresholds) == [
        "typo variants of the test split: must_mention_coverage was not measured; required ≥ 0.8",
        "typo cost (clean minus typos): must_mention_coverage was not measured; required ≤ 0.1"]


def test_gate_rejects_unknown_tables_bounds_and_metrics(tmp_path):
    with pytest.raises(ValueError, match="unknown metric"):
        write(tmp_path, "[test.minimum]\ncoverage = 0.85\n")
    with pytest.raises(ValueError, match="unknown table"):
        write(tmp_path, "[minimum]\nmust_mention_coverage = 0.85\n")
    with pytest.raises(ValueError, match=r"may only hold \[gap.minimum\] and \[gap.maximum\]"):
        write(tmp_path, "[gap.limit]\nmust_mention_coverage = 0.05\n")


def test_shipped_thresholds_gate_the_test_split_its_typos_and_the_gap():
    thresholds = gate.load_thresholds()
    assert thresholds["gap"]["maximum"]["must_mention_coverage"] <= 0.05
    assert thresholds["gap"]["maximum"]["decline_accuracy"] <= 0.05
    assert thresholds["test"]["minimum"]["citation_validity"] == 1.0
    for name in ("must_mention_coverage", "answer_text_coverage", "decline_accuracy", "out_of_scope_handled"):
        assert name in thresholds["test"]["minimum"] and name in thresholds["typos"]["minimum"], name
