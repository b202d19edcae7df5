"""One ingest: find and load the documents, split them, then bring the index in step with them."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatbot.store.data_folder import read_only_message
from chatbot.errors import IngestError, StoreUnavailable
from chatbot.settings import Settings
from chatbot.store.versions import Revision, VersionHistory
from ingest import records, versions
from ingest.changelog import summary_lines
from ingest.loaders import SourceDoc, load_file, load_url, max_source_bytes
from ingest.rebuild import check_loaded, staged
from ingest.source_writes import MAX_SOURCE_CHUNKS, SourceAtATime
from ingest.sources import Inventory, Target, inventory, stale_sources
from ingest.split import split_document

if TYPE_CHECKING:
    from langchain_core.documents import Document

log = logging.getLogger(__name__)

# Called with (chunks done, chunks in all): at the start, before each batch of chunks, and at the end.
Progress = Callable[[int, int], None]

store_is_empty = records.store_is_empty


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did. `embedded` chunks went through the model; skipped ones were already indexed."""

    documents_seen: int = 0  # documents found, including those that failed
    chunks_added: int = 0
    chunks_updated: int = 0
    chunks_skipped: int = 0
    chunks_deleted: int = 0
    failed: int = 0
    warnings: tuple[str, ...] = ()  # "source: reason" for each document that failed
    seconds: float = 0.0
    revisions: tuple[Revision, ...] = ()  # documents whose text changed since the version last recorded

    @property
    def embedded(self) -> int:
        return self.chunks_added + self.chunks_updated

    def summary(self) -> str:
        """One line for people, e.g. `ingested 15 documents: 120 chunks added, 0 updated, ...`."""
        line = (
            f"ingested {self.documents_seen - self.failed} documents: {self.chunks_added} chunks added, "
            f"{self.chunks_updated} updated, {self.chunks_skipped} skipped, {self.chunks_deleted} deleted "
            f"in {self.seconds:.1f} s"
        )
        if self.failed:
            line += f"; {self.failed} failed (see the warnings above)"
        return "\n".join([line, *summary_lines(self.revisions)])


@dataclass(frozen=True)
class Plan:
    """What an ingest will index, decided before the store is touched."""

    found: Inventory
    chunks: tuple[tuple[str, tuple["Document", ...]], ...]  # (source, its chunks) for each loaded document
    warnings: tuple[str, ...]  # "source: reason" for each path or document that cannot be indexed
    documents: tuple[SourceDoc, ...] = ()  # each loaded document, for its version record

    @property
    def total_chunks(self) -> int:
        return sum(len(chunks) for _, chunks in self.chunks)


def plan(settings: Settings, paths: Sequence[str] | None = None) -> Plan:
    """Find, load and split the documents (the corpus folder when `paths` is empty); no model, no store."""
    found = inventory(paths, settings)
    warnings = list(found.missing)
    chunks = []
    documents = []
    for target in found.targets:
        try:
            doc = _load(target, settings)
            doc_chunks = tuple(split_document(doc, settings))
            if not doc_chunks:
                raise IngestError("no text to index")
            if len(doc_chunks) > MAX_SOURCE_CHUNKS:
                raise IngestError(f"it splits into {len(doc_chunks)} chunks, more than the {MAX_SOURCE_CHUNKS} one "
                                  "source may have; split it into smaller documents")
        except IngestError as err:
            warnings.append(f"{target.source}: {err}")
            continue
        chunks.append((target.source, doc_chunks))
        documents.append(doc)
    return Plan(found=found, chunks=tuple(chunks), warnings=tuple(warnings), documents=tuple(documents))


def run(
    settings: Settings,
    paths: Sequence[str] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in step with the documents and return what changed.

    Args:
        settings: where the corpus, the store and its records live, and how to chunk.
        paths: files, folders or URLs; the corpus folder when empty. Files that vanished from a
            folder given here lose their chunks; a document that fails to load keeps its chunks.
        rebuild: build a new index from these documents beside the current one, which it replaces once complete;
            the current one stays when any document fails to load.
        progress: called with (chunks done, chunks in all), e.g. to drive a progress bar.

    Raises:
        StoreUnavailable: the store cannot be opened or written; the message says what to do.
        IngestError: a rebuild found nothing to build, or documents it could not load.
    """
    started = time.perf_counter()
    work = plan(settings, paths)
    for warning in work.warnings:
        log.warning("%s", warning)
    read_only = None if settings.chroma_url else read_only_message(settings)
    if read_only:
        raise StoreUnavailable(read_only)
    if rebuild:
        check_loaded(len(work.found.targets) + len(work.found.missing), len(work.chunks), len(work.warnings))
        try:
            with staged(settings) as stage:
                counts = _write(stage, work, progress)
        except OSError as err:
            raise StoreUnavailable(read_only_message(settings, err) or f"The rebuild could not write to "
                                   f"{settings.data_dir} ({err}); the index was left as it was.") from err
    else:
        counts = _write(settings, work, progress)
    # Versions go to the deployment's own records, after a rebuild has replaced them.
    revisions = versions.record(VersionHistory.for_settings(settings), (versions.snapshot(doc) for doc in work.documents))
    failed = len(work.warnings)
    report = IngestReport(
        documents_seen=len(work.found.targets) + len(work.found.missing),
        chunks_added=counts["num_added"],
        chunks_updated=counts["num_updated"],
        chunks_skipped=counts["num_skipped"],
        chunks_deleted=counts["num_deleted"],
        failed=failed,
        warnings=work.warnings,
        seconds=time.perf_counter() - started,
        revisions=tuple(revisions),
    )
    # The bot embeds questions with an ONNX export of the model: made now, while torch is loaded anyway, so that
    # the first question after an ingest does not wait for it.
    from chatbot.store.embedding import prepare

    prepare(settings)
    return report


def _write(settings: Settings, work: Plan, progress: Progress | None) -> dict[str, int]:
    """Bring the store in `settings` in step with the planned chunks, a whole source at a time; LangChain's counts."""
    total = work.total_chunks
    with records.open_index(settings) as index:
        index.reconcile()
        writer = SourceAtATime(index.vector_store, index.records, index.records.get_time())
        chunks = (chunk for _, doc_chunks in work.chunks for chunk in doc_chunks)
        counts = dataclasses.replace(index, vector_store=writer).add(chunks, progress and (lambda done: progress(done, total)))
        writer.flush()
        counts["num_deleted"] += writer.deleted
        if progress:
            progress(total, total)
        stored = index.stored_sources()
        counts["num_deleted"] += index.delete_sources(stale_sources(stored, work.found.scopes), stored)
        counts["num_deleted"] += index.delete_unrecorded([source for source, _ in work.chunks], stored)
    return counts


def _load(target: Target, settings: Settings):
    if target.url:
        return load_url(target.url, settings)
    return load_file(target.path, target.source, max_source_bytes(settings))
