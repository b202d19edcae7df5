"""The embedder questions are asked with: the model on onnxruntime (default, no torch) or on sentence-transformers.

The ONNX backend runs an export of the configured model kept in the data folder. The ingester writes it (torch
is loaded there anyway), or else the first process that needs it does (some seconds, once per data folder);
every export is checked against torch's vectors. Later processes load it in 0.1-0.3 s, without torch. An export
that is missing, damaged or made from other model files is made again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Protocol

from chatbot.errors import ConfigError
from chatbot.settings import Settings
from chatbot.store import file_manifest

log = logging.getLogger(__name__)

BACKENDS = ("onnx", "torch")
EXPORT_FORMAT = 1  # bump when the exported folder's layout or the export itself changes
ONNX_FOLDER = "onnx"

_lock = threading.RLock()
_exports: dict[str, Path] = {}  # model folder -> an export this process has checked, to copy into other data folders
_embedders: dict[str, Embedder] = {}  # model folder -> its ONNX embedder: one per process, whatever the data folder


class Embedder(Protocol):
    def embed_query(self, text: str) -> list[float]: ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise ConfigError(f"Unknown embedding backend {name!r}: use one of {', '.join(BACKENDS)}.")
    return name


def question_embedder(settings: Settings) -> Embedder:
    """The configured backend's embedder, loaded once per process and model.

    Should the ONNX export fail, or the model be one it cannot reproduce, this is the torch embedder (logged):
    both give the same vectors.
    """
    check_backend(settings.embedding_backend)
    with _lock:
        if settings.embedding_backend == "onnx":
            prepared = _prepare(settings, announce=logging.WARNING)
            if prepared is not None:
                model, folder = prepared
                if model not in _embedders:
                    _embedders[model] = _load(folder)
                if _embedders[model] is not None:
                    return _embedders[model]
        from chatbot.store.embedder import get_embedder

        return get_embedder(settings.embedding_model)


def prepare(settings: Settings, announce: int = logging.INFO) -> Path | None:
    """Make sure the data folder holds a checked ONNX export of the configured model; return its folder.

    None for the torch backend, or when the model cannot run on ONNX here (the reason is logged).

    Args:
        announce: the level of the log line that says an export is starting (it takes seconds).
    """
    prepared = _prepare(settings, announce)
    return None if prepared is None else prepared[1]


def _prepare(settings: Settings, announce: int) -> tuple[str, Path] | None:
    if settings.embedding_backend != "onnx":
        return None
    from chatbot.store.embedder import bundled_model_path

    with _lock:
        try:
            model_dir = Path(settings.embedding_model or bundled_model_path()).resolve()
            if not model_dir.is_dir():
                raise ValueError(f"the ONNX backend needs a model folder, and {model_dir} is not one")
            folder = export_folder(model_dir, settings.data_dir)
            if _exports.get(str(model_dir)) == folder:  # checked already by this process
                return str(model_dir), folder
            key = source_key(model_dir)
            if not file_manifest.matches(folder, key):
                _make(model_dir, folder, key, announce)
        except Exception as err:  # the ONNX path is an optimisation: the same vectors come from torch
            log.warning("Embedding with sentence-transformers instead of ONNX: %s. Set RAG_EMBEDDING_BACKEND=torch "
                        "to skip this attempt.", err)
            return None
        _exports[str(model_dir)] = folder
        return str(model_dir), folder


def _make(model_dir: Path, folder: Path, key: dict, announce: int) -> None:
    """Put a checked export in `folder`: a copy of one this process already checked, or a new one."""
    known = _exports.get(str(model_dir))
    shutil.rmtree(folder, ignore_errors=True)
    if known is not None and file_manifest.matches(known, key):
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(known, folder, copy_function=_link_or_copy)
        if file_manifest.matches(folder, key):
            return
        shutil.rmtree(folder, ignore_errors=True)
    from chatbot.store.onnx_export import export

    log.log(announce, "Exporting the embedding model to ONNX in %s (once; later starts load it without torch)",
            folder)
    export(model_dir, folder, key)


def _link_or_copy(source: str, target: str) -> None:
    """A hard link where the file system allows one (the export is never written in place), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _load(folder: Path) -> Embedder | None:
    from chatbot.store.onnx_embedder import OnnxEmbedder

    try:
        return OnnxEmbedder(folder)
    except Exception as err:  # its checksums held, yet onnxruntime refused it: the next process exports it again
        log.warning("Embedding with sentence-transformers instead of ONNX: the model in %s cannot be loaded (%s)",
                    folder, err)
        shutil.rmtree(folder, ignore_errors=True)
        return None


def export_folder(model_dir: Path, data_dir: Path) -> Path:
    """Where the export of `model_dir` lives in the data folder: one folder per model path."""
    digest = hashlib.sha1(str(model_dir).encode("utf-8", "replace")).hexdigest()[:12]
    return data_dir / ONNX_FOLDER / f"{model_dir.name}-{digest}"


def source_key(model_dir: Path) -> dict:
    """What an export was made from: the format, and the size and modification time of every model file."""
    files = {}
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            files[path.relative_to(model_dir).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return {"format": EXPORT_FORMAT, "model": str(model_dir), "files": files}
