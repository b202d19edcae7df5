"""What the bot says when the index holds nothing that answers a question, or nothing was asked.

Whether it holds something is decided by the fitted model in chatbot.answer.decision."""

from __future__ import annotations

NOT_COVERED = (
    "The indexed guidance doesn't cover this, so I can't answer it from the sources. "
    "For questions outside Netflix's guidance on generative AI in production, ask your Netflix contact."
)
EMPTY_QUESTION = (
    "Please type a question about Netflix's guidance on using generative AI in production, "
    "for example: \"Do I need approval to use GenAI for background signage?\""
)
