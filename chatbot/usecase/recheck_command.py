"""`python -m chatbot check --recheck BRIEF.md`: the brief's use checked again against the index as it is now."""

from __future__ import annotations

import argparse
import sys

from chatbot.errors import ChatbotError
from chatbot.settings import Settings

# The exit status a script reads: 0 the outcome is the same, CHANGED it changed (1 is an error, 2 bad usage).
CHANGED = 3


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the recheck to stdout and exit 0, or CHANGED when the outcome changed; one line on stderr and exit 1
    when it cannot run."""
    from chatbot.usecase.checker import UseCaseChecker
    from chatbot.usecase.recheck import recheck, report
    from chatbot.store.versions import VersionHistory

    try:
        text = args.recheck.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        print(f"error: cannot read the brief {args.recheck} ({err})", file=sys.stderr)
        return 1
    try:
        result = recheck(UseCaseChecker(settings), VersionHistory.for_settings(settings), text)
    except ChatbotError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(report(result, str(args.recheck)))
    return CHANGED if result.outcome_changed else 0

