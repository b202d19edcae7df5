"""`python -m chatbot check`: the brief or JSON on stdout, one-line errors and exit code 1 on bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.usecase.rules import DISCLAIMER, WRITTEN_APPROVAL

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ALL_YES = "yes,yes,yes,yes,yes"


def _cli(settings, *args):
    env = {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir)}
    return subprocess.run([sys.executable, "-m", "chatbot", "check", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_cli_prints_the_brief_and_json(corpus_settings):
    brief = _cli(corpus_settings, "De-age the lead actor for a flashback", "--answers", "yes,yes,unsure,yes,yes")
    assert brief.returncode == 0, brief.stderr
    assert f"**Outcome:** {WRITTEN_APPROVAL}" in brief.stdout
    assert '(the description mentions "De-age")' in brief.stdout
    assert DISCLAIMER in brief.stdout

    as_json = _cli(corpus_settings, "Background signage in a street scene", "--answers", ALL_YES,
                   "--area", "final-deliverables", "--json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["outcome"] == WRITTEN_APPROVAL
    assert [t["key"] for t in data["triggers"]] == ["final-deliverables", "background-elements"]


def test_the_cli_explains_bad_input_in_one_line(corpus_settings, make_settings):
    bad = _cli(corpus_settings, "A mood board", "--answers", "yes,maybe")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "error: Answer 'maybe' for principle 2 (No storage, reuse or training on production data) is not one of "
        "yes, no or unsure."]

    missing = _cli(make_settings(), "A mood board", "--answers", ALL_YES)
    assert missing.returncode == 1
    assert re.fullmatch(r"error: No index in .*Run `python -m ingest` first\.", missing.stderr.strip().splitlines()[-1])
