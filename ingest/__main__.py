"""`python -m ingest [PATH_OR_URL ...] [--rebuild] [--quiet]`: bring the index in step with the documents.

`python -m ingest --changes [SOURCE]` prints what changed between the recorded versions of the documents.
"""

from __future__ import annotations

import argparse
import logging
import sys

from chatbot.errors import ChatbotError
from chatbot.settings import Settings


class _ProgressBar:
    """A tqdm bar on stderr, counting chunks, created on the first progress call."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="chunk", desc="indexing", file=sys.stderr, leave=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Load documents, split them by headings, embed the chunks and store them in Chroma. "
        "Unchanged chunks are not embedded again.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH_OR_URL",
        help=".md, .txt, .html or .pdf files, folders of them, or URLs (default: the corpus folder, RAG_CORPUS_DIR)",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="delete the index and its records first, then embed everything again"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar; only warnings and the summary")
    parser.add_argument("--changes", nargs="?", const="", metavar="SOURCE",
                        help="ingest nothing; print each document's revisions (or SOURCE's) with a word-level diff")
    args = parser.parse_args(argv)
    if args.changes is not None:
        return _changes(args.changes)

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("ingest").setLevel(logging.WARNING if args.quiet else logging.INFO)

    from ingest import pipeline
    from ingest.ensure import prepare_sentences

    bar = _ProgressBar(enabled=not args.quiet)
    try:
        settings = Settings.from_env()
        report = pipeline.run(settings, args.paths, rebuild=args.rebuild, progress=bar)
        if report.embedded or not settings.sentence_cache.exists():
            prepare_sentences(settings)
    except (ChatbotError, ValueError, ImportError, OSError) as err:
        bar.close()
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        bar.close()
        print("interrupted: the index is still usable; run `python -m ingest` again to finish", file=sys.stderr)
        return 130
    bar.close()
    print(report.summary())
    return 1 if report.failed else 0


def _changes(source: str) -> int:
    from ingest import changelog

    try:
        code, text = changelog.run(Settings.from_env(), source)
    except (ChatbotError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(text, file=sys.stdout if code == 0 else sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
