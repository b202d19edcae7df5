"""`python -m chatbot "question"`: a cited answer in the terminal; `python -m chatbot check ...`: the use-case check."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from chatbot.errors import ChatbotError
from chatbot.settings import Settings
from chatbot.types import Answer


def format_answer(answer: Answer) -> str:
    """The answer, any notice, and the numbered sources, for a terminal."""
    lines = [answer.text]
    if answer.notice:
        lines += ["", f"Note: {answer.notice}"]
    if answer.citations:
        lines += ["", "Sources:"]
        for citation in answer.citations:
            where = " — ".join(part for part in (citation.title, citation.section) if part)
            lines.append(f"  [{citation.n}] {where}")
            if citation.url:
                lines.append(f"      {citation.url}")
    return "\n".join(lines)


def _ask(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m chatbot",
        description="Answer a question from the indexed guidance, with numbered sources. "
        "Use `python -m chatbot check --help` for the use-case check.",
    )
    parser.add_argument("question", nargs="+", help="the question, e.g. \"Do I need consent for a digital replica?\"")
    parser.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    parser.add_argument("--retriever", choices=("hybrid", "dense", "bm25"), help="override RAG_RETRIEVER")
    parser.add_argument("--server", metavar="URL", help="ask the app running at URL (python app.py) instead of "
                        "opening the index here: the same answer, without the start-up")
    args = parser.parse_args(argv)
    if args.server and args.retriever:
        parser.error("--retriever cannot be used with --server: the app answers with its own settings")
    try:
        overrides = {"retriever": args.retriever} if args.retriever else {}
        if args.server:
            from chatbot.remote import ask_app

            answer = ask_app(args.server, " ".join(args.question))
        else:
            from chatbot.bot import build_bot

            answer = build_bot(Settings.from_env(**overrides)).ask(" ".join(args.question))
    except (ChatbotError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else format_answer(answer))
    return 0


def _check(argv: Sequence[str]) -> int:
    try:
        from chatbot import check_command
    except ImportError:
        print("error: the use-case check is not installed in this version.", file=sys.stderr)
        return 1
    parser = argparse.ArgumentParser(prog="python -m chatbot check", description=check_command.DESCRIPTION)
    check_command.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return check_command.run(args, settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch on the first argument: `check` runs the use-case check, anything else is a question."""
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if argv and argv[0] == "check":
        return _check(argv[1:])
    return _ask(argv)


if __name__ == "__main__":
    sys.exit(main())
