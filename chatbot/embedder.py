"""Sentence embeddings from a small BERT run directly in torch, for models that only mean-pool and normalise.

all-MiniLM-L6-v2 is such a model. Loading it through sentence-transformers or transformers imports scikit-learn,
SciPy, pandas, sympy and torch's compiler and distributed packages, five seconds of every cold start on two cores;
its forward pass is twenty lines of torch. The vectors are the same (the tests compare them with
sentence-transformers'), and any other model layout still loads through sentence-transformers.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

BATCH_SIZE = 32
# The model folder layout reproduced exactly: a BERT transformer, mean pooling, normalisation.
_MODULES = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Normalize")


def _read(path: Path) -> dict | list:
    return json.loads(path.read_text(encoding="utf-8"))


def mean_pooling_model(path: str) -> bool:
    """True when `path` is a local sentence-transformers folder this module reproduces exactly."""
    folder = Path(path)
    try:
        modules = _read(folder / "modules.json")
        pooling = _read(folder / modules[1]["path"] / "config.json")
        sentence_config = _read(folder / "sentence_bert_config.json")
        config = _read(folder / "config.json")
        prompts = _read(folder / "config_sentence_transformers.json") if (
            folder / "config_sentence_transformers.json").exists() else {}
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return False
    modes = {key for key, value in pooling.items() if key.startswith("pooling_mode") and value}
    return (
        tuple(module.get("type") for module in modules) == _MODULES
        and modules[0].get("path") == ""
        and modes == {"pooling_mode_mean_tokens"}
        and not sentence_config.get("do_lower_case")
        and isinstance(sentence_config.get("max_seq_length"), int)
        and not any((prompts.get("prompts") or {}).values()) and not prompts.get("default_prompt_name")
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (folder / "tokenizer.json").exists()
        and (folder / "model.safetensors").exists()
    )


class MeanPoolingEmbeddings(Embeddings):
    """LangChain embeddings: BERT's token vectors averaged under the attention mask, then unit length."""

    def __init__(self, path: str):
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        folder = Path(path)
        config = _read(folder / "config.json")
        self._torch = torch
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        self._weights = load_file(str(folder / "model.safetensors"))
        self._layers = int(config["num_hidden_layers"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=int(_read(folder / "sentence_bert_config.json")["max_seq_length"]))
        self._tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
        self._lock = threading.Lock()  # the tokenizer's padding and truncation settings are shared state

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        # As LangChain's HuggingFaceEmbeddings does: newlines become spaces. Sorting by length keeps padding small.
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
            encodings = self._tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings])
        types = torch.tensor([e.type_ids for e in encodings])
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.float32)
        with torch.inference_mode():
            hidden = self._forward(ids, types, mask)
            weights = mask.unsqueeze(-1)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1).tolist()

    def _forward(self, ids, types, mask):
        """BERT's encoder (post-layer-norm, exact GELU), as in the original and in transformers' BertModel."""
        torch, w, functional = self._torch, self._weights, self._torch.nn.functional
        batch, length = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][types])
        x = self._norm(x, "embeddings.LayerNorm")
        width = x.shape[-1]
        head = width // self._heads
        blocked = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min  # padding is never attended to
        for number in range(self._layers):
            prefix = f"encoder.layer.{number}."

            def dense(name, inputs):
                return functional.linear(inputs, w[prefix + name + ".weight"], w[prefix + name + ".bias"])

            def split(t):
                return t.view(batch, length, self._heads, head).transpose(1, 2)

            query, key, value = (split(dense(f"attention.self.{part}", x)) for part in ("query", "key", "value"))
            scores = query @ key.transpose(-1, -2) / math.sqrt(head) + blocked
            context = (scores.softmax(dim=-1) @ value).transpose(1, 2).reshape(batch, length, width)
            x = self._norm(dense("attention.output.dense", context) + x, prefix + "attention.output.LayerNorm")
            x = self._norm(dense("output.dense", functional.gelu(dense("intermediate.dense", x))) + x,
                           prefix + "output.LayerNorm")
        return x

    def _norm(self, x, name: str):
        return self._torch.nn.functional.layer_norm(
            x, x.shape[-1:], self._weights[name + ".weight"], self._weights[name + ".bias"], self._eps)
