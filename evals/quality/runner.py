"""Running questions through the bot's own `ask()` (replaying conversations) and scoring each reply into one record."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatbot.settings import Settings
from ingest.ensure import ensure_index  # noqa: F401  (one copy, shared with app.py)
from evals.quality import metrics
from evals.quality.dataset import Question

if TYPE_CHECKING:
    from chatbot.bot import Bot
    from chatbot.types import Answer

log = logging.getLogger(__name__)


def stored_texts(settings: Settings) -> set[str]:
    """Every chunk text in the collection, fetched once, to check citations against; empty when there is none."""
    from chromadb.errors import NotFoundError

    from chatbot.store.client import open_client, read_pages

    client = open_client(settings)
    try:
        pages = list(read_pages(client.get_collection(settings.collection), ["documents"]))
    except NotFoundError:
        return set()
    finally:
        client.close()
    return {text for page in pages for text in page["documents"] or [] if text}


def warn_of_other_documents(settings: Settings) -> list[str]:
    """Log a warning naming the indexed documents that are not in the corpus folder, and return them: figures
    measured, or numbers fitted, on such an index are not the shipped corpus's."""
    from chatbot.store.catalog import list_documents
    from ingest.sources import inventory

    corpus = {target.source for target in inventory(None, settings).targets}
    others = sorted(document.source for document in list_documents(settings) if document.source not in corpus)
    if others:
        log.warning("The index at %s also holds %d document(s) outside %s (%s): the figures are not the corpus's "
                    "own. Run with a data folder holding the corpus alone (RAG_DATA_DIR=…, then "
                    "`python -m ingest`).", settings.data_dir, len(others), settings.corpus_dir,
                    ", ".join(others[:5]) + (" …" if len(others) > 5 else ""))
    return others


def run_questions(
    bot: "Bot",
    questions: Sequence[Question],
    store: set[str],
    *,
    k: int,
    progress: bool = True,
    label: str = "questions",
) -> list[dict]:
    """Ask every question and score the reply; a question that raises is recorded with its error, not raised."""
    from tqdm import tqdm

    records = []
    for question in tqdm(questions, desc=label, unit="q", file=sys.stderr, disable=not progress):
        records.append(run_one(bot, question, store, k=k))
    return records


def run_one(bot: "Bot", question: Question, store: set[str], *, k: int) -> dict:
    """The record of one question: what came back to its last turn, how long that took, and its scores."""
    answer, error, latency_ms, history = None, "", 0.0, ()
    try:
        history = replay(bot, question.history)
        started = time.perf_counter()
        answer = bot.ask(question.question, history) if history else bot.ask(question.question)
        latency_ms = (time.perf_counter() - started) * 1000
    except Exception as err:  # recorded so one bad case cannot stop the run
        log.warning("question %s failed: %s", question.id, err)
        error = f"{type(err).__name__}: {err}"
    record = record_of(question, answer, latency_ms, error)
    passages: Sequence[object] = answer.passages if answer else ()
    if answer and question.answerable and not passages:
        passages = _retrieve(bot, question, history)
    record["retrieved"] = [_passage_summary(passage) for passage in passages[:metrics.MRR_DEPTH]]
    record["scores"] = score(question, record, store, passages, k=k)
    return record


def replay(bot: "Bot", turns: Sequence[str]) -> tuple[dict, ...]:
    """Ask the earlier user turns in order, each with the conversation so far; the history the last turn gets.

    The history holds role/content messages, the shape the chat UI passes, with the bot's own replies.
    """
    history: list[dict] = []
    for turn in turns:
        reply = bot.ask(turn, tuple(history))
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": reply.text}]
    return tuple(history)


def score(question: Question, record: dict, store: set[str], passages: Sequence[object], *, k: int) -> dict:
    """Per-question scores; must-mention and retrieval only count for answerable questions."""
    cited = [citation["passage"] for citation in record["citations"]]
    outcome, failed = record["outcome"], bool(record["error"])
    gave_answer = not failed and outcome != "declined"
    scores: dict[str, object] = {
        "handled": not failed and metrics.handled(question.answerable, outcome),
        "outcome_expected": not failed and outcome == question.expected_outcome,
        "citations_valid": metrics.citation_valid(cited, store) if gave_answer or (cited and not failed) else None,
    }
    if question.answerable:
        missing = metrics.missing_groups([record["answer"], *cited], question.must_mention) if gave_answer else []
        missing_in_answer = metrics.missing_groups(record["answer"], question.must_mention) if gave_answer else []
        scores |= {
            "must_mention_ok": gave_answer and not missing,
            "answer_text_ok": gave_answer and not missing_in_answer,
            "missing_groups": [list(group) for group in missing],
            "missing_in_answer": [list(group) for group in missing_in_answer],
            "hit_rank": metrics.first_hit_rank(passages, question.must_mention, metrics.MRR_DEPTH),
            "hit_at_k": metrics.hit_at_k(passages, question.must_mention, k),
            "reciprocal_rank": metrics.reciprocal_rank(passages, question.must_mention, metrics.MRR_DEPTH),
        }
    if question.must_not_mention:
        carried = metrics.mentioned(record["answer"], question.must_not_mention)
        scores["carried_over"] = carried
        scores["must_not_mention_ok"] = not failed and not carried
    return scores


def record_of(question: Question, answer: "Answer | None", latency_ms: float, error: str = "") -> dict:
    """The plain record of one reply, before scoring: the results.jsonl fields and the expectations."""
    return {
        "id": question.id,
        "question": question.question,
        "answer": answer.text if answer else "",
        "declined": answer.declined if answer else False,
        "outcome": metrics.outcome_of(answer) if answer else "error",
        "citations": [
            {"n": c.n, "title": c.title, "section": c.section, "url": c.url, "passage": c.passage}
            for c in (answer.citations if answer else ())
        ],
        "latency_ms": round(latency_ms, 1),
        "split": question.split,
        "kind": question.kind,
        "topic": question.topic,
        "answerable": question.answerable,
        "expected_outcome": question.expected_outcome,
        "expected": question.expected,
        "must_mention": [list(group) for group in question.must_mention],
        "must_not_mention": list(question.must_not_mention),
        "history": list(question.history),
        "notice": answer.notice if answer else "",
        "error": error,
    }


def _retrieve(bot: "Bot", question: Question, history: Sequence = ()) -> list:
    try:
        return list(bot.retrieve(question.question, history) if history else bot.retrieve(question.question))
    except Exception as err:  # the retrieval score is then simply a miss
        log.warning("retrieval for %s failed: %s", question.id, err)
        return []


def _passage_summary(passage: object) -> dict:
    return {
        "source": getattr(passage, "source", ""),
        "section": getattr(passage, "section", ""),
        "score": round(float(getattr(passage, "score", 0.0)), 4),
    }
