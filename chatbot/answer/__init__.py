"""Answering from passages: sentences, the extractive answerer, yes/no leads, declining, the optional LLM."""
