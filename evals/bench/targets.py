"""The speed and quality targets, checked against one benchmark's results."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Target:
    name: str
    value: object  # None when the section did not run
    limit: str
    met: bool | None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _get(results: dict, *path: str):
    for key in path:
        if not isinstance(results, dict) or key not in results:
            return None
        results = results[key]
    return results


def _below(name: str, value, limit: float, unit: str = "") -> Target:
    return Target(name, value, f"< {limit:g}{unit}", None if value is None else value < limit)


def check(results: dict) -> list[Target]:
    """Every target with the figure it is judged on; `met` is None for a section that was not run."""
    answers, cold, ingest, scale = (results.get(name) for name in ("answers", "cold_start", "ingest", "scale"))
    quality = _get(answers, "quality")
    targets = [
        Target("warm ask() total p50 / question-embedding p50", _get(answers, "bot", "total_over_floor"), "<= 1.5",
               None if _get(answers, "bot", "total_over_floor") is None else answers["bot"]["total_over_floor"] <= 1.5),
        Target("answers identical to the torch path", _get(answers, "old", "same_answers", "identical"), "true",
               _get(answers, "old", "same_answers", "identical")),
        _below("warm ask() total p95 (ms)", _get(answers, "bot", "total_ms", "p95"), 100),
        Target("quality >= baseline on every metric", _get(quality, "at_least_baseline_everywhere"), "true",
               _get(quality, "at_least_baseline_everywhere")),
        Target("must-mention coverage > baseline's", _get(quality, "coverage_strictly_better"), "true",
               _get(quality, "coverage_strictly_better")),
        _below("app: launch to first answer p50 (s)", _get(cold, "app", "first_answer_s", "median"), 5),
        _below("CLI: launch to first answer p50 (s)", _get(cold, "cli", "first_answer_s", "median"), 3),
        _below("app peak RSS (MB)", _get(cold, "app", "peak_rss_mb", "max"), 500),
        _below("unchanged re-ingest p50, after imports (s)", _get(ingest, "unchanged", "seconds", "median"), 2),
        Target("unchanged re-ingest embeds nothing", _get(ingest, "unchanged", "embedded"), "== 0",
               None if _get(ingest, "unchanged", "embedded") is None else ingest["unchanged"]["embedded"] == 0),
    ]
    growth = _get(scale, "growth")
    largest = str(growth["to"]) if growth else None
    targets.append(_below(f"index open at {int(largest):,} chunks, fresh process, p50 (s)" if largest else
                          "index open at the largest size, fresh process, p50 (s)",
                          _get(scale, "sizes", largest, "open", "new", "seconds", "median") if largest else None, 3))
    for mode in ("dense", "bm25", "hybrid"):
        label = f"{mode} retrieval p50 at {growth['to']:,} / at {growth['from']:,} chunks" if growth else \
            f"{mode} retrieval p50 growth"
        targets.append(_below(label, _get(growth, mode), 3, "x"))
    return targets
