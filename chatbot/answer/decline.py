"""When the index holds nothing that answers a question, say so plainly instead of guessing."""

from __future__ import annotations

import re

NOT_COVERED = (
    "The indexed guidance doesn't cover this, so I can't answer it from the sources. "
    "For questions outside Netflix's guidance on generative AI in production, ask your Netflix contact."
)
EMPTY_QUESTION = (
    "Please type a question about Netflix's guidance on using generative AI in production, "
    "for example: \"Do I need approval to use GenAI for background signage?\""
)
# With no word of the question in the top passages, the similarity must clear min_score by this much.
NO_LEXICAL_MARGIN = 0.1

# Another company's or a government's rulebook: the index holds Netflix's guidance, whose wording would
# otherwise make "What are Warner Bros' rules for vendors?" look answerable.
_OTHER_RULEBOOK = re.compile(
    r"\b(warner|amazon|mgm|disney|paramount|sony pictures|nbcuniversal|hbo|hulu|peacock|bbc|itv|lionsgate|a24"
    r"|eu|european union|congress|government|federal|state law|the law|ai act|gdpr|copyright office)\b",
    re.IGNORECASE,
)
_RULES = re.compile(r"\b(rules?|polic(y|ies)|guidelines?|guidance|requires?|requirements?|regulat\w*|laws?)\b", re.IGNORECASE)
_NETFLIX = re.compile(r"\b(netflix|the guidance|this guidance)\b", re.IGNORECASE)


def other_rulebook(question: str) -> bool:
    """True when the question asks about someone else's rules rather than Netflix's guidance."""
    return bool(_OTHER_RULEBOOK.search(question) and _RULES.search(question) and not _NETFLIX.search(question))


def covered(question: str, best_similarity: float, lexical_support: float, min_score: float) -> bool:
    """Whether the retrieved passages support an answer.

    Args:
        question: the question as asked.
        best_similarity: highest cosine similarity between the question and a sentence of the top passages.
        lexical_support: share of the question's IDF weight present in the top passages (0..1).
        min_score: the deployment's threshold (settings.min_score).
    """
    if other_rulebook(question):
        return False
    if lexical_support <= 0:
        return best_similarity >= min_score + NO_LEXICAL_MARGIN
    return best_similarity >= min_score
