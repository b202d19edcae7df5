"""The question file format, kept importable here for the benchmark and reliability checks; see evals.quality.dataset."""

from evals.quality.dataset import DatasetError, Question, load_questions, parse_question

__all__ = ["DatasetError", "Question", "load_questions", "parse_question"]
