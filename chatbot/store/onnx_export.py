"""Export a sentence-transformers model to ONNX once, with torch, and check it against torch's own vectors."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import warnings
from pathlib import Path

import numpy as np

from chatbot.store import file_manifest
from chatbot.store.onnx_embedder import OnnxEmbedder, SentenceConfig

log = logging.getLogger(__name__)

MIN_COSINE = 0.9999  # an export whose vectors differ more from torch's is discarded
OPSET = 17
# Copied beside model.onnx: what the runner reads (the weights stay behind; they are in the graph).
CONFIG_FILES = ("modules.json", "sentence_bert_config.json", "config.json", "tokenizer.json")
# Texts the export is checked on: short, long (cut at max_seq_length), accented, empty-ish, several in one batch.
PROBES = (
    "Do we need written approval before making a digital replica of a performer?",
    "consent",
    "Résumé of the naïve café's policy on générative tools — “quoted” text, 2024.",
    " ".join(["Training data must be licensed and the vendor must not keep the production's footage."] * 40),
    "?",
)


class ExportFailed(RuntimeError):
    """The model could not be exported, or the export's vectors differ from torch's."""


def export(model_dir: Path, target: Path, key: dict) -> Path:
    """Write `model.onnx` and the model's config files into the new folder `target`, checked against torch.

    The folder appears whole or not at all: it is written beside `target`, its manifest (under `key`) last,
    and renamed into place.

    Raises:
        ExportFailed: torch, transformers or onnx missing, the export failed, or its vectors disagree.
    """
    config = SentenceConfig.read(model_dir)  # UnsupportedModel before any slow import
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        work.mkdir()
        for name in CONFIG_FILES:
            if (model_dir / name).exists():
                shutil.copy2(model_dir / name, work / name)
        pooling = Path(json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))[1]["path"]) / "config.json"
        (work / pooling).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(model_dir / pooling, work / pooling)
        reference = _export_graph(model_dir, work / "model.onnx", config.max_seq_length)
        got = OnnxEmbedder(work).encode(list(PROBES))
        worst = float(np.min(np.sum(got * reference, axis=1)))
        if worst < MIN_COSINE:
            raise ExportFailed(f"the ONNX vectors differ from torch's (cosine {worst:.6f} < {MIN_COSINE})")
        files = sorted(path.relative_to(work).as_posix() for path in work.rglob("*") if path.is_file())
        file_manifest.write(work, key, files, notes={"lowest_cosine_to_torch": round(worst, 7)})
        try:
            os.rename(work, target)
        except OSError:
            if not target.is_dir():
                raise
            log.info("Another process exported %s first; using that one", target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _export_graph(model_dir: Path, onnx_file: Path, max_seq_length: int) -> np.ndarray:
    """Trace the transformer into `onnx_file`; returns sentence-transformers' vectors of PROBES to check it against."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as err:
        raise ExportFailed(f"exporting to ONNX needs torch and sentence-transformers ({err})") from err
    try:
        import onnx  # noqa: F401  (torch's exporter writes the file with it)
    except ImportError as err:
        raise ExportFailed("exporting to ONNX needs the onnx package: run `pip install -e .`") from err

    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()  # progress bars and load notes would land in a terminal answer
    transformers_logging.disable_progress_bar()
    model = SentenceTransformer(str(model_dir), device="cpu")
    reference = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
    # The eager attention traces into plain ONNX operators that onnxruntime fuses itself.
    from transformers import AutoModel

    transformer = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = tuple(torch.ones(2, min(16, max_seq_length), dtype=torch.long) for _ in names)
    try:
        with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stdout(None):
            warnings.simplefilter("ignore")
            # The TorchScript exporter needs only the onnx package; the newer one also wants onnxscript.
            torch.onnx.export(
                LastHiddenState(transformer), sample, str(onnx_file), input_names=names,
                output_names=["last_hidden_state"], opset_version=OPSET, dynamo=False,
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]},
            )
    except Exception as err:
        raise ExportFailed(f"torch.onnx.export failed ({type(err).__name__}: {err})") from err
    return np.asarray(reference, dtype=np.float32)
