"""Measuring the assistant: a question set, the same `ask()` the app uses, metrics, a report and a gate."""
