"""A first run builds its own index: the app and the evals ingest the corpus when the store is empty."""

from __future__ import annotations

import sys

from chatbot.errors import IngestError
from chatbot.settings import Settings


def ensure_index(settings: Settings, *, progress_bar: bool = True) -> None:
    """Ingest `settings.corpus_dir` when the store holds nothing, saying so on stderr; IngestError if nothing loads.

    Args:
        progress_bar: draw a progress bar on stderr while chunks are embedded.
    """
    from ingest import pipeline

    if not pipeline.store_is_empty(settings):
        return
    where = settings.chroma_url or settings.chroma_dir
    print(f"The index in {where} is empty: ingesting {settings.corpus_dir} first (only this once).", file=sys.stderr)
    if progress_bar:
        from tqdm import tqdm

        with tqdm(unit="chunk", desc="indexing", file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            report = pipeline.run(settings, progress=progress)
    else:
        report = pipeline.run(settings)
    print(report.summary(), file=sys.stderr)
    if pipeline.store_is_empty(settings):
        raise IngestError(f"Nothing could be indexed from {settings.corpus_dir}: add documents there, then try again.")
