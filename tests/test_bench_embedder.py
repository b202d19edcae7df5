"""The transformers-only embedder gives sentence-transformers' vectors, and only for models it can reproduce."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from chatbot.embedder import MeanPoolingEmbeddings, mean_pooling_model
from chatbot.store import bundled_model_path, get_embedder

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture
def model_copy(tmp_path) -> Path:
    """The bundled model's configuration files (no weights), free to edit."""
    source = Path(bundled_model_path())
    target = tmp_path / "model"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "*.onnx"))
    return target


def test_bundled_model_loads_without_sentence_transformers(embedder):
    assert isinstance(embedder, MeanPoolingEmbeddings)
    assert get_embedder("") is embedder


def test_vectors_equal_sentence_transformers_on_the_corpus(embedder):
    from langchain_huggingface import HuggingFaceEmbeddings

    reference = HuggingFaceEmbeddings(model_name=bundled_model_path(), model_kwargs={"device": "cpu"},
                                      encode_kwargs={"normalize_embeddings": True})
    paragraphs = [p for path in sorted(CORPUS.rglob("*.md")) for p in path.read_text(encoding="utf-8").split("\n\n")]
    texts = [p for p in paragraphs if p.strip()][:120] + ["", "a", "word " * 400, "Line one\nline two"]

    ours = np.asarray(embedder.embed_documents(texts))
    theirs = np.asarray(reference.embed_documents(texts))

    assert ours.shape == theirs.shape == (len(texts), 384)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.abs(np.asarray(embedder.embed_query(texts[3])) - theirs[3]).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours[:-4], axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("change", ["cls pooling", "prompts", "lower case", "extra module", "no modules file"])
def test_other_model_layouts_are_left_to_sentence_transformers(model_copy, change):
    assert mean_pooling_model(str(model_copy))
    if change == "cls pooling":
        path = model_copy / "1_Pooling" / "config.json"
        config = json.loads(path.read_text()) | {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}
        path.write_text(json.dumps(config))
    elif change == "prompts":
        path = model_copy / "config_sentence_transformers.json"
        path.write_text(json.dumps(json.loads(path.read_text()) | {"prompts": {"query": "query: "}}))
    elif change == "lower case":
        path = model_copy / "sentence_bert_config.json"
        path.write_text(json.dumps(json.loads(path.read_text()) | {"do_lower_case": True}))
    elif change == "extra module":
        path = model_copy / "modules.json"
        modules = json.loads(path.read_text())
        modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
        path.write_text(json.dumps(modules))
    else:
        (model_copy / "modules.json").unlink()

    assert not mean_pooling_model(str(model_copy))
