"""The evaluation end to end on a three-question file over the real corpus index, and the gate's exit codes."""

from __future__ import annotations

import json

import pytest

from evals.quality import report, runner
from evals.quality.cli import DEFAULT_QUESTIONS, main
from evals.quality.dataset import load_questions, parse_question
from evals.quality.metrics import must_mention_ok

THREE = [
    {"id": "replica", "question": "Do we need consent to make a digital double of our lead actress?",
     "answerable": True, "must_mention": [["consent"]], "topic": "talent", "expected": "Yes, documented consent."},
    {"id": "moodboards", "question": "Can we use GenAI for moodboards?", "answerable": True,
     "must_mention": [["moodboard"]], "topic": "matrix", "expected": "Yes, proceed."},
    {"id": "recipe", "question": "give me a good recipe for banana bread", "answerable": False,
     "must_mention": [], "topic": "out of scope", "expected": "Declined."},
]


@pytest.fixture
def three_questions(tmp_path):
    path = tmp_path / "three.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in THREE), encoding="utf-8")
    return path


@pytest.fixture
def corpus_env(monkeypatch, corpus_settings):
    """`Settings.from_env()` inside `main()` points at the session's ingested store."""
    monkeypatch.setenv("RAG_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus_settings.corpus_dir))
    for name in ("RAG_CONFIG", "RAG_RETRIEVER", "RAG_ANSWERER", "RAG_CHROMA_URL"):
        monkeypatch.delenv(name, raising=False)


def test_runner_writes_results_report_and_chart(bot, corpus_settings, three_questions, tmp_path):
    questions = load_questions(three_questions)
    store = runner.stored_texts(corpus_settings)
    records = runner.run_questions(bot, questions, store, k=corpus_settings.top_k, progress=False)
    summary = report.summarize(records, k=corpus_settings.top_k)
    out = tmp_path / "out"
    report.write_report(summary, records, out, title="three", settings=corpus_settings.describe())

    lines = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["replica", "moodboards", "recipe"]
    for line in lines:
        assert {"id", "question", "answer", "declined", "citations", "latency_ms"} <= set(line)
        assert line["latency_ms"] > 0
    replica, _, recipe = lines
    assert not replica["declined"] and replica["citations"]
    assert set(replica["citations"][0]) >= {"n", "title", "section", "url", "passage"}
    assert all(citation["passage"] in store for citation in replica["citations"])
    assert recipe["declined"] and not recipe["citations"]

    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["counts"] == summary["counts"] and saved["counts"]["questions"] == 3
    assert saved["metrics"]["citation_validity"] == 1.0
    assert saved["metrics"]["decline_accuracy"] == 1.0
    assert "| Decline accuracy (all) | 1.000 |" in (out / "report.md").read_text(encoding="utf-8")
    assert (out / "topics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_exits_1_when_a_threshold_is_unmet(corpus_env, three_questions, tmp_path, capsys):
    unmet = tmp_path / "unmet.toml"
    unmet.write_text("[minimum]\ndecline_accuracy = 1.01\n[maximum]\nlatency_p95_ms = 0.001\n")
    argv = ["--questions", str(three_questions), "--out", str(tmp_path / "out"), "--quiet", "--check",
            "--thresholds", str(unmet)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "decline_accuracy = 1 is below the minimum 1.01" in captured.err
    assert "latency_p95_ms" in captured.err and "above the maximum 0.001" in captured.err
    assert "gate passed" not in captured.err
    assert "| Must-mention coverage (answerable) |" in captured.out
    assert (tmp_path / "out" / "report.md").exists()


def test_compare_runs_every_retriever_and_check_passes_on_met_thresholds(corpus_env, three_questions, tmp_path,
                                                                          capsys):
    met = tmp_path / "met.toml"
    met.write_text("[minimum]\ndecline_accuracy = 0.5\ncitation_validity = 1.0\n")
    out = tmp_path / "compare"
    argv = ["--questions", str(three_questions), "--out", str(out), "--quiet", "--compare", "--limit", "2",
            "--check", "--thresholds", str(met)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "| Metric | dense | bm25 | hybrid |"
    assert "gate passed (hybrid" in captured.err
    compared = json.loads((out / "compare.json").read_text())
    assert set(compared) == {"dense", "bm25", "hybrid"}
    for retriever in compared:
        assert len((out / retriever / "results.jsonl").read_text().splitlines()) == 2


def test_bad_question_file_is_one_line_and_exit_1(corpus_env, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    assert main(["--questions", str(bad), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evals: Question file") and "line 1: missing field(s)" in err[0]


def test_a_question_that_raises_is_recorded_not_raised(make_settings):
    from chatbot.bot import build_bot

    settings = make_settings()  # no index in this data folder
    question = parse_question(json.dumps(THREE[0]))
    record = runner.run_one(build_bot(settings), question, set(), k=settings.top_k)
    assert record["error"].startswith("IndexMissing")
    assert record["scores"]["decline_correct"] is False and record["scores"]["must_mention_ok"] is False
    assert report.failure_reasons(record) == [f"error: {record['error']}"]


def test_empty_store_is_ingested_first(make_settings, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text(
        "---\ntitle: Note\nkind: document\n---\n# Note\n\n## Consent\n\nA digital replica needs the performer's consent.\n",
        encoding="utf-8",
    )
    settings = make_settings(corpus_dir=corpus)
    runner.ensure_index(settings)
    assert "is empty: ingesting" in capsys.readouterr().err
    assert any("digital replica" in text for text in runner.stored_texts(settings))


def test_every_answerable_question_is_satisfiable_by_one_stored_chunk(corpus_settings):
    texts = runner.stored_texts(corpus_settings)
    questions = load_questions(DEFAULT_QUESTIONS)
    unreachable = [q.id for q in questions if q.answerable and not any(
        must_mention_ok(text, q.must_mention) for text in texts)]
    assert texts and not unreachable, f"no single indexed chunk mentions every group of {unreachable}"
