"""The benchmark: one quick run end to end (every section present, every figure a number), and its pure parts."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from evals.bench import ingest_runs, stats, synthetic, table, targets
from evals.bench.__main__ import SECTIONS

ROOT = ingest_runs.ROOT
SUMMARY_KEYS = {"n", "median", "p95", "iqr", "min", "max"}


def _summaries(node, path=()):
    """Every summary dict (one with a median) in the results, with where it is."""
    if isinstance(node, dict):
        if "median" in node:
            yield path, node
        else:
            for key, value in node.items():
                yield from _summaries(value, (*path, key))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-out")
    completed = subprocess.run([sys.executable, "-m", "evals.bench", "--quick", "--out", str(out)], cwd=ROOT,
                               capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads((out / "bench.json").read_text(encoding="utf-8")), completed.stdout, out


@pytest.mark.slow
def test_quick_run_reports_every_section_with_numbers(quick_run):
    results, stdout, out = quick_run

    assert set(SECTIONS) <= set(results)
    summaries = dict(_summaries(results))
    for section in SECTIONS:
        assert any(path[0] == section for path in summaries), f"{section} has no timed figure"
    for path, summary in summaries.items():
        assert set(summary) == SUMMARY_KEYS, path
        assert summary["n"] >= 1, path
        assert all(isinstance(summary[key], (int, float)) for key in SUMMARY_KEYS), path
        assert 0 <= summary["min"] <= summary["median"] <= summary["max"], path
    answers = results["answers"]
    assert answers["bot"]["total_ms"]["median"] > 0 and answers["floor_ms"]["median"] > 0
    assert answers["bot"]["total_over_floor"] > 0 and answers["baseline"]["total_over_floor"] > 0
    for metric, row in answers["quality"]["metrics"].items():
        for pipeline in ("bot", "baseline"):
            assert row[pipeline] is None or 0 <= row[pipeline] <= 1, (metric, pipeline)
    assert results["cold_start"]["app"]["peak_rss_mb"]["max"] > 100
    # The old path (torch, no load cache) beside the new one, in the same run.
    assert answers["backend"] == "onnx" and answers["old"]["backend"] == "torch"
    assert answers["old"]["same_answers"]["identical"] is True, answers["old"]["same_answers"]
    assert answers["old"]["floor_ms"]["median"] > 0 and answers["old"]["bot"]["total_over_floor"] > 0
    assert results["cold_start"]["old"]["cli"]["first_answer_s"]["median"] > 0
    assert results["cold_start"]["old"]["app"]["peak_rss_mb"]["max"] > 100
    for size in ("1000", "2000"):
        opened = results["scale"]["sizes"][size]["open"]
        assert opened["old"]["seconds"]["median"] > 0 and opened["new"]["seconds"]["median"] > 0
    assert "**Old and new path**" in stdout
    assert results["ingest"]["unchanged"]["embedded"] == 0
    assert results["ingest"]["one_edit"]["embedded"]["min"] >= 1
    assert set(results["scale"]["sizes"]) == {"1000", "2000"}
    assert all(results["scale"]["sizes"][size]["chunks"] == int(size) for size in ("1000", "2000"))
    assert {target["name"] for target in results["targets"]} == {t.name for t in targets.check(results)}
    assert all(target["value"] is not None for target in results["targets"])
    assert "**Targets**" in stdout and (out / "bench.md").read_text(encoding="utf-8").strip() == stdout.strip()


def test_summaries_are_median_p95_and_spread():
    summary = stats.summarize([5.0, 1.0, 3.0, 2.0, 4.0])

    assert summary == {"n": 5, "median": 3.0, "p95": 4.8, "iqr": 2.0, "min": 1.0, "max": 5.0}
    assert stats.summarize([])["n"] == 0
    assert stats.ratio(3.0, 2.0) == 1.5 and stats.ratio(1.0, 0.0) is None


def test_synthetic_chunks_recombine_real_sentences_near_their_source_vector():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(3, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [
        "Written approval is needed for a digital replica. Consent comes first in every case.",
        "Background signage made with GenAI is usually fine. Key creative elements need more care here.",
        "Vendors must not train models on production data. Secure enterprise tools keep data private.",
    ]
    real = synthetic.RealChunks(texts, [{"source": f"doc-{i}.md", "title": f"Doc {i}"} for i in range(3)], vectors)
    sentences = {s for text in texts for s in text.replace(". ", ".\n").splitlines()}

    batches = list(synthetic.synthesize(real, 50, batch_size=20, seed=3))
    again = list(synthetic.synthesize(real, 50, batch_size=20, seed=3))

    assert [len(batch.ids) for batch in batches] == [20, 20, 10]
    ids = [i for batch in batches for i in batch.ids]
    assert len(set(ids)) == 50
    assert [b.texts for b in batches] == [b.texts for b in again], "the same seed gives the same chunks"
    for batch in batches:
        assert np.allclose(np.linalg.norm(batch.embeddings, axis=1), 1.0, atol=1e-5)
        closest = (batch.embeddings @ vectors.T).max(axis=1)
        assert closest.min() > 0.75, "each vector stays near a real chunk's"
        for text in batch.texts:
            assert set(text.replace(". ", ".\n").splitlines()) <= sentences
        assert all(metadata["source"].startswith("synthetic/") for metadata in batch.metadatas)


def test_edit_paragraph_changes_one_prose_line_only(tmp_path):
    document = tmp_path / "doc.md"
    lines = [
        "---", "title: \"A long title that has enough words to look like a paragraph of prose here\"", "---", "",
        "# Heading with enough words to pass the length test if it were prose at all here", "",
        "- a list item that also has enough words to pass the length test if it were prose",
        "First paragraph of prose that is certainly long enough to count as a paragraph for editing.",
        "| a | table | row | with | many | cells | that | pass | the | word | count | if | it | were | prose |",
        "Second paragraph of prose that is certainly long enough to count as a paragraph for editing.",
    ]
    document.write_text("\n".join(lines), encoding="utf-8")

    ingest_runs.edit_paragraph(document, 0)

    edited = document.read_text(encoding="utf-8").split("\n")
    changed = [i for i, (old, new) in enumerate(zip(lines, edited)) if old != new]
    assert changed == [9]
    assert edited[9].startswith(lines[9]) and edited[9].endswith("(1).")


def test_targets_judge_each_figure_and_leave_missing_sections_open():
    results = {
        "answers": {"bot": {"total_over_floor": 1.5, "total_ms": {"p95": 120.0}},
                    "quality": {"at_least_baseline_everywhere": True, "coverage_strictly_better": False}},
        "ingest": {"unchanged": {"seconds": {"median": 0.4}, "embedded": 0}},
        "scale": {"growth": {"from": 10_000, "to": 100_000, "dense": 1.2, "bm25": 4.0, "hybrid": 2.0}},
    }

    met = {target.name: target.met for target in targets.check(results)}

    assert met["warm ask() total p50 / question-embedding p50"] is True
    assert met["warm ask() total p95 (ms)"] is False
    assert met["must-mention coverage > baseline's"] is False
    assert met["unchanged re-ingest embeds nothing"] is True
    assert met["bm25 retrieval p50 at 100,000 / at 10,000 chunks"] is False
    assert met["hybrid retrieval p50 at 100,000 / at 10,000 chunks"] is True
    assert met["app: launch to first answer p50 (s)"] is None, "cold start was not run"
    rendered = table.targets_table(targets.check(results))
    assert "| warm ask() total p95 (ms) | 120.0 | < 100 | **no** |" in rendered


def test_both_paths_count_as_the_same_when_only_a_score_moves_in_its_fourth_decimal():
    from evals.bench.answers import same_answers

    record = {"id": "q1", "answer": "Proceed. [1]", "latency_ms": 9.0,
              "retrieved": [{"chunk_id": "a", "score": 0.4235}, {"chunk_id": "b", "score": 0.4839}]}
    nudged = {**record, "latency_ms": 14.0, "retrieved": [{"chunk_id": "a", "score": 0.4236},
                                                           {"chunk_id": "b", "score": 0.4839}]}
    assert same_answers([record], [nudged])["identical"] is True
    reordered = {**record, "retrieved": list(reversed(record["retrieved"]))}
    moved = {**record, "retrieved": [{"chunk_id": "a", "score": 0.44}, {"chunk_id": "b", "score": 0.4839}]}
    reworded = {**record, "answer": "Escalate. [1]"}
    for other in (reordered, moved, reworded):
        assert same_answers([record], [other]) == {"questions": 1, "differ": ["q1"], "identical": False,
                                                   "score_tolerance": 1e-3}
