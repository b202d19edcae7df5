"""When the index holds nothing that answers a question, say so plainly instead of guessing."""

from __future__ import annotations

NOT_COVERED = (
    "The indexed guidance doesn't cover this, so I can't answer it from the sources. "
    "For questions outside Netflix's guidance on generative AI in production, ask your Netflix contact."
)
EMPTY_QUESTION = (
    "Please type a question about Netflix's guidance on using generative AI in production, "
    "for example: \"Do I need approval to use GenAI for background signage?\""
)
# How far above min_score the dense similarity must be to answer without lexical support, and how much of
# the question's rare-word weight the top passages must hold when the similarity is only just above it.
CLEAR_MARGIN = 0.12
MIN_LEXICAL_SUPPORT = 0.35


def covered(best_similarity: float, lexical_support: float, min_score: float) -> bool:
    """Whether the retrieved passages support an answer.

    Args:
        best_similarity: highest cosine similarity between the question and a retrieved passage.
        lexical_support: share of the question's IDF weight present in the top passages (0..1).
        min_score: the deployment's threshold (settings.min_score).
    """
    if best_similarity < min_score:
        return False
    if best_similarity >= min_score + CLEAR_MARGIN:
        return True
    return lexical_support >= MIN_LEXICAL_SUPPORT
