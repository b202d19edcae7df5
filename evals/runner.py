"""Running questions through the bot's own `ask()` and scoring each reply into one plain record."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatbot.settings import Settings
from evals import metrics
from evals.dataset import Question
from ingest.ensure import ensure_index  # noqa: F401  (evals.runner.ensure_index, as before)

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
    """The record of one question: what came back, how long it took, and its scores."""
    started = time.perf_counter()
    answer, error = None, ""
    try:
        answer = bot.ask(question.question)
    except Exception as err:  # recorded so one bad case cannot stop the run
        log.warning("question %s failed: %s", question.id, err)
        error = f"{type(err).__name__}: {err}"
    record = _record(question, answer, (time.perf_counter() - started) * 1000, error)
    passages: Sequence[object] = answer.passages if answer else ()
    if answer and question.answerable and not passages:
        passages = _retrieve(bot, question)
    record["retrieved"] = [_passage_summary(passage) for passage in passages[:metrics.MRR_DEPTH]]
    record["scores"] = score(question, record, store, passages, k=k)
    return record


def score(question: Question, record: dict, store: set[str], passages: Sequence[object], *, k: int) -> dict:
    """Per-question metrics; must-mention and retrieval only count for answerable questions."""
    cited = [citation["passage"] for citation in record["citations"]]
    answered = not record["declined"] and not record["error"]
    scores: dict[str, object] = {
        "decline_correct": not record["error"] and metrics.decline_correct(question.answerable, record["declined"]),
        "citations_valid": metrics.citation_valid(cited, store) if answered else None,
    }
    if question.answerable:
        missing = metrics.missing_groups([record["answer"], *cited], question.must_mention) if answered else []
        scores["must_mention_ok"] = answered and not missing
        scores["missing_groups"] = [list(group) for group in missing]
        scores["hit_rank"] = metrics.first_hit_rank(passages, question.must_mention, metrics.MRR_DEPTH)
        scores["hit_at_k"] = metrics.hit_at_k(passages, question.must_mention, k)
        scores["reciprocal_rank"] = metrics.reciprocal_rank(passages, question.must_mention, metrics.MRR_DEPTH)
    return scores


def _record(question: Question, answer: "Answer | None", latency_ms: float, error: str) -> dict:
    return {
        "id": question.id,
        "question": question.question,
        "answer": answer.text if answer else "",
        "declined": answer.declined if answer else False,
        "citations": [
            {"n": c.n, "title": c.title, "section": c.section, "url": c.url, "passage": c.passage}
            for c in (answer.citations if answer else ())
        ],
        "latency_ms": round(latency_ms, 1),
        "topic": question.topic,
        "answerable": question.answerable,
        "expected": question.expected,
        "must_mention": [list(group) for group in question.must_mention],
        "notice": answer.notice if answer else "",
        "error": error,
    }


def _retrieve(bot: "Bot", question: Question) -> list:
    try:
        return list(bot.retrieve(question.question))
    except Exception as err:  # the retrieval score is then simply a miss
        log.warning("retrieval for %s failed: %s", question.id, err)
        return []


def _passage_summary(passage: object) -> dict:
    return {
        "source": getattr(passage, "source", ""),
        "section": getattr(passage, "section", ""),
        "score": round(float(getattr(passage, "score", 0.0)), 4),
    }
