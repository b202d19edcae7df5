"""Command line: `python -m evals` measures answer quality (see evals/README.md)."""

import sys

from evals.quality.cli import main

if __name__ == "__main__":
    sys.exit(main())
