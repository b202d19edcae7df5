"""The one reader of the index: connections swapped whole, calls under way finishing on the one they began with."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time

import pytest

from chatbot.bot import build_bot
from chatbot.errors import IndexMissing
from chatbot.store.reader import IndexReader, reader_for

QUESTION = "Do I need consent for a digital replica?"


@pytest.mark.slow
def test_opens_and_questions_in_many_threads_survive_reconnects_under_way(corpus_settings, tmp_path):
    from chatbot.usecase.checker import UseCaseChecker

    settings = dataclasses.replace(corpus_settings, data_dir=tmp_path / "data")
    shutil.copytree(corpus_settings.data_dir, settings.data_dir)
    reader = reader_for(settings)
    build_bot(settings).ask(QUESTION)  # the model loads once, before the race
    errors: list[BaseException] = []
    answered: list[int] = []
    reconnects: list[int] = []
    stop = threading.Event()

    def reconnect() -> None:  # what a failed read or another process's rebuild sets off
        while not stop.is_set():
            with reader.connection() as held:
                pass
            reader.reconnect(held)
            reconnects.append(1)
            time.sleep(0.005)

    def questions() -> None:
        for _ in range(8):
            try:
                bot = build_bot(settings)
                assert bot.ask(QUESTION).citations
                assert bot.retrieve(QUESTION)
                assert UseCaseChecker(settings).assess("Mood boards from a GenAI tool", "yes,yes,yes,yes,yes").outcome
                answered.append(1)
            except BaseException as err:  # noqa: BLE001 - every failure counts
                errors.append(err)

    reconnector = threading.Thread(target=reconnect)
    askers = [threading.Thread(target=questions) for _ in range(5)]
    reconnector.start()
    for thread in askers:
        thread.start()
    for thread in askers:
        thread.join(timeout=300)
    stop.set()
    reconnector.join()

    assert not errors, f"{len(errors)} of {len(errors) + len(answered)} failed, first: {errors[0]!r}"
    assert len(answered) == 40 and len(reconnects) > 20


def test_a_call_under_way_finishes_on_the_connection_it_began_with(corpus_settings):
    reader = IndexReader(corpus_settings)
    with reader.connection() as first:
        reader.reconnect(first)
        with reader.connection() as second:
            assert second is not first and second.client is not first.client
            assert first.collection.count() == second.collection.count() > 0  # the old one still reads
        assert first.replaced
    with pytest.raises(Exception):  # closed once the last call holding it ended
        first.collection.count()
    with reader.connection() as third:
        assert third is second, "one reconnect, one new connection"


def test_a_stale_connection_is_replaced_once_however_many_calls_report_it(corpus_settings):
    reader = IndexReader(corpus_settings)
    with reader.connection() as first:
        pass
    reader.reconnect(first)
    with reader.connection() as second:
        pass
    reader.reconnect(first)  # a second report of the same failure
    with reader.connection() as third:
        assert third is second


def test_every_front_end_of_a_process_shares_the_reader_of_one_index(corpus_settings):
    from chatbot.usecase.checker import UseCaseChecker

    assert build_bot(corpus_settings).reader is UseCaseChecker(corpus_settings).reader is reader_for(corpus_settings)


def test_a_missing_collection_is_index_missing_not_a_crash(make_settings, tmp_path):
    settings = make_settings(corpus_dir=tmp_path / "unused")
    settings.chroma_dir.mkdir(parents=True)
    with pytest.raises(IndexMissing, match="Run `python -m ingest` first"):
        IndexReader(settings).snapshot()


def test_one_reading_call_checks_the_store_once_and_every_stage_sees_that_snapshot(corpus_settings):
    reader = IndexReader(corpus_settings)
    outside = reader.snapshot()
    checks: list[int] = []
    read = reader._version.read

    def counted():
        checks.append(1)
        return read()

    reader._version.read = counted
    first, second, nested = reader.reading(lambda: (reader.snapshot(), reader.snapshot(),
                                                     reader.reading(reader.snapshot)))
    assert first is second is nested is outside
    assert len(checks) == 1
    reader.snapshot()
    reader.snapshot()
    assert len(checks) == 3  # outside a reading call, each look checks the store again
