"""The dev/test split, drawn once per question from a seeded hash of its id, so adding a question moves no other.

`python -m evals.quality.split FILE` writes the split of every question that has none yet into FILE.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

SEED = "evals-split-2025"
TEST_SHARE = 0.5


def split_of(question_id: str, seed: str = SEED, test_share: float = TEST_SHARE) -> str:
    """ "test" or "dev" for one question id: uniform in [0, 1) from SHA-256 of seed and id, below test_share is test."""
    digest = hashlib.sha256(f"{seed}\n{question_id}".encode("utf-8")).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return "test" if draw < test_share else "dev"


def fill_splits(path: Path, seed: str = SEED) -> int:
    """Add `"split"` to every line of a question file that lacks one; returns how many lines were given one.

    Lines that already carry a split keep it: a question never changes sides once drawn.
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    written, added = [], 0
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        if "split" not in record:
            record["split"] = split_of(record["id"], seed)
            added += 1
        written.append(json.dumps(record, ensure_ascii=False))
    Path(path).write_text("\n".join(written) + "\n", encoding="utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.quality.split", description=__doc__)
    parser.add_argument("file", type=Path, help="JSONL question file, rewritten in place")
    args = parser.parse_args(argv)
    try:
        added = fill_splits(args.file)
    except (OSError, ValueError, KeyError) as err:
        print(f"split: {args.file}: {err}", file=sys.stderr)
        return 1
    print(f"{added} question(s) given a split in {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
