"""Check my use case: the guidance's decision rule applied to a planned GenAI use."""
