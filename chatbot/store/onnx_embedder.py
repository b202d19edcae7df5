"""A sentence-transformers model run with onnxruntime and `tokenizers`: the same vectors, without importing torch."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# What sentence-transformers reads from a model folder, and the pooling modes this runner reproduces.
POOLING_MODES = ("mean", "cls", "max", "mean_sqrt_len_tokens")
_LEGACY_POOLING_KEYS = {"pooling_mode_cls_token": "cls", "pooling_mode_max_tokens": "max",
                        "pooling_mode_mean_tokens": "mean", "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens"}
BATCH_SIZE = 32  # sentence-transformers' default: texts sorted by length, padded per batch
# Fewer texts in a batch of long ones: a batch's memory grows with texts x tokens^2 (attention), and 32 texts of
# 256 tokens took the process's peak from 365 MB to 575 MB; batches this small run as fast on one thread.
BATCH_TOKENS = 1024


class UnsupportedModel(ValueError):
    """The model folder describes a pipeline this runner does not reproduce."""


@dataclasses.dataclass(frozen=True)
class SentenceConfig:
    """The parts of a sentence-transformers model folder that turn token vectors into a sentence vector."""

    max_seq_length: int
    pooling: str
    normalize: bool

    @classmethod
    def read(cls, model_dir: Path) -> "SentenceConfig":
        """Read modules.json, sentence_bert_config.json and the pooling module's config.json.

        Raises UnsupportedModel for a pipeline other than Transformer -> Pooling [-> Normalize].
        """
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [module["type"].rsplit(".", 1)[-1] for module in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            raise UnsupportedModel(f"{model_dir} has modules {kinds}; only Transformer, Pooling[, Normalize] run on ONNX")
        pooling_path = model_dir / modules[1]["path"] / "config.json"
        pooling = _pooling_mode(json.loads(pooling_path.read_text(encoding="utf-8")))
        bert_config = model_dir / "sentence_bert_config.json"
        settings = json.loads(bert_config.read_text(encoding="utf-8")) if bert_config.exists() else {}
        return cls(max_seq_length=int(settings.get("max_seq_length") or 512), pooling=pooling,
                   normalize=kinds[-1] == "Normalize")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _pooling_mode(config: dict) -> str:
    mode = config.get("pooling_mode")
    if mode is None:
        modes = [name for key, name in _LEGACY_POOLING_KEYS.items() if config.get(key)]
        unknown = [key for key, value in config.items() if key.startswith("pooling_mode_") and value
                   and key not in _LEGACY_POOLING_KEYS]
        if unknown or len(modes) > 1:
            raise UnsupportedModel(f"pooling {unknown or modes} is not reproduced on ONNX")
        mode = modes[0] if modes else "mean"
    if mode not in POOLING_MODES:
        raise UnsupportedModel(f"pooling {mode!r} is not reproduced on ONNX")
    if config.get("include_prompt") is False:
        raise UnsupportedModel("pooling that leaves out the prompt is not reproduced on ONNX")
    return mode


def pool(token_vectors: np.ndarray, attention_mask: np.ndarray, mode: str) -> np.ndarray:
    """One vector per text from its token vectors, as sentence-transformers' Pooling module computes it."""
    if mode == "cls":
        return token_vectors[np.arange(len(token_vectors)), attention_mask.argmax(axis=1)]
    mask = attention_mask[:, :, None].astype(token_vectors.dtype)
    if mode == "max":
        return np.where(mask > 0, token_vectors, -np.inf).max(axis=1)
    counts = np.maximum(mask.sum(axis=1), 1e-9)
    return (token_vectors * mask).sum(axis=1) / (counts if mode == "mean" else np.sqrt(counts))


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Unit-length rows, as torch's `F.normalize` (a zero row stays zero)."""
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class OnnxEmbedder:
    """Embeds texts like `HuggingFaceEmbeddings(encode_kwargs={"normalize_embeddings": True})` over the same model.

    Args:
        folder: an exported model: `model.onnx`, `tokenizer.json` and the model's sentence-transformers config.
        threads: onnxruntime threads per call; one suits a question (see `chatbot.bot._one_thread_per_question`).
    """

    def __init__(self, folder: Path, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        self.config = SentenceConfig.read(folder)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Threads that spin while they wait starve each other when the cores are shared (other processes, other
        # questions); the same reason torch runs with OMP_WAIT_POLICY=PASSIVE.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Without its arena, onnxruntime hands back the memory of a large batch (the sentences embedded at warm-up)
        # instead of holding it for the process's life; a question takes as long either way.
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 3  # warnings about unused initializers are noise in a terminal answer
        self._session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options,
                                                     providers=["CPUExecutionProvider"])
        self._inputs = {node.name for node in self._session.get_inputs()}
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self.config.max_seq_length)
        self._pad_id = (tokenizer.padding or {}).get("pad_id", 0)
        tokenizer.no_padding()  # each batch is padded to its own longest text
        self._tokenizer = tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 vectors; texts are batched by length like sentence-transformers does."""
        texts = [text.replace("\n", " ") for text in texts]  # as langchain_huggingface does before encoding
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        vectors: list[np.ndarray] = [np.empty(0)] * len(texts)
        for batch in _batches(sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids)), encodings):
            for position, vector in zip(batch, self._encode_batch([encodings[i] for i in batch])):
                vectors[position] = vector
        return np.stack(vectors)

    def _encode_batch(self, encodings: list) -> np.ndarray:
        width = max(len(encoding.ids) for encoding in encodings)
        feeds = {name: np.zeros((len(encodings), width), dtype=np.int64)
                 for name in ("input_ids", "attention_mask", "token_type_ids")}
        feeds["input_ids"][:] = self._pad_id
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            feeds["input_ids"][row, :length] = encoding.ids
            feeds["attention_mask"][row, :length] = encoding.attention_mask
            feeds["token_type_ids"][row, :length] = encoding.type_ids
        token_vectors = self._session.run(None, {name: feeds[name] for name in self._inputs})[0]
        vectors = pool(token_vectors, feeds["attention_mask"], self.config.pooling)
        return (normalize(vectors) if self.config.normalize else vectors).astype(np.float32, copy=False)

    # The LangChain `Embeddings` interface the bot and the store use.

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()


def _batches(order: list[int], encodings: list) -> list[list[int]]:
    """`order` (longest text first) cut into batches of at most BATCH_SIZE texts and BATCH_TOKENS padded tokens."""
    batches: list[list[int]] = []
    for index in order:
        if batches and len(batches[-1]) < BATCH_SIZE \
                and (len(batches[-1]) + 1) * len(encodings[batches[-1][0]].ids) <= BATCH_TOKENS:
            batches[-1].append(index)
        else:
            batches.append([index])
    return batches
