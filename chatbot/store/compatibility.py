"""Whether an index can be read by this version: vectors from the configured model, and chunks with today's metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatbot.errors import StoreUnavailable
from chatbot.settings import Settings
from chatbot.types import CHUNK_METADATA_KEYS

if TYPE_CHECKING:
    from chatbot.store.reader import IndexReader

# Chunks whose metadata is checked: one ingester version writes a whole index, so a sample tells.
SAMPLE = 50


def require_compatible(settings: Settings, reader: "IndexReader", stored_dimension: int, model_dimension: int) -> None:
    """Raise StoreUnavailable, naming the fix, when the index was built by another model or an older ingester."""
    where = settings.chroma_url or settings.data_dir
    if stored_dimension != model_dimension:
        raise StoreUnavailable(
            f"The index in {where} holds {stored_dimension}-dimension vectors but the embedding model "
            f"({settings.embedding_model or 'the bundled all-MiniLM-L6-v2'}) makes {model_dimension}: it was built "
            "with another model. Rebuild it with `python -m ingest --rebuild`, or set RAG_EMBEDDING_MODEL to that model."
        )
    metadatas = reader.sample_metadatas(SAMPLE)
    missing = sorted({key for metadata in metadatas for key in CHUNK_METADATA_KEYS if key not in (metadata or {})})
    if missing:
        raise StoreUnavailable(
            f"The index in {where} was built by an older version of the ingester (its chunks lack "
            f"{', '.join(missing)}). Rebuild it with `python -m ingest --rebuild`."
        )
