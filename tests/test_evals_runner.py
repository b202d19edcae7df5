"""The evaluation end to end over the real corpus index: results, conversations replayed through `ask()`, typo
variants, the report per split, and the gate's exit codes."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil

import pytest

from evals.quality import runner
from evals.quality.cli import DEFAULT_QUESTIONS, main
from evals.quality.dataset import load_questions, parse_question
from evals.quality.metrics import must_mention_ok
from evals.quality.summary import failure_reasons

THREE = [
    {"id": "replica", "question": "Do we need consent to make a digital double of our lead actress?",
     "answerable": True, "must_mention": [["consent"]], "topic": "talent", "expected": "Yes, documented consent.",
     "reviewed_by": "an extra field, ignored"},
    {"id": "moodboards", "question": "Can we use GenAI for moodboards?", "answerable": True,
     "must_mention": [["moodboard"]], "topic": "matrix", "expected": "Yes, proceed."},
    {"id": "recipe", "question": "give me a good recipe for banana bread", "answerable": False,
     "must_mention": [], "topic": "out of scope", "expected": "Declined."},
]
ZEBRA = THREE[1] | {"id": "moodboards-test-miss", "split": "test", "must_mention": [["zebra"]]}
SPLIT = [
    THREE[0] | {"split": "dev"},
    THREE[1] | {"split": "test"},
    THREE[2] | {"split": "test"},
    {"id": "signage-after-script", "split": "dev", "kind": "conversation", "topic": "matrix",
     "history": ["can i use chatgpt to write our script"], "question": "is it ok to use AI for background signage?",
     "answerable": True, "must_mention": [["signage", "background"]], "must_not_mention": ["chatgpt"]},
]


def write(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def corpus_env(monkeypatch, corpus_settings):
    """`Settings.from_env()` inside `main()` points at the session's ingested store."""
    monkeypatch.setenv("RAG_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus_settings.corpus_dir))
    for name in ("RAG_CONFIG", "RAG_RETRIEVER", "RAG_ANSWERER", "RAG_CHROMA_URL"):
        monkeypatch.delenv(name, raising=False)


class Recorder:
    """The real bot, with each `ask()` call's arguments noted."""

    def __init__(self, bot, outcome: str | None = None):
        self.bot, self.calls, self.outcome = bot, [], outcome

    def ask(self, question, history=()):
        self.calls.append((question, tuple(history)))
        answer = self.bot.ask(question, history)
        if self.outcome is None:
            return answer
        # The answer's own `outcome`, set here to each value the runner must read.
        return dataclasses.replace(answer, outcome=self.outcome)

    def retrieve(self, question, history=()):
        return self.bot.retrieve(question, history)


def test_history_is_replayed_through_ask_and_the_last_turn_is_graded(bot, corpus_settings):
    question = parse_question(json.dumps(SPLIT[3]))
    recorder = Recorder(bot)
    store = runner.stored_texts(corpus_settings)
    record = runner.run_one(recorder, question, store, k=corpus_settings.top_k)

    first_reply = bot.ask("can i use chatgpt to write our script")
    expected_history = ({"role": "user", "content": "can i use chatgpt to write our script"},
                        {"role": "assistant", "content": first_reply.text})
    assert recorder.calls == [("can i use chatgpt to write our script", ()),
                              ("is it ok to use AI for background signage?", expected_history)]
    assert record["answer"] == bot.ask("is it ok to use AI for background signage?", expected_history).text
    assert record["history"] == ["can i use chatgpt to write our script"]
    assert record["scores"]["must_not_mention_ok"] is ("chatgpt" not in record["answer"].lower())


def test_must_not_mention_fails_when_the_last_answer_repeats_the_phrase(bot, corpus_settings):
    store = runner.stored_texts(corpus_settings)
    base = {"id": "c", "history": ["what does the matrix say about moodboards?"], "answerable": True,
            "question": "and for background signage?", "must_mention": [["signage", "background"]]}
    record = runner.run_one(bot, parse_question(json.dumps(base | {"must_not_mention": ["signage", "banana"]})),
                            store, k=corpus_settings.top_k)
    assert "signage" in record["answer"].lower()
    assert record["scores"]["carried_over"] == ["signage"] and record["scores"]["must_not_mention_ok"] is False
    assert failure_reasons(record) == ["the answer carries the earlier topic over: signage"]
    clean = runner.run_one(bot, parse_question(json.dumps(base | {"must_not_mention": ["banana bread"]})),
                           store, k=corpus_settings.top_k)
    assert clean["scores"]["must_not_mention_ok"] is True and not failure_reasons(clean)


def test_outcome_comes_from_the_answer_when_it_has_one(bot, corpus_settings):
    store = runner.stored_texts(corpus_settings)
    recipe = parse_question(json.dumps(THREE[2]))
    plain = runner.run_one(bot, recipe, store, k=corpus_settings.top_k)
    assert (plain["outcome"], plain["declined"], plain["scores"]["handled"]) == ("declined", True, True)
    partly = runner.run_one(Recorder(bot, outcome="partly"), recipe, store, k=corpus_settings.top_k)
    assert partly["outcome"] == "partly" and partly["scores"]["handled"] is True
    answered = runner.run_one(Recorder(bot, outcome="answered"), recipe, store, k=corpus_settings.top_k)
    assert answered["scores"]["handled"] is False
    assert failure_reasons(answered)[0].startswith("answered an out-of-scope question")


def test_runner_writes_the_documented_results_for_any_question_file(corpus_env, tmp_path, capsys):
    path = write(tmp_path / "three.jsonl", THREE)
    out = tmp_path / "out"
    assert main(["--questions", str(path), "--out", str(out), "--quiet"]) == 0
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["replica", "moodboards", "recipe"]
    for line in lines:
        assert {"id", "question", "answer", "declined", "outcome", "citations", "latency_ms"} <= set(line)
        assert line["latency_ms"] > 0
    replica, _, recipe = lines
    assert replica["outcome"] == "answered" and not replica["declined"] and replica["citations"]
    assert set(replica["citations"][0]) == {"n", "title", "section", "url", "passage"}
    assert recipe["outcome"] == "declined" and recipe["declined"] and not recipe["citations"]
    assert not (out / "results-typos.jsonl").exists()

    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["gated_split"] == "all" and saved["splits"]["all"]["counts"]["questions"] == 3
    assert saved["splits"]["all"]["metrics"]["citation_validity"] == 1.0
    assert saved["gate"] is None and saved["typos"] == {}
    assert "| Decline accuracy: handled as expected (all) | 1.000 |" in (out / "report.md").read_text(encoding="utf-8")
    assert "| Metric | all | Gate |" in capsys.readouterr().out
    for chart in ("topics.png", "overview.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_shows_dev_test_gap_and_typos_but_lists_only_dev_questions(corpus_env, tmp_path, capsys):
    rows = SPLIT[:3] + [ZEBRA]
    path = write(tmp_path / "split.jsonl", rows)
    out = tmp_path / "out"
    assert main(["--questions", str(path), "--out", str(out), "--quiet", "--perturb", "typos:5"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0] == ("| Metric | dev | test | gap (dev − test) | dev + typos | test + typos "
                                     "| typo cost (test) | Gate |")
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["splits"]["dev"]["counts"]["questions"] == 1 and saved["splits"]["test"]["counts"]["questions"] == 3
    dev, test = saved["splits"]["dev"]["metrics"], saved["splits"]["test"]["metrics"]
    assert test["must_mention_coverage"] == 0.5  # the zebra question cannot pass
    assert saved["gap"]["must_mention_coverage"] == round(dev["must_mention_coverage"] - 0.5, 4)
    assert saved["perturbation"]["seed"] == 5 and saved["perturbation"]["changed"] == 4
    typo_questions = [json.loads(line)["question"] for line in (out / "results-typos.jsonl").read_text().splitlines()]
    assert all(variant != row["question"] for variant, row in zip(typo_questions, rows, strict=True))
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "1 of 3 test questions failed a check" in report and "moodboards-test-miss" not in report
    assert "moodboards-test-miss" not in json.dumps(saved["failures"] + saved["typo_only_failures"])
    assert "## Failed dev questions" in report


def test_check_gates_the_test_split_and_fails_on_a_dev_test_gap(corpus_env, tmp_path, capsys):
    path = write(tmp_path / "split.jsonl", SPLIT[:3] + [ZEBRA])
    limits = tmp_path / "limits.toml"
    limits.write_text("[test.minimum]\ncitation_validity = 1.0\n[gap.maximum]\nmust_mention_coverage = 0.05\n")
    argv = ["--questions", str(path), "--out", str(tmp_path / "out"), "--quiet", "--check", "--thresholds",
            str(limits)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "gate failed (hybrid): dev-test gap (dev minus test): must_mention_coverage = 0.5 is above" in err
    assert json.loads((tmp_path / "out" / "report.json").read_text())["perturbation"] == {
        "kind": "typos", "seed": 0, "changed": 4}

    limits.write_text("[test.minimum]\ncitation_validity = 1.0\n[typos.minimum]\ncitation_validity = 1.0\n")
    assert main(argv) == 0
    assert "gate passed (hybrid" in capsys.readouterr().err
    assert "**Gate: passed.**" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_check_exits_1_when_a_threshold_is_unmet(corpus_env, tmp_path, capsys):
    path = write(tmp_path / "three.jsonl", THREE)
    unmet = tmp_path / "unmet.toml"
    unmet.write_text("[test.minimum]\ndecline_accuracy = 1.01\n[test.maximum]\nlatency_p95_ms = 0.001\n")
    argv = ["--questions", str(path), "--out", str(tmp_path / "out"), "--quiet", "--check", "--thresholds", str(unmet)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "test split: decline_accuracy = 1 is below the minimum 1.01" in captured.err
    assert "latency_p95_ms" in captured.err and "above the maximum 0.001" in captured.err
    assert "gate passed" not in captured.err
    assert "| Decline accuracy: handled as expected (all) |" in captured.out
    assert "**Gate: failed.**" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_compare_runs_every_retriever_and_split_selects_questions(corpus_env, tmp_path, capsys):
    path = write(tmp_path / "split.jsonl", SPLIT[:3])
    out = tmp_path / "compare"
    assert main(["--questions", str(path), "--out", str(out), "--quiet", "--compare", "--split", "test"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "| Metric | dense | bm25 | hybrid |"
    compared = json.loads((out / "compare.json").read_text())
    assert set(compared) == {"dense", "bm25", "hybrid"}
    for retriever in compared:
        assert [json.loads(line)["id"] for line in (out / retriever / "results.jsonl").read_text().splitlines()] == [
            "moodboards", "recipe"]


def test_bad_inputs_are_one_line_and_exit_1(corpus_env, tmp_path, capsys):
    bad = write(tmp_path / "bad.jsonl", [{"id": "x"}])
    assert main(["--questions", str(bad), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evals: Question file") and "line 1: missing field(s)" in err[0]
    good = write(tmp_path / "good.jsonl", THREE)
    assert main(["--questions", str(good), "--quiet", "--perturb", "emoji"]) == 1
    assert "unknown perturbation 'emoji'" in capsys.readouterr().err
    assert main(["--questions", str(good), "--quiet", "--check", "--split", "dev"]) == 1
    assert "drop --split" in capsys.readouterr().err


def test_a_question_that_raises_is_recorded_not_raised(make_settings):
    from chatbot.bot import build_bot

    settings = make_settings()  # no index in this data folder
    record = runner.run_one(build_bot(settings), parse_question(json.dumps(THREE[0])), set(), k=settings.top_k)
    assert record["error"].startswith("IndexMissing") and record["outcome"] == "error"
    assert record["scores"]["handled"] is False and record["scores"]["must_mention_ok"] is False
    assert failure_reasons(record) == [f"error: {record['error']}"]


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


def test_shipped_questions_are_reachable_in_the_index_and_no_answer_contradicts_must_not_mention(corpus_settings):
    texts = runner.stored_texts(corpus_settings)
    questions = load_questions(DEFAULT_QUESTIONS)
    unreachable = [q.id for q in questions if q.answerable and q.kind != "multi-part" and not any(
        must_mention_ok(text, q.must_mention) for text in texts)]
    assert texts and not unreachable, f"no single indexed chunk mentions every group of {unreachable}"
    # A chunk that answers the question must not hold a phrase the answer is forbidden to say.
    contradictory = {q.id: phrase for q in questions for text in texts if must_mention_ok(text, q.must_mention)
                     for phrase in q.must_not_mention if phrase in text.lower()}
    assert not contradictory, contradictory


def test_an_index_holding_documents_outside_the_corpus_is_warned_of(corpus_settings, tmp_path, caplog):
    from evals.quality.runner import warn_of_other_documents

    assert warn_of_other_documents(corpus_settings) == []  # the corpus alone
    narrower = tmp_path / "corpus"
    narrower.mkdir()
    shutil.copy(corpus_settings.corpus_dir / "netflix-genai-guidance.md", narrower)
    with caplog.at_level(logging.WARNING, logger="evals"):
        others = warn_of_other_documents(dataclasses.replace(corpus_settings, corpus_dir=narrower))
    assert "netflix-genai-guidance.md" not in others and "guidance-what-it-does-not-say.md" in others
    assert "the figures are not the corpus's own" in caplog.text
