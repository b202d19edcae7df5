"""Running code in empty current and temp folders, and listing what it left there."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def tree(root: Path) -> set[str]:
    """Every path under `root`, relative; empty when it does not exist."""
    return {str(path.relative_to(root)) for path in root.rglob("*")} if root.exists() else set()


@contextlib.contextmanager
def confined(work_dir: Path) -> Iterator[Callable[[], list[str]]]:
    """Run with an empty current folder and temp folder inside `work_dir`; yields a check listing files left there."""
    cwd, tmp = work_dir / "cwd", work_dir / "tmp"
    cwd.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    from hypothesis.configuration import set_hypothesis_home_dir

    previous_cwd, previous_tempdir, previous_env = Path.cwd(), tempfile.tempdir, os.environ.get("TMPDIR")
    set_hypothesis_home_dir(work_dir / "hypothesis")  # the fuzzer's own cache, kept out of the folders checked
    os.chdir(cwd)
    tempfile.tempdir = str(tmp)
    os.environ["TMPDIR"] = str(tmp)
    try:
        yield lambda: [f"{folder.name}/{name}" for folder in (cwd, tmp) for name in sorted(tree(folder))]
    finally:
        set_hypothesis_home_dir(None)
        os.chdir(previous_cwd)
        tempfile.tempdir = previous_tempdir
        if previous_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_env
