"""The web front end: the chat, the use-case check tab, rendering, feedback and the login page (Gradio)."""


def __getattr__(name: str):
    # `from chatbot.ui import build_ui, launch` without importing Gradio for modules that only render text.
    if name in ("build_ui", "launch"):
        from chatbot.ui import ui

        return getattr(ui, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
