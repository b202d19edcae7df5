"""Start the chat window: build the index on first launch, then serve the app on settings.host:settings.port."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading

from chatbot.errors import ChatbotError
from chatbot.settings import Settings
from ingest.ensure import ensure_index

log = logging.getLogger("app")


def warm_up(bot) -> None:
    try:
        bot.warm_up()
    except Exception:  # the first question will try again and show its own error
        log.exception("Warm-up failed")


def launch_error(err: Exception, settings: Settings | None) -> str:
    """What went wrong, in words that say what to do; Gradio's advice for a port in use names its own variable."""
    if isinstance(err, OSError) and "empty port" in str(err) and settings is not None:
        return (f"port {settings.port} on {settings.host} is already in use. Stop the program using it, or start "
                "on another port: `python app.py --port 7861` (or RAG_PORT=7861).")
    return str(err)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python app.py", description="Start the chat window; the first launch builds the index from the corpus.",
        epilog="Every setting is also a RAG_* environment variable (see the settings table in the README), for "
               "example RAG_PORT=7861, RAG_HOST=0.0.0.0, RAG_DATA_DIR=/srv/guidance.")
    parser.add_argument("--port", type=int, help="port to serve on (default: RAG_PORT, else 7860)")
    parser.add_argument("--host", help="address to listen on (default: RAG_HOST, else 127.0.0.1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Gradio asks matplotlib for its backend on every request; without a backend named, the first request waits
    # while matplotlib imports pyplot to choose one (0.3 s). The app draws no plots.
    os.environ.setdefault("MPLBACKEND", "agg")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request
    settings, warming = None, None
    try:
        chosen = {"port": args.port, "host": args.host}
        settings = Settings.from_env(**{name: value for name, value in chosen.items() if value is not None})
        ensure_index(settings)
        from chatbot.bot import build_bot

        bot = build_bot(settings)
        warming = threading.Thread(target=warm_up, args=(bot,), name="warm-up", daemon=True)
        warming.start()
        from chatbot.ui.ui import build_ui, launch  # gradio loads while the model warms up

        demo = build_ui(bot, settings)
        launch(demo, settings, prevent_thread_lock=True)
    except (ChatbotError, OSError) as err:
        print(f"error: {launch_error(err, settings)}", file=sys.stderr, flush=True)
        if warming is not None:
            warming.join()  # a model still loading when the process exits aborts it instead of returning 1
        return 1
    print(f"Running on {demo.local_url}" + (" (login required)" if settings.auth_user else ""), flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
