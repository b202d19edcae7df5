"""Heavy libraries load only when needed: a question asked with the ONNX backend never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

# Each costs a second or more to import on a small machine.
HEAVY = ("torch", "transformers", "sentence_transformers", "langchain_huggingface", "sklearn", "gradio", "matplotlib")

ASK = """
import json, runpy, sys
sys.argv = ["chatbot", "--json", sys.argv[1]]
try:
    runpy.run_module("chatbot", run_name="__main__", alter_sys=True)
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {heavy})), file=sys.stderr)
"""

IMPORT = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}} & {heavy})))
"""


def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script.format(heavy=set(HEAVY) | {"chromadb"}), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **env})


def test_a_question_from_the_command_line_imports_no_torch(corpus_settings):
    result = run(ASK, "Do I need consent to make a digital replica of an actor?",
                 RAG_DATA_DIR=str(corpus_settings.data_dir), RAG_EMBEDDING_BACKEND="onnx")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["citations"]
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert not [name for name in loaded if name.split(".")[0] in HEAVY], loaded
    assert "chromadb" in loaded  # the store is opened, so its client is there: the check above could fail


def test_the_torch_backend_still_imports_torch(corpus_settings):
    result = run(ASK, "Do I need consent to make a digital replica of an actor?",
                 RAG_DATA_DIR=str(corpus_settings.data_dir), RAG_EMBEDDING_BACKEND="torch")
    assert result.returncode == 0, result.stderr
    assert "torch" in json.loads(result.stderr.strip().splitlines()[-1])


def test_importing_the_entry_points_loads_nothing_heavy():
    modules = ["chatbot", "chatbot.bot", "chatbot.__main__", "chatbot.cli", "chatbot.retrieval.search",
               "chatbot.store.reader", "chatbot.store.embedding", "chatbot.store.load_cache", "app", "ingest.pipeline",
               "evals.bench.__main__"]
    result = run(IMPORT, *modules)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []  # not even Chroma's client until a store is opened


STARTUP_CHECK = """
import json, sys
from chatbot.settings import Settings
from ingest.ensure import ensure_index
ensure_index(Settings.from_env())
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & {"langchain_core", "chromadb"})))
"""


def test_the_apps_check_of_a_built_index_loads_no_langchain(corpus_settings):
    result = subprocess.run([sys.executable, "-c", STARTUP_CHECK], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1",
                                              "RAG_DATA_DIR": str(corpus_settings.data_dir)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["chromadb"]  # the store was opened to count its chunks, nothing more
