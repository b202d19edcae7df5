"""The one entry point every front end uses: `build_bot(settings).ask(question, history)`."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from chatbot.answer import extractive
from chatbot.answer.decline import EMPTY_QUESTION, NOT_COVERED, covered
from chatbot.errors import ConfigError
from chatbot.query.query import Query, read_question
from chatbot.retrieval.search import Retrieval, Searcher, validate_retriever
from chatbot.settings import Settings
from chatbot.store.embedding import check_backend
from chatbot.store.reader import IndexReader, reader_for
from chatbot.store.sentence_bank import SentenceBank
from chatbot.types import Answer, Passage, Timings

if TYPE_CHECKING:
    from chatbot.answer.llm import LlmAnswerer

log = logging.getLogger(__name__)

ANSWERERS = ("extractive", "llm")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


class Bot:
    """Answers questions from the indexed guidance. Cheap to build; the model and index load on first use."""

    def __init__(self, settings: Settings, reader: IndexReader | None = None):
        self.settings = settings
        self.reader = reader or reader_for(settings)
        self.searcher = Searcher(settings, self.reader)
        self._lock = threading.Lock()
        self._embedder = None
        self._bank: SentenceBank | None = None
        self._checked: tuple[str, str] | None = None  # the snapshot last found readable by this model
        self._llm: LlmAnswerer | None = None

    # Loading -----------------------------------------------------------------------------------------

    def _load(self) -> tuple[object, SentenceBank]:
        """The model and the sentence bank, loaded once; the index checked whenever its snapshot is new."""
        if self._bank is None:
            with self._lock:
                if self._bank is None:
                    self._load_model()
        snapshot = self.reader.snapshot()  # raises IndexMissing when the collection is empty
        if self._checked != (snapshot.collection_id, snapshot.fingerprint):
            from chatbot.store.compatibility import require_compatible

            require_compatible(self.settings, self.reader, snapshot.embeddings.shape[1], self._dimension)
            self._checked = (snapshot.collection_id, snapshot.fingerprint)
        return self._embedder, self._bank

    def _load_model(self) -> None:
        from chatbot.store.embedding import question_embedder

        settings = self.settings
        self.reader.snapshot()  # a missing index is reported before the model loads
        embedder = question_embedder(settings)
        _one_thread_per_question()
        self._dimension = len(embedder.embed_query("dimension"))
        bank = SentenceBank(lambda texts: np.asarray(embedder.embed_documents(texts), dtype=np.float32),
                            settings.sentence_cache, model=settings.embedding_model or "bundled")
        bank.load(self._dimension)
        self._embedder = embedder
        self._bank = bank

    def warm_up(self, sentences: bool = True) -> None:
        """Load the model and index now, and embed every chunk's sentences so no question waits for them.

        The sentence vectors are saved beside the index, so the next process reads them instead.
        """
        self.reader.reading(lambda: self._warm_up(sentences))

    def _warm_up(self, sentences: bool) -> None:
        _, bank = self._load()
        self._embed("warm up")
        if sentences:
            passages = self.reader.snapshot().passages
            bank.get(passages)
            if bank.unsaved:
                bank.save(passages)

    def _embed(self, text: str) -> np.ndarray:
        if self._embedder is None:
            self._load()
        return np.asarray(self._embedder.embed_query(text), dtype=np.float32)

    def read(self, question: object, history: Sequence = ()) -> Query:
        """The question read once, for every later stage."""
        return read_question(question, history, max_chars=self.settings.max_question_chars, embed=self._embed)

    # Asking ------------------------------------------------------------------------------------------

    def retrieve(self, question: str, history: Sequence = (), retriever: str | None = None) -> list[Passage]:
        """Passages for a question (read in the light of `history`), best first.

        Args:
            retriever: "dense", "bm25" or "hybrid"; default settings.retriever.
        """
        def passages() -> list[Passage]:
            query = self.read(question, history)
            return [] if query.empty else self.searcher.passages(query, retriever)

        return self.reader.reading(passages)

    def ask(self, question: str, history: Sequence = ()) -> Answer:
        """Answer `question` with cited passages; declines when the indexed sources don't cover it."""
        return self.reader.reading(lambda: self._ask(question, history))

    def _ask(self, question: str, history: Sequence) -> Answer:
        query = read_question(question, history, max_chars=self.settings.max_question_chars, embed=None)
        notices = list(query.notices)
        if query.empty:
            return Answer(question="", text=EMPTY_QUESTION, declined=True, notice=" ".join(notices))
        _, bank = self._load()  # the model loads before the clock starts: timings measure answering
        started = time.perf_counter()
        query = query.with_vector(self._embed)
        retrieval = self.searcher.retrieve(query, bank)
        retrieved = time.perf_counter()
        text, citations = "", ()
        if covered(query.asked, retrieval.closeness, retrieval.support, self.settings.min_score):
            text, citations = self._answer(query, retrieval, notices)
        finished = time.perf_counter()
        return Answer(
            question=query.asked,
            text=text if citations else NOT_COVERED,
            citations=citations,
            declined=not citations,
            notice=" ".join(notices),
            timings=Timings(
                retrieve_ms=_ms(retrieved - started), answer_ms=_ms(finished - retrieved), total_ms=_ms(finished - started)
            ),
            passages=retrieval.passages,
        )

    def _answer(self, query: Query, retrieval: Retrieval, notices: list[str]):
        """(text, citations) from the configured answerer, the extractive one as the fallback; adds notices."""
        if self.settings.answerer == "llm":
            from chatbot.answer.llm import LlmAnswerer, LlmFailed

            if self._llm is None:
                self._llm = LlmAnswerer(self.settings)
            try:
                checked = self._llm.answer(query.asked, retrieval.passages)
            except LlmFailed as err:
                notices.append(f"The answer below quotes the sources directly: {err}.")
            else:
                if checked.dropped:
                    notices.append(
                        f"{checked.dropped} sentence(s) of the generated answer were removed because they cited "
                        "no passage that was given."
                    )
                return checked.text, checked.citations
        draft = extractive.answer(query, extractive.candidates(query, retrieval), self.settings.top_k)
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
    validate_retriever(settings.retriever)
    check_backend(settings.embedding_backend)
    if settings.answerer not in ANSWERERS:
        raise ConfigError(f"Unknown answerer {settings.answerer!r}: use one of {', '.join(ANSWERERS)}.")
    if settings.answerer == "llm":
        from chatbot.answer.llm import validate_settings

        validate_settings(settings)
    return Bot(settings)
