"""The one entry point every front end uses: `build_bot(settings).ask(question, history)`."""

from __future__ import annotations

import dataclasses
import functools
import logging
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from chatbot.answer import decision
from chatbot.answer.decline import EMPTY_QUESTION, NOT_COVERED, SMALL_TALK, is_about_the_assistant, is_small_talk
from chatbot.answer.gaps import Gap, find_gap, key_concepts, with_absent_kind
from chatbot.answer.compose import asks_for_list, opens_with_list, question_parts
from chatbot.answer.outline import asked_headings, section_headings, section_intro, section_parts
from chatbot.answer.respond import Listing, respond
from chatbot.answer.verdict import Verdict, asks_verdict, verdict
from chatbot.errors import ConfigError
from chatbot.query.history import asks_again
from chatbot.query.shorthand import shorthand
from chatbot.query.expansion import SYNONYM_ROWS, ubiquitous_names
from chatbot.query.parts_of_speech import never_nominal, past_tense_forms
from chatbot.query.query import Query, read_question
from chatbot.query.spelling import Speller, synonym_vocabulary
from chatbot.retrieval.quotes import find_quotes
from chatbot.retrieval.search import SUPPORT_PASSAGES, Retrieval, Searcher, validate_retriever
from chatbot.settings import Settings
from chatbot.store.embedding import check_backend
from chatbot.store.reader import IndexReader, reader_for
from chatbot.store.sentence_bank import SentenceBank
from chatbot.types import Answer, Passage, Timings

if TYPE_CHECKING:
    from chatbot.answer.llm import LlmAnswerer

log = logging.getLogger(__name__)

ANSWERERS = ("extractive", "llm")
# A question whose shape allows a follow-up is read as one only when the joined reading is this much more
# likely to be answerable than the question alone: it retrieves poorly alone and better with the chat before it.
# On the dev conversations, below 0.1 an earlier topic is carried into a question that stands alone, and every
# value from 0.1 to 0.3 does equally well; near the low end, "What about for X?" after a can-I question is read
# with the question before it.
FOLLOW_UP_GAIN = 0.125
_RANK = {"declined": 0, "partly": 1, "answered": 2}


@dataclasses.dataclass(frozen=True)
class Reading:
    """One reading of a question and what it found: the passages, what they leave out, and the decision."""

    query: Query
    retrieval: Retrieval
    gap: Gap | None
    features: dict[str, float]  # what the fitted decision reads (chatbot.answer.decision.FEATURES)

    @property
    def probabilities(self) -> dict[str, float]:
        return decision.shipped().probabilities(self.features)

    @property
    def outcome(self) -> str:
        """"answered", "partly" or "declined", as the decision fitted on the dev split reads the features.

        A question asking for a kind of answer (a date, a sum) that no passage found holds is not answered outright.
        """
        decided = decision.shipped().decide(self.features)
        return "partly" if decided == "answered" and self.gap is not None and self.gap.absent_kind else decided


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
        self._speller: tuple[str, Speller, frozenset[str]] | None = None  # for the snapshot its words come from
        self._headings: dict[str, np.ndarray] = {}  # heading -> vector (chatbot.answer.outline)

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
        never_nominal()  # the lexicon that tells the gap detector which words can be a question's subject
        past_tense_forms()  # the verb forms that tell a "who did it?" question
        self._of_snapshot()  # the speller of the index's words
        shorthand()
        if sentences:
            passages = self.reader.snapshot().passages
            bank.get(passages)
            if bank.unsaved:
                bank.save(passages)
            self._embed_headings(passages)

    def _embed(self, text: str) -> np.ndarray:
        if self._embedder is None:
            self._load()
        return np.asarray(self._embedder.embed_query(text), dtype=np.float32)

    def read(self, question: object, history: Sequence = ()) -> Query:
        """The question read once, for every later stage."""
        return self._read(question, history).with_vector(self._embed, self._names())

    # Asking ------------------------------------------------------------------------------------------

    def retrieve(self, question: str, history: Sequence = (), retriever: str | None = None) -> list[Passage]:
        """Passages for a question (read in the light of `history`, as `ask` reads it), best first.

        Args:
            retriever: "dense", "bm25" or "hybrid"; default settings.retriever.
        """
        def passages() -> list[Passage]:
            query = self._read(question, history)
            if query.empty:
                return []
            if retriever is None or retriever == self.settings.retriever:
                return list(self._reading(query, self._load()[1]).retrieval.passages)
            return self.searcher.passages(query.with_vector(self._embed, self._names()), retriever)

        return self.reader.reading(passages)

    def assess(self, question: str, history: Sequence = ()) -> Reading | None:
        """How `ask` reads the question and what it decides, without composing a reply (None when empty)."""
        def assessed() -> Reading | None:
            query = self._read(question, history)
            return None if query.empty else self._reading(query, self._load()[1])

        return self.reader.reading(assessed)

    def ask(self, question: str, history: Sequence = ()) -> Answer:
        """Answer `question` with cited passages; declines when the indexed sources don't cover it."""
        return self.reader.reading(lambda: self._ask(question, history))

    def _read(self, question: object, history: Sequence) -> Query:
        """The question cleaned and its typos corrected against the index's own words; not yet embedded."""
        return read_question(question, history, max_chars=self.settings.max_question_chars, embed=None,
                             correct=self._spelling().correct)

    def _spelling(self) -> Speller:
        """A speller knowing the words of the index as it is now and the synonym table's words."""
        return self._of_snapshot()[1]

    def _names(self) -> frozenset[str]:
        """The names nearly every passage of the index mentions, left out of what dense search embeds."""
        return self._of_snapshot()[2]

    def _of_snapshot(self) -> tuple[str, Speller, frozenset[str]]:
        snapshot = self.reader.snapshot()
        if self._speller is None or self._speller[0] != snapshot.fingerprint:
            texts = [p.text for p in snapshot.passages]
            self._speller = (snapshot.fingerprint, Speller(texts, synonym_vocabulary(SYNONYM_ROWS)),
                             ubiquitous_names(texts))
        return self._speller

    def _assessed(self, query: Query, bank: SentenceBank) -> Reading:
        retrieval = self.searcher.retrieve(query, bank)
        lexical = self.reader.snapshot().lexical
        top = [p.text for p in retrieval.passages[:SUPPORT_PASSAGES]]
        idf, unseen = lexical.idf, lexical.unseen_idf
        concepts = key_concepts(query.asked, idf, unseen)
        gap = with_absent_kind(find_gap(query.asked, top, idf, unseen, concepts), query.asked, top, concepts)
        values = decision.features(retrieval.closeness, retrieval.support,
                                   retrieval.passages[0].score if retrieval.passages else 0.0,
                                   gap.coverage if gap else 1.0)
        return Reading(query, retrieval, gap, values)

    def _reading(self, query: Query, bank: SentenceBank) -> Reading:
        """The question read alone, or as a follow-up when it cannot stand alone: it retrieves poorly alone
        and clearly better joined to the chat before it."""
        alone = self._assessed(query.with_vector(self._embed, self._names()), bank)
        if not query.context:
            return alone
        joined = self._assessed(query.as_follow_up().with_vector(self._embed, self._names()), bank)
        gain = joined.probabilities.get("answered", 0.0) - alone.probabilities.get("answered", 0.0)
        better = _RANK[joined.outcome] > _RANK[alone.outcome]
        return joined if better or gain >= FOLLOW_UP_GAIN else alone

    def _ask(self, question: str, history: Sequence) -> Answer:
        _, bank = self._load()  # the model and the speller load before the clock starts: timings measure answering
        query = self._read(question, history)
        if query.empty:
            return Answer(question="", text=EMPTY_QUESTION, declined=True, notice=" ".join(query.notices))
        if is_small_talk(query.asked) or is_about_the_assistant(query.asked):  # "hi", "what can you do?"
            # Its outcome is a decline (the sources answer nothing), but it is not shown as one: nothing was asked of
            # them, so "No answer in the sources" would mislead.
            return Answer(question=query.asked, text=SMALL_TALK, outcome="declined", notice=" ".join(query.notices))
        started = time.perf_counter()
        reading = self._reading(query, bank)
        retrieved = time.perf_counter()
        query, outcome = reading.query, reading.outcome
        notices = list(query.notices)
        text, citations = "", ()
        # A rule of the decision procedure that clearly applies settles the question, whatever else it names
        # (a tool, a title) and however loosely the passages found match its wording.
        found = self._verdict(reading)
        outcome = "answered" if found else outcome
        if outcome != "declined":
            text, citations = self._answer(reading, outcome, found, notices)
        finished = time.perf_counter()
        return Answer(
            question=query.asked,
            text=text if citations else NOT_COVERED,
            citations=citations,
            declined=not citations,
            outcome=outcome if citations else "declined",
            notice=" ".join(notices),
            timings=Timings(
                retrieve_ms=_ms(retrieved - started), answer_ms=_ms(finished - retrieved), total_ms=_ms(finished - started)
            ),
            passages=reading.retrieval.passages,
        )

    def _verdict(self, reading: Reading) -> Verdict | None:
        """The bottom line for a can-I question, or one asking the can-I question before it again ("what about
        for …?"), citing the rule from the passages found or else the index."""
        query = reading.query
        # "what about for the poster?" after a can-I question asks it again, of the poster alone.
        again = bool(query.context) and asks_again(query.asked) and asks_verdict(query.context)
        if not (again or asks_verdict(query.asked)):
            return None
        passages = list(reading.retrieval.passages) + self.reader.snapshot().passages
        return verdict(query.asked, passages, asked=True, owners=self._names())  # asking was checked just above

    def _answer(self, reading: Reading, outcome: str, found: Verdict | None, notices: list[str]):
        """(text, citations) from the configured answerer, the extractive one as the fallback; adds notices."""
        query, retrieval = reading.query, reading.retrieval
        if self.settings.answerer == "llm":
            from chatbot.answer.llm import LlmAnswerer, LlmFailed, context_lines

            if self._llm is None:
                self._llm = LlmAnswerer(self.settings)
            try:
                passages = retrieval.passages[: self.settings.top_k]
                if found is not None and found.passage not in passages:  # the rule the verdict rests on
                    passages = (found.passage, *passages[: self.settings.top_k - 1])
                checked = self._llm.answer(query.asked, passages,
                                           context=context_lines(found, reading.gap if outcome == "partly" else None))
            except LlmFailed as err:
                notices.append(f"The answer below quotes the sources directly: {err}.")
            else:
                if checked.dropped:
                    notices.append(
                        f"{checked.dropped} sentence(s) of the generated answer were removed because they cited "
                        "no passage that was given."
                    )
                return checked.text, checked.citations
        listing = self._listing(reading) if outcome == "answered" else None
        draft = respond(query, retrieval, self.settings.top_k, outcome=outcome, gap=reading.gap, verdict=found,
                        embed=self._embed, names=self._names(), listing=listing)
        return draft.text, draft.citations

    def _listing(self, reading: Reading) -> Listing | None:
        """For a "which …" question, or part, that a heading of a passage found asks too, or names by its title
        ("list the principles"): that section's parts."""
        query = reading.query
        parts = question_parts(query.asked)
        for part in parts:
            if not asks_for_list(part):
                continue
            part_query = query if len(parts) == 1 else self.read(part)
            titles = opens_with_list(part)
            # A section named by its title may rank below the passages that mention it (a summary listing "five
            # principles" outranks the principles themselves): every passage found is looked at then.
            found = reading.retrieval.passages if titles else reading.retrieval.passages[:SUPPORT_PASSAGES]
            self._embed_headings(found)
            headings = asked_headings(part_query.vector, found, self._headings.__getitem__, titles=titles)
            passages = self.reader.snapshot().passages
            listed = next(((h, parts_of) for h in headings if (parts_of := section_parts(h, passages))), None)
            if listed:
                heading, sections = listed
                intro = section_intro(heading, passages)
                within = functools.partial(self._within, reading, part_query)
                return Listing(part, part_query, tuple(within(chunks) for chunks in sections),
                               within(intro) if intro else None)
        return None

    def _within(self, reading: Reading, query: Query, chunks: Sequence[Passage]) -> Retrieval:
        """The reading's retrieval narrowed to `chunks` (one part of a listed section), their sentences scored for
        `query`."""
        bank = self._load()[1]
        return dataclasses.replace(reading.retrieval, passages=tuple(chunks),
                                   quotes=tuple(find_quotes(query.vector, chunks, bank)))

    def _embed_headings(self, passages: Sequence[Passage]) -> None:
        """Embed, in one batch, the headings of `passages` not embedded yet: a list question looks at many, and
        headings recur from question to question, so each is embedded once."""
        missing = list(dict.fromkeys(heading for passage in passages for heading in section_headings(passage)
                                     if heading not in self._headings))
        if missing:
            if self._embedder is None:
                self._load()
            vectors = np.asarray(self._embedder.embed_documents(missing), dtype=np.float32)
            self._headings.update(zip(missing, vectors))


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
