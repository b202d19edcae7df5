"""Many writers voting at once into one feedback log: every vote kept, none doubled."""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VoteReport:
    expected: int
    stored: int
    distinct: int  # distinct (question, vote) rows: a lost or doubled write shows here
    seconds: float


def vote_storm(path: Path, *, processes: int = 2, threads: int = 8, votes: int = 50) -> VoteReport:
    """`processes` x `threads` writers each appending `votes` votes to one feedback log at the same moment."""
    from chatbot.ui.feedback import FeedbackStore

    began = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_vote_process, args=(str(path), p, threads, votes)) for p in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    failed = [worker.exitcode for worker in workers if worker.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} voting process(es) failed with exit codes {failed}")
    rows = FeedbackStore(path).all()
    return VoteReport(expected=processes * threads * votes, stored=len(rows),
                      distinct=len({(row.question, row.vote) for row in rows}), seconds=time.perf_counter() - began)


def _vote_process(path: str, process: int, threads: int, votes: int) -> None:
    from chatbot.ui.feedback import FeedbackStore

    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def vote(thread: int) -> None:
        store = FeedbackStore(path)  # one per thread, as separate requests of the app would use
        start.wait()
        try:
            for n in range(votes):
                citation = {"n": 1, "title": "Guidance", "passage": f"passage {n}"}
                store.record(f"question {process}-{thread}-{n}", f"answer {n} [1]", [citation], ("up", "down")[n % 2])
        except BaseException as err:
            errors.append(err)

    workers = [threading.Thread(target=vote, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise SystemExit(f"{len(errors)} voter(s) failed: {errors[0]!r}")
