"""A first run builds its own index: the app and the evals ingest the corpus when the store is empty."""

from __future__ import annotations

import logging
import sys

from chatbot.errors import IndexMissing, IngestError
from chatbot.settings import Settings

log = logging.getLogger(__name__)


def ensure_index(settings: Settings, *, progress_bar: bool = True) -> None:
    """Ingest `settings.corpus_dir` when the store holds nothing, saying so on stderr; IngestError if nothing loads.

    Args:
        progress_bar: draw a progress bar on stderr while chunks are embedded.
    """
    from ingest.records import store_is_empty  # the pipeline, and LangChain with it, loads only to ingest

    if not store_is_empty(settings):
        return
    from ingest import pipeline

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
    if store_is_empty(settings):
        raise IngestError(f"Nothing could be indexed from {settings.corpus_dir}: add documents there, then try again.")
    prepare_sentences(settings)


def prepare_sentences(settings: Settings) -> None:
    """Embed every chunk's sentences with the question embedder and save them beside the index.

    The bot reads them at start instead of embedding them itself, which would hold the app's first answers and
    raise its memory. Only chunks new since the last save are embedded. A failure here only costs that time later.
    """
    from chatbot.bot import build_bot

    try:
        build_bot(settings).warm_up()
    except IndexMissing:  # nothing indexed, nothing to embed
        return
    except Exception as err:  # noqa: BLE001 - the index is complete; the bot embeds the sentences itself later
        log.warning("Sentences were not embedded ahead of the first question (%s); the app will do it at start.", err)
