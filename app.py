"""Start the chat window: build the index on first launch, then serve the app on settings.host:settings.port."""

from __future__ import annotations

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


def main() -> int:
    # Gradio asks matplotlib for its backend on every request; without a backend named, the first request waits
    # while matplotlib imports pyplot to choose one (0.3 s). The app draws no plots.
    os.environ.setdefault("MPLBACKEND", "agg")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request
    try:
        settings = Settings.from_env()
        ensure_index(settings)
        from chatbot.bot import build_bot

        bot = build_bot(settings)
        threading.Thread(target=warm_up, args=(bot,), name="warm-up", daemon=True).start()
        from chatbot.ui.ui import build_ui, launch  # gradio loads while the model warms up

        demo = build_ui(bot, settings)
        launch(demo, settings, prevent_thread_lock=True)
    except (ChatbotError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"Running on {demo.local_url}" + (" (login required)" if settings.auth_user else ""), flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
