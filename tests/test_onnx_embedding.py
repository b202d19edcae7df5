"""The ONNX backend: the same vectors as sentence-transformers, an export that is checked and remade, the setting."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from chatbot.bot import build_bot
from chatbot.query.expansion import search_text
from chatbot.store import embedding, file_manifest
from chatbot.store.client import get_collection, open_client
from chatbot.store.embedder import bundled_model_path
from chatbot.store.onnx_embedder import OnnxEmbedder, SentenceConfig, UnsupportedModel, pool
from conftest import ROOT

MIN_COSINE = 0.9999


def eval_questions() -> list[str]:
    files = sorted((ROOT / "evals").rglob("questions*.jsonl"))
    assert files, "no eval question file under evals/"
    return [json.loads(line)["question"] for path in files for line in path.read_text().splitlines() if line.strip()]


def test_onnx_vectors_match_sentence_transformers_on_the_corpus_and_the_eval_questions(corpus_settings, embedder):
    client = open_client(corpus_settings)
    try:
        chunks = get_collection(corpus_settings, client).get(include=["documents"])["documents"]
    finally:
        client.close()
    questions = eval_questions()
    # Every chunk of the corpus, and every question as typed and as searched.
    texts = chunks + questions + [search_text(q) for q in questions]
    onnx = embedding.question_embedder(corpus_settings)
    assert isinstance(onnx, OnnxEmbedder)

    expected = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    got = onnx.encode(texts)
    cosines = np.sum(got * expected, axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= MIN_COSINE, f"cosine {cosines[worst]:.6f} for {texts[worst][:80]!r}"
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # One at a time, as a question is embedded, gives the same vector as in a batch.
    for question in questions[:5]:
        single = np.asarray(onnx.embed_query(question))
        assert float(single @ np.asarray(embedder.embed_query(question))) >= MIN_COSINE


def test_the_bundled_model_config_is_read_as_sentence_transformers_reads_it():
    config = SentenceConfig.read(Path(bundled_model_path()))
    assert config == SentenceConfig(max_seq_length=256, pooling="mean", normalize=True)


def test_pooling_modes_reproduce_their_definitions():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(2, 4, 3)).astype(np.float32)
    mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]])
    assert np.allclose(pool(vectors, mask, "mean")[1], vectors[1, :2].mean(axis=0))
    assert np.allclose(pool(vectors, mask, "max")[0], vectors[0, :3].max(axis=0))
    assert np.allclose(pool(vectors, mask, "cls"), vectors[:, 0])
    assert np.allclose(pool(vectors, mask, "mean_sqrt_len_tokens")[0], vectors[0, :3].sum(axis=0) / np.sqrt(3))


def test_a_pipeline_the_runner_cannot_reproduce_is_refused(tmp_path):
    shutil.copytree(bundled_model_path(), tmp_path / "model")
    pooling = tmp_path / "model" / "1_Pooling" / "config.json"
    pooling.write_text(json.dumps({"word_embedding_dimension": 384, "pooling_mode_weightedmean_tokens": True}))
    with pytest.raises(UnsupportedModel, match="weightedmean"):
        SentenceConfig.read(tmp_path / "model")


def test_an_unsupported_model_falls_back_to_torch_with_a_warning(tmp_path, make_settings, caplog):
    shutil.copytree(bundled_model_path(), tmp_path / "model")
    (tmp_path / "model" / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]))
    settings = make_settings(embedding_model=str(tmp_path / "model"))
    with caplog.at_level(logging.WARNING, logger="chatbot.store.embedding"):
        assert embedding.prepare(settings) is None
    assert "instead of ONNX" in caplog.text and "Dense" in caplog.text
    assert not (settings.data_dir / embedding.ONNX_FOLDER).exists()


def test_a_fresh_export_is_checked_against_torch_and_written_whole(make_settings, monkeypatch):
    monkeypatch.setattr(embedding, "_exports", {})  # nothing to copy from: the model is exported
    settings = make_settings()
    folder = embedding.prepare(settings)
    assert folder is not None and folder.parent == settings.data_dir / embedding.ONNX_FOLDER
    manifest = json.loads((folder / file_manifest.MANIFEST).read_text())
    assert manifest["notes"]["lowest_cosine_to_torch"] >= MIN_COSINE
    assert {"model.onnx", "tokenizer.json", "modules.json"} <= set(manifest["files"])
    assert [path.name for path in folder.parent.iterdir()] == [folder.name]  # no work folder left behind


@pytest.mark.parametrize("damage", ["flip", "truncate", "delete", "manifest"])
def test_a_damaged_export_is_made_again(corpus_settings, make_settings, damage, embedder, monkeypatch):
    model_dir = Path(bundled_model_path()).resolve()
    good = embedding.prepare(corpus_settings)
    settings = make_settings()
    folder = embedding.prepare(settings)
    model = folder / "model.onnx"
    data = bytearray(model.read_bytes())
    model.unlink()  # damage a new file: the export may be a hard link of the corpus index's
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
        model.write_bytes(bytes(data))
    elif damage == "truncate":
        model.write_bytes(bytes(data[: len(data) // 3]))
    elif damage == "manifest":
        model.write_bytes(bytes(data))
        (folder / file_manifest.MANIFEST).write_text("{not json")
    key = embedding.source_key(model_dir)
    assert not file_manifest.matches(folder, key)

    monkeypatch.setattr(embedding, "_exports", {str(model_dir): good})  # as a new process would, bar the copy source
    assert embedding.prepare(settings) == folder
    assert file_manifest.matches(folder, key)
    vector = OnnxEmbedder(folder).encode(["A digital replica needs consent."])[0]
    assert float(vector @ np.asarray(embedder.embed_query("A digital replica needs consent."))) >= MIN_COSINE


def test_the_backend_setting(make_settings):
    from chatbot.settings import Settings

    assert Settings().embedding_backend == "onnx"
    assert Settings.from_env({"RAG_EMBEDDING_BACKEND": "torch"}).embedding_backend == "torch"
    torch_embedder = embedding.question_embedder(make_settings(embedding_backend="torch"))
    assert type(torch_embedder).__name__ == "HuggingFaceEmbeddings"
    with pytest.raises(ValueError, match="Unknown embedding backend 'magic': use one of onnx, torch"):
        build_bot(make_settings(embedding_backend="magic"))


def test_both_backends_give_the_same_answers(corpus_settings):
    questions = ["Do I need consent to make a digital replica of an actor?", "Can we use GenAI for moodboards?",
                 "What is the capital of France?"]
    answers = {}
    for backend in embedding.BACKENDS:
        bot = build_bot(dataclasses.replace(corpus_settings, embedding_backend=backend))
        answers[backend] = [bot.ask(question) for question in questions]
    for onnx, torch in zip(answers["onnx"], answers["torch"]):
        assert (onnx.text, onnx.citations, onnx.declined) == (torch.text, torch.citations, torch.declined)
        assert [p.chunk_id for p in onnx.passages] == [p.chunk_id for p in torch.passages]
