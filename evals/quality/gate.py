"""The quality gate: minimum (and maximum) metric values read from a TOML file, checked against a run."""

from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")


def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> dict[str, dict[str, float]]:
    """`[minimum]` and `[maximum]` tables of metric name -> limit.

    Raises:
        ValueError: the file is missing, not TOML, or names a metric no run reports.
    """
    from evals.quality.report import METRICS

    try:
        with Path(path).open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ValueError(f"Thresholds file {path} does not exist; pass one with --thresholds.") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"Thresholds file {path} is not valid TOML: {err}") from None
    thresholds: dict[str, dict[str, float]] = {}
    for bound in ("minimum", "maximum"):
        table = raw.get(bound, {})
        unknown = sorted(set(table) - set(METRICS))
        if unknown:
            raise ValueError(f"Thresholds file {path} names unknown metric(s) {', '.join(unknown)} "
                             f"under [{bound}]; known: {', '.join(METRICS)}.")
        thresholds[bound] = {name: float(value) for name, value in table.items()}
    extra = sorted(set(raw) - {"minimum", "maximum"})
    if extra:
        raise ValueError(f"Thresholds file {path} has unknown table(s) {', '.join(extra)}; use [minimum] and [maximum].")
    return thresholds


def check(metrics: dict[str, float | None], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """One line per metric that misses its limit (or was not measured); empty when the run passes."""
    problems = []
    for name, limit in thresholds.get("minimum", {}).items():
        value = metrics.get(name)
        if value is None:
            problems.append(f"{name} was not measured (no question it applies to); required ≥ {limit}")
        elif value < limit:
            problems.append(f"{name} = {value:.4g} is below the minimum {limit:.4g}")
    for name, limit in thresholds.get("maximum", {}).items():
        value = metrics.get(name)
        if value is None:
            problems.append(f"{name} was not measured; required ≤ {limit}")
        elif value > limit:
            problems.append(f"{name} = {value:.4g} is above the maximum {limit:.4g}")
    return problems
