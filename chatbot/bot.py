"""The one entry point every front end uses: `build_bot(settings).ask(question, history)`."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from chatbot import extractive
from chatbot.decline import EMPTY_QUESTION, NOT_COVERED, covered
from chatbot.embedding import check_backend
from chatbot.expansion import expand, search_text
from chatbot.history import resolve
from chatbot.lexical import tokenize
from chatbot.reconnect import reconnecting
from chatbot.retrieve import Retriever, check_retriever
from chatbot.sanitize import clean_question
from chatbot.sentence_bank import SentenceBank
from chatbot.settings import Settings
from chatbot.types import Answer, Passage, Timings

if TYPE_CHECKING:
    from chatbot.llm import LlmAnswerer

log = logging.getLogger(__name__)

ANSWERERS = ("extractive", "llm")
SUPPORT_PASSAGES = 3  # the top passages whose words count as lexical support for answering


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


class Bot:
    """Answers questions from the indexed guidance. Cheap to build; the model and index load on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None
        self._embedder = None
        self._bank: SentenceBank | None = None
        self._llm: LlmAnswerer | None = None

    # Loading -----------------------------------------------------------------------------------------

    def _parts(self) -> tuple[Retriever, object, SentenceBank]:
        if self._retriever is None:
            with self._lock:
                if self._retriever is None:
                    self._load()
        return self._retriever, self._embedder, self._bank

    def _load(self) -> None:
        from chatbot.embedding import question_embedder
        from chatbot.store import open_collection
        from chatbot.store_checks import check_index

        settings = self.settings
        collection = open_collection(settings)
        retriever = Retriever(settings, collection)
        index = retriever.index()  # raises IndexMissing when the collection is empty
        embedder = question_embedder(settings)
        _one_thread_per_question()
        dimension = len(embedder.embed_query("dimension"))
        check_index(settings, collection, index.embeddings.shape[1], dimension)
        self._embedder = embedder
        self._bank = SentenceBank(lambda texts: np.asarray(embedder.embed_documents(texts), dtype=np.float32),
                                  settings.sentence_cache, model=settings.embedding_model or "bundled")
        self._bank.load(dimension)
        self._retriever = retriever

    @reconnecting
    def warm_up(self, sentences: bool = True) -> None:
        """Load the model and index now, and embed every chunk's sentences so no question waits for them.

        The sentence vectors are saved beside the index, so the next process reads them instead.
        """
        retriever, _, bank = self._parts()
        self._embed("warm up")
        if sentences:
            passages = retriever.index().passages
            bank.get(passages)
            if bank.unsaved:
                bank.save(passages)

    def _embed(self, text: str) -> np.ndarray:
        return np.asarray(self._parts()[1].embed_query(text), dtype=np.float32)

    # Asking ------------------------------------------------------------------------------------------

    @reconnecting
    def retrieve(self, question: str, history: Sequence = (), retriever: str | None = None) -> list[Passage]:
        """Passages for a question (read in the light of `history`), best first.

        Args:
            retriever: "dense", "bm25" or "hybrid"; default settings.retriever.
        """
        limit = self.settings.max_question_chars
        query = resolve(clean_question(question, limit).text, history, limit)
        if not query:
            return []
        return self._search(query, retriever)[0]

    def _search(self, query: str, retriever: str | None = None) -> tuple[list[Passage], np.ndarray]:
        vector = self._embed(search_text(query))
        return self._parts()[0].search(query, vector, retriever), vector

    @reconnecting
    def ask(self, question: str, history: Sequence = ()) -> Answer:
        """Answer `question` with cited passages; declines when the indexed sources don't cover it."""
        started = time.perf_counter()
        clean = clean_question(question, self.settings.max_question_chars)
        notices = list(clean.notices)
        if not clean.text:
            return Answer(question=clean.text, text=EMPTY_QUESTION, declined=True, notice=" ".join(notices))
        query = resolve(clean.text, history, self.settings.max_question_chars)
        passages, vector = self._search(query)
        retrieved = time.perf_counter()
        retriever, _, bank = self._parts()
        index = retriever.index()
        originals = [index.passages[row] for rows in index.originals_by_url.values() for row in rows]
        found = extractive.candidates(query, vector, passages, bank, index.lexical.idf, originals)
        best = max((candidate.similarity for candidate in found), default=0.0)
        text, citations = "", ()
        if covered(clean.text, best, self._support(query, passages), self.settings.min_score):
            text, citations = self._answer(clean.text, passages, found, notices)
        finished = time.perf_counter()
        return Answer(
            question=clean.text,
            text=text if citations else NOT_COVERED,
            citations=citations,
            declined=not citations,
            notice=" ".join(notices),
            timings=Timings(
                retrieve_ms=_ms(retrieved - started), answer_ms=_ms(finished - retrieved), total_ms=_ms(finished - started)
            ),
            passages=tuple(passages),
        )

    def _support(self, query: str, passages: Sequence[Passage]) -> float:
        index = self._parts()[0].index()
        rows = [index.row_of[p.chunk_id] for p in passages[:SUPPORT_PASSAGES] if p.chunk_id in index.row_of]
        return index.lexical.support(tokenize(query) + tokenize(expand(query)), rows)

    def _answer(self, question: str, passages: list[Passage], found: list, notices: list[str]):
        """(text, citations) from the configured answerer, the extractive one as the fallback; adds notices."""
        if self.settings.answerer == "llm":
            from chatbot.llm import LlmAnswerer, LlmFailed

            if self._llm is None:
                self._llm = LlmAnswerer(self.settings)
            try:
                checked = self._llm.answer(question, passages)
            except LlmFailed as err:
                notices.append(f"The answer below quotes the sources directly: {err}.")
            else:
                if checked.dropped:
                    notices.append(
                        f"{checked.dropped} sentence(s) of the generated answer were removed because they cited "
                        "no passage that was given."
                    )
                return checked.text, checked.citations
        draft = extractive.answer(question, found, self.settings.top_k)
        return draft.text, draft.citations


def _one_thread_per_question() -> None:
    """Let each question use one core: a short query gains nothing from intra-op threads, and on a busy
    machine they stall each other (measured on 2 cores under load: p95 of one query embedding 960 ms with
    two threads, 30-50 ms with one). Concurrent questions still use every core, one each.
    The ONNX backend is built with one thread; torch is set here only when it embeds."""
    torch = sys.modules.get("torch")
    if torch is None:
        return
    if torch.get_num_threads() > 1:
        log.info("Using one torch thread per question (was %d)", torch.get_num_threads())
        torch.set_num_threads(1)


def build_bot(settings: Settings) -> Bot:
    """A bot for these settings; instant, nothing loads until the first question or `warm_up()`."""
    check_retriever(settings.retriever)
    check_backend(settings.embedding_backend)
    if settings.answerer not in ANSWERERS:
        raise ValueError(f"Unknown answerer {settings.answerer!r}: use one of {', '.join(ANSWERERS)}.")
    if settings.answerer == "llm":
        from chatbot.llm import check_settings

        check_settings(settings)
    return Bot(settings)
