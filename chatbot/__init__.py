"""Reads the index and answers questions with numbered citations."""

from chatbot.errors import ChatbotError, IndexMissing, StoreUnavailable
from chatbot.settings import Settings
from chatbot.types import Answer, Citation, Passage, Timings

__all__ = ["Answer", "ChatbotError", "Citation", "IndexMissing", "Passage", "Settings", "StoreUnavailable", "Timings"]
