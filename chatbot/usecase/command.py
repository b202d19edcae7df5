"""The `check` subcommand's arguments and output: `python -m chatbot check "use" --answers yes,no,... [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from chatbot.usecase.rules import AREAS, DISCLAIMER, PRINCIPLES
from chatbot.errors import ChatbotError
from chatbot.settings import Settings

DESCRIPTION = (
    "Check a planned GenAI use against the guidance's own rule: answer the five guiding principles "
    "(yes, no or unsure, in order) and name any always-approval area. " + DISCLAIMER
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The check's arguments, on a parser or subparser the caller made."""
    questions = "; ".join(f"{p.number}. {p.question}" for p in PRINCIPLES)
    parser.add_argument("description", nargs="?", default="", help="the intended GenAI use, in a sentence or two")
    parser.add_argument("--answers", default="", metavar="A1,A2,A3,A4,A5",
                        help=f"yes, no or unsure for each principle, in order (missing ones count as unsure): {questions}")
    parser.add_argument("--area", action="append", default=[], choices=[area.key for area in AREAS], metavar="AREA",
                        help="an always-approval area that applies (repeatable): "
                             + "; ".join(f"{area.key} ({area.label})" for area in AREAS))
    parser.add_argument("--json", action="store_true", help="print the assessment as JSON instead of the Markdown brief")
    parser.add_argument("--recheck", metavar="BRIEF.md", type=Path,
                        help="check the use an earlier brief describes again, against the index as it is now, and say "
                             "whether the outcome or any rule it cited changed (exit status 3 when the outcome did)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the brief (or JSON) to stdout; one line on stderr and exit 1 when the check cannot run."""
    from chatbot.usecase.checker import UseCaseChecker

    if args.recheck:
        from chatbot.usecase import recheck_command

        return recheck_command.run(args, settings)
    if not args.description.strip():
        print("error: describe the intended GenAI use, e.g. python -m chatbot check \"Midjourney mood boards\", "
              "or give --recheck BRIEF.md", file=sys.stderr)
        return 2
    try:
        assessment = UseCaseChecker(settings).assess(args.description, args.answers, args.area)
    except ChatbotError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(assessment.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(assessment.to_markdown())
    return 0
