"""The quality gate: limits read from a TOML file, checked against the test split, its typo variants and the gaps.

Tables: `[test.minimum]`/`[test.maximum]` (the test split, or every question of a file without a split),
`[typos.minimum]`/`[typos.maximum]` (the typo variants of the same questions), `[gap.maximum]` (dev minus test) and
`[typo_cost.maximum]` (clean minus typos). Each names metrics from evals.quality.summary.METRICS.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from evals.quality.summary import METRICS

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")
TABLES = {
    "test": "test split",
    "typos": "typo variants of the test split",
    "gap": "dev-test gap (dev minus test)",
    "typo_cost": "typo cost (clean minus typos)",
}
BOUNDS = ("minimum", "maximum")
# A difference exists only when both groups were measured: a file without a dev split has no gap to check.
OPTIONAL = ("gap",)

Thresholds = dict[str, dict[str, dict[str, float]]]


def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> Thresholds:
    """{table: {bound: {metric: limit}}} from the TOML file.

    Raises:
        ValueError: the file is missing, not TOML, or names a table, bound or metric no run reports.
    """
    try:
        with Path(path).open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ValueError(f"Thresholds file {path} does not exist; pass one with --thresholds.") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"Thresholds file {path} is not valid TOML: {err}") from None
    unknown_tables = sorted(set(raw) - set(TABLES))
    if unknown_tables:
        raise ValueError(f"Thresholds file {path} has unknown table(s) {', '.join(unknown_tables)}; "
                         f"use {', '.join(TABLES)}, each with minimum and/or maximum.")
    thresholds: Thresholds = {}
    for table, bounds in raw.items():
        if not isinstance(bounds, dict) or set(bounds) - set(BOUNDS):
            raise ValueError(f"Thresholds file {path}: [{table}] may only hold [{table}.minimum] and [{table}.maximum].")
        for bound, limits in bounds.items():
            unknown = sorted(set(limits) - set(METRICS))
            if unknown:
                raise ValueError(f"Thresholds file {path} names unknown metric(s) {', '.join(unknown)} under "
                                 f"[{table}.{bound}]; known: {', '.join(METRICS)}.")
            thresholds.setdefault(table, {})[bound] = {name: float(value) for name, value in limits.items()}
    return thresholds


def check(figures: dict[str, dict[str, float | None]], thresholds: Thresholds) -> list[str]:
    """One line per limit missed (or not measured); empty when the run passes.

    Args:
        figures: {table: {metric: value}} as evals.quality.evaluation.gate_figures builds it.
    """
    problems = []
    for table, bounds in thresholds.items():
        values = figures.get(table) or {}
        if not values and table in OPTIONAL:
            continue
        for bound, limits in bounds.items():
            for name, limit in limits.items():
                value = values.get(name)
                sign = "≥" if bound == "minimum" else "≤"
                if value is None:
                    problems.append(f"{TABLES[table]}: {name} was not measured; required {sign} {limit:.4g}")
                elif value < limit if bound == "minimum" else value > limit:
                    side = "below the minimum" if bound == "minimum" else "above the maximum"
                    problems.append(f"{TABLES[table]}: {name} = {value:.4g} is {side} {limit:.4g}")
    return problems
