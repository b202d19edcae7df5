"""The pipeline a newcomer would write with LangChain: Chroma `similarity_search`, top 4, the passages are the answer."""

from __future__ import annotations

import time
from collections.abc import Sequence

from chatbot.settings import Settings
from chatbot.types import Answer, Citation, Passage, Timings

TOP_K = 4


class BaselineBot:
    """Same store, same embedder, same `ask()` shape as the bot; no BM25, no sentence selection, never declines."""

    def __init__(self, settings: Settings, k: int = TOP_K):
        from chatbot.store.client import open_vector_store

        self.settings = settings
        self.k = k
        self.vector_store = open_vector_store(settings)

    def ask(self, question: str, history: Sequence = ()) -> Answer:
        started = time.perf_counter()
        documents = self.vector_store.similarity_search(question, k=self.k)
        retrieved = time.perf_counter()
        passages = tuple(Passage.from_metadata(doc.id or "", doc.page_content, doc.metadata) for doc in documents)
        citations = tuple(Citation.of(n, passage) for n, passage in enumerate(passages, start=1))
        text = "\n\n".join(f"{passage.text} [{n}]" for n, passage in enumerate(passages, start=1))
        finished = time.perf_counter()
        return Answer(
            question=question,
            text=text,
            citations=citations,
            declined=not passages,
            timings=Timings(
                retrieve_ms=round((retrieved - started) * 1000, 2),
                answer_ms=round((finished - retrieved) * 1000, 2),
                total_ms=round((finished - started) * 1000, 2),
            ),
            passages=passages,
        )

    def retrieve(self, question: str, history: Sequence = ()) -> list[Passage]:
        return list(self.ask(question).passages)
