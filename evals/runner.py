"""The question runner, kept importable here for the benchmark and reliability checks; see evals.quality.runner."""

from evals.quality.runner import ensure_index, run_one, run_questions, stored_texts

__all__ = ["ensure_index", "run_one", "run_questions", "stored_texts"]
