"""The terminal front end: `python -m chatbot ask "question"` (or just the question) and `python -m chatbot check ...`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence

from chatbot.errors import ChatbotError
from chatbot.retrieval.search import RETRIEVERS
from chatbot.settings import Settings
from chatbot.types import Answer
from chatbot.usecase import command as check_command

SUBCOMMANDS = ("ask", "check")
EXIT_USAGE = 2


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chatbot",
        description="Cited answers from the indexed guidance. A question with no subcommand is asked: "
        "`python -m chatbot \"Do I need consent for a digital replica?\"`.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{ask,check}", required=True)
    ask = commands.add_parser("ask", help="answer a question, with numbered sources",
                              description="Answer a question from the indexed guidance, with numbered sources.")
    ask.add_argument("question", nargs="+", help="the question, e.g. \"Do I need consent for a digital replica?\"")
    ask.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    ask.add_argument("--retriever", choices=RETRIEVERS, help="override RAG_RETRIEVER")
    ask.add_argument("--server", metavar="URL", help="ask the app running at URL (python app.py) instead of "
                     "opening the index here: the same answer, without the start-up")
    check = commands.add_parser("check", help="check a planned GenAI use against the guidance's rule",
                                description=check_command.DESCRIPTION)
    check_command.add_arguments(check)
    return parser


def with_subcommand(argv: Sequence[str]) -> list[str]:
    """`argv` with `ask` put in front unless it names a subcommand or asks for help: any text is a question."""
    argv = list(argv)
    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help")):
        return argv
    return ["ask", *argv]


def ask(args: argparse.Namespace) -> int:
    question = " ".join(args.question)
    if not question.strip():
        print("error: the question is empty: ask something, e.g. python -m chatbot \"Do I need consent for a "
              "digital replica?\"", file=sys.stderr)
        return EXIT_USAGE
    if args.server and args.retriever:
        print("error: --retriever cannot be used with --server: the app answers with its own settings",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.server:
            from chatbot.remote import ask_app

            answer = ask_app(args.server, question)
        else:
            from chatbot.bot import build_bot

            overrides = {"retriever": args.retriever} if args.retriever else {}
            answer = build_bot(Settings.from_env(**overrides)).ask(question)
    except ChatbotError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else format_answer(answer))
    return 0


def check(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env()
    except ChatbotError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return check_command.run(args, settings)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"ask": ask, "check": check}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(with_subcommand(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return quiet_on_closed_pipe(lambda: COMMANDS[args.command](args))


def quiet_on_closed_pipe(run: Callable[[], int]) -> int:
    """`run()`, ending quietly when the reader of stdout has gone (`... | head`), as other tools do."""
    try:
        code = run()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # Python would report the pipe again while flushing stdout at exit: point stdout at nothing instead.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
