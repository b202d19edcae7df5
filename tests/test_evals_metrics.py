"""The evaluation's metric functions, the report's aggregation and the gate, on small hand-made cases."""

from __future__ import annotations

import pytest

from chatbot.types import Citation, Passage
from evals.quality import gate, metrics, report

GROUPS = [["written approval", "approval"], ["consent"]]


def passage(text: str) -> Passage:
    return Passage(chunk_id=text[:8], text=text, source="corpus/x.md", title="X", section="S", url="", kind="guidance")


def test_must_mention_needs_every_group_and_ignores_case():
    assert metrics.must_mention_ok("Get Written Approval and the performer's CONSENT.", GROUPS)
    assert not metrics.must_mention_ok("Get written approval first.", GROUPS)
    assert metrics.missing_groups("Get written approval first.", GROUPS) == [["consent"]]


def test_must_mention_reads_several_texts_and_passage_objects():
    assert metrics.must_mention_ok(["Approval is needed.", passage("Consent is documented.")], GROUPS)
    assert not metrics.must_mention_ok([], GROUPS)
    assert metrics.must_mention_ok("anything", [])


def test_decline_correct():
    assert metrics.decline_correct(answerable=True, declined=False)
    assert metrics.decline_correct(answerable=False, declined=True)
    assert not metrics.decline_correct(answerable=True, declined=True)
    assert not metrics.decline_correct(answerable=False, declined=False)


def test_citation_valid_accepts_verbatim_passages_and_rejects_fabricated_ones():
    store = {"Creating a digital replica requires consent.", "Moodboards are marked proceed."}
    real = Citation(n=1, title="T", section="S", url="", passage="Creating a digital replica requires consent.", score=0.9)
    assert metrics.citation_valid([real], store)
    assert metrics.citation_valid([{"passage": "Moodboards are marked proceed."}], store)
    assert metrics.citation_valid(["marked proceed"], store)  # an excerpt of a stored chunk
    fabricated = {"passage": "Netflix bans all AI in final deliverables."}
    assert not metrics.citation_valid([real, fabricated], store)
    assert not metrics.citation_valid([{"passage": "  "}], store)
    assert metrics.citation_valid([], store)


def test_hit_at_k_and_reciprocal_rank_need_one_passage_with_every_group():
    ranked = [
        passage("Written approval is needed."),  # only one group
        passage("Consent alone."),  # only the other group: the two together do not count
        passage("Written approval and consent are both required."),
    ]
    assert metrics.first_hit_rank(ranked, GROUPS) == 3
    assert not metrics.hit_at_k(ranked, GROUPS, 2)
    assert metrics.hit_at_k(ranked, GROUPS, 3)
    assert metrics.reciprocal_rank(ranked, GROUPS, 10) == pytest.approx(1 / 3)
    assert metrics.reciprocal_rank(ranked, GROUPS, 2) == 0.0
    assert metrics.reciprocal_rank([], GROUPS, 5) == 0.0


def test_percentile_interpolates():
    assert metrics.percentile([5, 1, 3, 2, 4], 50) == 3
    assert metrics.percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)
    assert metrics.percentile([7], 95) == 7
    assert metrics.percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        metrics.percentile([1], 120)


def record(id, *, answerable=True, declined=False, must_ok=True, citations_valid=True, rank=1, latency=10.0,
           topic="t"):
    """A scored record as the runner writes it."""
    answered = not declined
    scores = {"decline_correct": answerable != declined, "citations_valid": citations_valid if answered else None}
    if answerable:
        scores |= {
            "must_mention_ok": answered and must_ok,
            "missing_groups": [] if must_ok else [["consent"]],
            "hit_rank": rank,
            "hit_at_k": rank is not None and rank <= 4,
            "reciprocal_rank": 1 / rank if rank else 0.0,
        }
    return {
        "id": id, "question": f"question {id}", "answer": "" if declined else "An answer [1].",
        "declined": declined, "citations": [] if declined else [{"n": 1, "title": "T", "section": "S", "url": "",
                                                                 "passage": "p"}],
        "latency_ms": latency, "topic": topic, "answerable": answerable, "expected": "e",
        "must_mention": [["consent"]] if answerable else [], "notice": "", "error": "", "retrieved": [],
        "scores": scores,
    }


def test_summarize_counts_a_hit_a_miss_a_wrong_decline_and_a_fabricated_citation():
    records = [
        record("hit", rank=1, latency=10),
        record("miss", must_ok=False, rank=None, latency=20),
        record("declined", declined=True, rank=2, latency=30),
        record("fabricated", citations_valid=False, rank=5, latency=40),
        record("out-of-scope", answerable=False, declined=True, latency=50, topic="oos"),
        record("answered-oos", answerable=False, declined=False, latency=60, topic="oos"),
    ]
    summary = report.summarize(records, k=4)
    values = summary["metrics"]
    assert values["must_mention_coverage"] == 0.5  # hit, fabricated of 4 answerable
    assert values["decline_accuracy"] == round(4 / 6, 4)
    assert values["wrongly_declined_rate"] == 0.25
    assert values["wrongly_answered_rate"] == 0.5
    assert values["citation_validity"] == 0.75  # 3 of the 4 answered
    assert values["hit_at_k"] == 0.5  # ranks 1 and 2 within k=4; None and 5 are misses
    assert values["mrr"] == round((1 + 0 + 0.5 + 0.2) / 4, 4)
    assert values["latency_p50_ms"] == 35.0
    assert {f["id"] for f in summary["failures"]} == {"miss", "declined", "fabricated", "answered-oos"}
    reasons = {f["id"]: f["reasons"] for f in summary["failures"]}
    assert reasons["declined"] == ["declined an answerable question"]
    assert reasons["fabricated"] == ["a cited passage is not in the store"]
    assert reasons["miss"] == ["answer and citations do not mention consent"]
    assert summary["per_topic"]["oos"]["must_mention_coverage"] is None
    assert summary["per_topic"]["oos"]["decline_accuracy"] == 0.5


def test_markdown_report_lists_failures_with_expectation_and_reply():
    summary = report.summarize([record("miss", must_ok=False), record("ok")], k=4)
    text = report.markdown(summary, title="Run", settings={"retriever": "hybrid", "answerer": "extractive"},
                           thresholds={"minimum": {"must_mention_coverage": 0.85}, "maximum": {}})
    assert "| Must-mention coverage (answerable) | 0.500 | ≥ 0.850 |" in text
    assert "### miss (t)" in text and "**Expected:** e" in text and "An answer [1]." in text
    assert "### ok" not in text


def test_gate_reports_each_metric_that_misses_its_limit(tmp_path):
    path = tmp_path / "thresholds.toml"
    path.write_text("[minimum]\nmust_mention_coverage = 0.85\ndecline_accuracy = 0.9\n"
                    "[maximum]\nlatency_p95_ms = 100\n")
    thresholds = gate.load_thresholds(path)
    problems = gate.check({"must_mention_coverage": 0.8, "decline_accuracy": 0.95, "latency_p95_ms": 150},
                          thresholds)
    assert len(problems) == 2
    assert "must_mention_coverage = 0.8 is below the minimum 0.85" in problems[0]
    assert "latency_p95_ms = 150 is above the maximum 100" in problems[1]
    assert gate.check({"must_mention_coverage": 0.9, "decline_accuracy": 0.9, "latency_p95_ms": 50}, thresholds) == []
    assert gate.check({"must_mention_coverage": None, "decline_accuracy": 1, "latency_p95_ms": 1}, thresholds)


def test_gate_rejects_unknown_metric_names(tmp_path):
    path = tmp_path / "thresholds.toml"
    path.write_text("[minimum]\ncoverage = 0.85\n")
    with pytest.raises(ValueError, match="unknown metric"):
        gate.load_thresholds(path)


def test_shipped_thresholds_keep_the_agreed_floors():
    minimum = gate.load_thresholds()["minimum"]
    assert minimum["must_mention_coverage"] >= 0.85
    assert minimum["decline_accuracy"] >= 0.90
    assert minimum["citation_validity"] == 1.0
