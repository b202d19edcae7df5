"""`python -m chatbot --server URL`: the running app's answer, printed as the local command prints its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from ui_helpers import ROOT, free_port, run_app_py

pytestmark = pytest.mark.slow

QUESTION = "Do I need written approval to create a digital replica of an actor?"


def run_cli(args: list[str], data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "chatbot", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_app_answers_for_the_command_line_as_the_command_line_would(corpus_settings, tmp_path):
    local = run_cli([QUESTION], corpus_settings.data_dir)
    with run_app_py({"RAG_DATA_DIR": str(corpus_settings.data_dir), "RAG_PORT": str(free_port())}) as (_, url):
        # An empty data folder: an answer can only come from the app.
        remote = run_cli(["--server", url, QUESTION], tmp_path / "empty")
        as_json = run_cli(["--server", url, "--json", "What is the capital of France?"], tmp_path / "empty")
        empty = run_cli(["--server", url, "   "], tmp_path / "empty")
        bare = run_cli(["--server", url.removeprefix("http://"), QUESTION], tmp_path / "empty")  # as the app prints it

    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and "[1]" in remote.stdout
    assert bare.returncode == 0 and bare.stdout == local.stdout, bare.stderr
    assert not remote.stderr.strip()
    declined = json.loads(as_json.stdout)
    assert declined["declined"] is True and declined["citations"] == []
    assert empty.returncode == 2 and empty.stderr.startswith("error: ") and "question" in empty.stderr.lower()


def test_no_app_at_the_url_is_one_line_and_exit_1(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"
    result = run_cli(["--server", url, QUESTION], tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: Cannot reach the app at {url}")
    assert "Start it with `python app.py`, or leave out --server" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
