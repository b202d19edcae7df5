"""`python -m chatbot` as a person runs it: a real subprocess over a real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
    assert answer.startswith("Yes") and "[1]" in answer
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
