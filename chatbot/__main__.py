"""`python -m chatbot "question"`, `python -m chatbot ask ...`, `python -m chatbot check ...`: see chatbot/cli.py."""

import sys

from chatbot.cli import main

if __name__ == "__main__":
    sys.exit(main())
