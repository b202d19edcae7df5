"""The real entry point: `python app.py` serves cited answers, and builds the index itself on first launch."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from ui_helpers import ROOT, free_port, run_app_py

pytestmark = pytest.mark.slow

QUESTION = "What happened with What Jennifer Did?"


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False)


def _rss_mib(pid: int) -> float:
    return int(subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True).stdout) / 1024


def test_app_py_answers_with_sources_on_the_configured_port(corpus_settings):
    port = free_port()
    started = time.perf_counter()
    with run_app_py({"RAG_DATA_DIR": str(corpus_settings.data_dir), "RAG_CORPUS_DIR": str(corpus_settings.corpus_dir),
                     "RAG_PORT": str(port)}) as (process, url):
        listening = time.perf_counter() - started
        result = _client(url).predict(QUESTION, api_name="/ask")
        first_answer = time.perf_counter() - started
        rss = _rss_mib(process.pid)

    assert url == f"http://127.0.0.1:{port}/"
    assert result["citations"] and result["citations"][0]["title"]
    assert "ingesting" not in "".join(process.output), "a built index is used as it is"
    print(f"\napp.py: listening after {listening:.1f} s, first answer after {first_answer:.1f} s, RSS {rss:.0f} MiB")


def test_first_launch_ingests_an_empty_store_then_answers(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "articles").mkdir(parents=True)
    for name in ("articles/what-jennifer-did-ai-images.md", "articles/netflix-the-eternaut-genai-footage.md"):
        shutil.copy(ROOT / "corpus" / name, corpus / name)
    port = free_port()

    with run_app_py({"RAG_DATA_DIR": str(tmp_path / "data"), "RAG_CORPUS_DIR": str(corpus),
                     "RAG_PORT": str(port)}) as (process, url):
        result = _client(url).predict(QUESTION, api_name="/ask")

    output = "".join(process.output)
    assert "is empty: ingesting" in output
    assert "ingested 2 documents" in output
    assert (tmp_path / "data" / "chroma" / "chroma.sqlite3").exists()
    assert {citation["source"] for citation in result["citations"]} == {"articles/what-jennifer-did-ai-images.md"}


def test_app_py_refuses_an_empty_corpus_with_an_actionable_message(tmp_path):
    (tmp_path / "corpus").mkdir()
    completed = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, capture_output=True, text=True, timeout=180,
        env={**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), "RAG_CORPUS_DIR": str(tmp_path / "corpus"),
             "RAG_PORT": str(free_port())},
    )
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines()[-1].startswith("error: Nothing could be indexed from ")
    assert "Traceback" not in completed.stderr


def test_app_py_help_says_how_to_choose_the_port_and_starts_nothing(tmp_path):
    completed = subprocess.run([sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True,
                               timeout=60, env={**os.environ, "RAG_DATA_DIR": str(tmp_path / "data")})
    assert completed.returncode == 0
    assert "--port" in completed.stdout and "RAG_PORT" in completed.stdout
    assert not (tmp_path / "data").exists(), "--help ingests nothing"


def test_a_port_in_use_gets_a_message_naming_the_projects_own_way_to_change_it(corpus_settings):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "app.py", "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=240,
            env={**os.environ, "RAG_DATA_DIR": str(corpus_settings.data_dir),
                 "RAG_CORPUS_DIR": str(corpus_settings.corpus_dir)})
    assert completed.returncode == 1
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: port {port} on 127.0.0.1 is already in use") and "--port" in last, last
    assert "GRADIO_SERVER_PORT" not in completed.stderr and "Traceback" not in completed.stderr
