"""`python -m evals.reliability`: the figures it prints, its JSON, and its exit status."""

from __future__ import annotations

import json

import pytest

from evals import reliability


def test_the_votes_part_prints_its_figure_and_writes_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    status = reliability.main(["--quick", "--only", "votes", "--json", str(tmp_path / "figures.json")])

    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[0] == "Reliability, quick run"
    assert "votes      800 of 800 votes kept from 16 concurrent writers" in out
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["votes"]["stored"] == 800 and figures["votes"]["problems"] == []


def test_a_failed_part_is_listed_and_exits_1(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(reliability, "_votes", lambda sizes, work: {"line": "1 of 2 votes kept", "problems": ["1 lost"]})
    assert reliability.main(["--quick", "--only", "votes"]) == 1
    assert "FAILED votes: 1 lost" in capsys.readouterr().out


def test_an_unknown_part_is_refused():
    with pytest.raises(SystemExit) as exited:
        reliability.main(["--only", "load,speed"])
    assert exited.value.code == 2
