"""`python -m chatbot` as a person runs it: a real subprocess over a real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def run_cli(args: list[str], data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("RAG_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "chatbot", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_question_prints_the_answer_and_numbered_sources(corpus_settings):
    result = run_cli(["Do I need written approval to create a digital replica of an actor?"], corpus_settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), result.stderr  # no library log lines or progress bars around the answer
    answer, _, sources = result.stdout.partition("\nSources:\n")
    assert answer.startswith("**Written approval required.**") and "[1]" in answer  # the verdict leads
    assert "[1] Using Generative AI in Content Production — " in sources
    assert "Talent" in sources or "Digital Replica" in sources
    assert "https://partnerhelp.netflixstudios.com/" in sources


def test_json_output_is_the_answer_as_a_dict(corpus_settings):
    result = run_cli(["--json", "What is Netflix's stock price?"], corpus_settings.data_dir)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["declined"] is True and data["citations"] == []
    assert set(data) >= {"question", "text", "citations", "declined", "notice", "timings", "passages"}


def test_missing_index_is_one_line_on_stderr_and_exit_1(tmp_path):
    result = run_cli(["Do I need consent?"], tmp_path / "nothing-here")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"error: No index in {tmp_path / 'nothing-here' / 'chroma'}. Run `python -m ingest` first."]


def test_bad_setting_is_one_line_on_stderr_and_exit_1(tmp_path):
    env_dir = tmp_path / "data"
    result = subprocess.run([sys.executable, "-m", "chatbot", "hello"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "RAG_DATA_DIR": str(env_dir), "RAG_RETRIEVER": "magic"}, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: Unknown retriever 'magic'")


def test_ask_subcommand_and_a_bare_question_give_the_same_answer(corpus_settings):
    question = "Can I use Midjourney for mood boards?"
    bare = run_cli([question], corpus_settings.data_dir)
    explicit = run_cli(["ask", question], corpus_settings.data_dir)
    assert bare.returncode == explicit.returncode == 0, bare.stderr + explicit.stderr
    assert bare.stdout == explicit.stdout and "[1]" in bare.stdout


def test_a_question_starting_with_check_is_a_question(corpus_settings):
    result = run_cli(["check whether I need consent for a digital replica"], corpus_settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "Sources:" in result.stdout and "Outcome" not in result.stdout


def test_an_empty_question_exits_2_with_a_message(tmp_path):
    for args in ([""], ["ask", "   "]):
        result = run_cli(args, tmp_path)
        assert result.returncode == 2, args
        assert result.stdout == "" and "error: the question is empty" in result.stderr


def test_a_closed_pipe_ends_quietly(corpus_settings):
    env = {**os.environ, "RAG_DATA_DIR": str(corpus_settings.data_dir), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(f"{sys.executable} -m chatbot --json 'Can I use Midjourney for mood boards?' | head -c 10",
                            shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.stdout == "{\n  \"quest"
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr


def test_the_first_answer_times_retrieval_without_loading_the_model(corpus_settings):
    started = time.perf_counter()
    result = run_cli(["--json", "Do I need consent for a digital replica?"], corpus_settings.data_dir)
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert result.returncode == 0, result.stderr
    timings = json.loads(result.stdout)["timings"]
    # Starting Python and loading the model take most of the run; retrieval is a small part of it.
    assert 0 < timings["retrieve_ms"] < elapsed_ms / 4, (timings, elapsed_ms)
