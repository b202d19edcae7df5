"""Errors a person can act on; front ends show their message as it is."""


class ChatbotError(Exception):
    """Base class for every error the project raises on purpose."""


class ConfigError(ChatbotError, ValueError):
    """A setting that cannot be used: an unknown name, a value of the wrong type, a missing config file."""


class IndexMissing(ChatbotError):
    """No vector index exists yet."""


class StoreUnavailable(ChatbotError):
    """The vector store cannot be opened or reached."""


class IngestError(ChatbotError):
    """A document could not be loaded or indexed."""
