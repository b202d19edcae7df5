"""One evaluation: a clean run and its typo variants, summarized per split, with the dev-test gap and the typo cost.

Only the dev split's failures are kept one by one; the test split is reported in aggregate, so nobody tunes on it.
A file without a split is one group, "all", whose failures are kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from evals.quality.dataset import SPLITS
from evals.quality.summary import failure, failure_reasons, summarize

ALL = "all"


def split_records(records: Sequence[dict]) -> dict[str, list[dict]]:
    """The records of each split present ("dev", "test"), and of every question ("all")."""
    groups = {name: [r for r in records if r["split"] == name] for name in SPLITS}
    return {name: rows for name, rows in groups.items() if rows} | {ALL: list(records)}


def gated_split(records: Sequence[dict]) -> str:
    """The group the gate reads: the test split when the file has one, else every question."""
    return "test" if any(r["split"] == "test" for r in records) else ALL


def difference(first: dict, second: dict) -> dict[str, float | None]:
    """first - second for each metric both measured (None where either did not)."""
    return {name: None if first.get(name) is None or second.get(name) is None
            else round(first[name] - second[name], 4) for name in first}


def evaluate(clean: Sequence[dict], perturbed: Sequence[dict] | None, *, k: int,
             perturbation: dict | None = None) -> dict:
    """Summaries per split for the clean run and (when given) the perturbed one, gaps, and the dev failures.

    Args:
        perturbed: the same questions with typos, in the same order; None when no variant was run.
        perturbation: what produced `perturbed`, e.g. {"kind": "typos", "seed": 0}, kept in the report.
    """
    gated = gated_split(clean)
    detail = "dev" if any(r["split"] == "dev" for r in clean) else (ALL if gated == ALL else None)
    splits = {name: summarize(rows, k=k) for name, rows in split_records(clean).items()}
    typos = {name: summarize(rows, k=k) for name, rows in split_records(perturbed).items()} if perturbed else {}
    failures = splits[detail]["failures"] if detail else []
    for summary in (*splits.values(), *typos.values()):
        del summary["failures"]
    gap = difference(splits["dev"]["metrics"], splits["test"]["metrics"]) if {"dev", "test"} <= set(splits) else {}
    typo_cost = difference(splits[gated]["metrics"], typos[gated]["metrics"]) if typos else {}
    return {
        "gated_split": gated,
        "detail_split": detail,
        "splits": splits,
        "typos": typos,
        "gap": gap,
        "typo_cost": typo_cost,
        "perturbation": (perturbation or {}) | ({"changed": _changed(clean, perturbed)} if perturbed else {}),
        "failures": failures,
        "typo_only_failures": _typo_only(clean, perturbed, detail) if perturbed and detail else [],
    }


def gate_figures(evaluation: dict) -> dict[str, dict[str, float | None]]:
    """What the gate checks: the gated split's metrics, its typo variants', the dev-test gap and the typo cost."""
    gated = evaluation["gated_split"]
    return {
        "test": evaluation["splits"][gated]["metrics"],
        "typos": evaluation["typos"][gated]["metrics"] if evaluation["typos"] else {},
        "gap": evaluation["gap"],
        "typo_cost": evaluation["typo_cost"],
    }


def _changed(clean: Sequence[dict], perturbed: Sequence[dict]) -> int:
    return sum(1 for before, after in zip(clean, perturbed) if before["question"] != after["question"])


def _typo_only(clean: Sequence[dict], perturbed: Sequence[dict], detail: str) -> list[dict]:
    """Questions of the detailed group that pass clean and fail with typos, with the variant that failed."""
    rows = []
    for before, after in zip(clean, perturbed):
        if detail != ALL and before["split"] != detail:
            continue
        if not failure_reasons(before) and failure_reasons(after):
            rows.append(failure(after) | {"clean_question": before["question"]})
    return rows
