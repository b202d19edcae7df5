"""Sentence embeddings on `transformers` alone, for models that only mean-pool and normalise (all-MiniLM-L6-v2).

Such a model gives the same vectors as sentence-transformers, which also imports scikit-learn, SciPy and pandas:
loading through `transformers` saves seconds of every cold start and about a hundred MB of memory.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

BATCH_SIZE = 32
# The model folder layout this embedder reproduces exactly: a transformer, mean pooling, normalisation.
_MODULES = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Normalize")


def mean_pooling_model(path: str) -> bool:
    """True when `path` is a local sentence-transformers folder this embedder reproduces exactly."""
    folder = Path(path)
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return False
    modes = {key for key, value in pooling.items() if key.startswith("pooling_mode") and value}
    return (
        tuple(module.get("type") for module in modules) == _MODULES
        and modules[0].get("path") == ""
        and modes == {"pooling_mode_mean_tokens"}
        and not config.get("do_lower_case")
        and isinstance(config.get("max_seq_length"), int)
        and _no_prompts(folder)
    )


def _no_prompts(folder: Path) -> bool:
    """True when the model adds no prompt (an instruction prefix) to the texts it embeds."""
    path = folder / "config_sentence_transformers.json"
    if not path.exists():
        return True
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return not any(config.get("prompts", {}).values()) and not config.get("default_prompt_name")


class MeanPoolingEmbeddings(Embeddings):
    """LangChain embeddings: mean of the token vectors under the attention mask, unit length."""

    def __init__(self, path: str):
        import torch
        from transformers import AutoModel, AutoTokenizer

        config = json.loads((Path(path) / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_length = int(config["max_seq_length"])
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(path)
        self._model = AutoModel.from_pretrained(path).eval()
        self._lock = threading.Lock()  # tokenizers are not safe to share between threads

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        # Like LangChain's HuggingFaceEmbeddings: newlines become spaces. Sorting by length keeps padding small.
        texts = [text.replace("\n", " ") for text in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            for i, vector in zip(batch, self._encode([texts[i] for i in batch])):
                vectors[i] = vector
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def _encode(self, texts: list[str]) -> list[list[float]]:
        torch = self._torch
        with self._lock:
            inputs = self._tokenizer(texts, padding=True, truncation="longest_first", max_length=self.max_length,
                                     return_tensors="pt")
        with torch.inference_mode():
            tokens = self._model(**inputs).last_hidden_state
            mask = inputs["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1).tolist()
